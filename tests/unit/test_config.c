/* SPDX-License-Identifier: MIT */
/* boot/config.c: vireo.cfg, command-line words, and the text cfg_format writes. */
#include "boot/config.h"
#include "hv/errno.h"
#include "tests/unit/fake.h"
#include "tests/unit/test.h"
#include "viridian/viridian.h"

TEST_GLOBALS;

#define GROUPS	" (expected base, freq, time_ref_count, reference_tsc, hcall_remote_tlb_flush, apic_assist, " \
		"crash_ctl, hcall_ipi, ex_processor_masks, no_vp_limit, cpu_hotplug, tsc_invariant, defaults, all)"
#define KEYS	" (expected viridian, serial, console_timeout, next, log)"

static int parse(struct vireo_config *c, const char *text, struct cfg_error *err)
{
	return cfg_parse_file(c, "vireo.cfg", text, strlen(text), err);
}

/* A configuration unlike the defaults, so that "left as it was" means something. */
static void config_other(struct vireo_config *c)
{
	cfg_init(c);
	c->viridian = VIR_BASE;
	c->serial_port = 0x2f8;
	c->serial_baud = 9600;
	c->console_timeout = 7;
	strcpy(c->next, "\\EFI\\BOOT\\BOOTX64.EFI");
	c->log_level = LOG_WARN;
}

static void test_defaults(void)
{
	struct vireo_config c;

	memset(&c, 0xa5, sizeof(c));
	cfg_init(&c);
	CHECK_EQ(c.viridian, 0);
	CHECK_EQ(c.serial_port, 0x3f8);
	CHECK_EQ(c.serial_baud, 115200);
	CHECK_EQ(c.console_timeout, 3);
	CHECK_STR(c.next, "");
	CHECK_EQ(c.log_level, LOG_INFO);
}

/* Every key, comments, a list over several lines, both kinds of quotes. */
static void test_file_every_key(void)
{
	static const char text[] =
		"# Vireo configuration\n"
		"\n"
		"viridian = [ \"base\",   # the hypercall interface\n"
		"             'freq',   # TSC and APIC frequencies\n"
		"           ]\n"
		"serial = 'com2,9600'\n"
		"console_timeout = 0x0a   # hex\n"
		"\tnext=\"\\\\EFI\\\\debian\\\\grubx64.efi\"\n"
		"log = \"debug\"";
	struct vireo_config c;
	struct cfg_error err;

	cfg_init(&c);
	CHECK_EQ(parse(&c, text, &err), 0);
	CHECK_STR(err.text, "");
	CHECK_EQ(c.viridian, VIR_BASE | VIR_FREQ);
	CHECK_EQ(c.serial_port, 0x2f8);
	CHECK_EQ(c.serial_baud, 9600);
	CHECK_EQ(c.console_timeout, 10);
	CHECK_STR(c.next, "\\EFI\\debian\\grubx64.efi");
	CHECK_EQ(c.log_level, LOG_DEBUG);
}

/* The example shipped for users parses, and says what the defaults say but for viridian. */
static void test_example_file(void)
{
	static char text[4096];
	struct vireo_config c, defaults;
	struct cfg_error err;
	FILE *f = fopen("boot/vireo.cfg", "r");
	size_t n = 0;

	CHECK(f != NULL);
	if (f) {
		n = fread(text, 1, sizeof(text), f);
		fclose(f);
	}
	CHECK(n > 0 && n < sizeof(text));
	config_other(&c);
	fake_log_clear();
	CHECK_EQ(cfg_parse_file(&c, "vireo.cfg", text, n, &err), 0);
	CHECK_STR(err.text, "");
	CHECK_STR(fake_log, "");
	cfg_init(&defaults);
	defaults.viridian = VIR_BASE | VIR_FREQ;
	CHECK(cfg_equal(&c, &defaults));
}

static const struct file_case {
	const char *text;
	uint64_t viridian;
	uint16_t port;
	uint32_t baud;
	unsigned int timeout;
	const char *next;
	enum log_level level;
} file_cases[] = {
	/* Nothing at all, or only comments: the defaults stand. */
	{ "", 0, 0x3f8, 115200, 3, "", LOG_INFO },
	{ "# nothing\n\n   \t\n", 0, 0x3f8, 115200, 3, "", LOG_INFO },
	/* CRLF line ends and a UTF-8 byte-order mark. */
	{ "\xef\xbb\xbfviridian = [\"base\"]\r\nlog = \"error\"\r\n", VIR_BASE, 0x3f8, 115200, 3, "", LOG_ERR },
	/* A trailing comma, an empty list, a list on one line. */
	{ "viridian = [\"base\", \"freq\",]\n", VIR_BASE | VIR_FREQ, 0x3f8, 115200, 3, "", LOG_INFO },
	{ "viridian = []\n", 0, 0x3f8, 115200, 3, "", LOG_INFO },
	{ "viridian = [\n]\n", 0, 0x3f8, 115200, 3, "", LOG_INFO },
	/* serial: the port alone means 115200; blanks around the parts; hex baud. */
	{ "serial = \"0x2e8\"\n", 0, 0x2e8, 115200, 3, "", LOG_INFO },
	{ "serial = \"COM1, 50\"\n", 0, 0x3f8, 50, 3, "", LOG_INFO },
	{ "serial = \"1016,0x1c200\"\n", 0, 1016, 115200, 3, "", LOG_INFO },
	{ "serial = \"0xfff8,57600\"\n", 0, 0xfff8, 57600, 3, "", LOG_INFO },
	/* console_timeout bounds. */
	{ "console_timeout = 0\n", 0, 0x3f8, 115200, 0, "", LOG_INFO },
	{ "console_timeout = 60\n", 0, 0x3f8, 115200, 60, "", LOG_INFO },
	/* next: single quotes keep backslashes, escapes in double quotes, empty. */
	{ "next = '\\EFI\\BOOT\\grub.efi'\n", 0, 0x3f8, 115200, 3, "\\EFI\\BOOT\\grub.efi", LOG_INFO },
	{ "next = \"\\\\a \\\"b\\\" \\'c\\'\"\n", 0, 0x3f8, 115200, 3, "\\a \"b\" 'c'", LOG_INFO },
	{ "next = \"\"\n", 0, 0x3f8, 115200, 3, "", LOG_INFO },
	/* log: every level. */
	{ "log = \"warning\"\n", 0, 0x3f8, 115200, 3, "", LOG_WARN },
	{ "log = 'info'\n", 0, 0x3f8, 115200, 3, "", LOG_INFO },
};

static void test_file_valid(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(file_cases); i++) {
		const struct file_case *t = &file_cases[i];
		struct vireo_config c;
		struct cfg_error err;

		cfg_init(&c);
		CHECK_EQ(parse(&c, t->text, &err), 0);
		CHECK_STR(err.text, "");
		CHECK_EQ(c.viridian, t->viridian);
		CHECK_EQ(c.serial_port, t->port);
		CHECK_EQ(c.serial_baud, t->baud);
		CHECK_EQ(c.console_timeout, t->timeout);
		CHECK_STR(c.next, t->next);
		CHECK_EQ(c.log_level, t->level);
	}
}

static const struct bad_case {
	const char *text;
	const char *error;
} bad_file_cases[] = {
	/* Keys. */
	{ "fred = 1\n", "vireo.cfg:1:1: unknown key \"fred\"" KEYS },
	{ "log = \"info\"\n\nLog = \"info\"\n", "vireo.cfg:3:1: unknown key \"Log\"" KEYS },
	{ "= 3\n", "vireo.cfg:1:1: expected a key, found \"=\"" },
	{ "\"log\" = 3\n", "vireo.cfg:1:1: expected a key, found a string" },
	{ "log = \"info\"\nserial = \"com1\"\n  log = \"debug\"\n",
	  "vireo.cfg:3:3: duplicate key \"log\" (first set on line 1)" },
	/* Structure of a line. */
	{ "log \"info\"\n", "vireo.cfg:1:5: expected \"=\" after \"log\", found a string" },
	{ "log\n", "vireo.cfg:1:4: expected \"=\" after \"log\", found end of line" },
	{ "log =\n", "vireo.cfg:1:6: expected a value after \"=\", found end of line" },
	{ "log = # none\n", "vireo.cfg:1:13: expected a value after \"=\", found end of line" },
	{ "log =", "vireo.cfg:1:6: expected a value after \"=\", found end of file" },
	{ "log = \"info\" \"debug\"\n",
	  "vireo.cfg:1:14: expected end of line after the value of \"log\", found a string" },
	{ "log = \"info\"; serial = \"com1\"\n", "vireo.cfg:1:13: unexpected character ';'" },
	{ "console_timeout = 3 = 4\n",
	  "vireo.cfg:1:21: expected end of line after the value of \"console_timeout\", found \"=\"" },
	{ "log = \"info\"\n\x80\n", "vireo.cfg:2:1: unexpected byte 0x80" },
	{ "log = ]\n", "vireo.cfg:1:7: expected a value after \"=\", found \"]\"" },
	/* Strings. */
	{ "log = \"info\n", "vireo.cfg:1:7: unterminated string (no closing \")" },
	{ "log = 'info", "vireo.cfg:1:7: unterminated string (no closing ')" },
	{ "next = \"\\\\EFI\\\"\n", "vireo.cfg:1:8: unterminated string (no closing \")" },
	{ "next = \"\\EFI\"\n",
	  "vireo.cfg:1:9: unknown escape \"\\E\" (write \\\\ for a backslash, or use 'single quotes')" },
	{ "log = \"in\x01" "fo\"\n", "vireo.cfg:1:10: byte 0x01 in a string (strings are printable ASCII)" },
	{ "log = \"in\tfo\"\n", "vireo.cfg:1:10: byte 0x09 in a string (strings are printable ASCII)" },
	/* Numbers. */
	{ "console_timeout = 010\n",
	  "vireo.cfg:1:19: bad number 010 (expected decimal without leading zeros, or hex after 0x)" },
	{ "console_timeout = 3s\n",
	  "vireo.cfg:1:19: bad number 3s (expected decimal without leading zeros, or hex after 0x)" },
	{ "console_timeout = 0x\n",
	  "vireo.cfg:1:19: bad number 0x (expected decimal without leading zeros, or hex after 0x)" },
	{ "console_timeout = 18446744073709551616\n",
	  "vireo.cfg:1:19: number 18446744073709551616 is too large" },
	/* Lists. */
	{ "viridian = [\"base\",\n", "vireo.cfg:1:12: unterminated list (no \"]\")" },
	{ "viridian = [\"base\",\nlog = \"info\"\n",
	  "vireo.cfg:2:1: expected a quoted string or \"]\" in the list opened on line 1, found \"log\"" },
	{ "viridian = [\"base\" \"freq\"]\n",
	  "vireo.cfg:1:20: expected \",\" or \"]\" in the list opened on line 1, found a string" },
	{ "viridian = [base]\n",
	  "vireo.cfg:1:13: expected a quoted string or \"]\" in the list opened on line 1, found \"base\"" },
	{ "viridian = [1]\n",
	  "vireo.cfg:1:13: expected a quoted string or \"]\" in the list opened on line 1, found 1" },
	{ "viridian = [,]\n",
	  "vireo.cfg:1:13: expected a quoted string or \"]\" in the list opened on line 1, found \",\"" },
	{ "viridian = [\"base\",,]\n",
	  "vireo.cfg:1:20: expected a quoted string or \"]\" in the list opened on line 1, found \",\"" },
	/* viridian. */
	{ "\n\nviridian = [ \"fre\" ]\n", "vireo.cfg:3:14: unknown viridian group \"fre\"" GROUPS },
	{ "viridian = [\"base\", \"!fre\"]\n", "vireo.cfg:1:21: unknown viridian group \"fre\"" GROUPS },
	{ "viridian = [\"Base\"]\n", "vireo.cfg:1:13: unknown viridian group \"Base\"" GROUPS },
	{ "viridian = [\"\"]\n", "vireo.cfg:1:13: unknown viridian group \"\"" GROUPS },
	{ "viridian = [\"!\"]\n", "vireo.cfg:1:13: unknown viridian group \"\"" GROUPS },
	{ "viridian = [\"base freq\"]\n", "vireo.cfg:1:13: unknown viridian group \"base freq\"" GROUPS },
	{ "viridian = [\"freq\"]\n", "vireo.cfg:1:12: viridian: group \"freq\" needs \"base\"" },
	{ "viridian = [\"all\", \"!base\"]\n", "vireo.cfg:1:12: viridian: group \"freq\" needs \"base\"" },
	{ "viridian = [\"base\", \"ex_processor_masks\"]\n",
	  "vireo.cfg:1:12: viridian: group \"ex_processor_masks\" needs \"hcall_remote_tlb_flush\" or \"hcall_ipi\"" },
	{ "viridian = [\"all\", \"!hcall_ipi\", \"!hcall_remote_tlb_flush\"]\n",
	  "vireo.cfg:1:12: viridian: group \"ex_processor_masks\" needs \"hcall_remote_tlb_flush\" or \"hcall_ipi\"" },
	{ "viridian = [\"base\", \"freq\", \"reference_tsc\"]\n",
	  "vireo.cfg:1:12: viridian: group \"reference_tsc\" needs \"time_ref_count\"" },
	{ "viridian = [\"reference_tsc\"]\n", "vireo.cfg:1:12: viridian: group \"reference_tsc\" needs \"base\"" },
	{ "viridian = 2\n",
	  "vireo.cfg:1:12: viridian: expected a list of groups such as [\"base\", \"freq\"], found 2" },
	{ "viridian = yes\n",
	  "vireo.cfg:1:12: viridian: expected a list of groups such as [\"base\", \"freq\"], found yes" },
	{ "viridian = \"base\"\n",
	  "vireo.cfg:1:12: viridian: expected a list of groups such as [\"base\", \"freq\"], found a string" },
	/* serial. */
	{ "serial = 0x3f8\n",
	  "vireo.cfg:1:10: serial: expected a string such as \"0x3f8,115200\", found 0x3f8" },
	{ "serial = \"com3\"\n",
	  "vireo.cfg:1:10: serial: bad port \"com3\" (expected com1, com2 or an I/O port such as 0x3f8)" },
	{ "serial = \"0,9600\"\n",
	  "vireo.cfg:1:10: serial: bad port \"0\" (expected com1, com2 or an I/O port such as 0x3f8)" },
	{ "serial = \"0xfff9\"\n",
	  "vireo.cfg:1:10: serial: bad port \"0xfff9\" (expected com1, com2 or an I/O port such as 0x3f8)" },
	{ "serial = \",9600\"\n",
	  "vireo.cfg:1:10: serial: bad port \"\" (expected com1, com2 or an I/O port such as 0x3f8)" },
	{ "serial = \"0x3f8,9601\"\n",
	  "vireo.cfg:1:10: serial: bad baud rate \"9601\" (expected a divisor of 115200 from 50 to 115200)" },
	{ "serial = \"0x3f8,25\"\n",
	  "vireo.cfg:1:10: serial: bad baud rate \"25\" (expected a divisor of 115200 from 50 to 115200)" },
	{ "serial = \"0x3f8,230400\"\n",
	  "vireo.cfg:1:10: serial: bad baud rate \"230400\" (expected a divisor of 115200 from 50 to 115200)" },
	{ "serial = \"0x3f8,\"\n",
	  "vireo.cfg:1:10: serial: bad baud rate \"\" (expected a divisor of 115200 from 50 to 115200)" },
	{ "serial = \"0x3f8,9600,8n1\"\n",
	  "vireo.cfg:1:10: serial: bad baud rate \"9600,8n1\" (expected a divisor of 115200 from 50 to 115200)" },
	/* console_timeout. */
	{ "console_timeout = 61\n",
	  "vireo.cfg:1:19: console_timeout: expected a number of seconds from 0 to 60, found 61" },
	{ "console_timeout = \"3\"\n",
	  "vireo.cfg:1:19: console_timeout: expected a number of seconds from 0 to 60, found a string" },
	{ "console_timeout = [\"3\"]\n",
	  "vireo.cfg:1:19: console_timeout: expected a number of seconds from 0 to 60, found a list" },
	/* next. */
	{ "next = \"EFI\\\\grub.efi\"\n",
	  "vireo.cfg:1:8: next: \"EFI\\\\grub.efi\" does not start with \\ (expected the path from the root "
	  "of the boot volume, or \"\" for none)" },
	{ "next = 0\n",
	  "vireo.cfg:1:8: next: expected a path string such as \"\\\\EFI\\\\BOOT\\\\grubx64.efi\", or \"\", "
	  "found 0" },
	/* log. */
	{ "log = \"verbose\"\n",
	  "vireo.cfg:1:7: log: unknown level \"verbose\" (expected error, warning, info, debug)" },
	{ "log = \"informational\"\n",
	  "vireo.cfg:1:7: log: unknown level \"informational\" (expected error, warning, info, debug)" },
	{ "log = debug\n",
	  "vireo.cfg:1:7: log: expected \"error\", \"warning\", \"info\" or \"debug\", found debug" },
};

static void test_file_errors(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(bad_file_cases); i++) {
		struct vireo_config c, before;
		struct cfg_error err;

		config_other(&c);
		memcpy(&before, &c, sizeof(c));
		CHECK_EQ(parse(&c, bad_file_cases[i].text, &err), -HV_EINVAL);
		CHECK_STR(err.text, bad_file_cases[i].error);
		CHECK(cfg_equal(&c, &before));
	}
}

/* Limits: list length, path length, and how much of a long input a message shows. */
static void test_file_limits(void)
{
	char text[600], path[300];
	struct vireo_config c;
	struct cfg_error err;
	size_t n;

	n = (size_t)sprintf(text, "viridian = [");
	for (int i = 0; i < 32; i++)
		n += (size_t)sprintf(text + n, "\"base\", ");
	sprintf(text + n, "\"freq\"]\n");
	cfg_init(&c);
	CHECK_EQ(parse(&c, text, &err), -HV_EINVAL);
	CHECK_STR(err.text, "vireo.cfg:1:269: list too long (at most 32 items)");
	sprintf(text + n, "]\n");
	CHECK_EQ(parse(&c, text, &err), 0);
	CHECK_EQ(c.viridian, VIR_BASE);

	memset(path, 'x', sizeof(path));
	path[0] = '\\';
	path[255] = '\0';
	sprintf(text, "next = '%s'\n", path);
	CHECK_EQ(parse(&c, text, &err), 0);
	CHECK_EQ(strlen(c.next), 255);
	CHECK_STR(c.next, path);
	path[255] = 'x';
	path[256] = '\0';
	sprintf(text, "next = '%s'\n", path);
	CHECK_EQ(parse(&c, text, &err), -HV_EINVAL);
	CHECK_STR(err.text, "vireo.cfg:1:8: next: path longer than 255 bytes");

	sprintf(text, "serial = '%.70s'\n", path + 1);
	CHECK_EQ(parse(&c, text, &err), -HV_EINVAL);
	CHECK_STR(err.text, "vireo.cfg:1:10: serial: bad value "
		  "\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...\" (expected a port and a baud rate, "
		  "such as \"0x3f8,115200\")");

	sprintf(text, "viridian = [\"%s\"]\n", path + 1);
	CHECK_EQ(parse(&c, text, &err), -HV_EINVAL);
	CHECK_STR(err.text, "vireo.cfg:1:13: unknown viridian group "
		  "\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...\"" GROUPS);
}

static const struct set_case {
	const char *list;
	uint64_t mask;
} set_cases[] = {
	{ "[]", 0 },
	{ "[\"base\"]", VIR_BASE },
	{ "[\"base\", \"freq\"]", VIR_BASE | VIR_FREQ },
	{ "[\"freq\", \"base\"]", VIR_BASE | VIR_FREQ },
	{ "[\"base\", \"base\"]", VIR_BASE },
	{ "[\"defaults\"]", VIR_BASE | VIR_FREQ },
	{ "[\"all\"]", VIR_KNOWN },
	{ "[\"all\", \"!freq\"]", VIR_KNOWN & ~VIR_FREQ },
	/* The set recommended for Linux guests, and the same without the invariant TSC. */
	{ "[\"base\", \"freq\", \"time_ref_count\", \"reference_tsc\", \"tsc_invariant\"]",
	  VIR_BASE | VIR_FREQ | VIR_TIME_REF_COUNT | VIR_REFERENCE_TSC | VIR_TSC_INVARIANT },
	{ "[\"defaults\", \"time_ref_count\", \"reference_tsc\"]",
	  VIR_BASE | VIR_FREQ | VIR_TIME_REF_COUNT | VIR_REFERENCE_TSC },
	{ "[\"base\", \"time_ref_count\"]", VIR_BASE | VIR_TIME_REF_COUNT },
	{ "[\"base\", \"tsc_invariant\"]", VIR_BASE | VIR_TSC_INVARIANT },
	{ "[\"all\", \"!reference_tsc\"]", VIR_KNOWN & ~VIR_REFERENCE_TSC },
	{ "[\"defaults\", \"!freq\"]", VIR_BASE },
	{ "[\"base\", \"freq\", \"!freq\"]", VIR_BASE },
	{ "[\"!base\", \"base\"]", VIR_BASE },
	{ "[\"!freq\"]", 0 },
	{ "[\"defaults\", \"!defaults\"]", 0 },
	{ "[\"all\", \"!all\"]", 0 },
	{ "[\"base\", \"!base\"]", 0 },
	{ "['base', \"!freq\", 'freq']", VIR_BASE | VIR_FREQ },
};

/* Groups, sets and negations, applied left to right from nothing. */
static void test_viridian_sets(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(set_cases); i++) {
		struct vireo_config c;
		struct cfg_error err;
		char text[128];

		config_other(&c);
		snprintf(text, sizeof(text), "viridian = %s\n", set_cases[i].list);
		fake_log_clear();
		CHECK_EQ(parse(&c, text, &err), 0);
		CHECK_EQ(c.viridian, set_cases[i].mask);
		CHECK_STR(fake_log, "");
	}
}

static const struct bool_case {
	const char *text;
	uint64_t mask;
	const char *warning;
} bool_cases[] = {
	{ "viridian = 1\n", VIR_BASE | VIR_FREQ,
	  "vireo: warning: vireo.cfg:1: viridian = 1 is deprecated; write viridian = [\"base\", \"freq\"]\r\n" },
	{ "viridian = 0\n", 0,
	  "vireo: warning: vireo.cfg:1: viridian = 0 is deprecated; write viridian = []\r\n" },
	{ "# old style\nviridian = true\n", VIR_BASE | VIR_FREQ,
	  "vireo: warning: vireo.cfg:2: viridian = true is deprecated; write viridian = [\"base\", \"freq\"]\r\n" },
	{ "viridian = false\n", 0,
	  "vireo: warning: vireo.cfg:1: viridian = false is deprecated; write viridian = []\r\n" },
	{ "viridian = 0x1\n", VIR_BASE | VIR_FREQ,
	  "vireo: warning: vireo.cfg:1: viridian = 0x1 is deprecated; write viridian = [\"base\", \"freq\"]\r\n" },
};

static void test_viridian_boolean(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(bool_cases); i++) {
		struct vireo_config c;
		struct cfg_error err;

		config_other(&c);
		fake_log_clear();
		CHECK_EQ(parse(&c, bool_cases[i].text, &err), 0);
		CHECK_EQ(c.viridian, bool_cases[i].mask);
		CHECK_STR(fake_log, bool_cases[i].warning);
	}
}

static const struct arg_case {
	const char *arg;
	uint64_t viridian;
	uint16_t port;
	uint32_t baud;
	unsigned int timeout;
	const char *next;
	enum log_level level;
} arg_cases[] = {
	/* Starting from config_other(): viridian base, 0x2f8 at 9600, 7 s, BOOTX64.EFI, warning. */
	{ "viridian=base,freq", VIR_BASE | VIR_FREQ, 0x2f8, 9600, 7, "\\EFI\\BOOT\\BOOTX64.EFI", LOG_WARN },
	{ "viridian=base,freq,", VIR_BASE | VIR_FREQ, 0x2f8, 9600, 7, "\\EFI\\BOOT\\BOOTX64.EFI", LOG_WARN },
	{ "viridian=all,!freq", VIR_KNOWN & ~VIR_FREQ, 0x2f8, 9600, 7, "\\EFI\\BOOT\\BOOTX64.EFI", LOG_WARN },
	{ "viridian=defaults,time_ref_count,reference_tsc,tsc_invariant",
	  VIR_BASE | VIR_FREQ | VIR_TIME_REF_COUNT | VIR_REFERENCE_TSC | VIR_TSC_INVARIANT, 0x2f8, 9600, 7,
	  "\\EFI\\BOOT\\BOOTX64.EFI", LOG_WARN },
	{ "viridian=defaults", VIR_BASE | VIR_FREQ, 0x2f8, 9600, 7, "\\EFI\\BOOT\\BOOTX64.EFI", LOG_WARN },
	{ "viridian=[\"base\",\"freq\"]", VIR_BASE | VIR_FREQ, 0x2f8, 9600, 7, "\\EFI\\BOOT\\BOOTX64.EFI",
	  LOG_WARN },
	{ "viridian=[]", 0, 0x2f8, 9600, 7, "\\EFI\\BOOT\\BOOTX64.EFI", LOG_WARN },
	{ "viridian=!base", 0, 0x2f8, 9600, 7, "\\EFI\\BOOT\\BOOTX64.EFI", LOG_WARN },
	{ "serial=0x3f8,115200", VIR_BASE, 0x3f8, 115200, 7, "\\EFI\\BOOT\\BOOTX64.EFI", LOG_WARN },
	{ "serial=com1", VIR_BASE, 0x3f8, 115200, 7, "\\EFI\\BOOT\\BOOTX64.EFI", LOG_WARN },
	{ "serial=\"0x3e8,38400\"", VIR_BASE, 0x3e8, 38400, 7, "\\EFI\\BOOT\\BOOTX64.EFI", LOG_WARN },
	{ "console_timeout=0", VIR_BASE, 0x2f8, 9600, 0, "\\EFI\\BOOT\\BOOTX64.EFI", LOG_WARN },
	{ "console_timeout=0x3c", VIR_BASE, 0x2f8, 9600, 60, "\\EFI\\BOOT\\BOOTX64.EFI", LOG_WARN },
	{ "next=\\EFI\\BOOT\\grub.efi", VIR_BASE, 0x2f8, 9600, 7, "\\EFI\\BOOT\\grub.efi", LOG_WARN },
	{ "next=\"\"", VIR_BASE, 0x2f8, 9600, 7, "", LOG_WARN },
	{ "next='\\a b'", VIR_BASE, 0x2f8, 9600, 7, "\\a b", LOG_WARN },
	{ "log=debug", VIR_BASE, 0x2f8, 9600, 7, "\\EFI\\BOOT\\BOOTX64.EFI", LOG_DEBUG },
	{ "log=\"error\"", VIR_BASE, 0x2f8, 9600, 7, "\\EFI\\BOOT\\BOOTX64.EFI", LOG_ERR },
	/* Blanks around the key and the value, as typed at the prompt. */
	{ " log = info ", VIR_BASE, 0x2f8, 9600, 7, "\\EFI\\BOOT\\BOOTX64.EFI", LOG_INFO },
};

static void test_arg_valid(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(arg_cases); i++) {
		const struct arg_case *t = &arg_cases[i];
		struct vireo_config c;
		struct cfg_error err;

		config_other(&c);
		fake_log_clear();
		CHECK_EQ(cfg_parse_arg(&c, t->arg, &err), 0);
		CHECK_STR(err.text, "");
		CHECK_EQ(c.viridian, t->viridian);
		CHECK_EQ(c.serial_port, t->port);
		CHECK_EQ(c.serial_baud, t->baud);
		CHECK_EQ(c.console_timeout, t->timeout);
		CHECK_STR(c.next, t->next);
		CHECK_EQ(c.log_level, t->level);
		CHECK_STR(fake_log, "");
	}
}

static const struct bad_case bad_arg_cases[] = {
	{ "viridian", "argument \"viridian\": expected key=value" },
	{ "", "argument \"\": expected key=value" },
	{ "=base", "argument \"=base\": unknown key \"\"" KEYS },
	{ "virdian=base", "argument \"virdian=base\": unknown key \"virdian\"" KEYS },
	{ "viridian=", "argument \"viridian=\": missing value after \"=\" (expected a list of groups such as "
	  "[\"base\", \"freq\"])" },
	{ "log=", "argument \"log=\": missing value after \"=\" (expected \"error\", \"warning\", \"info\" or "
	  "\"debug\")" },
	{ "viridian=base,fre", "argument \"viridian=base,fre\": unknown viridian group \"fre\"" GROUPS },
	{ "viridian=base,,freq", "argument \"viridian=base,,freq\": unknown viridian group \"\"" GROUPS },
	{ "viridian=,", "argument \"viridian=,\": unknown viridian group \"\"" GROUPS },
	{ "viridian=freq", "argument \"viridian=freq\": viridian: group \"freq\" needs \"base\"" },
	{ "viridian=base,reference_tsc",
	  "argument \"viridian=base,reference_tsc\": viridian: group \"reference_tsc\" needs \"time_ref_count\"" },
	{ "viridian=all,!time_ref_count",
	  "argument \"viridian=all,!time_ref_count\": viridian: group \"reference_tsc\" needs \"time_ref_count\"" },
	{ "viridian=time_ref_count", "argument \"viridian=time_ref_count\": viridian: group \"time_ref_count\" "
	  "needs \"base\"" },
	{ "viridian=2", "argument \"viridian=2\": viridian: expected a list of groups such as "
	  "[\"base\", \"freq\"], found 2" },
	{ "viridian=\"base\"", "argument \"viridian=\"base\"\": viridian: expected a list of groups such as "
	  "[\"base\", \"freq\"], found a string" },
	{ "viridian=[\"base\"", "argument \"viridian=[\"base\"\": unterminated list (no \"]\")" },
	{ "viridian=[base]", "argument \"viridian=[base]\": expected a quoted string or \"]\" in the list, "
	  "found \"base\"" },
	{ "viridian=[\"base\"]x", "argument \"viridian=[\"base\"]x\": expected end of argument after the "
	  "value, found \"x\"" },
	{ "log='info", "argument \"log='info\": unterminated string (no closing ')" },
	{ "console_timeout=abc", "argument \"console_timeout=abc\": bad number abc (expected decimal without "
	  "leading zeros, or hex after 0x)" },
	{ "console_timeout=99999999999999999999", "argument \"console_timeout=99999999999999999999\": number "
	  "99999999999999999999 is too large" },
	{ "console_timeout=61", "argument \"console_timeout=61\": console_timeout: expected a number of "
	  "seconds from 0 to 60, found 61" },
	{ "serial=com3", "argument \"serial=com3\": serial: bad port \"com3\" (expected com1, com2 or an "
	  "I/O port such as 0x3f8)" },
	{ "serial=0x3f8,1000", "argument \"serial=0x3f8,1000\": serial: bad baud rate \"1000\" (expected a "
	  "divisor of 115200 from 50 to 115200)" },
	{ "next=EFI\\x.efi", "argument \"next=EFI\\x.efi\": next: \"EFI\\x.efi\" does not start with \\ "
	  "(expected the path from the root of the boot volume, or \"\" for none)" },
	{ "next=\"\\EFI\"", "argument \"next=\"\\EFI\"\": unknown escape \"\\E\" (write \\\\ for a "
	  "backslash, or use 'single quotes')" },
	{ "next=\\EFI\x01", "argument \"next=\\EFI\\x01\": next: byte 0x01 in the path (paths are "
	  "printable ASCII)" },
	{ "log=loud", "argument \"log=loud\": log: unknown level \"loud\" (expected error, warning, info, "
	  "debug)" },
	{ "next=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	  "argument \"next=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...\": next: \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaa...\" does not start with \\ (expected the path from the root of the boot volume, or "
	  "\"\" for none)" },
};

static void test_arg_errors(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(bad_arg_cases); i++) {
		struct vireo_config c, before;
		struct cfg_error err;

		config_other(&c);
		memcpy(&before, &c, sizeof(c));
		CHECK_EQ(cfg_parse_arg(&c, bad_arg_cases[i].text, &err), -HV_EINVAL);
		CHECK_STR(err.text, bad_arg_cases[i].error);
		CHECK(cfg_equal(&c, &before));
	}
}

static void test_arg_boolean(void)
{
	struct vireo_config c;
	struct cfg_error err;

	config_other(&c);
	fake_log_clear();
	CHECK_EQ(cfg_parse_arg(&c, "viridian=1", &err), 0);
	CHECK_EQ(c.viridian, VIR_BASE | VIR_FREQ);
	CHECK_STR(fake_log, "vireo: warning: argument \"viridian=1\" is deprecated; write viridian=base,freq\r\n");

	fake_log_clear();
	CHECK_EQ(cfg_parse_arg(&c, "viridian=false", &err), 0);
	CHECK_EQ(c.viridian, 0);
	CHECK_STR(fake_log, "vireo: warning: argument \"viridian=false\" is deprecated; write viridian=[]\r\n");
}

/* Command-line words override the file key by key. */
static void test_arg_overrides_file(void)
{
	struct vireo_config c;
	struct cfg_error err;

	cfg_init(&c);
	CHECK_EQ(parse(&c, "viridian = [\"base\"]\nlog = \"debug\"\nconsole_timeout = 10\n", &err), 0);
	CHECK_EQ(cfg_parse_arg(&c, "viridian=base,freq", &err), 0);
	CHECK_EQ(cfg_parse_arg(&c, "console_timeout=0", &err), 0);
	CHECK_EQ(cfg_parse_arg(&c, "console_timeout=1", &err), 0);
	CHECK_EQ(c.viridian, VIR_BASE | VIR_FREQ);
	CHECK_EQ(c.console_timeout, 1);
	CHECK_EQ(c.log_level, LOG_DEBUG);
	CHECK_EQ(c.serial_port, 0x3f8);
}

/* A bad line anywhere leaves the whole file unapplied, even after good lines. */
static void test_error_leaves_config(void)
{
	struct vireo_config c, before;
	struct cfg_error err;

	config_other(&c);
	memcpy(&before, &c, sizeof(c));
	CHECK_EQ(parse(&c, "viridian = [\"base\", \"freq\"]\nserial = \"com1\"\nnext = \"\"\n"
		       "log = \"debug\"\nconsole_timeout = 99\n", &err), -HV_EINVAL);
	CHECK_STR(err.text, "vireo.cfg:5:19: console_timeout: expected a number of seconds from 0 to 60, "
		  "found 99");
	CHECK(cfg_equal(&c, &before));

	/* The file name is the caller's. */
	CHECK_EQ(cfg_parse_file(&c, "\\EFI\\vireo\\vireo.cfg", "x", 1, &err), -HV_EINVAL);
	CHECK_STR(err.text, "\\EFI\\vireo\\vireo.cfg:1:1: unknown key \"x\"" KEYS);
	CHECK(cfg_equal(&c, &before));

	/* The length bounds the text: what follows is not read. */
	CHECK_EQ(cfg_parse_file(&c, "vireo.cfg", "log = \"error\"junk", 13, &err), 0);
	CHECK_EQ(c.log_level, LOG_ERR);
}

static void test_format(void)
{
	struct vireo_config c;
	char buf[CFG_TEXT_MAX];

	cfg_init(&c);
	CHECK_EQ(cfg_format(&c, buf, sizeof(buf)), 81);
	CHECK_STR(buf, "viridian = []\n"
		  "serial = \"0x3f8,115200\"\n"
		  "console_timeout = 3\n"
		  "next = \"\"\n"
		  "log = \"info\"\n");

	config_other(&c);
	c.viridian = VIR_BASE | VIR_FREQ;
	strcpy(c.next, "\\EFI\\\"x\"");
	CHECK_EQ(cfg_format(&c, buf, sizeof(buf)), 108);
	CHECK_STR(buf, "viridian = [\"base\", \"freq\"]\n"
		  "serial = \"0x2f8,9600\"\n"
		  "console_timeout = 7\n"
		  "next = \"\\\\EFI\\\\\\\"x\\\"\"\n"
		  "log = \"warning\"\n");

	/* Too small a buffer: cut short, terminated, and the full length returned. */
	memset(buf, 'z', sizeof(buf));
	CHECK_EQ(cfg_format(&c, buf, 12), 108);
	CHECK_STR(buf, "viridian = ");
	CHECK_EQ(buf[12], 'z');
	CHECK_EQ(cfg_format(&c, NULL, 0), 108);
}

static const struct vireo_config round_trip_cases[] = {
	{ 0, 0x3f8, 115200, 3, "", LOG_INFO },
	{ VIR_BASE, 0x2f8, 9600, 0, "\\EFI\\debian\\grubx64.efi", LOG_DEBUG },
	{ VIR_BASE | VIR_FREQ, 0xfff8, 50, 60, "\\", LOG_ERR },
	{ VIR_KNOWN, 1, 57600, 1, "\\a \"quoted\" 'path' # not a comment", LOG_WARN },
	{ VIR_BASE | VIR_FREQ | VIR_TIME_REF_COUNT | VIR_REFERENCE_TSC, 0x3f8, 115200, 3, "", LOG_INFO },
	{ VIR_BASE, 0x3e8, 115200, 30, "\\\\\\\\", LOG_INFO },
};

static void check_round_trip(const struct vireo_config *c)
{
	struct vireo_config again;
	struct cfg_error err;
	char buf[CFG_TEXT_MAX];
	size_t n = cfg_format(c, buf, sizeof(buf));

	CHECK(n < sizeof(buf));
	config_other(&again);
	CHECK_EQ(cfg_parse_file(&again, "vireo.cfg", buf, n, &err), 0);
	CHECK_STR(err.text, "");
	CHECK(cfg_equal(&again, c));
}

static void test_round_trip(void)
{
	struct vireo_config c;

	for (size_t i = 0; i < ARRAY_SIZE(round_trip_cases); i++)
		check_round_trip(&round_trip_cases[i]);

	/* The longest text: every group and a path that is all backslashes and quotes. */
	cfg_init(&c);
	c.viridian = VIR_KNOWN;
	c.serial_port = 0xfff8;
	c.console_timeout = 60;
	c.log_level = LOG_WARN;
	memset(c.next, '"', sizeof(c.next) - 1);
	c.next[0] = '\\';
	check_round_trip(&c);
	CHECK(cfg_format(&c, NULL, 0) < CFG_TEXT_MAX);
}

static void test_equal(void)
{
	struct vireo_config a, b;

	config_other(&a);
	config_other(&b);
	memset(b.next + 30, 'q', 10);		/* after the NUL: not part of the path */
	CHECK(cfg_equal(&a, &b));
	b.viridian = 0;
	CHECK(!cfg_equal(&a, &b));
	config_other(&b);
	b.serial_port = 0x3f8;
	CHECK(!cfg_equal(&a, &b));
	config_other(&b);
	b.serial_baud = 115200;
	CHECK(!cfg_equal(&a, &b));
	config_other(&b);
	b.console_timeout = 3;
	CHECK(!cfg_equal(&a, &b));
	config_other(&b);
	b.next[1] = 'e';
	CHECK(!cfg_equal(&a, &b));
	config_other(&b);
	b.log_level = LOG_DEBUG;
	CHECK(!cfg_equal(&a, &b));
}

int main(void)
{
	RUN("config", test_defaults);
	RUN("config", test_file_every_key);
	RUN("config", test_example_file);
	RUN("config", test_file_valid);
	RUN("config", test_file_errors);
	RUN("config", test_file_limits);
	RUN("config", test_viridian_sets);
	RUN("config", test_viridian_boolean);
	RUN("config", test_arg_valid);
	RUN("config", test_arg_errors);
	RUN("config", test_arg_boolean);
	RUN("config", test_arg_overrides_file);
	RUN("config", test_error_leaves_config);
	RUN("config", test_format);
	RUN("config", test_round_trip);
	RUN("config", test_equal);
	return test_suite_failures != 0;
}
