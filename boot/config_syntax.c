/* SPDX-License-Identifier: MIT */
/*
 * The syntax of vireo.cfg, which is xl.cfg's (Xen, xl.cfg(5)): one
 * "key = value" per line, '#' comments, and values that are numbers
 * (decimal, or hex after 0x), "double-quoted" strings with \\ \" \' escapes,
 * 'single-quoted' strings taken as written, and [ lists ] of strings, which
 * may span lines and end with a comma. Command-line words use the same
 * values, or bare ones (viridian=base,freq). Every error names where it is.
 */
#include "boot/config_syntax.h"
#include "hv/errno.h"
#include "hv/string.h"

/* ---------------------------------------------------------------- text helpers */

void cfg_out_char(struct cfg_out *o, char ch)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = ch;
	o->len++;
}

void cfg_out_str(struct cfg_out *o, const char *s)
{
	while (*s)
		cfg_out_char(o, *s++);
}

void cfg_out_end(struct cfg_out *o)
{
	if (o->size)
		o->buf[o->len < o->size ? o->len : o->size - 1] = '\0';
}

static bool is_word_start(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_';
}

static bool is_word_char(char ch)
{
	return is_word_start(ch) || cfg_is_digit(ch);
}

static int hex_digit(char ch)
{
	if (cfg_is_digit(ch))
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static char to_lower(char ch)
{
	return ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
}

bool cfg_text_is(const char *s, size_t len, const char *name, bool nocase)
{
	size_t i;

	for (i = 0; i < len && name[i]; i++)
		if (nocase ? to_lower(s[i]) != to_lower(name[i]) : s[i] != name[i])
			return false;
	return i == len && !name[i];
}

void cfg_trim(const char **s, const char **end)
{
	while (*s < *end && cfg_is_blank(**s))
		(*s)++;
	while (*end > *s && cfg_is_blank((*end)[-1]))
		(*end)--;
}

const char *cfg_quote(char *buf, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;

	for (size_t i = 0; i < len && i < CFG_QUOTE_MAX; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (cfg_is_printable((char)ch)) {
			buf[n++] = (char)ch;
		} else {
			buf[n++] = '\\';
			buf[n++] = 'x';
			buf[n++] = hex[ch >> 4];
			buf[n++] = hex[ch & 0xf];
		}
	}
	if (len > CFG_QUOTE_MAX) {
		hv_memcpy(buf + n, "...", 3);
		n += 3;
	}
	buf[n] = '\0';
	return buf;
}

size_t cfg_span_copy(const struct cfg_span *sp, char *buf, size_t size)
{
	struct cfg_out o = { buf, size, 0 };

	for (size_t i = 0; i < sp->len; i++) {
		/* The lexer let a backslash through only before \ " or '. */
		if (sp->escaped && sp->s[i] == '\\')
			i++;
		cfg_out_char(&o, sp->s[i]);
	}
	cfg_out_end(&o);
	return o.len;
}

/* No leading zeros, so that nobody expects C's octal. */
enum cfg_num cfg_number_parse(const char *s, size_t len, uint64_t *out)
{
	unsigned int base = 10;
	uint64_t v = 0;
	size_t i = 0;

	if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
	} else if (!len || (s[0] == '0' && len > 1)) {
		return NUM_BAD;
	}
	for (; i < len; i++) {
		int d = hex_digit(s[i]);

		if (d < 0 || (unsigned int)d >= base)
			return NUM_BAD;
		if (v > (UINT64_MAX - (unsigned int)d) / base)
			return NUM_TOO_LARGE;
		v = v * base + (unsigned int)d;
	}
	*out = v;
	return NUM_OK;
}

/* ---------------------------------------------------------------- messages */

void cfg_parser_init(struct cfg_parser *p, const struct vireo_config *c, const char *filename,
		     const char *text, size_t len, struct cfg_error *err)
{
	hv_memset(p, 0, sizeof(*p));
	p->filename = filename;
	p->word = filename ? NULL : text;
	p->pos = p->line_start = text;
	p->end = text + len;
	p->line = 1;
	p->cfg = *c;
	p->err = err;
	err->text[0] = '\0';
}

int cfg_fail(struct cfg_parser *p, const struct cfg_span *at, const char *fmt, ...)
{
	char *text = p->err->text, word[CFG_QUOTE_SIZE];
	size_t size = sizeof(p->err->text), n;
	va_list ap;

	if (p->filename)
		n = (size_t)hv_snprintf(text, size, "%s:%u:%u: ", p->filename, at->line, at->col);
	else
		n = (size_t)hv_snprintf(text, size, "argument \"%s\": ",
					cfg_quote(word, p->word, hv_strlen(p->word)));
	if (n < size) {
		va_start(ap, fmt);
		hv_vsnprintf(text + n, size - n, fmt, ap);
		va_end(ap);
	}
	return -HV_EINVAL;
}

const char *cfg_describe_token(const struct cfg_parser *p, const struct cfg_token *t, char *buf)
{
	char q[CFG_QUOTE_SIZE];

	switch (t->kind) {
	case TOK_END:
		return p->filename ? "end of file" : "end of argument";
	case TOK_NEWLINE:
		return "end of line";
	case TOK_WORD:
		hv_snprintf(buf, CFG_QUOTE_SIZE + 2, "\"%s\"", cfg_quote(q, t->text.s, t->text.len));
		return buf;
	case TOK_NUMBER:
		return cfg_quote(buf, t->text.s, t->text.len);
	case TOK_STRING:
		return "a string";
	case TOK_EQUALS:
		return "\"=\"";
	case TOK_LBRACKET:
		return "\"[\"";
	case TOK_RBRACKET:
		return "\"]\"";
	case TOK_COMMA:
		return "\",\"";
	}
	return "?";
}

const char *cfg_describe_value(const struct cfg_value *v, char *buf)
{
	switch (v->kind) {
	case VAL_NUMBER:
	case VAL_WORD:
		return cfg_quote(buf, v->text.s, v->text.len);
	case VAL_STRING:
		return "a string";
	case VAL_LIST:
		return "a list";
	}
	return "?";
}

static int fail_number(struct cfg_parser *p, const struct cfg_span *at, enum cfg_num status)
{
	char q[CFG_QUOTE_SIZE];

	cfg_quote(q, at->s, at->len);
	if (status == NUM_TOO_LARGE)
		return cfg_fail(p, at, "number %s is too large", q);
	return cfg_fail(p, at, "bad number %s (expected decimal without leading zeros, or hex after 0x)", q);
}

/* ---------------------------------------------------------------- lexer */

static struct cfg_span span_at(const struct cfg_parser *p, const char *s, size_t len)
{
	return (struct cfg_span){
		.s = s,
		.len = len,
		.line = p->line,
		.col = (unsigned int)(s - p->line_start) + 1,
	};
}

static int lex_string(struct cfg_parser *p, struct cfg_token *t)
{
	const char *open = p->pos, *s = open + 1;
	char quote_char = *open;
	struct cfg_span at;

	/* The contents, placed at the opening quote. */
	t->kind = TOK_STRING;
	t->text = span_at(p, open, 0);
	t->text.s = s;
	t->text.escaped = quote_char == '"';
	for (; s < p->end && *s != quote_char && *s != '\n'; s++) {
		at = span_at(p, s, 1);
		if (*s == '\\' && quote_char == '"') {
			if (s + 1 < p->end && (s[1] == '\\' || s[1] == '"' || s[1] == '\'')) {
				s++;
				continue;
			}
			if (s + 1 < p->end && cfg_is_printable(s[1]))
				return cfg_fail(p, &at, "unknown escape \"\\%c\" (write \\\\ for a "
						"backslash, or use 'single quotes')", s[1]);
		}
		if (!cfg_is_printable(*s))
			return cfg_fail(p, &at, "byte 0x%02x in a string (strings are printable ASCII)",
					(unsigned char)*s);
	}
	if (s == p->end || *s != quote_char) {
		at = span_at(p, open, 1);
		return cfg_fail(p, &at, "unterminated string (no closing %c)", quote_char);
	}
	t->text.len = (size_t)(s - open - 1);
	p->pos = s + 1;
	return 0;
}

static int lex_number(struct cfg_parser *p, struct cfg_token *t)
{
	const char *s = p->pos;
	enum cfg_num status;

	while (s < p->end && is_word_char(*s))
		s++;
	t->kind = TOK_NUMBER;
	t->text = span_at(p, p->pos, (size_t)(s - p->pos));
	p->pos = s;
	status = cfg_number_parse(t->text.s, t->text.len, &t->num);
	return status == NUM_OK ? 0 : fail_number(p, &t->text, status);
}

int cfg_lex(struct cfg_parser *p, struct cfg_token *t)
{
	static const struct {
		char ch;
		enum cfg_tok kind;
	} punct[] = {
		{ '=', TOK_EQUALS }, { '[', TOK_LBRACKET }, { ']', TOK_RBRACKET }, { ',', TOK_COMMA },
	};
	const char *s;

	while (p->pos < p->end && cfg_is_blank(*p->pos))
		p->pos++;
	if (p->pos < p->end && *p->pos == '#')
		while (p->pos < p->end && *p->pos != '\n')
			p->pos++;
	s = p->pos;
	t->text = span_at(p, s, 1);
	t->num = 0;
	if (s == p->end) {
		t->kind = TOK_END;
		t->text.len = 0;
		return 0;
	}
	if (*s == '\n') {
		t->kind = TOK_NEWLINE;
		p->pos = p->line_start = s + 1;
		p->line++;
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(punct); i++) {
		if (*s == punct[i].ch) {
			t->kind = punct[i].kind;
			p->pos++;
			return 0;
		}
	}
	if (*s == '"' || *s == '\'')
		return lex_string(p, t);
	if (cfg_is_digit(*s))
		return lex_number(p, t);
	if (is_word_start(*s)) {
		while (p->pos < p->end && is_word_char(*p->pos))
			p->pos++;
		t->kind = TOK_WORD;
		t->text.len = (size_t)(p->pos - s);
		return 0;
	}
	if (cfg_is_printable(*s))
		return cfg_fail(p, &t->text, "unexpected character '%c'", *s);
	return cfg_fail(p, &t->text, "unexpected byte 0x%02x", (unsigned char)*s);
}

/* ---------------------------------------------------------------- values */

/* A list may span lines: newlines between its items do not count. */
static int lex_in_list(struct cfg_parser *p, struct cfg_token *t)
{
	do {
		if (cfg_lex(p, t))
			return -HV_EINVAL;
	} while (t->kind == TOK_NEWLINE);
	return 0;
}

static int fail_in_list(struct cfg_parser *p, const struct cfg_value *v, const struct cfg_token *t,
			const char *what)
{
	char found[CFG_QUOTE_SIZE + 2];

	if (t->kind == TOK_END)
		return cfg_fail(p, &v->text, "unterminated list (no \"]\")");
	if (p->filename)
		return cfg_fail(p, &t->text, "expected %s in the list opened on line %u, found %s", what,
				v->text.line, cfg_describe_token(p, t, found));
	return cfg_fail(p, &t->text, "expected %s in the list, found %s", what,
			cfg_describe_token(p, t, found));
}

static int add_item(struct cfg_parser *p, struct cfg_value *v, const struct cfg_span *item)
{
	if (v->nr_items == CFG_LIST_MAX)
		return cfg_fail(p, item, "list too long (at most %u items)", CFG_LIST_MAX);
	v->items[v->nr_items++] = *item;
	return 0;
}

static int parse_list(struct cfg_parser *p, struct cfg_value *v)
{
	struct cfg_token t;

	for (;;) {
		if (lex_in_list(p, &t))
			return -HV_EINVAL;
		if (t.kind == TOK_RBRACKET)
			return 0;
		if (t.kind != TOK_STRING)
			return fail_in_list(p, v, &t, "a quoted string or \"]\"");
		if (add_item(p, v, &t.text) || lex_in_list(p, &t))
			return -HV_EINVAL;
		if (t.kind == TOK_RBRACKET)
			return 0;
		if (t.kind != TOK_COMMA)
			return fail_in_list(p, v, &t, "\",\" or \"]\"");
	}
}

int cfg_parse_value(struct cfg_parser *p, struct cfg_value *v)
{
	char found[CFG_QUOTE_SIZE + 2];
	struct cfg_token t;

	if (cfg_lex(p, &t))
		return -HV_EINVAL;
	v->text = t.text;
	v->num = t.num;
	v->nr_items = 0;
	switch (t.kind) {
	case TOK_NUMBER:
		v->kind = VAL_NUMBER;
		return 0;
	case TOK_WORD:
		v->kind = VAL_WORD;
		return 0;
	case TOK_STRING:
		v->kind = VAL_STRING;
		return 0;
	case TOK_LBRACKET:
		v->kind = VAL_LIST;
		return parse_list(p, v);
	default:
		return cfg_fail(p, &t.text, "expected a value after \"=\", found %s",
				cfg_describe_token(p, &t, found));
	}
}

int cfg_parse_bare_value(struct cfg_parser *p, enum cfg_val kind, const char *s, size_t len,
			 struct cfg_value *v)
{
	enum cfg_num status;

	v->kind = kind;
	v->text = span_at(p, s, len);
	v->num = 0;
	v->nr_items = 0;
	switch (kind) {
	case VAL_NUMBER:
		status = cfg_number_parse(s, len, &v->num);
		return status == NUM_OK ? 0 : fail_number(p, &v->text, status);
	case VAL_WORD:
	case VAL_STRING:
		return 0;
	case VAL_LIST:
		break;
	}
	for (const char *item = s, *end = s + len; ; ) {
		const char *comma = item;
		struct cfg_span sp;

		while (comma < end && *comma != ',')
			comma++;
		sp = span_at(p, item, (size_t)(comma - item));
		if (add_item(p, v, &sp))
			return -HV_EINVAL;
		if (comma == end || comma + 1 == end)
			return 0;
		item = comma + 1;
	}
}
