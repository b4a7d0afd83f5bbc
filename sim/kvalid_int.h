/* kvalid_int.h -- private to the validation module (kvalid.c, kvalid_types.c).
 * The list of field errors being collected, the helpers that add one in the
 * real server's wording, the syntax checks shared by every type, and the
 * per-type spec validators.  Not for use outside sim/kvalid*.c.
 */
#ifndef SIM_KVALID_INT_H
#define SIM_KVALID_INT_H

#include "core/buf.h"
#include "kvalid.h"

#define KV_FLD 384  /* room for a field path */

struct kv {
    cJSON *causes;  /* array of {reason, message, field} */
};

/* Print a field path into out (KV_FLD bytes; cut if longer). */
void kvalid__fld(char *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- field errors (kvalid.c): the reason and the message body as
 * k8s.io/apimachinery/pkg/util/validation/field words them ---- */
void kvalid__required(struct kv *v, const char *field, const char *detail);
/* value is already formatted as Go's %v/%q/%#v would print it. */
void kvalid__invalid(struct kv *v, const char *field, const char *value, const char *detail);
void kvalid__invalid_str(struct kv *v, const char *field, const char *s, const char *detail);
void kvalid__invalid_int(struct kv *v, const char *field, long long n, const char *detail);
/* supported: NULL-terminated list, already in the server's (sorted) order. */
void kvalid__unsupported(struct kv *v, const char *field, const char *s,
                         const char *const *supported);
void kvalid__duplicate(struct kv *v, const char *field, const char *s);
void kvalid__forbidden(struct kv *v, const char *field, const char *detail);

/* ---- values ---- */
/* The string at key, or NULL (absent or not a string). */
const char *kvalid__str(const cJSON *o, const char *key);
/* 1 and *out when key holds an integral number; 0 when absent or null; -1
 * (an error added for field) when it holds anything else. */
int kvalid__int(struct kv *v, const cJSON *o, const char *key, const char *field,
                long long *out);
/* The object/array at key, or NULL; a value of another type gets an error. */
const cJSON *kvalid__obj(struct kv *v, const cJSON *o, const char *key, const char *field);
const cJSON *kvalid__arr(struct kv *v, const cJSON *o, const char *key, const char *field);
/* Go's %q of s, and %#v of a map[string]string (NULL map: "(nil)"). */
void kvalid__go_quote(struct buf *b, const char *s);
void kvalid__go_strmap(struct buf *b, const cJSON *map);

/* ---- syntax checks: each adds an Invalid error per failed rule ---- */
void kvalid__dns_label(struct kv *v, const char *field, const char *s);
void kvalid__dns_subdomain(struct kv *v, const char *field, const char *s);
/* IsValidPathSegmentName: not "." or "..", no '/' or '%'. */
void kvalid__path_segment(struct kv *v, const char *field, const char *s);
void kvalid__port_name(struct kv *v, const char *field, const char *s);
void kvalid__port_num(struct kv *v, const char *field, long long n);
/* label keys and values of the map at labels (field names the map). */
void kvalid__labels(struct kv *v, const char *field, const cJSON *labels);
void kvalid__annotations(struct kv *v, const char *field, const cJSON *annotations);
/* A metav1.LabelSelector at field. */
void kvalid__selector(struct kv *v, const char *field, const cJSON *sel);
/* Does the selector match the labels (an object or NULL)? */
int kvalid__selector_matches(const cJSON *sel, const cJSON *labels);
/* Go's %#v of a v1.LabelSelector. */
void kvalid__go_selector(struct buf *b, const cJSON *sel);

/* ---- per-type spec validators (kvalid_types.c); old is NULL on create ---- */
void kvalid__deployment(struct kv *v, const cJSON *obj, const cJSON *old);
void kvalid__replicaset(struct kv *v, const cJSON *obj, const cJSON *old);
void kvalid__daemonset(struct kv *v, const cJSON *obj, const cJSON *old);
void kvalid__pod(struct kv *v, const cJSON *obj, const cJSON *old);
void kvalid__service(struct kv *v, const cJSON *obj, const cJSON *old);
void kvalid__hpa(struct kv *v, const cJSON *obj, const cJSON *old);
void kvalid__configmap(struct kv *v, const cJSON *obj, const cJSON *old);

#endif
