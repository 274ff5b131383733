/* SPDX-License-Identifier: MIT */
/* boot/prompt.c: the serial-console prompt, driven by a scripted terminal. */
#include "boot/prompt.h"
#include "tests/unit/fake.h"
#include "tests/unit/test.h"
#include "viridian/viridian.h"

TEST_GLOBALS;

#define BANNER	"Vireo configuration; type help for the commands\r\n"
#define PROMPT	"vireo> "
#define ERASE	"\b \b"

/* A terminal that types `input` and records what the prompt writes and saves. */
struct fake_term {
	const char *input;
	size_t input_len, pos;
	char output[8192];
	size_t output_len;
	char saved[CFG_TEXT_MAX];
	size_t saved_len;
	unsigned int saves;
	int save_rc;
};

static int term_getc(void *ctx)
{
	struct fake_term *t = ctx;

	return t->pos < t->input_len ? (unsigned char)t->input[t->pos++] : -1;
}

static void term_write(void *ctx, const char *s, size_t len)
{
	struct fake_term *t = ctx;

	CHECK(t->output_len + len < sizeof(t->output));
	if (t->output_len + len >= sizeof(t->output))
		return;
	memcpy(t->output + t->output_len, s, len);
	t->output_len += len;
	t->output[t->output_len] = '\0';
}

static int term_save(void *ctx, const char *text, size_t len)
{
	struct fake_term *t = ctx;

	CHECK(len < sizeof(t->saved));
	if (len >= sizeof(t->saved))
		return -1;
	memcpy(t->saved, text, len);
	t->saved[len] = '\0';
	t->saved_len = len;
	t->saves++;
	return t->save_rc;
}

/* Runs the prompt over cfg with the input (len bytes, so it may hold NULs); returns the result. */
static enum prompt_result run(struct fake_term *t, struct vireo_config *cfg, const char *input, size_t len)
{
	const struct prompt_io io = {
		.getc = term_getc,
		.write = term_write,
		.save = term_save,
		.ctx = t,
	};

	t->input = input;
	t->input_len = len;
	return prompt_run(cfg, &io);
}

#define RUN_PROMPT(t, cfg, input) run(t, cfg, input, sizeof(input) - 1)

#define DEFAULT_CONFIG \
	"viridian = []\r\n" \
	"serial = \"0x3f8,115200\"\r\n" \
	"console_timeout = 3\r\n" \
	"next = \"\"\r\n" \
	"log = \"info\"\r\n"

static void test_show(void)
{
	static struct fake_term t;
	struct vireo_config c;

	cfg_init(&c);
	CHECK_EQ(RUN_PROMPT(&t, &c, "show\r"), PROMPT_BOOT);
	CHECK_STR(t.output, BANNER PROMPT "show\r\n" DEFAULT_CONFIG PROMPT);
	CHECK_EQ(t.saves, 0);
}

static void test_set(void)
{
	static struct fake_term t;
	struct vireo_config c;

	cfg_init(&c);
	CHECK_EQ(RUN_PROMPT(&t, &c, "set viridian=base,freq\rset  log = debug \rshow\r"), PROMPT_BOOT);
	CHECK_STR(t.output, BANNER
		  PROMPT "set viridian=base,freq\r\nok\r\n"
		  PROMPT "set  log = debug \r\nok\r\n"
		  PROMPT "show\r\n"
		  "viridian = [\"base\", \"freq\"]\r\n"
		  "serial = \"0x3f8,115200\"\r\n"
		  "console_timeout = 3\r\n"
		  "next = \"\"\r\n"
		  "log = \"debug\"\r\n"
		  PROMPT);
	CHECK_EQ(c.viridian, VIR_BASE | VIR_FREQ);
	CHECK_EQ(c.log_level, LOG_DEBUG);
}

static void test_set_bad(void)
{
	static struct fake_term t;
	struct vireo_config c;

	cfg_init(&c);
	CHECK_EQ(RUN_PROMPT(&t, &c, "set viridian=freq\nset log\nset\n"), PROMPT_BOOT);
	CHECK_STR(t.output, BANNER
		  PROMPT "set viridian=freq\r\n"
		  "argument \"viridian=freq\": viridian: group \"freq\" needs \"base\"\r\n"
		  PROMPT "set log\r\n"
		  "argument \"log\": expected key=value\r\n"
		  PROMPT "set\r\n"
		  "usage: set key=value\r\n"
		  PROMPT);
	CHECK_EQ(c.viridian, 0);
}

/* BS and DEL erase one character, and nothing at the start of the line. */
static void test_backspace(void)
{
	static struct fake_term t;
	struct vireo_config c;

	cfg_init(&c);
	CHECK_EQ(RUN_PROMPT(&t, &c, "\bsx\x7fhox\bw\r"), PROMPT_BOOT);
	CHECK_STR(t.output, BANNER PROMPT "sx" ERASE "hox" ERASE "w\r\n" DEFAULT_CONFIG PROMPT);
}

/* ^U erases the whole line; other control characters are ignored. */
static void test_kill_line(void)
{
	static struct fake_term t;
	struct vireo_config c;

	cfg_init(&c);
	CHECK_EQ(RUN_PROMPT(&t, &c, "abc\x15\x15" "ab\x01\x1b" "ort\r"), PROMPT_ABORT);
	CHECK_STR(t.output, BANNER PROMPT "abc" ERASE ERASE ERASE "abort\r\n");
}

static void test_save(void)
{
	static struct fake_term t;
	struct vireo_config c;
	char expect[CFG_TEXT_MAX];

	cfg_init(&c);
	t.save_rc = 0;
	CHECK_EQ(RUN_PROMPT(&t, &c, "set console_timeout=0\rsave\r"), PROMPT_BOOT);
	CHECK_STR(t.output, BANNER PROMPT "set console_timeout=0\r\nok\r\n" PROMPT "save\r\nsaved vireo.cfg\r\n"
		  PROMPT);
	CHECK_EQ(t.saves, 1);
	CHECK_EQ(t.saved_len, cfg_format(&c, expect, sizeof(expect)));
	CHECK_STR(t.saved, "viridian = []\n"
		  "serial = \"0x3f8,115200\"\n"
		  "console_timeout = 0\n"
		  "next = \"\"\n"
		  "log = \"info\"\n");
}

static void test_save_fails(void)
{
	static struct fake_term t;
	struct vireo_config c;

	cfg_init(&c);
	t.save_rc = -5;
	CHECK_EQ(RUN_PROMPT(&t, &c, "save\r\nboot\r\n"), PROMPT_BOOT);
	CHECK_STR(t.output, BANNER PROMPT "save\r\n"
		  "save failed (error -5); the changes still apply to this boot\r\n" PROMPT "boot\r\n");
	CHECK_EQ(t.saves, 1);
}

static void test_help(void)
{
	static struct fake_term t;
	struct vireo_config c;

	cfg_init(&c);
	CHECK_EQ(RUN_PROMPT(&t, &c, "help\r"), PROMPT_BOOT);
	CHECK_STR(t.output, BANNER PROMPT "help\r\n"
		  "commands:\r\n"
		  "  show            print the configuration\r\n"
		  "  set key=value   change one key for this boot (the keys are those show prints)\r\n"
		  "  save            write the configuration to vireo.cfg\r\n"
		  "  boot            start Vireo with this configuration\r\n"
		  "  abort           do not start Vireo; the boot goes on without it\r\n"
		  "  help            this list\r\n"
		  PROMPT);
}

static void test_unknown(void)
{
	static struct fake_term t;
	struct vireo_config c;

	cfg_init(&c);
	CHECK_EQ(RUN_PROMPT(&t, &c, "  frob  x \rShow\rshow all\rhelp me\r"), PROMPT_BOOT);
	CHECK_STR(t.output, BANNER
		  PROMPT "  frob  x \r\nunknown command \"frob\"; type help\r\n"
		  PROMPT "Show\r\nunknown command \"Show\"; type help\r\n"
		  PROMPT "show all\r\nusage: show\r\n"
		  PROMPT "help me\r\nusage: help\r\n"
		  PROMPT);
}

/* boot and abort end the prompt at once: what follows is not read. */
static void test_boot_abort(void)
{
	static struct fake_term t1, t2;
	struct vireo_config c;

	cfg_init(&c);
	CHECK_EQ(RUN_PROMPT(&t1, &c, "set log=error\r  boot  \rabort\r"), PROMPT_BOOT);
	CHECK_EQ(t1.pos, 23);
	CHECK_EQ(c.log_level, LOG_ERR);
	CHECK_EQ(RUN_PROMPT(&t2, &c, "abort\rboot\r"), PROMPT_ABORT);
	CHECK_EQ(t2.pos, 6);
	CHECK_STR(t2.output, BANNER PROMPT "abort\r\n");
}

/* The line going away boots with the configuration as it stands; a half-typed line is dropped. */
static void test_eof(void)
{
	static struct fake_term t1, t2;
	struct vireo_config c;

	cfg_init(&c);
	CHECK_EQ(RUN_PROMPT(&t1, &c, ""), PROMPT_BOOT);
	CHECK_STR(t1.output, BANNER PROMPT);
	CHECK_EQ(RUN_PROMPT(&t2, &c, "set console_timeout=9\rset log=debug"), PROMPT_BOOT);
	CHECK_EQ(c.console_timeout, 9);
	CHECK_EQ(c.log_level, LOG_INFO);
	CHECK_STR(t2.output, BANNER PROMPT "set console_timeout=9\r\nok\r\n" PROMPT "set log=debug");
}

/* CR LF is one line end; CR CR, LF LF and LF CR are two. */
static void test_line_ends(void)
{
	static struct fake_term t1, t2, t3, t4;
	struct vireo_config c;

	cfg_init(&c);
	RUN_PROMPT(&t1, &c, "\r\n\r\n");
	CHECK_STR(t1.output, BANNER PROMPT "\r\n" PROMPT "\r\n" PROMPT);
	RUN_PROMPT(&t2, &c, "\r\r");
	CHECK_STR(t2.output, BANNER PROMPT "\r\n" PROMPT "\r\n" PROMPT);
	RUN_PROMPT(&t3, &c, "\n\n");
	CHECK_STR(t3.output, BANNER PROMPT "\r\n" PROMPT "\r\n" PROMPT);
	RUN_PROMPT(&t4, &c, "\n\r");
	CHECK_STR(t4.output, BANNER PROMPT "\r\n" PROMPT "\r\n" PROMPT);
}

/* A line longer than the buffer rings the bell instead of growing. */
static void test_long_line(void)
{
	static struct fake_term t;
	static char input[402], expect[1024];
	struct vireo_config c;
	size_t n;

	memset(input, 'a', 400);
	input[400] = '\r';
	cfg_init(&c);
	CHECK_EQ(run(&t, &c, input, 401), PROMPT_BOOT);
	n = (size_t)sprintf(expect, BANNER PROMPT);
	memset(expect + n, 'a', 319);
	n += 319;
	memset(expect + n, '\a', 81);
	n += 81;
	n += (size_t)sprintf(expect + n, "\r\nunknown command \"");
	memset(expect + n, 'a', 319);
	n += 319;
	sprintf(expect + n, "\"; type help\r\n" PROMPT);
	CHECK_STR(t.output, expect);
}

/* NUL and bytes above 0x7f are not echoed and not kept. */
static void test_binary_input(void)
{
	static struct fake_term t;
	struct vireo_config c;

	cfg_init(&c);
	CHECK_EQ(run(&t, &c, "bo\0o\x80\xfft\r", 8), PROMPT_BOOT);
	CHECK_EQ(t.pos, 8);
	CHECK_STR(t.output, BANNER PROMPT "boot\r\n");
}

int main(void)
{
	RUN("prompt", test_show);
	RUN("prompt", test_set);
	RUN("prompt", test_set_bad);
	RUN("prompt", test_backspace);
	RUN("prompt", test_kill_line);
	RUN("prompt", test_save);
	RUN("prompt", test_save_fails);
	RUN("prompt", test_help);
	RUN("prompt", test_unknown);
	RUN("prompt", test_boot_abort);
	RUN("prompt", test_eof);
	RUN("prompt", test_line_ends);
	RUN("prompt", test_long_line);
	RUN("prompt", test_binary_input);
	return test_suite_failures != 0;
}
