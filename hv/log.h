/* SPDX-License-Identifier: MIT */
#ifndef HV_LOG_H
#define HV_LOG_H

#include <stdarg.h>
#include "hv/compiler.h"

enum log_level {
	LOG_ERR,
	LOG_WARN,
	LOG_INFO,
	LOG_DEBUG,
};

/* Messages above the threshold are dropped; LOG_INFO until the configuration says otherwise. */
extern enum log_level log_threshold;

/*
 * Formats with hv_vsnprintf and writes one line, "vireo: <message>\r\n"
 * ("vireo: error: ..." and "vireo: warning: ..." for those levels), to the
 * log sink in one call. A message too long for the line is cut short.
 */
void hv_log(enum log_level level, const char *fmt, ...) __printf(2, 3);

/*
 * A line with the plain "vireo: " prefix that log_threshold never holds
 * back: what the guest asked Vireo to report (its crash). The caller
 * limits how often the guest can have it printed.
 */
void hv_log_report(const char *fmt, ...) __printf(1, 2);

/* "error", "warning", "info", "debug"; NULL for a value outside the enum. */
const char *log_level_name(enum log_level level);

/* The inverse of log_level_name: 0 and *out set, or -HV_EINVAL and *out untouched. */
int log_level_parse(const char *s, enum log_level *out);

#define log_err(...)	hv_log(LOG_ERR, __VA_ARGS__)
#define log_warn(...)	hv_log(LOG_WARN, __VA_ARGS__)
#define log_info(...)	hv_log(LOG_INFO, __VA_ARGS__)
#define log_debug(...)	hv_log(LOG_DEBUG, __VA_ARGS__)

/*
 * Lines a guest can cause as often as it likes (a refused access, a bad
 * argument) are rate-limited per call site: at most LOG_GUEST_BURST lines
 * in each interval of log_guest_interval TSC ticks. The first line printed
 * after some were dropped says how many; log_guest_dropped counts them all.
 */
#define LOG_GUEST_BURST		10
#define LOG_GUEST_INTERVAL_S	5

struct log_ratelimit {
	uint64_t interval_start;	/* TSC */
	uint32_t printed;		/* in this interval */
	uint32_t dropped;		/* since the last line printed */
};

/* LOG_GUEST_INTERVAL_S in TSC ticks, set once the TSC rate is known; 0 (the default) is one endless interval. */
extern uint64_t log_guest_interval;
extern uint64_t log_guest_dropped;

void hv_log_limited(struct log_ratelimit *rl, enum log_level level, const char *fmt, ...) __printf(3, 4);

#define log_guest(level, ...)						\
	do {								\
		static struct log_ratelimit log_guest_rl_;		\
		hv_log_limited(&log_guest_rl_, level, __VA_ARGS__);	\
	} while (0)
#define log_guest_err(...)	log_guest(LOG_ERR, __VA_ARGS__)
#define log_guest_warn(...)	log_guest(LOG_WARN, __VA_ARGS__)
#define log_guest_info(...)	log_guest(LOG_INFO, __VA_ARGS__)

/*
 * printf subset: %d %i %u %x %X %s %c %p %% with l/ll/z length, '-', '0' and
 * '#' flags and a width. %s of NULL prints "(null)", %p prints 0x and the
 * address in hex. Any other conversion is copied as it stands. Always
 * NUL-terminates (when size > 0); returns the length it would have written.
 */
int hv_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap) __printf(3, 0);
int hv_snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

/* Where log lines go: COM1 in the real build, a buffer in the hosted tests. */
void log_sink_write(const char *s, size_t len);

#endif
