/* SPDX-License-Identifier: MIT */
/* hv_log and the level names (hv/log.c), through the fake log sink. */
#include "arch/x86/cpu.h"
#include "hv/errno.h"
#include "hv/log.h"
#include "tests/unit/fake.h"
#include "tests/unit/test.h"

TEST_GLOBALS;

static void threshold_starts_at_info(void)
{
	CHECK_EQ(log_threshold, LOG_INFO);
}

static void one_line_per_message_with_prefix(void)
{
	log_threshold = LOG_DEBUG;
	fake_log_clear();
	log_info("partition: viridian = %#llx", 3ULL);
	CHECK_STR(fake_log, "vireo: partition: viridian = 0x3\r\n");

	fake_log_clear();
	log_err("vmx: %s", "no VT-x");
	log_warn("platform: %u ranges", 16u);
	log_debug("exit %d", 10);
	CHECK_STR(fake_log, "vireo: error: vmx: no VT-x\r\n"
			    "vireo: warning: platform: 16 ranges\r\n"
			    "vireo: exit 10\r\n");
	log_threshold = LOG_INFO;
}

static void messages_above_threshold_are_dropped(void)
{
	static const struct {
		enum log_level threshold;
		const char *want;
	} cases[] = {
		{ LOG_ERR, "vireo: error: e\r\n" },
		{ LOG_WARN, "vireo: error: e\r\nvireo: warning: w\r\n" },
		{ LOG_INFO, "vireo: error: e\r\nvireo: warning: w\r\nvireo: i\r\n" },
		{ LOG_DEBUG, "vireo: error: e\r\nvireo: warning: w\r\nvireo: i\r\nvireo: d\r\n" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		log_threshold = cases[i].threshold;
		fake_log_clear();
		log_err("e");
		log_warn("w");
		log_info("i");
		log_debug("d");
		CHECK_STR(fake_log, cases[i].want);
	}
	log_threshold = LOG_INFO;
}

/* A message longer than the line buffer is cut short, and the line still ends in CR LF. */
static void long_message_is_truncated(void)
{
	char msg[1000];
	size_t len;

	memset(msg, 'a', sizeof(msg) - 1);
	msg[sizeof(msg) - 1] = '\0';
	fake_log_clear();
	log_warn("%s", msg);
	len = strlen(fake_log);
	CHECK_EQ(len, 255);
	CHECK(!strncmp(fake_log, "vireo: warning: aaaa", 20));
	CHECK_EQ(strspn(fake_log + 16, "a"), 255 - 16 - 2);
	CHECK_STR(fake_log + len - 2, "\r\n");
}

static void level_names_round_trip(void)
{
	static const struct {
		enum log_level level;
		const char *name;
	} cases[] = {
		{ LOG_ERR, "error" },
		{ LOG_WARN, "warning" },
		{ LOG_INFO, "info" },
		{ LOG_DEBUG, "debug" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		enum log_level out = (enum log_level)99;

		CHECK_STR(log_level_name(cases[i].level), cases[i].name);
		CHECK_EQ(log_level_parse(cases[i].name, &out), 0);
		CHECK_EQ(out, cases[i].level);
	}
	CHECK(log_level_name((enum log_level)4) == NULL);
}

static void unknown_level_names_are_refused(void)
{
	static const char *const bad[] = { "", "warn", "err", "ERROR", "info ", "debug2", "verbose" };

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		enum log_level out = LOG_DEBUG;

		CHECK_EQ(log_level_parse(bad[i], &out), -HV_EINVAL);
		CHECK_EQ(out, LOG_DEBUG);
	}
}

static unsigned int count_lines(const char *s, const char *needle)
{
	unsigned int n = 0;

	for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* One call site a guest can drive as often as it likes. */
static void guest_caused(unsigned int i)
{
	log_guest_warn("vcpu0: refused %u", i);
}

/*
 * A flood from one call site prints LOG_GUEST_BURST lines per interval; the
 * first line of the next interval says how many were dropped. The fake TSC
 * advances 1000 ticks a read.
 */
static void guest_caused_lines_are_rate_limited(void)
{
	uint64_t dropped_before = log_guest_dropped;

	log_guest_interval = 1000000;
	fake_log_clear();
	for (unsigned int i = 0; i < 100; i++)
		guest_caused(i);
	CHECK_EQ(count_lines(fake_log, "vireo: warning: vcpu0: refused"), LOG_GUEST_BURST);
	CHECK(strstr(fake_log, "refused 9\r\n") != NULL);
	CHECK(strstr(fake_log, "refused 10\r\n") == NULL);
	CHECK_EQ(log_guest_dropped - dropped_before, 90);

	/* A new interval: the count of what was dropped, then the line. */
	for (unsigned int i = 0; i < 1000; i++)
		cpu_rdtsc();
	fake_log_clear();
	guest_caused(1000);
	CHECK_STR(fake_log, "vireo: warning: log: 90 lines like the next one dropped (at most 10 every 5 s)\r\n"
			    "vireo: warning: vcpu0: refused 1000\r\n");
	log_guest_interval = 0;
}

/* Without a TSC rate there is one interval: nothing more is printed, however long it lasts. */
static void without_an_interval_the_burst_is_all(void)
{
	log_guest_interval = 0;
	fake_log_clear();
	for (unsigned int i = 0; i < 2 * LOG_GUEST_BURST; i++)
		log_guest_info("hypercall refused");
	CHECK_EQ(count_lines(fake_log, "hypercall refused"), LOG_GUEST_BURST);
}

/* Rate-limited lines obey the threshold too, and one held back by it is not counted as dropped. */
static void rate_limited_lines_obey_the_threshold(void)
{
	uint64_t dropped_before = log_guest_dropped;

	fake_log_clear();
	for (unsigned int i = 0; i < 3 * LOG_GUEST_BURST; i++)
		log_guest(LOG_DEBUG, "debug detail");
	CHECK_STR(fake_log, "");
	CHECK_EQ(log_guest_dropped, dropped_before);
}

int main(void)
{
	RUN("log", threshold_starts_at_info);
	RUN("log", one_line_per_message_with_prefix);
	RUN("log", messages_above_threshold_are_dropped);
	RUN("log", long_message_is_truncated);
	RUN("log", level_names_round_trip);
	RUN("log", unknown_level_names_are_refused);
	RUN("log", guest_caused_lines_are_rate_limited);
	RUN("log", without_an_interval_the_burst_is_all);
	RUN("log", rate_limited_lines_obey_the_threshold);
	return test_suite_failures != 0;
}
