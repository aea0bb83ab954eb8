/* err.c - descriptions of the PW_E* codes (see err.h). */
#include "err.h"

struct pw_err_desc {
    int code;
    const char *name;
    const char *text;
};

static const struct pw_err_desc pw_errs[] = {
    {PW_OK, "PW_OK", "success"},
    {PW_ENOMEM, "PW_ENOMEM", "out of memory"},
    {PW_EINVAL, "PW_EINVAL", "invalid argument"},
    {PW_EIO, "PW_EIO", "input/output error"},
    {PW_ERANGE, "PW_ERANGE", "number out of range"},
    {PW_ESYNTAX, "PW_ESYNTAX", "syntax error"},
    {PW_ENOTFOUND, "PW_ENOTFOUND", "not found"},
    {PW_ETOOBIG, "PW_ETOOBIG", "input too large"},
    {PW_ECAT_YAML, "PW_ECAT_YAML", "malformed YAML"},
    {PW_ECAT_KEY, "PW_ECAT_KEY", "unknown key"},
    {PW_ECAT_MISSING, "PW_ECAT_MISSING", "required key missing"},
    {PW_ECAT_TYPE, "PW_ECAT_TYPE", "value of the wrong type"},
    {PW_ECAT_VALUE, "PW_ECAT_VALUE", "value not allowed"},
    {PW_ECAT_DUP, "PW_ECAT_DUP", "duplicate"},
    {PW_ECAT_REF, "PW_ECAT_REF", "unknown reference"},
    {PW_ECAT_VERSION, "PW_ECAT_VERSION", "unsupported catalog version"},
    {PW_EFEED_ENCODING, "PW_EFEED_ENCODING", "feed is neither UTF-8 nor CP932"},
    {PW_EFEED_SYNTAX, "PW_EFEED_SYNTAX", "malformed feed"},
    {PW_EFEED_HEADER, "PW_EFEED_HEADER", "bad header"},
    {PW_EFEED_FIELDS, "PW_EFEED_FIELDS", "wrong number of fields"},
    {PW_EFEED_MISSING, "PW_EFEED_MISSING", "required field empty"},
    {PW_EFEED_ID, "PW_EFEED_ID", "unknown indicator"},
    {PW_EFEED_FY, "PW_EFEED_FY", "bad fiscal year"},
    {PW_EFEED_VALUE, "PW_EFEED_VALUE", "bad value"},
    {PW_EFEED_BASIS, "PW_EFEED_BASIS", "bad basis"},
    {PW_EFEED_BOOL, "PW_EFEED_BOOL", "bad boolean"},
    {PW_EFEED_DATE, "PW_EFEED_DATE", "bad date"},
    {PW_EFEED_TOOLONG, "PW_EFEED_TOOLONG", "field too long"},
    {PW_EFEED_TOOMANY, "PW_EFEED_TOOMANY", "too many rows"},
    {PW_EFEED_UPDATE_ID, "PW_EFEED_UPDATE_ID", "bad update id"},
    {PW_EFEED_DUPROW, "PW_EFEED_DUPROW", "update id repeated in the batch"},
    {PW_EFEED_SCOPE, "PW_EFEED_SCOPE", "outside the office's write scope"},
    {PW_EFEED_RETRACT, "PW_EFEED_RETRACT", "nothing to retract"},
    {PW_WFEED_SUBTOTAL, "PW_WFEED_SUBTOTAL", "a sub-indicator above its parent"},
    {PW_WFEED_DECREASE, "PW_WFEED_DECREASE", "a cumulative count below the previous year's"},
    {PW_WFEED_IDCASE, "PW_WFEED_IDCASE", "an indicator id that differs from the catalog's in case only"},
    {PW_EWIRE, "PW_EWIRE", "malformed message"},
    {PW_EVERSION, "PW_EVERSION", "unsupported protocol version"},
    {PW_EUNAVAILABLE, "PW_EUNAVAILABLE", "unavailable, retry"},
    {PW_ECONFLICT, "PW_ECONFLICT", "update id reused with different content"},
    {PW_ELOCKED, "PW_ELOCKED", "data directory in use"},
    {PW_EMAPFULL, "PW_EMAPFULL", "storage map full"},
    {PW_EDB, "PW_EDB", "storage error"},
    {PW_EZMQ, "PW_EZMQ", "socket error"},
    {PW_ESHUTDOWN, "PW_ESHUTDOWN", "shutting down"},
    {PW_EFORMAT, "PW_EFORMAT", "data format newer than this binary reads"},
    {PW_EDISKFULL, "PW_EDISKFULL", "the store's disk is full"},
    {PW_EKEY, "PW_EKEY", "not a CURVE key"},
    {PW_EKEY_PERM, "PW_EKEY_PERM", "key or registry file open to others (secret: readable; public key, registry: writable)"},
    {PW_EREG_YAML, "PW_EREG_YAML", "malformed registry YAML"},
    {PW_EREG_FIELD, "PW_EREG_FIELD", "bad registry field"},
    {PW_EREG_DUP, "PW_EREG_DUP", "duplicate registry id or key"},
    {PW_EREG_REF, "PW_EREG_REF", "registry scope names nothing in the catalog"},
    {PW_EDENIED, "PW_EDENIED", "not allowed for this identity"},
    {PW_EFORBIDDEN, "PW_EFORBIDDEN", "outside the write scope of the caller"},
    {PW_EUNAUTHORIZED, "PW_EUNAUTHORIZED", "no or unknown token"},
};

static const struct pw_err_desc *pw_err_find(int code)
{
    for (unsigned i = 0; i < sizeof pw_errs / sizeof pw_errs[0]; i++)
        if (pw_errs[i].code == code)
            return &pw_errs[i];
    return 0;
}

const char *pw_strerror(int code)
{
    const struct pw_err_desc *d = pw_err_find(code);
    return d ? d->text : "unknown error";
}

const char *pw_errname(int code)
{
    const struct pw_err_desc *d = pw_err_find(code);
    return d ? d->name : "PW_E?";
}
