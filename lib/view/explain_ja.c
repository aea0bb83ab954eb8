/* explain_ja.c - the evaluation in Japanese words (see explain_ja.h). One
 * sentence per fact, in the seeds' order: where the figure stands at the
 * checkpoint with the target, the checkpoint's expectation (目安) and the
 * achievement rate (達成率 = actual / expected) in parentheses, then the
 * status word, what is missing when behind, an overdue figure, and what the
 * next checkpoint needs. Dates stay ISO (期限2027-06-30) as the English
 * explanation prints them, so both forms name the same day. */
#include "explain_ja.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "dec.h"
#include "err.h"
#include "followup.h"
#include "fy.h"

/* The one table of status words: the HTML badges print both languages. */
static const struct {
    const char *ja, *en, *both;
} ja_words[PW_STATUS_COUNT] = {
    {"目標なし", "monitoring", "目標なし monitoring"}, {"データなし", "no data", "データなし no data"},
    {"順調", "on track", "順調 on track"},             {"要注意", "at risk", "要注意 at risk"},
    {"遅れ", "behind", "遅れ behind"},                 {"達成", "achieved", "達成 achieved"},
};

int pw_lang_parse(const char *s, enum pw_lang *out)
{
    if (s && strcmp(s, "ja") == 0)
        *out = PW_LANG_JA;
    else if (s && strcmp(s, "en") == 0)
        *out = PW_LANG_EN;
    else
        return PW_EINVAL;
    return 0;
}

const char *pw_lang_name(enum pw_lang l)
{
    return l == PW_LANG_EN ? "en" : "ja";
}

const char *pw_explain_status_ja(enum pw_status s)
{
    return (unsigned)s < PW_STATUS_COUNT ? ja_words[s].ja : "?";
}

const char *pw_explain_status_en(enum pw_status s)
{
    return (unsigned)s < PW_STATUS_COUNT ? ja_words[s].en : "?";
}

const char *pw_explain_status_both(enum pw_status s)
{
    return (unsigned)s < PW_STATUS_COUNT ? ja_words[s].both : "?";
}

const char *pw_explain_status(enum pw_status s, enum pw_lang lang)
{
    return lang == PW_LANG_EN ? pw_status_name(s) : pw_explain_status_ja(s);
}

/* ---- writing ------------------------------------------------------------ */

struct ja_out {
    char *buf;
    size_t n;
};

__attribute__((format(printf, 2, 3))) static void ja_say(struct ja_out *o, const char *fmt, ...)
{
    size_t len = strlen(o->buf);
    if (len + 1 >= o->n)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(o->buf + len, o->n - len, fmt, ap);
    va_end(ap);
}

/* Each a number with its unit, as the seeds print it: "1,443件", "83%". */
struct ja_num {
    char s[PW_DEC_BUFSZ + 64];
};

static struct ja_num ja_num(const struct pw_indicator *ind, int64_t v)
{
    struct ja_num r;
    char d[PW_DEC_BUFSZ + 16];
    /* two decimals at most, as the English explanation prints them */
    const int64_t cent = PW_DEC_SCALE / 100;
    v = (v < 0 ? v - cent / 2 : v + cent / 2) / cent * cent;
    snprintf(r.s, sizeof r.s, "%s%s", pw_followup_number(v, d, sizeof d), ind->unit);
    return r;
}

struct ja_fy {
    char s[32];
};

static struct ja_fy ja_fy(int fy)
{
    struct ja_fy r;
    pw_followup_fy_name(fy, r.s, sizeof r.s);
    return r;
}

/* "令和4～6年度" (the seeds' way of naming a span), "令和7年度" for one year. */
static struct ja_fy ja_range(int a, int b)
{
    struct ja_fy r;
    if (a == b || a < 2019)
        snprintf(r.s, sizeof r.s, "%s～%s", ja_fy(a).s, ja_fy(b).s);
    else if (a == 2019)
        snprintf(r.s, sizeof r.s, "令和元～%d年度", b - 2018);
    else
        snprintf(r.s, sizeof r.s, "令和%d～%d年度", a - 2018, b - 2018);
    if (a == b)
        return ja_fy(a);
    return r;
}

/* "以上" / "以下" / "超" / "未満" after a number the target asks for. */
static const char *ja_op(const struct pw_target *t)
{
    if (t->type == PW_TARGET_ABOVE_BASELINE)
        return t->lower_better ? "未満" : "超";
    return t->lower_better ? "以下" : "以上";
}

/* "、達成率122%" when the rate means something (an expectation above 0). */
static void ja_rate(struct ja_out *o, const struct pw_eval *e)
{
    if (e->has_ratio && e->expected > 0)
        ja_say(o, "、達成率%ld%%", (long)(e->ratio * 100.0 + 0.5));
}

/* "（速報値、" or "（令和7年度の数値・速報値、" opening the parentheses. */
static void ja_open(struct ja_out *o, const struct pw_eval *e, int stale)
{
    ja_say(o, "（");
    if (stale)
        ja_say(o, "%sの数値%s、", ja_fy(e->data_fy).s, e->preliminary ? "・速報値" : "");
    else if (e->preliminary)
        ja_say(o, "速報値、");
}

/* "遅れ。目安に102件不足。" — the status word, and by how much when behind. */
static void ja_status(struct ja_out *o, const struct pw_indicator *ind, const struct pw_eval *e,
                      int guide)
{
    ja_say(o, "%s。", pw_explain_status_ja(e->status));
    if (e->grade != 'B' || !e->has_actual || !e->has_expected)
        return;
    int lower = ind->target.lower_better;
    int64_t gap = lower ? e->actual - e->expected : e->expected - e->actual;
    if (gap > 0)
        ja_say(o, "%sに%s%s。", guide ? "目安" : "目標", ja_num(ind, gap).s,
               lower ? "超過" : "不足");
}

/* "令和8年度の数値は期限2027-06-30を過ぎても未着。" */
static void ja_overdue(struct ja_out *o, const struct pw_eval *e)
{
    char d[11];
    if (e->cp.never)
        ja_say(o, "%sの数値は期限%sを過ぎても未報告（一度も報告なし）。", ja_fy(e->cp.fy).s,
               pw_day_format(e->cp.due, d));
    else if (e->cp.overdue)
        ja_say(o, "%sの数値は期限%sを過ぎても未着。", ja_fy(e->cp.fy).s,
               pw_day_format(e->cp.due, d));
}

/* "次は令和8年度末に260件（あと102件、期限2027-06-30）。" */
static void ja_next(struct ja_out *o, const struct pw_indicator *ind, const struct pw_eval *e)
{
    const struct pw_target *t = &ind->target;
    char d[11];
    if (!e->cp.next_fy)
        return;
    pw_day_format(e->cp.next_due, d);
    if (!e->has_next) {
        ja_say(o, "次の評価は%s末（期限%s）。", ja_fy(e->cp.next_fy).s, d);
        return;
    }
    if (t->type == PW_TARGET_ANNUAL || t->type == PW_TARGET_ABOVE_BASELINE) {
        ja_say(o, "次は%sに%s%s（期限%s）。", ja_fy(e->cp.next_fy).s,
               ja_num(ind, e->next_expected).s, ja_op(t), d);
        return;
    }
    int64_t more = t->lower_better ? e->actual - e->next_expected : e->next_expected - e->actual;
    const char *op = t->lower_better ? "以下" : "";
    if (more > 0)
        ja_say(o, "次は%s末に%s%s（あと%s、期限%s）。", ja_fy(e->cp.next_fy).s,
               ja_num(ind, e->next_expected).s, op, ja_num(ind, more).s, d);
    else
        ja_say(o, "次は%s末に%s%s（達成済み、期限%s）。", ja_fy(e->cp.next_fy).s,
               ja_num(ind, e->next_expected).s, op, d);
}

/* ---- the models ----------------------------------------------------------- */

static void ja_none(struct ja_out *o, const struct pw_indicator *ind, const struct pw_eval *e)
{
    if (!e->has_actual)
        ja_say(o, "数値はまだない。");
    else if (ind->reporting == PW_BASIS_CUMULATIVE)
        ja_say(o, "%s末時点で累計%s%s。", ja_fy(e->data_fy).s, ja_num(ind, e->actual).s,
               e->preliminary ? "（速報値）" : "");
    else
        ja_say(o, "%sは%s%s。", ja_fy(e->data_fy).s, ja_num(ind, e->actual).s,
               e->preliminary ? "（速報値）" : "");
    ja_say(o, "目標なし（モニタリング指標）。");
    ja_overdue(o, e);
}

static void ja_not_yet(struct ja_out *o, const struct pw_indicator *ind, const struct pw_eval *e)
{
    char d[11];
    if (e->cp.next_fy)
        ja_say(o, "評価時点前：最初の評価は%s末（%d年中%d年目）の数値で行う（期限%s）。",
               ja_fy(e->cp.next_fy).s, ind->target.last_fy - ind->target.first_fy + 1,
               e->cp.next_fy - ind->target.first_fy + 1,
               pw_day_format(e->cp.next_due, d));
    ja_say(o, "データなし。");
}

static void ja_stock(struct ja_out *o, const struct pw_indicator *ind, const struct pw_eval *e)
{
    const struct pw_target *t = &ind->target;
    struct ja_fy at = ja_fy(e->cp.fy);
    if (!e->has_actual) {
        ja_say(o, "%s末時点で数値なし（%sに報告なし）。", at.s, ja_range(t->first_fy, e->cp.fy).s);
        ja_overdue(o, e);
        ja_say(o, "データなし。");
        return;
    }
    int stale = e->data_fy && e->data_fy < e->cp.fy;
    /* at the final checkpoint (or when it equals the target) the expectation is the target */
    int guide = !e->cp.final && e->status != PW_STATUS_ACHIEVED && e->expected != e->target;
    if (t->type == PW_TARGET_RATIO) {
        ja_say(o, "%s末時点で%s", at.s, ja_num(ind, e->actual).s);
        ja_open(o, e, stale);
        ja_say(o, "目標%s%s", ja_num(ind, e->target).s, ja_op(t));
    } else {
        ja_say(o, "%s末時点で%s%s", at.s, t->type == PW_TARGET_LEVEL ? "" : "累計",
               ja_num(ind, e->actual).s);
        ja_open(o, e, stale);
        ja_say(o, "目標%s%s", ja_num(ind, e->target).s, t->lower_better ? "以下" : "");
        if (t->type == PW_TARGET_LEVEL)
            ja_say(o, "、基準%s", ja_num(ind, t->baseline).s);
        if (guide)
            ja_say(o, "、%s%s末の目安%s%s", t->type == PW_TARGET_TRAJECTORY ? "計画上の" : "",
                   at.s, ja_num(ind, e->expected).s, t->lower_better ? "以下" : "");
    }
    if (e->status != PW_STATUS_ACHIEVED)
        ja_rate(o, e);
    ja_say(o, "）。");
    ja_status(o, ind, e, guide && t->type != PW_TARGET_RATIO);
    if (e->has_run_rate && e->grade == 'B') {
        ja_say(o, "目標%sの達成には残り年平均%sが必要", ja_num(ind, e->target).s,
               ja_num(ind, e->run_rate).s);
        if (e->has_projected)
            ja_say(o, "（現在のペースでは%s末に%s）", ja_fy(t->last_fy).s,
                   ja_num(ind, e->projected).s);
        ja_say(o, "。");
    }
    ja_overdue(o, e);
    ja_next(o, ind, e);
}

static void ja_flow(struct ja_out *o, const struct pw_indicator *ind, const struct pw_eval *e)
{
    const struct pw_target *t = &ind->target;
    struct ja_fy at = ja_fy(e->cp.fy);
    char d[11];
    if (!e->has_actual) {
        if (e->cp.overdue)
            ja_say(o, "%sの数値が期限%sを過ぎても未着のため評価なし%s。", at.s,
                   pw_day_format(e->cp.due, d), e->cp.never ? "（一度も報告なし）" : "");
        else if (e->data_fy && t->type == PW_TARGET_PREV_AVERAGE)
            ja_say(o, "参照年度（%s）の数値も基準値もないため評価なし。",
                   ja_range(e->cp.fy - t->lag - t->years + 1, e->cp.fy - t->lag).s);
        else
            ja_say(o, "%sの単年度の数値なし（累計値からは前年度の数値が必要）。", at.s);
        ja_say(o, "データなし。");
        return;
    }
    if (t->type == PW_TARGET_ROLLING_AVERAGE) {
        ja_say(o, "%sまでの%d年平均は%s", at.s, t->years, ja_num(ind, e->actual).s);
        ja_open(o, e, 0);
        ja_say(o, "%d年度中%d年度の報告、目標は平均%s%s", e->years_wanted, e->years_used,
               ja_num(ind, e->expected).s, ja_op(t));
    } else if (t->type == PW_TARGET_PREV_AVERAGE) {
        ja_say(o, "%sは%s", at.s, ja_num(ind, e->actual).s);
        ja_open(o, e, 0);
        ja_say(o, "目標は%sの平均%s%s",
               ja_range(e->cp.fy - t->lag - t->years + 1, e->cp.fy - t->lag).s,
               ja_num(ind, e->expected).s, ja_op(t));
    } else {
        ja_say(o, "%sは%s", at.s, ja_num(ind, e->actual).s);
        ja_open(o, e, 0);
        ja_say(o, "年度目標%s%s", ja_num(ind, e->expected).s, ja_op(t));
    }
    ja_rate(o, e);
    ja_say(o, "）。");
    ja_status(o, ind, e, 0);
    ja_next(o, ind, e);
}

char *pw_explain_ja(const struct pw_indicator *ind, const struct pw_eval *ev, char *buf,
                    size_t n)
{
    struct ja_out o = {buf, n};
    if (!buf || n == 0)
        return buf;
    buf[0] = '\0';
    if (!ind || !ev)
        return buf;
    if (ind->target.type == PW_TARGET_NONE) {
        ja_none(&o, ind, ev);
        return buf;
    }
    if (!ev->cp.fy) {
        ja_not_yet(&o, ind, ev);
        return buf;
    }
    if (ev->cp.final)
        ja_say(&o, "最終：");
    switch (ind->target.type) {
    case PW_TARGET_CUMULATIVE:
    case PW_TARGET_LEVEL:
    case PW_TARGET_TRAJECTORY:
    case PW_TARGET_RATIO:
        ja_stock(&o, ind, ev);
        break;
    default:
        ja_flow(&o, ind, ev);
        break;
    }
    return buf;
}

const char *pw_explain(const struct pw_indicator *ind, const struct pw_eval *ev,
                       enum pw_lang lang, char *buf, size_t n)
{
    if (lang == PW_LANG_EN)
        return ev->explanation;
    return pw_explain_ja(ind, ev, buf, n);
}
