/* tmpl_lex.h -- private: the token stream of a template (Go's lex.go items).
 * tmpl_lex() turns the whole text into tokens up front; the parser walks the
 * array.  A lexing error ends the array with a T_ERROR token holding Go's
 * message (and no T_EOF). */
#ifndef HELM_TMPL_LEX_H
#define HELM_TMPL_LEX_H

#include <stddef.h>

enum ttok_type {
    T_ERROR, T_EOF, T_TEXT, T_LDELIM, T_RDELIM, T_SPACE, T_IDENT, T_FIELD, T_VAR,
    T_NUMBER, T_COMPLEX, T_STRING, T_RAWSTRING, T_CHARCONST, T_BOOL, T_PIPE, T_LPAREN,
    T_RPAREN, T_DECLARE, T_ASSIGN, T_CHAR,
    T_KEYWORD, /* below: printed as <word> in messages */
    T_BLOCK, T_BREAK, T_CONTINUE, T_DOT, T_DEFINE, T_ELSE, T_END, T_IF, T_NIL, T_RANGE,
    T_TEMPLATE, T_WITH,
};

struct ttok {
    int typ;
    int pos;            /* byte offset */
    int line;
    int len;
    const char *val;    /* into the text */
    char *msg;          /* T_ERROR: the message (owned) */
};

struct tlex {
    struct ttok *toks;
    size_t n, cap;
};

/* Returns 0, or -1 when the last token is a T_ERROR. */
int tmpl_lex(struct tlex *out, const char *text, size_t len);
void tmpl_lex_release(struct tlex *t);

#endif
