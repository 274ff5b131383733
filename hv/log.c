/* SPDX-License-Identifier: MIT */
/*
 * The log: one formatted line per message, written to the sink in a single
 * call so that lines from different processors do not interleave within a
 * line.
 */
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

void hv_log(enum log_level level, const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	/* Room for the message: the buffer less "\r\n" and the NUL hv_vsnprintf stores. */
	size_t room = sizeof(line) - 2, len;
	va_list ap;
	int n;

	if (level > log_threshold)
		return;
	len = (size_t)hv_snprintf(line, room, "%s", log_prefix(level));
	va_start(ap, fmt);
	n = hv_vsnprintf(line + len, room - len, fmt, ap);
	va_end(ap);
	len += (size_t)n < room - len ? (size_t)n : room - len - 1;
	line[len++] = '\r';
	line[len++] = '\n';
	log_sink_write(line, len);
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
