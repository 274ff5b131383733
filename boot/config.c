/* SPDX-License-Identifier: MIT */
/*
 * vireo.cfg and the command-line words that override it, key by key: what
 * each key means and accepts (the syntax is boot/config_syntax.c's), and
 * the text that writes a configuration back.
 *
 * Input is parsed into a copy of the configuration, which replaces the
 * caller's only once all of it is good.
 */
#include "boot/config_syntax.h"
#include "hv/errno.h"
#include "hv/string.h"
#include "viridian/viridian.h"

#define DEFAULT_SERIAL_PORT	0x3f8
#define DEFAULT_SERIAL_BAUD	115200
#define DEFAULT_CONSOLE_TIMEOUT	3
#define CONSOLE_TIMEOUT_MAX	60

/* The PC's COM1 and COM2. */
#define COM1_PORT		0x3f8
#define COM2_PORT		0x2f8
/* A 16550 decodes eight ports, and its baud rate is 115200 over a 16-bit divisor. */
#define UART_PORT_MAX		0xfff8
#define UART_BASE_BAUD		115200
#define UART_MIN_BAUD		50

/* xl.cfg's named set "defaults", which the boolean form viridian = 1 also stands for. */
#define CFG_VIR_DEFAULTS	(VIR_BASE | VIR_FREQ)

#define NAMES_SIZE		320	/* every group's name, then "defaults, all", and the like */

enum cfg_key_id {
	KEY_VIRIDIAN,
	KEY_SERIAL,
	KEY_CONSOLE_TIMEOUT,
	KEY_NEXT,
	KEY_LOG,
	NR_KEYS,
};

struct cfg_key {
	const char *name;
	const char *expected;		/* for "expected ..., found ..." */
	enum cfg_val bare;		/* how a bare command-line value reads */
	int (*set)(struct cfg_parser *p, const struct cfg_value *v);
};

static const struct cfg_key cfg_keys[NR_KEYS];

static int fail_expected(struct cfg_parser *p, enum cfg_key_id key, const struct cfg_value *v)
{
	char found[CFG_QUOTE_SIZE];

	return cfg_fail(p, &v->text, "%s: expected %s, found %s", cfg_keys[key].name,
			cfg_keys[key].expected, cfg_describe_value(v, found));
}

/* ---------------------------------------------------------------- viridian */

static uint64_t all_groups(void)
{
	uint64_t mask = 0;

	for (size_t i = 0; i < vir_group_count; i++)
		mask |= vir_group_names[i].bit;
	return mask;
}

static bool group_find(const char *name, size_t len, uint64_t *bits)
{
	for (size_t i = 0; i < vir_group_count; i++) {
		if (cfg_text_is(name, len, vir_group_names[i].name, false)) {
			*bits = vir_group_names[i].bit;
			return true;
		}
	}
	if (cfg_text_is(name, len, "defaults", false))
		*bits = CFG_VIR_DEFAULTS;
	else if (cfg_text_is(name, len, "all", false))
		*bits = all_groups();
	else
		return false;
	return true;
}

/* ["base", "freq"] in the file, base,freq on the command line; [] for none. */
static void out_groups(struct cfg_out *o, uint64_t mask, bool bare)
{
	const char *sep = "";

	if (!mask || !bare)
		cfg_out_char(o, '[');
	for (size_t i = 0; i < vir_group_count; i++) {
		if (!(mask & vir_group_names[i].bit))
			continue;
		cfg_out_str(o, sep);
		cfg_out_str(o, bare ? "" : "\"");
		cfg_out_str(o, vir_group_names[i].name);
		cfg_out_str(o, bare ? "" : "\"");
		sep = bare ? "," : ", ";
	}
	if (!mask || !bare)
		cfg_out_char(o, ']');
}

static const char *group_name(uint64_t bit)
{
	for (size_t i = 0; i < vir_group_count; i++)
		if (vir_group_names[i].bit == bit)
			return vir_group_names[i].name;
	return NULL;
}

/* "\"a\"", or "\"a\" or \"b\"": the groups of mask, for a message. */
static void out_alternatives(struct cfg_out *o, uint64_t mask)
{
	const char *sep = "";

	for (size_t i = 0; i < vir_group_count; i++) {
		if (!(mask & vir_group_names[i].bit))
			continue;
		cfg_out_str(o, sep);
		cfg_out_char(o, '"');
		cfg_out_str(o, vir_group_names[i].name);
		cfg_out_char(o, '"');
		sep = " or ";
	}
}

static int viridian_apply_item(struct cfg_parser *p, const struct cfg_span *item, uint64_t *mask)
{
	char name[32], q[CFG_QUOTE_SIZE], names[NAMES_SIZE];
	size_t len = cfg_span_copy(item, name, sizeof(name));
	bool remove = len && name[0] == '!';
	struct cfg_out o = { names, sizeof(names), 0 };
	uint64_t bits;

	if (len < sizeof(name) && group_find(name + remove, len - remove, &bits)) {
		*mask = remove ? *mask & ~bits : *mask | bits;
		return 0;
	}
	for (size_t i = 0; i < vir_group_count; i++) {
		cfg_out_str(&o, vir_group_names[i].name);
		cfg_out_str(&o, ", ");
	}
	cfg_out_str(&o, "defaults, all");
	cfg_out_end(&o);
	return cfg_fail(p, item, "unknown viridian group \"%s\" (expected %s)",
			cfg_quote(q, item->s + remove, item->len - remove), names);
}

/* xl.cfg's older boolean form: 1 (or true) means "defaults", 0 (or false) means off. */
static int viridian_set_boolean(struct cfg_parser *p, const struct cfg_value *v)
{
	char written[CFG_QUOTE_SIZE], list[NAMES_SIZE];
	struct cfg_out o = { list, sizeof(list), 0 };
	bool on;

	if (v->kind == VAL_NUMBER && v->num <= 1)
		on = v->num;
	else if (v->kind == VAL_WORD && cfg_text_is(v->text.s, v->text.len, "true", false))
		on = true;
	else if (v->kind == VAL_WORD && cfg_text_is(v->text.s, v->text.len, "false", false))
		on = false;
	else
		return fail_expected(p, KEY_VIRIDIAN, v);

	p->cfg.viridian = on ? CFG_VIR_DEFAULTS : 0;
	out_groups(&o, p->cfg.viridian, !p->filename);
	cfg_out_end(&o);
	cfg_quote(written, v->text.s, v->text.len);
	if (p->filename)
		log_warn("%s:%u: viridian = %s is deprecated; write viridian = %s",
			 p->filename, v->text.line, written, list);
	else
		log_warn("argument \"viridian=%s\" is deprecated; write viridian=%s", written, list);
	return 0;
}

static int set_viridian(struct cfg_parser *p, const struct cfg_value *v)
{
	char list[NAMES_SIZE];
	struct cfg_out o = { list, sizeof(list), 0 };
	uint64_t mask = 0;

	if (v->kind == VAL_NUMBER || v->kind == VAL_WORD)
		return viridian_set_boolean(p, v);
	if (v->kind != VAL_LIST)
		return fail_expected(p, KEY_VIRIDIAN, v);

	/* Left to right from nothing: "all", "!freq" is everything but freq. */
	for (size_t i = 0; i < v->nr_items; i++)
		if (viridian_apply_item(p, &v->items[i], &mask))
			return -HV_EINVAL;
	if (mask && vir_validate_mask(mask)) {
		uint64_t group, needs;

		/* Every group needs base, and some one of a few others. */
		for (size_t i = 0; i < vir_group_count && !(mask & VIR_BASE); i++)
			if (mask & vir_group_names[i].bit)
				return cfg_fail(p, &v->text, "viridian: group \"%s\" needs \"base\"",
						vir_group_names[i].name);
		group = vir_unmet_need(mask, &needs);
		if (group) {
			out_alternatives(&o, needs);
			cfg_out_end(&o);
			return cfg_fail(p, &v->text, "viridian: group \"%s\" needs %s", group_name(group), list);
		}
		out_groups(&o, mask, false);
		cfg_out_end(&o);
		return cfg_fail(p, &v->text, "viridian: %s is not a valid set of groups", list);
	}
	p->cfg.viridian = mask;
	return 0;
}

/* ---------------------------------------------------------------- other keys */

/* "0x3f8,115200", "com2", "0x2f8": the port, then an optional baud rate (else 115200). */
static int set_serial(struct cfg_parser *p, const struct cfg_value *v)
{
	char text[64], q[CFG_QUOTE_SIZE];
	const char *port = text, *port_end, *baud, *end;
	uint64_t port_nr, baud_nr = UART_BASE_BAUD;
	size_t len;

	if (v->kind != VAL_STRING)
		return fail_expected(p, KEY_SERIAL, v);
	len = cfg_span_copy(&v->text, text, sizeof(text));
	if (len >= sizeof(text))
		return cfg_fail(p, &v->text, "serial: bad value \"%s\" (expected a port and a baud rate, "
				"such as \"0x3f8,115200\")", cfg_quote(q, v->text.s, v->text.len));
	end = text + len;
	for (port_end = port; port_end < end && *port_end != ','; port_end++)
		;
	baud = port_end < end ? port_end + 1 : NULL;
	cfg_trim(&port, &port_end);

	if (cfg_text_is(port, (size_t)(port_end - port), "com1", true))
		port_nr = COM1_PORT;
	else if (cfg_text_is(port, (size_t)(port_end - port), "com2", true))
		port_nr = COM2_PORT;
	else if (cfg_number_parse(port, (size_t)(port_end - port), &port_nr) != NUM_OK ||
		 !port_nr || port_nr > UART_PORT_MAX)
		return cfg_fail(p, &v->text, "serial: bad port \"%s\" (expected com1, com2 or an I/O port "
				"such as 0x3f8)", cfg_quote(q, port, (size_t)(port_end - port)));

	if (baud) {
		cfg_trim(&baud, &end);
		if (cfg_number_parse(baud, (size_t)(end - baud), &baud_nr) != NUM_OK ||
		    baud_nr < UART_MIN_BAUD || baud_nr > UART_BASE_BAUD || UART_BASE_BAUD % baud_nr)
			return cfg_fail(p, &v->text, "serial: bad baud rate \"%s\" (expected a divisor "
					"of 115200 from 50 to 115200)",
					cfg_quote(q, baud, (size_t)(end - baud)));
	}
	p->cfg.serial_port = (uint16_t)port_nr;
	p->cfg.serial_baud = (uint32_t)baud_nr;
	return 0;
}

static int set_console_timeout(struct cfg_parser *p, const struct cfg_value *v)
{
	if (v->kind != VAL_NUMBER || v->num > CONSOLE_TIMEOUT_MAX)
		return fail_expected(p, KEY_CONSOLE_TIMEOUT, v);
	p->cfg.console_timeout = (unsigned int)v->num;
	return 0;
}

/* A path on the volume Vireo was loaded from, as UEFI writes it: \EFI\BOOT\BOOTX64.EFI. */
static int set_next(struct cfg_parser *p, const struct cfg_value *v)
{
	char path[CFG_NEXT_MAX], q[CFG_QUOTE_SIZE];
	size_t len;

	if (v->kind != VAL_STRING)
		return fail_expected(p, KEY_NEXT, v);
	len = cfg_span_copy(&v->text, path, sizeof(path));
	if (len >= sizeof(path))
		return cfg_fail(p, &v->text, "next: path longer than %u bytes", CFG_NEXT_MAX - 1);
	if (len && path[0] != '\\')
		return cfg_fail(p, &v->text, "next: \"%s\" does not start with \\ (expected the path "
				"from the root of the boot volume, or \"\" for none)",
				cfg_quote(q, v->text.s, v->text.len));
	for (size_t i = 0; i < len; i++)
		if (!cfg_is_printable(path[i]))
			return cfg_fail(p, &v->text, "next: byte 0x%02x in the path (paths are "
					"printable ASCII)", (unsigned char)path[i]);
	hv_memset(p->cfg.next, 0, sizeof(p->cfg.next));
	hv_memcpy(p->cfg.next, path, len);
	return 0;
}

static int set_log(struct cfg_parser *p, const struct cfg_value *v)
{
	char name[16], q[CFG_QUOTE_SIZE];
	enum log_level level;

	if (v->kind != VAL_STRING)
		return fail_expected(p, KEY_LOG, v);
	if (cfg_span_copy(&v->text, name, sizeof(name)) >= sizeof(name) || log_level_parse(name, &level))
		return cfg_fail(p, &v->text, "log: unknown level \"%s\" (expected error, warning, "
				"info, debug)", cfg_quote(q, v->text.s, v->text.len));
	p->cfg.log_level = level;
	return 0;
}

static const struct cfg_key cfg_keys[NR_KEYS] = {
	[KEY_VIRIDIAN] = {
		"viridian", "a list of groups such as [\"base\", \"freq\"]", VAL_LIST, set_viridian,
	},
	[KEY_SERIAL] = {
		"serial", "a string such as \"0x3f8,115200\"", VAL_STRING, set_serial,
	},
	[KEY_CONSOLE_TIMEOUT] = {
		"console_timeout", "a number of seconds from 0 to 60", VAL_NUMBER, set_console_timeout,
	},
	[KEY_NEXT] = {
		"next", "a path string such as \"\\\\EFI\\\\BOOT\\\\grubx64.efi\", or \"\"",
		VAL_STRING, set_next,
	},
	[KEY_LOG] = {
		"log", "\"error\", \"warning\", \"info\" or \"debug\"", VAL_STRING, set_log,
	},
};

static int key_find(struct cfg_parser *p, const struct cfg_span *name, enum cfg_key_id *id)
{
	char names[NAMES_SIZE], q[CFG_QUOTE_SIZE];
	struct cfg_out o = { names, sizeof(names), 0 };

	for (unsigned int i = 0; i < NR_KEYS; i++) {
		if (cfg_text_is(name->s, name->len, cfg_keys[i].name, false)) {
			*id = (enum cfg_key_id)i;
			return 0;
		}
		cfg_out_str(&o, i ? ", " : "");
		cfg_out_str(&o, cfg_keys[i].name);
	}
	cfg_out_end(&o);
	return cfg_fail(p, name, "unknown key \"%s\" (expected %s)", cfg_quote(q, name->s, name->len), names);
}

/* A command-line value without brackets or quotes, read the way the key wants it. */
static int parse_bare_value(struct cfg_parser *p, enum cfg_key_id key, const char *s, size_t len,
			    struct cfg_value *v)
{
	bool boolean = cfg_text_is(s, len, "true", false) || cfg_text_is(s, len, "false", false);
	enum cfg_val kind = cfg_keys[key].bare;

	/* viridian=1 and viridian=true are the deprecated boolean form; else groups: base,freq. */
	if (key == KEY_VIRIDIAN && cfg_is_digit(*s))
		kind = VAL_NUMBER;
	else if (key == KEY_VIRIDIAN && boolean)
		kind = VAL_WORD;
	return cfg_parse_bare_value(p, kind, s, len, v);
}

/* ---------------------------------------------------------------- entry points */

void cfg_init(struct vireo_config *c)
{
	hv_memset(c, 0, sizeof(*c));
	c->serial_port = DEFAULT_SERIAL_PORT;
	c->serial_baud = DEFAULT_SERIAL_BAUD;
	c->console_timeout = DEFAULT_CONSOLE_TIMEOUT;
	c->log_level = LOG_INFO;
}

/* key = value, the key already read; key_line[] is where the file set each key, 0 if not yet. */
static int parse_assignment(struct cfg_parser *p, const struct cfg_token *key_tok,
			    unsigned int *key_line)
{
	char found[CFG_QUOTE_SIZE + 2];
	enum cfg_key_id key;
	struct cfg_value v;
	struct cfg_token t;

	if (key_tok->kind != TOK_WORD)
		return cfg_fail(p, &key_tok->text, "expected a key, found %s",
				cfg_describe_token(p, key_tok, found));
	if (key_find(p, &key_tok->text, &key))
		return -HV_EINVAL;
	if (key_line[key])
		return cfg_fail(p, &key_tok->text, "duplicate key \"%s\" (first set on line %u)",
				cfg_keys[key].name, key_line[key]);
	key_line[key] = key_tok->text.line;

	if (cfg_lex(p, &t))
		return -HV_EINVAL;
	if (t.kind != TOK_EQUALS)
		return cfg_fail(p, &t.text, "expected \"=\" after \"%s\", found %s", cfg_keys[key].name,
				cfg_describe_token(p, &t, found));
	if (cfg_parse_value(p, &v) || cfg_lex(p, &t))
		return -HV_EINVAL;
	if (t.kind != TOK_NEWLINE && t.kind != TOK_END)
		return cfg_fail(p, &t.text, "expected end of line after the value of \"%s\", found %s",
				cfg_keys[key].name, cfg_describe_token(p, &t, found));
	return cfg_keys[key].set(p, &v);
}

int cfg_parse_file(struct vireo_config *c, const char *filename, const char *text, size_t len,
		   struct cfg_error *err)
{
	unsigned int key_line[NR_KEYS] = { 0 };
	struct cfg_parser p;
	struct cfg_token t;

	cfg_parser_init(&p, c, filename, text, len, err);
	/* Windows editors start UTF-8 text with a byte-order mark. */
	if (len >= 3 && !hv_memcmp(text, "\xef\xbb\xbf", 3))
		p.pos = p.line_start = text + 3;
	for (;;) {
		if (cfg_lex(&p, &t))
			return -HV_EINVAL;
		if (t.kind == TOK_END)
			break;
		if (t.kind != TOK_NEWLINE && parse_assignment(&p, &t, key_line))
			return -HV_EINVAL;
	}
	*c = p.cfg;
	return 0;
}

int cfg_parse_arg(struct vireo_config *c, const char *arg, struct cfg_error *err)
{
	const char *equals, *key_end, *value, *end;
	char found[CFG_QUOTE_SIZE + 2];
	struct cfg_parser p;
	enum cfg_key_id key;
	struct cfg_span name = { 0 };
	struct cfg_value v;
	struct cfg_token t;

	cfg_parser_init(&p, c, NULL, arg, hv_strlen(arg), err);
	for (equals = arg; equals < p.end && *equals != '='; equals++)
		;
	if (equals == p.end)
		return cfg_fail(&p, NULL, "expected key=value");
	name.s = arg;
	key_end = equals;
	cfg_trim(&name.s, &key_end);
	name.len = (size_t)(key_end - name.s);
	if (key_find(&p, &name, &key))
		return -HV_EINVAL;

	value = equals + 1;
	end = p.end;
	cfg_trim(&value, &end);
	if (value == end)
		return cfg_fail(&p, NULL, "missing value after \"=\" (expected %s)", cfg_keys[key].expected);
	if (*value == '[' || *value == '"' || *value == '\'') {
		p.pos = value;
		p.end = end;
		if (cfg_parse_value(&p, &v) || cfg_lex(&p, &t))
			return -HV_EINVAL;
		if (t.kind != TOK_END)
			return cfg_fail(&p, NULL, "expected end of argument after the value, found %s",
					cfg_describe_token(&p, &t, found));
	} else if (parse_bare_value(&p, key, value, (size_t)(end - value), &v)) {
		return -HV_EINVAL;
	}
	if (cfg_keys[key].set(&p, &v))
		return -HV_EINVAL;
	*c = p.cfg;
	return 0;
}

size_t cfg_format(const struct vireo_config *c, char *buf, size_t size)
{
	const char *level = log_level_name(c->log_level);
	struct cfg_out o = { buf, size, 0 };
	char num[32];

	cfg_out_str(&o, "viridian = ");
	out_groups(&o, c->viridian, false);
	hv_snprintf(num, sizeof(num), "\nserial = \"0x%x,%u\"\n", c->serial_port, c->serial_baud);
	cfg_out_str(&o, num);
	hv_snprintf(num, sizeof(num), "console_timeout = %u\n", c->console_timeout);
	cfg_out_str(&o, num);
	cfg_out_str(&o, "next = \"");
	for (const char *s = c->next; s < c->next + sizeof(c->next) && *s; s++) {
		if (*s == '\\' || *s == '"')
			cfg_out_char(&o, '\\');
		cfg_out_char(&o, *s);
	}
	cfg_out_str(&o, "\"\nlog = \"");
	cfg_out_str(&o, level ? level : "");
	cfg_out_str(&o, "\"\n");
	cfg_out_end(&o);
	return o.len;
}

bool cfg_equal(const struct vireo_config *a, const struct vireo_config *b)
{
	return a->viridian == b->viridian &&
	       a->serial_port == b->serial_port &&
	       a->serial_baud == b->serial_baud &&
	       a->console_timeout == b->console_timeout &&
	       !hv_strncmp(a->next, b->next, sizeof(a->next)) &&
	       a->log_level == b->log_level;
}
