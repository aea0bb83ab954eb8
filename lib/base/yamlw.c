/* yamlw.c - the YAML walker shared by the catalog and registry loaders
 * (see yamlw.h). */
#include "yamlw.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

int pw_yamlw_load(yaml_document_t *doc, const char *file, const char *buf, size_t len,
                  int yaml_code, struct pw_diag *diag)
{
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser))
        return PW_ENOMEM;
    /* libyaml asserts on a NULL input: an empty buffer is empty YAML */
    yaml_parser_set_input_string(&parser, (const unsigned char *)(buf ? buf : ""), buf ? len : 0);
    int rc = 0;
    if (!yaml_parser_load(&parser, doc))
        rc = pw_diag_set(diag, yaml_code, file, (int)parser.problem_mark.line + 1, "",
                         "YAML: %s%s%s", parser.problem ? parser.problem : "parse error",
                         parser.context ? " " : "", parser.context ? parser.context : "");
    yaml_parser_delete(&parser);
    return rc;
}

int pw_yamlw_line(const yaml_node_t *n)
{
    return n ? (int)n->start_mark.line + 1 : 0;
}

int pw_yamlw_err(const struct pw_yamlw *w, int code, const yaml_node_t *n, const char *path,
                 const char *fmt, ...)
{
    char msg[320];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return pw_diag_set(w->diag, code, w->file, pw_yamlw_line(n), path, "%s", msg);
}

yaml_node_t *pw_yamlw_node(const struct pw_yamlw *w, int id)
{
    return yaml_document_get_node(w->doc, id);
}

static const char *yamlw_kind(const yaml_node_t *n)
{
    switch (n->type) {
    case YAML_SCALAR_NODE:
        return "a scalar";
    case YAML_SEQUENCE_NODE:
        return "a list";
    case YAML_MAPPING_NODE:
        return "a map";
    default:
        return "empty";
    }
}

int pw_yamlw_expect(const struct pw_yamlw *w, const yaml_node_t *n, yaml_node_type_t type,
                    const char *path)
{
    static const char *want[] = {"", "a scalar", "a list", "a map"};
    if (n->type != type)
        return pw_yamlw_err(w, w->e_type, n, path, "expected %s, found %s", want[type],
                            yamlw_kind(n));
    return 0;
}

int pw_yamlw_check_keys(const struct pw_yamlw *w, yaml_node_t *n, const char *path,
                        const char *const *allowed)
{
    int rc = pw_yamlw_expect(w, n, YAML_MAPPING_NODE, path);
    if (rc)
        return rc;
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = pw_yamlw_node(w, p->key);
        if (!k || k->type != YAML_SCALAR_NODE)
            return pw_yamlw_err(w, w->e_type, k ? k : n, path, "map keys must be scalars");
        const char *ks = (const char *)k->data.scalar.value;
        const char *const *a = allowed;
        while (*a && strcmp(ks, *a) != 0)
            a++;
        if (!*a)
            return pw_yamlw_err(w, w->e_key, k, path, "unknown key '%.60s'", ks);
        for (yaml_node_pair_t *q = n->data.mapping.pairs.start; q < p; q++) {
            yaml_node_t *k2 = pw_yamlw_node(w, q->key);
            if (strcmp((const char *)k2->data.scalar.value, ks) == 0)
                return pw_yamlw_err(w, w->e_dup, k, path, "key '%.60s' appears twice", ks);
        }
    }
    return 0;
}

yaml_node_t *pw_yamlw_get(const struct pw_yamlw *w, yaml_node_t *map, const char *key)
{
    if (!map || map->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = pw_yamlw_node(w, p->key);
        if (k && k->type == YAML_SCALAR_NODE &&
            strcmp((const char *)k->data.scalar.value, key) == 0)
            return pw_yamlw_node(w, p->value);
    }
    return NULL;
}

int pw_yamlw_scalar(const struct pw_yamlw *w, yaml_node_t *n, const yaml_node_t *parent,
                    const char *key, const char *path, int required, const char **out,
                    size_t *len)
{
    *out = NULL;
    if (len)
        *len = 0;
    if (!n)
        return required ? pw_yamlw_err(w, w->e_missing, parent, path,
                                       "required key '%s' missing", key)
                        : 0;
    int rc = pw_yamlw_expect(w, n, YAML_SCALAR_NODE, path);
    if (rc)
        return rc;
    *out = (const char *)n->data.scalar.value;
    if (len)
        *len = n->data.scalar.length;
    return 0;
}

void pw_yamlw_path(char *buf, size_t n, const char *base, const char *key)
{
    snprintf(buf, n, "%s%s%s", base, base[0] ? "." : "", key);
}

int pw_yamlw_version1(const struct pw_yamlw *w, const yaml_node_t *root, const yaml_node_t *vv,
                      const char *ver, const char *what)
{
    if (!ver)
        return pw_yamlw_err(w, w->e_missing, root, "version", "required key 'version' missing");
    if (strcmp(ver, "1") != 0)
        return pw_yamlw_err(w, w->e_type, vv, "version",
                            "%s version '%.20s' is not supported (this planwatch reads 1)", what,
                            ver);
    return 0;
}
