/* yamlw.h - walking a YAML document (libyaml's document API) with
 * diagnostics that name the file, the line, the field path and why: the
 * one walker the catalog and the office registry both read with. The
 * caller chooses the error codes (its own PW_ECAT_* / PW_EREG_*), so each
 * loader keeps its documented codes. Borrowed pointers only; no
 * allocation but libyaml's in pw_yamlw_load. */
#ifndef PW_YAMLW_H
#define PW_YAMLW_H

#include <stddef.h>
#include <yaml.h>

#include "diag.h"

struct pw_yamlw {
    yaml_document_t *doc;
    const char *file;       /* named in diagnostics */
    struct pw_diag *diag;   /* may be NULL */
    int e_type;             /* wrong shape (a list where a map belongs, a non-scalar key) */
    int e_key;              /* a key the map does not take */
    int e_dup;              /* a key given twice */
    int e_missing;          /* a required key absent */
};

/* Parses buf[0..len) into *doc (an empty or NULL buffer is an empty
 * document). Returns 0 (the caller deletes doc), PW_ENOMEM, or yaml_code
 * with diag set to file, the line and libyaml's reason. */
int pw_yamlw_load(yaml_document_t *doc, const char *file, const char *buf, size_t len,
                  int yaml_code, struct pw_diag *diag);

/* Sets the diagnostic (at n's line; 0 without n) and returns code. */
int pw_yamlw_err(const struct pw_yamlw *w, int code, const yaml_node_t *n, const char *path,
                 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Line of n (1-based), 0 for NULL. */
int pw_yamlw_line(const yaml_node_t *n);

/* The node with that id, or NULL. */
yaml_node_t *pw_yamlw_node(const struct pw_yamlw *w, int id);

/* 0 when n is of type, else e_type: "expected a map, found a list". */
int pw_yamlw_expect(const struct pw_yamlw *w, const yaml_node_t *n, yaml_node_type_t type,
                    const char *path);

/* Checks that n is a map whose keys are scalars from allowed[] (NULL-
 * terminated), each once. Returns 0 or e_type / e_key / e_dup. */
int pw_yamlw_check_keys(const struct pw_yamlw *w, yaml_node_t *n, const char *path,
                        const char *const *allowed);

/* The value of key in map (NULL when absent or map is not a map). */
yaml_node_t *pw_yamlw_get(const struct pw_yamlw *w, yaml_node_t *map, const char *key);

/* A scalar's text (NUL-terminated, owned by the document) in *out and its
 * length in *len (may be NULL). A NULL n is absent: e_missing when
 * required (reported at `parent`, key named), else 0 with *out NULL. */
int pw_yamlw_scalar(const struct pw_yamlw *w, yaml_node_t *n, const yaml_node_t *parent,
                    const char *key, const char *path, int required, const char **out,
                    size_t *len);

/* A document's version: ver (the text of its node vv, NULL when absent)
 * must be "1". Returns 0, e_missing (at root) or e_type (at vv: "<what>
 * version '...' is not supported"). */
int pw_yamlw_version1(const struct pw_yamlw *w, const yaml_node_t *root, const yaml_node_t *vv,
                      const char *ver, const char *what);

/* "base.key" (or "key" at the top) into buf. */
void pw_yamlw_path(char *buf, size_t n, const char *base, const char *key);

#endif
