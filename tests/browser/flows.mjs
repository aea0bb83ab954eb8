// flows.mjs - people acting through planwatch-http's pages in a real
// browser: playwright-core driving Debian's chromium against the services
// that browser_flows (browser_flows.c) started on loopback with an open
// alert on PW_ALERTED. The users and their passwords come from the
// environment, made by that program for this run.
//   member:      uploads a feed file (written here) with one bad row through
//                /upload: the preview shows that row's conflict by row and
//                column and stores nothing; imports the good rows and sees
//                the import summary.
//   secretariat: acknowledges the open alert with a 要因分析 on /alerts;
//                silences its indicator and lifts the silence; records an
//                assessment; subscribes and unsubscribes a webhook; an /alerts
//                form posted without its csrf field is refused 403 and
//                nothing changed; the navigation keeps ?lang=en; signs out.
//   viewer:      no action forms on /alerts, /upload, /subscriptions (only
//                sign-out).
// What each step did is checked in the page and through the read API (the
// browser's own session). Screenshots go to PW_SHOTS. Exit 0 when every
// step passed; one line per step on stdout.
import { check, finish, launch, shot, thrown } from './steps.mjs';
import fs from 'node:fs';
import path from 'node:path';

const env = process.env;
const base = env.PW_URL;
const shots = env.PW_SHOTS;
const work = env.PW_WORK;
const alertId = env.PW_ALERT;
const alerted = env.PW_ALERTED;
const member = { name: env.PW_MEMBER, pw: env.PW_MEMBER_PASSWORD };
const sec = { name: env.PW_SECRETARIAT, pw: env.PW_SECRETARIAT_PASSWORD };
const viewer = { name: env.PW_VIEWER, pw: env.PW_VIEWER_PASSWORD };
if (!base || !shots || !work || !alertId || !member.name || !sec.name || !viewer.name) {
  console.error('flows.mjs: run by browser_flows (PW_URL, PW_SHOTS, PW_WORK, PW_ALERT, ...)');
  process.exit(2);
}

const browser = await launch();
const pathOf = page => new URL(page.url()).pathname;

async function session(who) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'ja-JP' });
  const page = await ctx.newPage();
  await page.goto(base + '/signin');
  await page.fill('input[name=name]', who.name);
  await page.fill('input[name=password]', who.pw);
  await Promise.all([page.waitForURL(u => new URL(u).pathname === '/'),
                     page.click('#signin button[type=submit]')]);
  check(await page.textContent('form.session .user') === who.name, `${who.name} signed in`);
  return { ctx, page };
}

// Submits the form of a button: the response of the navigation it causes.
async function submit(page, button) {
  const [resp] = await Promise.all([page.waitForNavigation(), page.click(button)]);
  return resp;
}

// The read API with the browser's own session cookie.
async function api(page, p) {
  const r = await page.context().request.get(base + p, { headers: { Accept: 'application/json' } });
  if (!r.ok()) throw new Error(`GET ${p}: HTTP ${r.status()}`);
  return r.json();
}
const history = async (page, id) => (await api(page, `/api/v1/indicators/${id}/history`)).length;

// The forms that post on the page, sign-out aside.
const actionForms = page => page.$$eval('form', els =>
  els.filter(e => (e.getAttribute('method') || '').toLowerCase() === 'post' &&
                  !e.classList.contains('session')).length);

async function signOut(page, who) {
  const here = await page.locator('form.session button').count() === 1;
  check(here, `${who.name}: ${who.from} has the sign-out button`);
  if (!here) return;
  await Promise.all([page.waitForURL(u => new URL(u).pathname === '/signin'),
                     page.click('form.session button')]);
  check(!(await page.context().cookies()).some(c => c.name === 'pw_session'),
        `${who.name} signed out from ${who.from}: the cookie is gone`);
  await page.goto(base + '/alerts');
  check(pathOf(page) === '/signin', `${who.name} signed out: /alerts sends the browser to /signin`);
}

try {
  // ---- a member uploads a feed file with one bad row -------------------------
  {
    const { ctx, page } = await session(member);
    const demos = 'p2-pj2-healthcare-demos', seeds = 'p2-pj2-seeds-transferred';
    const file = path.join(work, 'pj2-upload.csv');
    fs.writeFileSync(file, 'indicator_id,fiscal_year,value\n' +
                           `${demos},2022,19\n` +
                           'p2-pj2-nonclinical-poc,FY2019,3\n' + // row 3: a year outside the plan
                           `${seeds},2022,15\n`);
    const before = [await history(page, demos), await history(page, seeds)];
    await page.goto(base + '/upload');
    check(await page.isVisible('#upload-form'), 'member: /upload offers the upload form');
    await shot(page, 'upload-form.png');
    await page.setInputFiles('#upload-form input[type=file]', file);
    let r = await submit(page, '#upload-form button');
    check(r.status() === 409, `preview: HTTP ${r.status()} (409: a row refused)`);
    const conflict = page.locator('#conflicts tr[data-row="3"][data-column="fiscal_year"]');
    check(await conflict.count() === 1 && (await conflict.textContent()).includes('PW_EFEED_FY'),
          'preview: row 3 refused by row and column (fiscal_year, PW_EFEED_FY)');
    check(await page.locator('#conflicts tbody tr').count() === 1, 'preview: only row 3 conflicts');
    check(await page.locator('#rows tr[data-row="2"][data-status="valid"]').count() === 1 &&
          await page.locator('#rows tr[data-row="4"][data-status="valid"]').count() === 1,
          'preview: rows 2 and 4 valid');
    check((await page.textContent('#summary')).includes('まだ何も保存していません'),
          'preview: the summary says nothing is stored (Japanese)');
    check(await history(page, demos) === before[0] && await history(page, seeds) === before[1],
          'preview: nothing stored');
    await shot(page, 'upload-preview.png');
    r = await submit(page, '#import-form button');
    check(r.status() === 409, `import: HTTP ${r.status()} (the feed's status: a row refused)`);
    const h1 = await page.textContent('h1');
    check(h1.includes('取り込み結果'), `import: the import summary (${h1})`);
    check(await page.getAttribute('#summary', 'data-status') !== null &&
          (await page.textContent('#summary')).includes('取り込み 2 行'),
          'import: the summary counts 2 rows imported');
    check(await page.locator('#rows tr[data-row="2"][data-status="accepted"]').count() === 1 &&
          await page.locator('#rows tr[data-row="4"][data-status="accepted"]').count() === 1 &&
          await page.locator('#conflicts tr[data-row="3"][data-column="fiscal_year"]').count() === 1,
          'import: rows 2 and 4 accepted, row 3 still refused');
    check(await history(page, demos) === before[0] + 1 && await history(page, seeds) === before[1] + 1,
          'import: the good rows are stored');
    await shot(page, 'upload-imported.png');
    // a member has no manage right: /alerts and /subscriptions without forms
    await page.goto(base + '/alerts');
    check(await actionForms(page) === 0, 'member: no forms on /alerts');
    await signOut(page, { ...member, from: '/alerts' });
    await ctx.close();
  }

  // ---- the secretariat acts on /alerts and /subscriptions --------------------
  {
    const { ctx, page } = await session(sec);
    const row = `#alerts tr[data-alert="${alertId}"]`;
    await page.goto(base + '/alerts');
    check(await page.locator(row).count() === 1, `/alerts lists the open alert ${alertId}`);
    check((await page.textContent(`${row} td.ack`)).includes('未確認'), 'the alert is not acknowledged yet');
    await shot(page, 'alerts-secretariat.png');

    // acknowledge with the 要因分析
    const reason = '要因分析: 承認審査の遅れ。来年度に回復見込み';
    await page.fill(`${row} form.ack textarea[name=reason]`, reason);
    let r = await submit(page, `${row} form.ack button`);
    check(r.status() === 200 && (await page.textContent('#result')).includes('確認しました'),
          `acknowledge: HTTP ${r.status()}, the page says so`);
    await page.goto(base + '/alerts');
    const ackText = await page.textContent(`${row} td.ack`);
    check(ackText.includes(reason) && ackText.includes(sec.name),
          `acknowledged: /alerts shows the reason by ${sec.name}`);
    let alerts = await api(page, `/api/v1/alerts?indicator=${alerted}`);
    const acks = alerts.alerts.find(a => a.alert_id === alertId)?.acks || [];
    check(acks.some(k => k.reason === reason && k.by === sec.name),
          'acknowledged: the read API has the acknowledgement');
    await shot(page, 'alerts-acknowledged.png');

    // silence the indicator until a day, then lift it
    await page.fill(`${row} form.silence input[name=until]`, '2023-06-30');
    await page.fill(`${row} form.silence input[name=comment]`, '年度末まで集計中');
    r = await submit(page, `${row} form.silence button`);
    const said = await page.textContent('#result');
    const sid = (said.match(/(\d+)/) || [])[1];
    check(r.status() === 200 && sid, `silence: HTTP ${r.status()}, silence ${sid}`);
    await page.goto(base + '/alerts');
    const srow = `#silences tr[data-silence="${sid}"]`;
    check(await page.locator(srow).count() === 1 &&
          (await page.textContent(srow)).includes(alerted) &&
          (await page.textContent(srow)).includes('2023-06-30'),
          'silenced: /alerts lists the silence on the indicator until 2023-06-30');
    await shot(page, 'alerts-silenced.png');
    r = await submit(page, `${srow} form.lift button`);
    check(r.status() === 200 && (await page.textContent('#result')).includes('解除しました'),
          `lift: HTTP ${r.status()}, the page says so`);
    await page.goto(base + '/alerts');
    check(await page.locator(srow).count() === 0, 'lifted: the silence is gone from /alerts');
    alerts = await api(page, '/api/v1/alerts');
    check(!(alerts.silences || []).some(s => String(s.id) === sid),
          'lifted: the read API has no such active silence');

    // record an assessment
    const why = '事務局評価: 承認件数は目標に届かず';
    await page.selectOption('#assess-form select[name=indicator_id]', alerted);
    await page.fill('#assess-form input[name=fiscal_year]', '2022');
    await page.selectOption('#assess-form select[name=grade]', 'B');
    await page.fill('#assess-form textarea[name=reason]', why);
    r = await submit(page, '#assess-form button');
    check(r.status() === 200 && (await page.textContent('#result')).includes('評価を記録しました'),
          `assess: HTTP ${r.status()}, the page says so`);
    const as = (await api(page, '/api/v1/assessments')).assessments || [];
    check(as.some(a => a.indicator_id === alerted && a.fiscal_year === 2022 && a.grade === 'B' &&
                       a.reason === why && a.by === sec.name),
          `assessed: the read API has grade B for FY2022 with its reason, by ${sec.name}`);
    await shot(page, 'alerts-assessed.png');

    // an /alerts form without its csrf field: 403, nothing changed
    await page.goto(base + '/alerts');
    // what the form could change: acknowledgements and silences (the alert
    // service may still judge the member's upload meanwhile)
    const acted = async () => {
      const j = await api(page, '/api/v1/alerts');
      return JSON.stringify([j.alerts.find(a => a.alert_id === alertId)?.acks, j.silences]);
    };
    const state = await acted();
    await page.fill(`${row} form.ack textarea[name=reason]`, 'csrf なしの確認');
    await page.evaluate(sel => document.querySelector(sel).remove(),
                        `${row} form.ack input[name=csrf]`);
    r = await submit(page, `${row} form.ack button`);
    check(r.status() === 403 && (await page.textContent('#result')).includes('PW_EFORBIDDEN'),
          `an /alerts form without its csrf field: HTTP ${r.status()} (403 PW_EFORBIDDEN)`);
    await shot(page, 'alerts-csrf-refused.png');
    check(await acted() === state,
          'after the refused form: the alert\'s acknowledgements and the silences unchanged');

    // subscribe a webhook, then unsubscribe it
    const hook = 'http://127.0.0.1:9/planwatch-hook', secret = 'whsec-' + Date.now();
    await page.goto(base + '/subscriptions');
    await page.fill('#subscribe-form input[name=url]', hook);
    await page.selectOption('#subscribe-form select[name=severity]', 'critical');
    await page.fill('#subscribe-form input[name=secret]', secret);
    r = await submit(page, '#subscribe-form button');
    const subSaid = await page.textContent('#result');
    const subId = (subSaid.match(/(\d+)/) || [])[1];
    check(r.status() === 200 && subId, `subscribe: HTTP ${r.status()}, subscription ${subId}`);
    await page.goto(base + '/subscriptions');
    const subRow = `#subscriptions tr[data-subscription="${subId}"]`;
    check(await page.locator(subRow).count() === 1 &&
          (await page.textContent(subRow)).includes(hook) &&
          (await page.textContent(subRow)).includes('critical'),
          'subscribed: /subscriptions lists the webhook (critical)');
    check(!(await page.content()).includes(secret), 'the secret is never shown');
    await shot(page, 'subscriptions.png');
    r = await submit(page, `${subRow} form.unsubscribe button`);
    check(r.status() === 200 && (await page.textContent('#result')).includes('解除しました'),
          `unsubscribe: HTTP ${r.status()}, the page says so`);
    await page.goto(base + '/subscriptions');
    check(await page.locator(subRow).count() === 0, 'unsubscribed: gone from /subscriptions');

    // English: the dashboard's navigation keeps lang for the acting pages
    await page.goto(base + '/?lang=en');
    await Promise.all([page.waitForURL(u => new URL(u).pathname === '/alerts'),
                       page.click('nav.top a[href^="/alerts"]')]);
    check(new URL(page.url()).searchParams.get('lang') === 'en' &&
          await page.getAttribute('html', 'lang') === 'en' &&
          (await page.textContent('h1')).includes('Open alerts'),
          'the dashboard (lang=en) links to /alerts in English');
    await shot(page, 'alerts-en.png');

    // sign out from an acting page
    await page.goto(base + '/subscriptions');
    await signOut(page, { ...sec, from: '/subscriptions' });
    await ctx.close();
  }

  // ---- a viewer sees no action ------------------------------------------------
  {
    const { ctx, page } = await session(viewer);
    for (const p of ['/alerts', '/upload', '/subscriptions']) {
      const r = await page.goto(base + p);
      check(r.status() === 200 && await actionForms(page) === 0 &&
            await page.locator('form.session').count() === 1,
            `viewer: ${p} has no action form, only sign-out`);
      await shot(page, `viewer${p.replace('/', '-')}.png`);
    }
    await page.goto(base + '/alerts');
    check(await page.isVisible('#read-only'), 'viewer: /alerts says it is read only');
    await signOut(page, { ...viewer, from: '/alerts' });
    await ctx.close();
  }
} catch (e) {
  thrown(e);
} finally {
  await browser.close();
}
finish();
