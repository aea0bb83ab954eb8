/* err.h - planwatch error codes.
 *
 * Every fallible function in libplanwatch and the services returns 0 on
 * success or one of these negative codes. Library codes (errno, MDB_*, zmq)
 * are mapped at the module that owns the library and never leak further.
 * Codes are stable: they are asserted by tests and printed in replies. */
#ifndef PW_ERR_H
#define PW_ERR_H

enum pw_err {
    PW_OK = 0,
    /* generic */
    PW_ENOMEM = -1,       /* allocation failed */
    PW_EINVAL = -2,       /* invalid argument (programmer error or bad flag) */
    PW_EIO = -3,          /* read/write failed; see errno in the log line */
    PW_ERANGE = -4,       /* number out of range / would overflow */
    PW_ESYNTAX = -5,      /* text is not of the expected form */
    PW_ENOTFOUND = -6,    /* no such id / key */
    PW_ETOOBIG = -7,      /* input larger than the documented limit */
    /* catalog (pw_catalog_*) */
    PW_ECAT_YAML = -20,   /* the YAML itself is malformed */
    PW_ECAT_KEY = -21,    /* unknown key */
    PW_ECAT_MISSING = -22,/* required key missing */
    PW_ECAT_TYPE = -23,   /* value of the wrong shape (scalar/list/map) or not parseable */
    PW_ECAT_VALUE = -24,  /* value parseable but not allowed (enum, range, format) */
    PW_ECAT_DUP = -25,    /* duplicate id or key */
    PW_ECAT_REF = -26,    /* reference to an unknown plan/project/indicator */
    PW_ECAT_VERSION = -27,/* unsupported catalog version */
    /* feeds (pw_feed_*) */
    PW_EFEED_ENCODING = -40, /* neither UTF-8 nor CP932 */
    PW_EFEED_SYNTAX = -41,   /* malformed CSV or JSON */
    PW_EFEED_HEADER = -42,   /* missing, unknown or duplicate column */
    PW_EFEED_FIELDS = -43,   /* row has the wrong number of fields */
    PW_EFEED_MISSING = -44,  /* required field empty */
    PW_EFEED_ID = -45,       /* indicator_id not in the catalog */
    PW_EFEED_FY = -46,       /* fiscal_year unparseable, outside the window or in the future */
    PW_EFEED_VALUE = -47,    /* value unparseable or out of its allowed range */
    PW_EFEED_BASIS = -48,    /* basis not cumulative|annual */
    PW_EFEED_BOOL = -49,     /* preliminary not a boolean */
    PW_EFEED_DATE = -50,     /* as_of not an ISO date, before the FY or in the future */
    PW_EFEED_TOOLONG = -51,  /* a field exceeds its length limit */
    PW_EFEED_TOOMANY = -52,  /* more rows than the batch limit */
    PW_EFEED_UPDATE_ID = -53,/* update_id malformed */
    PW_EFEED_DUPROW = -54,   /* the same update_id twice in one batch */
    PW_EFEED_SCOPE = -55,    /* the authenticated office may not write this indicator */
    PW_EFEED_RETRACT = -56,  /* a retraction of a fiscal year that has no figure */
    /* feed warnings: the row is stored, the reply says why it looks wrong */
    PW_WFEED_SUBTOTAL = -57, /* a うち figure above its parent's for the same fiscal year */
    PW_WFEED_DECREASE = -58, /* a cumulative count below the previous year's cumulative */
    PW_WFEED_IDCASE = -59,   /* indicator_id matched a catalog id only ignoring case */
    /* pipeline */
    PW_EWIRE = -60,          /* a message that is not a valid planwatch envelope/payload */
    PW_EVERSION = -61,       /* envelope version not supported */
    PW_EUNAVAILABLE = -62,   /* a service did not answer in time: retry */
    PW_ECONFLICT = -63,      /* update_id already stored with different content */
    PW_ELOCKED = -64,        /* the data dir is in use by another process */
    PW_EMAPFULL = -65,       /* the LMDB map is full and could not grow */
    PW_EDB = -66,            /* storage error (see the log) */
    PW_EZMQ = -67,           /* socket error (see the log) */
    PW_ESHUTDOWN = -68,      /* the service is shutting down */
    PW_EFORMAT = -70,        /* stored data of a newer format than this binary reads */
    PW_EDISKFULL = -71,      /* the store's disk is full (ENOSPC): nothing written, resend later */
    /* security (keys, registry, authorization) */
    PW_EKEY = -90,           /* not a CURVE key (file) */
    PW_EKEY_PERM = -91,      /* secret key file readable by group or others; public key or
                                registry file writable by them */
    PW_EREG_YAML = -92,      /* registry: the YAML itself is malformed */
    PW_EREG_FIELD = -93,     /* registry: unknown, missing or ill-typed field, or bad value */
    PW_EREG_DUP = -94,       /* registry: the same id or public key twice */
    PW_EREG_REF = -95,       /* registry: a scope names no plan/project/indicator of the catalog */
    PW_EDENIED = -96,        /* the authenticated identity may not do this */
    PW_EFORBIDDEN = -69,     /* outside the caller's write scope (HTTP door: per row) */
    PW_EUNAUTHORIZED = -97,  /* no credentials, or unknown ones (HTTP door: no or unknown token) */
};

/* Returns a static, human-readable description of code (never NULL). */
const char *pw_strerror(int code);

/* Returns the symbolic name of code, e.g. "PW_EFEED_FY" (never NULL). */
const char *pw_errname(int code);

#endif
