/* SPDX-License-Identifier: MIT */
/*
 * The log: one formatted line per message, written to the sink in a single
 * call so that lines from different processors do not interleave within a
 * line.
 */
#include "arch/x86/cpu.h"
#include "hv/errno.h"
#include "hv/log.h"
#include "hv/string.h"

/* Longest line, prefix and "\r\n" included; the rest of a long message is dropped. */
#define LOG_LINE_MAX	256

enum log_level log_threshold = LOG_INFO;

static const char *const log_level_names[] = {
	[LOG_ERR]	= "error",
	[LOG_WARN]	= "warning",
	[LOG_INFO]	= "info",
	[LOG_DEBUG]	= "debug",
};

static const char *log_prefix(enum log_level level)
{
	switch (level) {
	case LOG_ERR:
		return "vireo: error: ";
	case LOG_WARN:
		return "vireo: warning: ";
	case LOG_INFO:
	case LOG_DEBUG:
		break;
	}
	return "vireo: ";
}

static void hv_vlog(enum log_level level, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];
	/* Room for the message: the buffer less "\r\n" and the NUL hv_vsnprintf stores. */
	size_t room = sizeof(line) - 2, len;
	int n;

	len = (size_t)hv_snprintf(line, room, "%s", log_prefix(level));
	n = hv_vsnprintf(line + len, room - len, fmt, ap);
	len += (size_t)n < room - len ? (size_t)n : room - len - 1;
	line[len++] = '\r';
	line[len++] = '\n';
	log_sink_write(line, len);
}

void hv_log(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	if (level > log_threshold)
		return;
	va_start(ap, fmt);
	hv_vlog(level, fmt, ap);
	va_end(ap);
}

void hv_log_report(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hv_vlog(LOG_INFO, fmt, ap);
	va_end(ap);
}

uint64_t log_guest_interval;
uint64_t log_guest_dropped;

/* Every rate limiter's state, for all processors. */
static bool log_guest_lock;

/* Whether rl lets one more line through now; if so, *dropped is how many it held back before it. */
static bool ratelimit_pass(struct log_ratelimit *rl, uint32_t *dropped)
{
	uint64_t now = cpu_rdtsc();
	bool pass;

	while (__atomic_test_and_set(&log_guest_lock, __ATOMIC_ACQUIRE))
		cpu_relax();
	if (log_guest_interval && now - rl->interval_start >= log_guest_interval) {
		rl->interval_start = now;
		rl->printed = 0;
	}
	pass = rl->printed < LOG_GUEST_BURST;
	if (pass) {
		rl->printed++;
		*dropped = rl->dropped;
		rl->dropped = 0;
	} else {
		rl->dropped++;
		log_guest_dropped++;
	}
	__atomic_clear(&log_guest_lock, __ATOMIC_RELEASE);
	return pass;
}

void hv_log_limited(struct log_ratelimit *rl, enum log_level level, const char *fmt, ...)
{
	uint32_t dropped;
	va_list ap;

	if (level > log_threshold || !ratelimit_pass(rl, &dropped))
		return;
	if (dropped)
		hv_log(level, "log: %u lines like the next one dropped (at most %u every %u s)", dropped,
		       LOG_GUEST_BURST, LOG_GUEST_INTERVAL_S);
	va_start(ap, fmt);
	hv_vlog(level, fmt, ap);
	va_end(ap);
}

const char *log_level_name(enum log_level level)
{
	if ((unsigned int)level >= ARRAY_SIZE(log_level_names))
		return NULL;
	return log_level_names[level];
}

int log_level_parse(const char *s, enum log_level *out)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(log_level_names); i++) {
		if (!hv_strcmp(s, log_level_names[i])) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	return -HV_EINVAL;
}
