/* tval.h -- the dynamic values of Go templates (what interface{} holds in Go).
 * Kinds: nil, bool, int (int64; "int" or "int64" as Go type name), float
 * (float64), string (bytes + length), list ([]interface{}), map
 * (map[string]interface{}, kept sorted by key so sorted iteration is free and
 * lookup is a binary search) and object (a Go struct such as .Chart or
 * .Capabilities: named fields and methods resolved by a callback; an unknown
 * field is an error, unlike a map key).
 *
 * OWNERSHIP (one rule, like jq's jv): values are reference counted.
 *  - Every function returning `tval *` hands the caller a NEW reference, to be
 *    released with tval_unref(), unless its comment says "borrowed".
 *  - Functions taking a `tval *` only borrow it, except those marked "steals"
 *    (tval_list_append, tval_map_set, tval_list_set): they take over the
 *    caller's reference.
 *  - Maps and lists are mutable and shared by reference (Go maps are too:
 *    Sprig's `set` changes the dict every holder sees).  Do not build cycles
 *    (a map containing itself): they leak; printing stops at depth 100.
 *  - nil, true and false are static singletons; ref/unref on them is a no-op.
 *  - A `tval *` is never NULL in this API (nil is tval_nil()), except where a
 *    comment says so.  Not thread-safe (plain refcounts).
 */
#ifndef HELM_TVAL_H
#define HELM_TVAL_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"

typedef struct tval tval;

enum tval_kind {
    TV_NIL,
    TV_BOOL,
    TV_INT,
    TV_FLOAT,
    TV_STRING,
    TV_LIST,
    TV_MAP,
    TV_OBJECT,
};

/* ---- objects (Go structs with fields and methods) --------------------------
 * Returned by an object's get() when NAME is neither a field nor a method:
 * the engine reports Go's "can't evaluate field NAME in type TYPE". */
#define TVAL_NOFIELD (-1000)

struct tval_obj_ops {
    /* Go type name for messages and typeOf, e.g. "*chart.Metadata". */
    const char *type_name;
    /* Field or method NAME of the object (ctx).  argc/argv are the arguments
     * when NAME is called as a method with arguments (`.Files.Get "a"` gives
     * argc 1); otherwise argc is 0.  On success set *out to a new reference
     * and return 0.  Return TVAL_NOFIELD for an unknown name; for a field
     * given arguments, or a method given the wrong number of them, return
     * E_INVALID with Go's message in err ("Get is not a method but has
     * arguments", "wrong number of args for Has: want 1 got 0"); a method
     * that fails returns another negative code (e.g. E_NOTFOUND) and the
     * engine reports "error calling NAME: <err msg>". */
    int (*get)(void *ctx, const char *name, int argc, tval *const *argv, tval **out,
               struct err *err);
    /* Optional: how fmt prints it (Go's String() method), e.g. .KubeVersion
     * prints "v1.20.0".  NULL prints "{...}" of nothing useful: "{}". */
    void (*print)(void *ctx, struct buf *out);
    /* Optional: release ctx when the last reference goes. */
    void (*free)(void *ctx);
    /* Optional: the plain list or map the object also is (a Go struct type
     * that is a slice or map, like chartutil.VersionSet []string or Files
     * map[string][]byte): range, len, index and slice use it.  Returns a new
     * reference, or NULL. */
    tval *(*value)(void *ctx);
};

/* v itself (new reference), or for an object with a value() op that value. */
tval *tval_obj_value(tval *v);

/* ---- reference counting ---------------------------------------------------- */
tval *tval_ref(tval *v);          /* returns v; NULL-safe */
void tval_unref(tval *v);         /* NULL-safe */

/* ---- constructors (new references) ----------------------------------------- */
tval *tval_nil(void);
tval *tval_bool(int b);
tval *tval_int(int64_t i);        /* Go type "int" (template literals, len, ...) */
tval *tval_int64(int64_t i);      /* Go type "int64" (--set values, Sprig int64) */
tval *tval_float(double d);
tval *tval_str(const char *s);               /* copies s */
tval *tval_strn(const char *s, size_t n);    /* copies n bytes (may hold NULs) */
tval *tval_str_take(char *s, size_t n);      /* takes a malloc'd NUL-terminated s */
tval *tval_list(void);                       /* empty list */
tval *tval_map(void);                        /* empty map */
tval *tval_object(const struct tval_obj_ops *ops, void *ctx);

/* ---- accessors ------------------------------------------------------------- */
enum tval_kind tval_kind(const tval *v);
int tval_is_int64(const tval *v);            /* TV_INT made by tval_int64 */
int tval_get_bool(const tval *v);            /* 0 unless a true TV_BOOL */
int64_t tval_get_int(const tval *v);         /* 0 unless TV_INT */
double tval_get_float(const tval *v);        /* 0 unless TV_FLOAT */
/* Bytes of a string, NUL-terminated (borrowed, lives as long as v); "" for
 * other kinds.  tval_strlen gives the byte length. */
const char *tval_get_str(const tval *v);
size_t tval_strlen(const tval *v);
const struct tval_obj_ops *tval_obj_ops(const tval *v);   /* NULL unless object */
void *tval_obj_ctx(const tval *v);
/* Go type name as Sprig's typeOf prints it: "<nil>" for nil, "bool", "int",
 * "int64", "float64", "string", "[]interface {}", "map[string]interface {}",
 * or the object's type_name. */
const char *tval_type_name(const tval *v);

/* ---- lists ----------------------------------------------------------------- */
size_t tval_list_len(const tval *l);
tval *tval_list_at(const tval *l, size_t i);           /* borrowed; i < len */
void tval_list_append(tval *l, tval *item);            /* steals item */
void tval_list_set(tval *l, size_t i, tval *item);     /* steals item; i < len */

/* ---- maps (string keys, always sorted bytewise) ---------------------------- */
size_t tval_map_len(const tval *m);
tval *tval_map_get(const tval *m, const char *key);    /* borrowed; NULL if absent */
tval *tval_map_getn(const tval *m, const char *key, size_t klen);
void tval_map_set(tval *m, const char *key, tval *value);   /* steals value */
int tval_map_del(tval *m, const char *key);            /* 1 if it was there */
/* i-th entry in sorted key order (i < len): key and value are borrowed. */
const char *tval_map_key_at(const tval *m, size_t i);
tval *tval_map_val_at(const tval *m, size_t i);

/* ---- Go semantics ---------------------------------------------------------- */
/* text/template truth: false for nil, false, 0, 0.0, "", empty list/map;
 * true otherwise (objects are true). */
int tval_truth(const tval *v);
/* Deep copy of lists and maps (scalars and objects are shared). */
tval *tval_copy(tval *v);
/* Deep equality as Go's reflect.DeepEqual on these kinds (int != float). */
int tval_equal(const tval *a, const tval *b);

/* fmt's %v (Print) of v appended to out: strings raw, nil "<nil>", floats in
 * Go's shortest %g (1e+06, 1.2345675e+06, 1e-05, 999999), lists "[a b]",
 * maps "map[k1:v1 k2:v2]" sorted, objects via ops->print. */
void tval_print(const tval *v, struct buf *out);
/* Go's strconv.FormatFloat(d, fmt, prec, 64) for fmt in 'e' 'E' 'f' 'g' 'G'
 * with prec -1 meaning shortest round-trip: appends to out. */
void tval_fmt_float(double d, char fmt, int prec, struct buf *out);

/* Go's fmt.Sprint / Sprintln / Sprintf over argv, appended to out.  Sprint
 * puts a space between operands when neither is a string; Sprintln always
 * and ends with a newline.  Sprintf supports %v %s %d %q %x %X %f %F %e %E
 * %g %G %t %c %o %O %b %U %%, flags "+- 0#", width and precision (also *),
 * and Go's error forms: %!d(float64=1), %!s(<nil>), %!v(MISSING),
 * %!(EXTRA int=1), %!(NOVERB), %!z(int=1) for an unknown verb. */
void tval_sprint(struct buf *out, int argc, tval *const *argv);
void tval_sprintln(struct buf *out, int argc, tval *const *argv);
void tval_sprintf(struct buf *out, const char *fmt, size_t fmtlen, int argc, tval *const *argv);

/* ---- JSON ------------------------------------------------------------------ */
#define TVAL_JSON_INTS 1   /* integral JSON numbers become int (else float64) */
/* From a cJSON tree.  cJSON does not keep the number's text, so with
 * TVAL_JSON_INTS an integral number in the int64 range becomes int ("1.0"
 * too).  Without it every number is float64, as Helm's values are. */
tval *tval_from_json(const cJSON *j, int flags);
/* Parse JSON text directly (exact: with TVAL_JSON_INTS a number written
 * without '.', 'e' or 'E' that fits int64 becomes int, "1.0" stays float64).
 * E_PARSE with "LINE:COL: message" on malformed input; *out is a new ref. */
int tval_parse_json(tval **out, const char *text, size_t len, int flags, struct err *err);
/* To cJSON (caller cJSON_Delete's it).  Objects become null.  Integral floats
 * become JSON integers when exact. */
cJSON *tval_to_json(const tval *v);

#endif
