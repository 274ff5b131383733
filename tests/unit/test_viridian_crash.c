/* SPDX-License-Identifier: MIT */
/* The guest crash MSRs (viridian/crash.c): gates, accesses, and the report on the log, word for word. */
#include "hv/log.h"
#include "tests/unit/viridian_fixture.h"
#include "viridian/private.h"

TEST_GLOBALS;

#define CRASH_P0	0x40000100u
#define CRASH_P1	0x40000101u
#define CRASH_P2	0x40000102u
#define CRASH_P3	0x40000103u
#define CRASH_P4	0x40000104u
#define CRASH_CTL	0x40000105u

#define NOTIFY		BIT(63)
#define MESSAGE		BIT(62)

/* Vireo's own memory, which the message may not reach. */
#define HV_RANGE_BASE	0x9000ULL
#define MSG_GPA		0x6000ULL

#define VF_CRASH	{ "base+crash_ctl", true, VIR_BASE | VIR_CRASH_CTL }

static struct vcpu *setup(struct vir_fixture *f)
{
	struct vcpu *v = vf_init(f, (struct vf_mask)VF_CRASH);

	f->part.hv_mem[0] = (struct mem_range){ HV_RANGE_BASE, 0x1000 };
	f->part.nr_hv_mem = 1;
	log_guest_interval = 0;
	fake_log_clear();
	return v;
}

/* Without crash_ctl every crash MSR faults, read or written, whatever the other groups. */
static void gated_by_group(void)
{
	static const struct vf_mask masks[] = { VF_OFF, VF_BASE, VF_BASE_FREQ };
	struct vir_fixture f;

	for (size_t m = 0; m < ARRAY_SIZE(masks); m++) {
		struct vcpu *v = vf_init(&f, masks[m]);

		fake_log_clear();
		for (uint32_t msr = CRASH_P0; msr <= CRASH_CTL; msr++) {
			uint64_t val = 0x1234;

			CHECK_EQ(vir_rdmsr(v, msr, &val), MSR_FAULT);
			CHECK_EQ(val, 0x1234);
			CHECK_EQ(vir_wrmsr(v, msr, 0), MSR_FAULT);
		}
		CHECK_EQ(vir_wrmsr(v, CRASH_CTL, NOTIFY), MSR_FAULT);
		CHECK_STR(fake_log, "");
	}
}

/* The MSRs around them stay unimplemented with the group on. */
static void neighbours(void)
{
	struct vir_fixture f;
	struct vcpu *v = setup(&f);
	uint64_t val;

	CHECK_EQ(vir_rdmsr(v, CRASH_P0 - 1, &val), MSR_FAULT);
	CHECK_EQ(vir_wrmsr(v, CRASH_P0 - 1, 0), MSR_FAULT);
	CHECK_EQ(vir_rdmsr(v, CRASH_CTL + 1, &val), MSR_FAULT);
	CHECK_EQ(vir_wrmsr(v, CRASH_CTL + 1, 0), MSR_FAULT);
}

/* P0-P4 hold any value, partition-wide; CRASH_CTL reads as the actions offered. */
static void registers(void)
{
	struct vir_fixture f;
	struct vcpu *v = setup(&f);
	uint64_t val = ~0ULL;

	for (uint32_t msr = CRASH_P0; msr <= CRASH_P4; msr++) {
		CHECK_EQ(vir_rdmsr(v, msr, &val), MSR_DONE);
		CHECK_EQ(val, 0);
		CHECK_EQ(vir_wrmsr(v, msr, 0xfedcba9876543210ULL + msr), MSR_DONE);
	}
	for (uint32_t msr = CRASH_P0; msr <= CRASH_P4; msr++) {
		CHECK_EQ(vir_rdmsr(&f.vcpu_b, msr, &val), MSR_DONE);
		CHECK_EQ(val, 0xfedcba9876543210ULL + msr);
	}
	CHECK_EQ(vir_rdmsr(v, CRASH_CTL, &val), MSR_DONE);
	CHECK_EQ(val, NOTIFY | MESSAGE);
	/* A write asks for an action, it does not change what the register reads. */
	CHECK_EQ(vir_wrmsr(v, CRASH_CTL, 0), MSR_DONE);
	CHECK_EQ(vir_rdmsr(v, CRASH_CTL, &val), MSR_DONE);
	CHECK_EQ(val, NOTIFY | MESSAGE);
	CHECK_STR(fake_log, "");
}

/* Bits 57:0 are reserved; 61:58 (NoCrashDump, PreOSId) are taken and ignored; no CrashNotify, no report. */
static void ctl_bits(void)
{
	static const struct {
		uint64_t val;
		enum msr_result res;
		bool report;
	} cases[] = {
		{ 0, MSR_DONE, false },
		{ MESSAGE, MSR_DONE, false },
		{ BIT(61) | BIT(60) | BIT(58), MSR_DONE, false },
		{ BIT(0), MSR_FAULT, false },
		{ BIT(57), MSR_FAULT, false },
		{ NOTIFY | BIT(57), MSR_FAULT, false },
		{ NOTIFY | BIT(61), MSR_DONE, true },
		{ NOTIFY, MSR_DONE, true },
	};
	struct vir_fixture f;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct vcpu *v = setup(&f);

		CHECK_EQ(vir_wrmsr(v, CRASH_CTL, cases[i].val), cases[i].res);
		CHECK_EQ(fake_log_contains("guest crash:"), cases[i].report);
	}
}

/* What Linux writes from its panic notifier: error, guest OS id, RIP, RAX, RSP, then CrashNotify. */
static void notify_without_message(void)
{
	struct vir_fixture f;
	struct vcpu *v = setup(&f);

	CHECK_EQ(vir_wrmsr(v, CRASH_P0, 0x1), MSR_DONE);
	CHECK_EQ(vir_wrmsr(v, CRASH_P1, 0x8100000608000000ULL), MSR_DONE);
	CHECK_EQ(vir_wrmsr(v, CRASH_P2, 0xffffffff81000000ULL), MSR_DONE);
	CHECK_EQ(vir_wrmsr(v, CRASH_P3, 0), MSR_DONE);
	CHECK_EQ(vir_wrmsr(&f.vcpu_b, CRASH_P4, 0xffffc90000013f00ULL), MSR_DONE);
	log_threshold = LOG_ERR;	/* a report is printed whatever the level */
	CHECK_EQ(vir_wrmsr(v, CRASH_CTL, NOTIFY), MSR_DONE);
	log_threshold = LOG_INFO;
	CHECK_STR(fake_log,
		  "vireo: guest crash: vcpu3 notified a crash (CRASH_CTL 0x8000000000000000)\r\n"
		  "vireo: guest crash: P0 0x0000000000000001 P1 0x8100000608000000 P2 0xffffffff81000000\r\n"
		  "vireo: guest crash: P3 0x0000000000000000 P4 0xffffc90000013f00\r\n");
}

static void write_message(const char *text, size_t len)
{
	memcpy(&fake_ram[MSG_GPA], text, len);
}

/* What Linux's kmsg dumper writes: zeros, the message's place and length, then CrashNotify | CrashMessage. */
static void notify_with_message(void)
{
	static const char text[] = "[    1.000000] Kernel panic - not syncing: VFS: Unable to mount root fs\n"
				   "[    1.000001] tab\there, back\\slash, esc \x1b[31m, cr\r, nul \0, del \x7f\n"
				   "no newline at the end";
	struct vir_fixture f;
	struct vcpu *v = setup(&f);

	write_message(text, sizeof(text) - 1);
	CHECK_EQ(vir_wrmsr(v, CRASH_P3, MSG_GPA), MSR_DONE);
	CHECK_EQ(vir_wrmsr(v, CRASH_P4, sizeof(text) - 1), MSR_DONE);
	CHECK_EQ(vir_wrmsr(&f.vcpu_b, CRASH_CTL, NOTIFY | MESSAGE), MSR_DONE);
	CHECK_STR(fake_log,
		  "vireo: guest crash: vcpu7 notified a crash (CRASH_CTL 0xc000000000000000)\r\n"
		  "vireo: guest crash: P0 0x0000000000000000 P1 0x0000000000000000 P2 0x0000000000000000\r\n"
		  "vireo: guest crash: P3 0x0000000000006000 P4 0x000000000000009f\r\n"
		  "vireo: guest crash: message, 159 bytes at 0x6000:\r\n"
		  "vireo: guest crash: > [    1.000000] Kernel panic - not syncing: VFS: Unable to mount root fs\r\n"
		  "vireo: guest crash: > [    1.000001] tab\\there, back\\\\slash, esc \\x1b[31m, cr\\r, nul \\x00, "
		  "del \\x7f\r\n"
		  "vireo: guest crash: > no newline at the end\r\n"
		  "vireo: guest crash: end of message\r\n");
}

/* A guest line longer than a log line goes on after "+ ", cut at whole escapes. */
static void long_line(void)
{
	char text[400];
	struct vir_fixture f;
	struct vcpu *v = setup(&f);
	const char *first;

	memset(text, 'a', sizeof(text));
	text[158] = '\x01';		/* "\x01" does not fit beside 158 letters in 160 columns */
	write_message(text, sizeof(text));
	CHECK_EQ(vir_wrmsr(v, CRASH_P3, MSG_GPA), MSR_DONE);
	CHECK_EQ(vir_wrmsr(v, CRASH_P4, sizeof(text)), MSR_DONE);
	CHECK_EQ(vir_wrmsr(v, CRASH_CTL, NOTIFY | MESSAGE), MSR_DONE);
	first = strstr(fake_log, "> ");
	CHECK(first != NULL);
	if (!first)
		return;
	CHECK(!strncmp(first, "> aaaa", 6));
	CHECK(strstr(first, "a\r\nvireo: guest crash: + \\x01aaa") != NULL);
	/* 158 + 242 letters: 158 on the first line, then "\x01" and 156, then 85. */
	CHECK(strstr(fake_log, "\r\nvireo: guest crash: + " "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
			       "\r\nvireo: guest crash: end of message\r\n") != NULL);
}

/* A message the guest cannot have written where it says is not read, and says why; P0-P4 still print. */
static void bad_messages(void)
{
	static const struct {
		const char *what;
		uint64_t gpa, len;
		const char *line;
	} cases[] = {
		{ "longer than 4096", MSG_GPA, 4097,
		  "vireo: guest crash: no message: P4 says 4097 bytes, more than 4096\r\n" },
		{ "huge", MSG_GPA, ~0ULL,
		  "vireo: guest crash: no message: P4 says 18446744073709551615 bytes, more than 4096\r\n" },
		{ "beyond RAM", FAKE_RAM_SIZE, 16,
		  "vireo: guest crash: no message: its 16 bytes at 0x100000 are not guest RAM\r\n" },
		{ "runs past the end of RAM", FAKE_RAM_SIZE - 8, 16,
		  "vireo: guest crash: no message: its 16 bytes at 0xffff8 are not guest RAM\r\n" },
		{ "on Vireo's memory", HV_RANGE_BASE + 0x10, 16,
		  "vireo: guest crash: no message: its 16 bytes at 0x9010 are not guest RAM\r\n" },
		{ "runs into Vireo's memory", HV_RANGE_BASE - 8, 4096,
		  "vireo: guest crash: no message: its 4096 bytes at 0x8ff8 are not guest RAM\r\n" },
		{ "wraps around", 0xfffffffffffffff0ULL, 0x20,
		  "vireo: guest crash: no message: its 32 bytes at 0xfffffffffffffff0 are not guest RAM\r\n" },
	};
	struct vir_fixture f;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct vcpu *v = setup(&f);
		int failures = test_case_failures;

		CHECK_EQ(vir_wrmsr(v, CRASH_P3, cases[i].gpa), MSR_DONE);
		CHECK_EQ(vir_wrmsr(v, CRASH_P4, cases[i].len), MSR_DONE);
		CHECK_EQ(vir_wrmsr(v, CRASH_CTL, NOTIFY | MESSAGE), MSR_DONE);
		CHECK(fake_log_contains("vireo: guest crash: P3 "));
		CHECK(fake_log_contains(cases[i].line));
		CHECK(!fake_log_contains("guest crash: >"));
		CHECK(!fake_log_contains("end of message"));
		if (test_case_failures != failures)
			printf("  in case \"%s\"\n", cases[i].what);
	}
}

/* 4096 bytes across two pages of guest RAM, and an empty message. */
static void message_edges(void)
{
	struct vir_fixture f;
	struct vcpu *v = setup(&f);
	char text[4096];

	memset(text, 'x', sizeof(text));
	text[sizeof(text) - 1] = 'y';
	memcpy(&fake_ram[MSG_GPA + 0x800], text, sizeof(text));
	CHECK_EQ(vir_wrmsr(v, CRASH_P3, MSG_GPA + 0x800), MSR_DONE);
	CHECK_EQ(vir_wrmsr(v, CRASH_P4, sizeof(text)), MSR_DONE);
	CHECK_EQ(vir_wrmsr(v, CRASH_CTL, NOTIFY | MESSAGE), MSR_DONE);
	CHECK(fake_log_contains("vireo: guest crash: message, 4096 bytes at 0x6800:\r\n"));
	CHECK(fake_log_contains("xxy\r\nvireo: guest crash: end of message\r\n"));

	v = setup(&f);
	CHECK_EQ(vir_wrmsr(v, CRASH_P3, MSG_GPA), MSR_DONE);
	CHECK_EQ(vir_wrmsr(v, CRASH_CTL, NOTIFY | MESSAGE), MSR_DONE);
	CHECK(fake_log_contains("vireo: guest crash: message, 0 bytes at 0x6000:\r\n"
				"vireo: guest crash: end of message\r\n"));
}

static unsigned int count(const char *what)
{
	unsigned int n = 0;

	for (const char *p = fake_log; (p = strstr(p, what)) != NULL; p++)
		n++;
	return n;
}

/*
 * A guest that notifies in a loop: reports share 96 lines an interval. One
 * without a message takes 3, and one starts only with 6 left: 31 print,
 * the rest wait for the next interval, whose first report counts them.
 */
static void rate_limited(void)
{
	struct vir_fixture f;
	struct vcpu *v = setup(&f);

	log_guest_interval = 1000000;	/* the fake TSC moves 1000 per read */
	for (int i = 0; i < 40; i++)
		CHECK_EQ(vir_wrmsr(v, CRASH_CTL, NOTIFY), MSR_DONE);
	CHECK_EQ(count("notified a crash"), 31);
	fake_log_clear();
	for (int i = 0; i < 1000; i++)
		cpu_rdtsc();
	CHECK_EQ(vir_wrmsr(&f.vcpu_b, CRASH_CTL, NOTIFY), MSR_DONE);
	CHECK_STR(fake_log, "vireo: guest crash: vcpu7 notified a crash (CRASH_CTL 0x8000000000000000)\r\n"
			    "vireo: guest crash: 9 notifications before this one not printed "
			    "(at most 96 lines every 5 s)\r\n"
			    "vireo: guest crash: P0 0x0000000000000000 P1 0x0000000000000000 P2 0x0000000000000000\r\n"
			    "vireo: guest crash: P3 0x0000000000000000 P4 0x0000000000000000\r\n");

	/* Without a known TSC rate the interval never ends. */
	v = setup(&f);
	for (int i = 0; i < 40; i++)
		CHECK_EQ(vir_wrmsr(v, CRASH_CTL, NOTIFY), MSR_DONE);
	for (int i = 0; i < 1000; i++)
		cpu_rdtsc();
	CHECK_EQ(vir_wrmsr(v, CRASH_CTL, NOTIFY), MSR_DONE);
	CHECK_EQ(count("notified a crash"), 31);
}

/* A message of 4096 newlines stops where the budget does, and says how much is left. */
static void message_cut(void)
{
	struct vir_fixture f;
	struct vcpu *v = setup(&f);

	memset(&fake_ram[MSG_GPA], '\n', 4096);
	CHECK_EQ(vir_wrmsr(v, CRASH_P3, MSG_GPA), MSR_DONE);
	CHECK_EQ(vir_wrmsr(v, CRASH_P4, 4096), MSR_DONE);
	CHECK_EQ(vir_wrmsr(v, CRASH_CTL, NOTIFY | MESSAGE), MSR_DONE);
	/* 96 lines: 3 of registers, 1 for where the message is, 91 of text, 1 for what was cut. */
	CHECK_EQ(count("\r\n"), 96);
	CHECK_EQ(count("vireo: guest crash: > \r\n"), 91);
	CHECK(fake_log_contains("vireo: guest crash: 4005 bytes of the message not printed "
				"(at most 96 lines every 5 s)\r\n"));
	CHECK(!fake_log_contains("end of message"));

	/* The budget is spent: the next report waits. */
	fake_log_clear();
	CHECK_EQ(vir_wrmsr(v, CRASH_CTL, NOTIFY), MSR_DONE);
	CHECK_STR(fake_log, "");
}

static void escapes(void)
{
	static const struct {
		uint8_t c;
		const char *out;
	} cases[] = {
		{ 'a', "a" }, { ' ', " " }, { '~', "~" }, { '\\', "\\\\" }, { '\t', "\\t" }, { '\r', "\\r" },
		{ 0, "\\x00" }, { 0x1b, "\\x1b" }, { 0x7f, "\\x7f" }, { 0x80, "\\x80" }, { 0xff, "\\xff" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char out[5];

		CHECK_EQ(vir_crash_escape(cases[i].c, out), strlen(cases[i].out));
		CHECK_STR(out, cases[i].out);
	}
}

int main(void)
{
	RUN("viridian_crash", gated_by_group);
	RUN("viridian_crash", neighbours);
	RUN("viridian_crash", registers);
	RUN("viridian_crash", ctl_bits);
	RUN("viridian_crash", notify_without_message);
	RUN("viridian_crash", notify_with_message);
	RUN("viridian_crash", long_line);
	RUN("viridian_crash", bad_messages);
	RUN("viridian_crash", message_edges);
	RUN("viridian_crash", rate_limited);
	RUN("viridian_crash", message_cut);
	RUN("viridian_crash", escapes);
	return test_suite_failures != 0;
}
