/* tmpl_lex.c -- the lexer of text/template (Go's text/template/parse/lex.go):
 * turns a template into a token array, with Go's trim-marker, comment and
 * number rules and its error messages. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "helm/tmpl_lex.h"

struct lexer {
    const char *s;
    size_t n, pos, start;
    int paren;
    size_t linepos;           /* line counting cache */
    int line;
    struct tlex *out;
};

static int line_at(struct lexer *l, size_t pos)
{
    if (pos < l->linepos) {
        l->linepos = 0;
        l->line = 1;
    }
    for (; l->linepos < pos; l->linepos++)
        if (l->s[l->linepos] == '\n')
            l->line++;
    return l->line;
}

static void emit_at(struct lexer *l, int typ, size_t start, size_t end)
{
    struct tlex *o = l->out;
    if (o->n == o->cap)
        XGROW(o->toks, o->cap, o->n + 1);
    struct ttok *t = &o->toks[o->n++];
    t->typ = typ;
    t->pos = (int)start;
    t->line = line_at(l, start);
    t->val = l->s + start;
    t->len = (int)(end - start);
    t->msg = NULL;
}

static void emit(struct lexer *l, int typ)
{
    emit_at(l, typ, l->start, l->pos);
    l->start = l->pos;
}

static int lex_error(struct lexer *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int lex_error(struct lexer *l, const char *fmt, ...)
{
    char msg[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    emit_at(l, T_ERROR, l->start, l->start);
    l->out->toks[l->out->n - 1].msg = xstrdup(msg);
    return -1;
}

static int is_space(int c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

/* Rune at p: its value and byte length (1 for an invalid byte). */
static size_t rune_at(const struct lexer *l, size_t p, unsigned *r)
{
    const unsigned char *s = (const unsigned char *)l->s + p;
    size_t n = l->n - p;
    size_t len = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC0 ? 2 : 1;
    if (len == 1 || len > n) {
        *r = s[0] < 0x80 ? s[0] : 0xFFFD;
        return 1;
    }
    unsigned v = s[0] & (0x7Fu >> len);
    for (size_t i = 1; i < len; i++)
        v = (v << 6) | (s[i] & 0x3Fu);
    *r = v;
    return len;
}

/* Go's isAlphaNumeric (unicode.IsLetter/IsDigit), approximated outside
 * ASCII: everything but the punctuation and symbol blocks counts. */
static int rune_is_alnum(unsigned r)
{
    if (r < 0x80)
        return r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') ||
               (r >= '0' && r <= '9');
    if (r < 0xC0)
        return r == 0xAA || r == 0xB5 || r == 0xBA;
    if (r == 0xD7 || r == 0xF7 || r == 0xFFFD)
        return 0;
    if ((r >= 0x2000 && r <= 0x2BFF) || (r >= 0x3000 && r <= 0x303F) ||
        (r >= 0xFE30 && r <= 0xFE4F) || (r >= 0xFF00 && r <= 0xFF0F) ||
        (r >= 0xFF1A && r <= 0xFF20) || (r >= 0x1F000 && r <= 0x1FAFF))
        return 0;
    return 1;
}

/* Byte length of the letter or digit at p, or 0. */
static size_t alnum_at(const struct lexer *l, size_t p)
{
    if (p >= l->n)
        return 0;
    unsigned char c = (unsigned char)l->s[p];
    if (c < 0x80) /* the common case, without decoding */
        return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
               (c >= '0' && c <= '9');
    unsigned r;
    size_t len = rune_at(l, p, &r);
    return rune_is_alnum(r) ? len : 0;
}

static int peekc(const struct lexer *l) { return l->pos < l->n ? (unsigned char)l->s[l->pos] : -1; }

static int has_prefix(const struct lexer *l, size_t at, const char *p)
{
    size_t k = strlen(p);
    return at <= l->n && l->n - at >= k && !memcmp(l->s + at, p, k);
}

static int left_trim_at(const struct lexer *l, size_t at)
{
    return at + 1 < l->n && l->s[at] == '-' && is_space((unsigned char)l->s[at + 1]);
}

/* At a right delimiter: 1 plain "}}", 2 " -}}", 0 none. */
static int at_right(const struct lexer *l)
{
    size_t p = l->pos;
    if (p + 1 < l->n && is_space((unsigned char)l->s[p]) && l->s[p + 1] == '-' &&
        has_prefix(l, p + 2, "}}"))
        return 2;
    return has_prefix(l, p, "}}") ? 1 : 0;
}

static size_t skip_space(const struct lexer *l, size_t p)
{
    while (p < l->n && is_space((unsigned char)l->s[p]))
        p++;
    return p;
}

static int at_terminator(const struct lexer *l)
{
    int r = peekc(l);
    if (r < 0 || is_space(r) || (r > 0 && strchr(".,|:()", r)))
        return 1;
    return has_prefix(l, l->pos, "}}");
}

/* Go's %#U of the rune at p. */
static void rune_desc(const struct lexer *l, size_t p, char *out, size_t size)
{
    unsigned r = 0xFFFD;
    size_t len = p < l->n ? rune_at(l, p, &r) : 1;
    if (r < 0x20 || r == 0x7F || (r >= 0x80 && r < 0xA0))
        snprintf(out, size, "U+%04X", r);
    else if (r == 0xFFFD)
        snprintf(out, size, "U+FFFD '\xEF\xBF\xBD'");
    else
        snprintf(out, size, "U+%04X '%.*s'", r, (int)len, l->s + p);
}

/* ---- numbers, strings, words -------------------------------------------------- */

static int accept(struct lexer *l, const char *set)
{
    int c = peekc(l);
    if (c > 0 && strchr(set, c)) {
        l->pos++;
        return 1;
    }
    return 0;
}

static void accept_run(struct lexer *l, const char *set)
{
    while (accept(l, set))
        ;
}

static int scan_number(struct lexer *l)
{
    accept(l, "+-");
    const char *digits = "0123456789_";
    if (accept(l, "0")) {
        if (accept(l, "xX"))
            digits = "0123456789abcdefABCDEF_";
        else if (accept(l, "oO"))
            digits = "01234567_";
        else if (accept(l, "bB"))
            digits = "01_";
    }
    accept_run(l, digits);
    if (accept(l, "."))
        accept_run(l, digits);
    if (strlen(digits) == 11 && accept(l, "eE")) {
        accept(l, "+-");
        accept_run(l, "0123456789_");
    }
    if (strlen(digits) == 23 && accept(l, "pP")) {
        accept(l, "+-");
        accept_run(l, "0123456789_");
    }
    accept(l, "i");
    size_t k = alnum_at(l, l->pos);
    if (k) {
        l->pos += k;
        return 0;
    }
    return 1;
}

static int lex_number(struct lexer *l)
{
    if (!scan_number(l))
        return lex_error(l, "bad number syntax: \"%.*s\"", (int)(l->pos - l->start),
                         l->s + l->start);
    int c = peekc(l);
    if (c == '+' || c == '-') {
        if (!scan_number(l) || l->s[l->pos - 1] != 'i')
            return lex_error(l, "bad number syntax: \"%.*s\"", (int)(l->pos - l->start),
                             l->s + l->start);
        emit(l, T_COMPLEX);
        return 0;
    }
    emit(l, T_NUMBER);
    return 0;
}

static int lex_quote(struct lexer *l, char q, int typ, const char *what)
{
    for (;;) {
        int c = peekc(l);
        l->pos++;
        if (c == '\\' && q != '`') {
            c = peekc(l);
            if (c >= 0 && c != '\n') {
                l->pos++;
                continue;
            }
        }
        if (c < 0 || (c == '\n' && q != '`')) {
            if (c < 0)
                l->pos--;
            return lex_error(l, "%s", what);
        }
        if (c == q)
            break;
    }
    emit(l, typ);
    return 0;
}

static const struct {
    const char *w;
    int typ;
} keywords[] = {
    {"block", T_BLOCK}, {"break", T_BREAK}, {"continue", T_CONTINUE}, {"define", T_DEFINE},
    {"else", T_ELSE}, {"end", T_END}, {"if", T_IF}, {"range", T_RANGE}, {"nil", T_NIL},
    {"template", T_TEMPLATE}, {"with", T_WITH}, {"true", T_BOOL}, {"false", T_BOOL},
};

static int lex_word(struct lexer *l, int typ)
{
    for (size_t k; (k = alnum_at(l, l->pos)) > 0;)
        l->pos += k;
    if (!at_terminator(l)) {
        char d[32];
        rune_desc(l, l->pos, d, sizeof(d));
        return lex_error(l, "bad character %s", d);
    }
    if (typ == T_IDENT) {
        size_t n = l->pos - l->start;
        for (size_t i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
            if (strlen(keywords[i].w) == n && !memcmp(keywords[i].w, l->s + l->start, n))
                typ = keywords[i].typ;
    }
    emit(l, typ);
    return 0;
}

/* '.' or '$' already consumed. */
static int lex_field_or_var(struct lexer *l, int typ)
{
    if (at_terminator(l)) {
        emit(l, typ == T_VAR ? T_VAR : T_DOT);
        return 0;
    }
    return lex_word(l, typ);
}

/* ---- inside an action ------------------------------------------------------- */

static int lex_space(struct lexer *l)
{
    size_t num = 0;
    while (peekc(l) >= 0 && is_space(peekc(l))) {
        l->pos++;
        num++;
    }
    /* " -}}": the last space belongs to the trim marker */
    if (l->pos < l->n && l->s[l->pos] == '-' && has_prefix(l, l->pos + 1, "}}")) {
        l->pos--;
        if (num == 1)
            return 0;
    }
    emit(l, T_SPACE);
    return 0;
}

static int lex_right_delim(struct lexer *l, int kind)
{
    if (kind == 2) {
        l->pos += 2;
        l->start = l->pos;
    }
    l->pos += 2;
    emit(l, T_RDELIM);
    if (kind == 2) {
        l->pos = skip_space(l, l->pos);
        l->start = l->pos;
    }
    return 1; /* back to text */
}

static int lex_one_char(struct lexer *l, int c)
{
    switch (c) {
    case '=': emit(l, T_ASSIGN); return 0;
    case ':':
        if (peekc(l) != '=')
            return lex_error(l, "expected :=");
        l->pos++;
        emit(l, T_DECLARE);
        return 0;
    case '|': emit(l, T_PIPE); return 0;
    case '"': return lex_quote(l, '"', T_STRING, "unterminated quoted string");
    case '`': return lex_quote(l, '`', T_RAWSTRING, "unterminated raw quoted string");
    case '\'': return lex_quote(l, '\'', T_CHARCONST, "unterminated character constant");
    case '$': return lex_field_or_var(l, T_VAR);
    case '(':
        l->paren++;
        emit(l, T_LPAREN);
        return 0;
    case ')':
        l->paren--;
        if (l->paren < 0)
            return lex_error(l, "unexpected right paren");
        emit(l, T_RPAREN);
        return 0;
    default:
        break;
    }
    if (c == '.' && !(peekc(l) >= '0' && peekc(l) <= '9'))
        return lex_field_or_var(l, T_FIELD);
    if (c == '.' || c == '+' || c == '-' || (c >= '0' && c <= '9')) {
        l->pos--;
        return lex_number(l);
    }
    if (alnum_at(l, l->pos - 1)) {
        l->pos--;
        return lex_word(l, T_IDENT);
    }
    if (c > 0x20 && c < 0x7F) {
        emit(l, T_CHAR);
        return 0;
    }
    char d[32];
    rune_desc(l, l->pos - 1, d, sizeof(d));
    return lex_error(l, "unrecognized character in action: %s", d);
}

/* Lex one action's inside; returns 1 at the closing delimiter, -1 on error. */
static int lex_action(struct lexer *l)
{
    for (;;) {
        int kind = at_right(l);
        if (kind) {
            if (l->paren == 0)
                return lex_right_delim(l, kind);
            return lex_error(l, "unclosed left paren");
        }
        int c = peekc(l);
        if (c < 0)
            return lex_error(l, "unclosed action");
        if (is_space(c)) {
            if (lex_space(l) < 0)
                return -1;
            continue;
        }
        l->pos++;
        if (lex_one_char(l, c) < 0)
            return -1;
    }
}

/* After "{{" (and the optional "- "): a comment or an action.  Returns 0 to
 * continue with text, -1 on error. */
static int lex_left(struct lexer *l)
{
    size_t delim = l->pos;
    l->pos += 2;
    size_t after = left_trim_at(l, l->pos) ? 2 : 0;
    if (has_prefix(l, l->pos + after, "/*")) {
        l->pos += after;
        l->start = l->pos;
        const char *end = memmem(l->s + l->pos + 2, l->n - l->pos - 2, "*/", 2);
        if (!end)
            return lex_error(l, "unclosed comment");
        l->pos = (size_t)(end - l->s) + 2;
        int kind = at_right(l);
        if (!kind)
            return lex_error(l, "comment ends before closing delimiter");
        l->pos += kind == 2 ? 4 : 2;
        if (kind == 2)
            l->pos = skip_space(l, l->pos);
        l->start = l->pos;
        return 0;
    }
    emit_at(l, T_LDELIM, delim, delim + 2);
    l->pos += after;
    l->start = l->pos;
    l->paren = 0;
    return lex_action(l) < 0 ? -1 : 0;
}

static size_t trailing_space(const struct lexer *l, size_t from, size_t to)
{
    size_t k = to;
    while (k > from && is_space((unsigned char)l->s[k - 1]))
        k--;
    return to - k;
}

int tmpl_lex(struct tlex *out, const char *text, size_t len)
{
    struct lexer l = {text, len, 0, 0, 0, 0, 1, out};
    memset(out, 0, sizeof(*out));
    for (;;) {
        const char *d = memmem(l.s + l.pos, l.n - l.pos, "{{", 2);
        if (!d) {
            l.pos = l.n;
            if (l.pos > l.start)
                emit(&l, T_TEXT);
            emit(&l, T_EOF);
            return 0;
        }
        size_t at = (size_t)(d - l.s);
        size_t trim = left_trim_at(&l, at + 2) ? trailing_space(&l, l.start, at) : 0;
        if (at - trim > l.start)
            emit_at(&l, T_TEXT, l.start, at - trim);
        l.pos = at;
        l.start = at;
        if (lex_left(&l) < 0)
            return -1;
    }
}

void tmpl_lex_release(struct tlex *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->toks[i].msg);
    free(t->toks);
    memset(t, 0, sizeof(*t));
}
