/* SPDX-License-Identifier: MIT */
#ifndef BOOT_CONFIG_SYNTAX_H
#define BOOT_CONFIG_SYNTAX_H

/*
 * The xl.cfg syntax under boot/config.c: tokens, values and the messages
 * that point into the input. Private to boot/config*.c.
 */

#include "boot/config.h"

#define CFG_LIST_MAX	32			/* items in one list */
#define CFG_QUOTE_MAX	40			/* bytes of the input a message shows */
#define CFG_QUOTE_SIZE	(CFG_QUOTE_MAX * 4 + 4)	/* each may become \xNN, then "..." */

/* Output that counts everything and stores what fits, as snprintf does. */
struct cfg_out {
	char *buf;
	size_t size;
	size_t len;
};

/* A piece of the input, and where it starts. */
struct cfg_span {
	const char *s;
	size_t len;
	bool escaped;		/* from a double-quoted string: \\ \" \' still to undo */
	unsigned int line, col;
};

enum cfg_tok {
	TOK_END,		/* end of the file or of the word */
	TOK_NEWLINE,
	TOK_WORD,		/* a key, true or false */
	TOK_NUMBER,
	TOK_STRING,
	TOK_EQUALS,
	TOK_LBRACKET,
	TOK_RBRACKET,
	TOK_COMMA,
};

struct cfg_token {
	enum cfg_tok kind;
	struct cfg_span text;	/* for a string, what lies between the quotes */
	uint64_t num;
};

enum cfg_val {
	VAL_NUMBER,
	VAL_WORD,
	VAL_STRING,
	VAL_LIST,
};

struct cfg_value {
	enum cfg_val kind;
	struct cfg_span text;	/* as written; for a string, its contents; for a list, the '[' */
	uint64_t num;
	size_t nr_items;
	struct cfg_span items[CFG_LIST_MAX];
};

struct cfg_parser {
	const char *filename;		/* NULL for a command-line word */
	const char *word;		/* the command-line word */
	const char *pos, *end;
	const char *line_start;
	unsigned int line;
	struct vireo_config cfg;	/* the copy being built */
	struct cfg_error *err;
};

enum cfg_num {
	NUM_OK,
	NUM_BAD,
	NUM_TOO_LARGE,
};

static inline bool cfg_is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

static inline bool cfg_is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r';
}

static inline bool cfg_is_printable(char ch)
{
	return ch >= 0x20 && ch < 0x7f;
}

void cfg_out_char(struct cfg_out *o, char ch);
void cfg_out_str(struct cfg_out *o, const char *s);
void cfg_out_end(struct cfg_out *o);

/* s[0..len) equals the NUL-terminated name; with nocase, ignoring ASCII case. */
bool cfg_text_is(const char *s, size_t len, const char *name, bool nocase);
/* Moves [*s, *end) in past blanks at both ends. */
void cfg_trim(const char **s, const char **end);
/*
 * User text for a message, into CFG_QUOTE_SIZE bytes: bytes other than
 * printable ASCII as \xNN, and cut short with "...".
 */
const char *cfg_quote(char *buf, const char *s, size_t len);
/* A string's value into buf (NUL-terminated, cut to size); returns its full length. */
size_t cfg_span_copy(const struct cfg_span *sp, char *buf, size_t size);
/* Decimal without leading zeros, or hex after 0x. */
enum cfg_num cfg_number_parse(const char *s, size_t len, uint64_t *out);

void cfg_parser_init(struct cfg_parser *p, const struct vireo_config *c, const char *filename,
		     const char *text, size_t len, struct cfg_error *err);
/* Fills the error as "file:line:col: ..." or "argument \"word\": ..."; returns -HV_EINVAL. */
int cfg_fail(struct cfg_parser *p, const struct cfg_span *at, const char *fmt, ...) __printf(3, 4);
/* "end of line", "a string", "\"log\"" (buf has CFG_QUOTE_SIZE + 2 bytes). */
const char *cfg_describe_token(const struct cfg_parser *p, const struct cfg_token *t, char *buf);
/* "61", "a string", "a list" (buf has CFG_QUOTE_SIZE bytes). */
const char *cfg_describe_value(const struct cfg_value *v, char *buf);

/* The next token; 0, or -HV_EINVAL with the error filled in. */
int cfg_lex(struct cfg_parser *p, struct cfg_token *t);
/* A number, word, string or list, as in the file. */
int cfg_parse_value(struct cfg_parser *p, struct cfg_value *v);
/*
 * A command-line value without brackets or quotes, read as kind: a
 * VAL_LIST is split at commas (a trailing comma is allowed).
 */
int cfg_parse_bare_value(struct cfg_parser *p, enum cfg_val kind, const char *s, size_t len,
			 struct cfg_value *v);

#endif
