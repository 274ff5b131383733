/* SPDX-License-Identifier: MIT */
/*
 * The guest crash MSRs (TLFS "Partition Crash Enlightenment"). CRASH_P0-P4
 * hold what the guest wants known about its crash; writing CrashNotify to
 * CRASH_CTL asks the hypervisor to make it known, and with CrashMessage P3
 * is the guest-physical address of a text and P4 its length (at most 4096
 * bytes). Vireo prints the report on its log: which virtual processor
 * notified, P0-P4, and the text. Linux puts its error code, guest OS id,
 * RIP, RAX and RSP in P0-P4, or zeros and the place of its kernel log when
 * it sends that as the message. Then the guest goes on as it chooses (it
 * halts or reboots); Vireo changes nothing for it.
 *
 * The text is the guest's, so it is checked before it is read (guest RAM,
 * never Vireo's memory: hv/gmem.c) and never printed raw: each of its lines
 * goes on a log line of its own after "guest crash: > " (one too long for
 * a log line goes on after "guest crash: + "), with every byte outside
 * printable ASCII and the backslash written as a C escape. A reader tells
 * it from Vireo's own lines by that mark, and nothing in it reaches the
 * terminal as a control sequence.
 *
 * A guest may notify in a loop, or send a message of 4096 newlines: crash
 * reports share a budget of CRASH_LINES_PER_INTERVAL log lines (about 17
 * KiB, a third of what a 115200 baud UART carries in the interval) each
 * log_guest_interval. A report starts only if its first lines fit, and its
 * message stops, saying how much is left, where the budget ends; one
 * notification while another vCPU prints is not printed either. The next
 * report printed says how many were not.
 */
#include "arch/x86/cpu.h"
#include "hv/gmem.h"
#include "hv/log.h"
#include "hv/partition.h"
#include "hv/string.h"
#include "hv/vcpu.h"
#include "viridian/private.h"

/*
 * CRASH_CTL (TLFS "HV_CRASH_CTL_REG_CONTENTS"): 63 CrashNotify, 62
 * CrashMessage; later versions name 61 (NoCrashDump) and 60:58 (PreOSId),
 * which Vireo accepts and ignores; 57:0 are reserved.
 */
#define HV_CRASH_CTL_NOTIFY	BIT(63)
#define HV_CRASH_CTL_MESSAGE	BIT(62)
#define HV_CRASH_CTL_RESERVED	(BIT(58) - 1)
#define HV_CRASH_MESSAGE_MAX	4096u

/* Escaped text per log line: with the prefixes, well inside a log line (hv/log.c). */
#define CRASH_LINE_TEXT		160
/* Longest escape of one byte, "\xNN". */
#define CRASH_ESCAPE_MAX	4
/* Bytes of the message read from the guest at a time. */
#define CRASH_CHUNK		256u
/* The crash reports' share of the log in each log_guest_interval; enough for Linux's 4 KiB kernel log. */
#define CRASH_LINES_PER_INTERVAL	96u
/*
 * The fewest lines a report starts with: who notified, what was not
 * printed before, P0-P2, P3-P4, then where the message is and its end.
 */
#define CRASH_REPORT_MIN_LINES		6u

/* ------------------------------------------------------------ the message text */

struct crash_line {
	char text[CRASH_LINE_TEXT + 1];
	size_t len;
	size_t raw;		/* bytes of the message in text */
	bool continued;		/* this log line goes on with a guest line the last one cut */
	uint32_t left;		/* lines of text the budget still allows */
};

size_t vir_crash_escape(uint8_t c, char out[CRASH_ESCAPE_MAX + 1])
{
	static const char hex[] = "0123456789abcdef";

	if (c == '\\' || c == '\t' || c == '\r') {
		out[0] = '\\';
		out[1] = c == '\\' ? '\\' : c == '\t' ? 't' : 'r';
		out[2] = '\0';
		return 2;
	}
	if (c >= 0x20 && c < 0x7f) {
		out[0] = (char)c;
		out[1] = '\0';
		return 1;
	}
	out[0] = '\\';
	out[1] = 'x';
	out[2] = hex[c >> 4];
	out[3] = hex[c & 0xf];
	out[4] = '\0';
	return 4;
}

/* Prints the line, if the budget allows one more. */
static bool line_flush(struct crash_line *l)
{
	if (!l->left)
		return false;
	hv_log_report("guest crash: %c %s", l->continued ? '+' : '>', l->text);
	l->left--;
	l->len = 0;
	l->raw = 0;
	l->text[0] = '\0';
	return true;
}

/* Adds a byte of the message; false when the budget ends before it. */
static bool line_put(struct crash_line *l, uint8_t c)
{
	char esc[CRASH_ESCAPE_MAX + 1];
	size_t n;

	if (c == '\n') {
		if (!line_flush(l))
			return false;
		l->continued = false;
		return true;
	}
	n = vir_crash_escape(c, esc);
	if (l->len + n > CRASH_LINE_TEXT) {
		if (!line_flush(l))
			return false;
		l->continued = true;
	}
	hv_memcpy(l->text + l->len, esc, n + 1);
	l->len += n;
	l->raw++;
	return true;
}

/* Page-sized pieces of [gpa, gpa + len): the next one's length, never crossing a page. */
static uint64_t piece(uint64_t gpa, uint64_t left, uint64_t max)
{
	uint64_t to_page_end = PAGE_SIZE - (gpa & ~PAGE_MASK);
	uint64_t n = left < to_page_end ? left : to_page_end;

	return n < max ? n : max;
}

/* Whether every byte of the message is guest RAM (hv/gmem.c checks a page at a time). */
static bool message_in_ram(const struct partition *p, uint64_t gpa, uint64_t len)
{
	for (uint64_t done = 0, n; done < len; done += n) {
		n = piece(gpa + done, len - done, PAGE_SIZE);
		if (!gmem_range_ok(p, gpa + done, (size_t)n))
			return false;
	}
	return true;
}

/*
 * Prints the message (or why not) in at most left lines, left >= 2: the
 * line that says where it is, its text, the line that ends it. Returns the
 * lines printed.
 */
static uint32_t print_message(const struct partition *p, uint64_t gpa, uint64_t len, uint32_t left)
{
	struct crash_line l = { .len = 0, .raw = 0, .continued = false, .left = left - 2 };
	uint8_t buf[CRASH_CHUNK];
	uint64_t unprinted = 0;

	if (len > HV_CRASH_MESSAGE_MAX) {
		hv_log_report("guest crash: no message: P4 says %llu bytes, more than %u",
			      (unsigned long long)len, HV_CRASH_MESSAGE_MAX);
		return 1;
	}
	if (!message_in_ram(p, gpa, len)) {
		hv_log_report("guest crash: no message: its %llu bytes at 0x%llx are not guest RAM",
			      (unsigned long long)len, (unsigned long long)gpa);
		return 1;
	}
	hv_log_report("guest crash: message, %llu bytes at 0x%llx:", (unsigned long long)len,
		      (unsigned long long)gpa);
	for (uint64_t done = 0, n; done < len && !unprinted; done += n) {
		n = piece(gpa + done, len - done, sizeof(buf));
		if (gmem_read(p, gpa + done, buf, (size_t)n))
			break;
		for (uint64_t i = 0; i < n && !unprinted; i++)
			if (!line_put(&l, buf[i]))
				unprinted = len - done - i + l.raw;
	}
	if (!unprinted && l.len && !line_flush(&l))
		unprinted = l.raw;
	if (unprinted)
		hv_log_report("guest crash: %llu bytes of the message not printed (at most %u lines every %u s)",
			      (unsigned long long)unprinted, CRASH_LINES_PER_INTERVAL, LOG_GUEST_INTERVAL_S);
	else
		hv_log_report("guest crash: end of message");
	return left - l.left;
}

/* ------------------------------------------------------------ the report */

/*
 * Whether this notification is printed and, if so, P0-P4 as they are, how
 * many notifications before it were not printed, and how many lines of the
 * budget it may use: all under the partition's lock, so the registers are
 * those of one moment. A report being printed holds crash_printing.
 */
static bool report_begin(struct vir_partition *vir, uint64_t param[VIR_CRASH_PARAMS], uint32_t *held_back,
			 uint32_t *left)
{
	uint64_t now = cpu_rdtsc();
	bool print = false;

	spin_lock(&vir->lock);
	if (!vir->crash_interval || (log_guest_interval && now - vir->crash_interval >= log_guest_interval)) {
		vir->crash_interval = now ? now : 1;
		vir->crash_lines = 0;
	}
	if (!vir->crash_printing && vir->crash_lines + CRASH_REPORT_MIN_LINES <= CRASH_LINES_PER_INTERVAL) {
		for (unsigned int i = 0; i < VIR_CRASH_PARAMS; i++)
			param[i] = vir->crash_param[i];
		*held_back = vir->crash_held_back;
		*left = CRASH_LINES_PER_INTERVAL - vir->crash_lines;
		vir->crash_held_back = 0;
		vir->crash_printing = true;
		print = true;
	} else {
		vir->crash_held_back++;
	}
	spin_unlock(&vir->lock);
	return print;
}

static void report_end(struct vir_partition *vir, uint32_t lines)
{
	spin_lock(&vir->lock);
	vir->crash_lines += lines;
	vir->crash_printing = false;
	spin_unlock(&vir->lock);
}

static void report(struct vcpu *v, uint64_t ctl)
{
	struct vir_partition *vir = &v->part->vir;
	uint64_t param[VIR_CRASH_PARAMS];
	uint32_t held_back, left, lines = 3;

	if (!report_begin(vir, param, &held_back, &left))
		return;
	hv_log_report("guest crash: vcpu%u notified a crash (CRASH_CTL 0x%llx)", v->vp_index, (unsigned long long)ctl);
	if (held_back) {
		hv_log_report("guest crash: %u notifications before this one not printed (at most %u lines every %u s)",
			      held_back, CRASH_LINES_PER_INTERVAL, LOG_GUEST_INTERVAL_S);
		lines++;
	}
	hv_log_report("guest crash: P0 0x%016llx P1 0x%016llx P2 0x%016llx", (unsigned long long)param[0],
		      (unsigned long long)param[1], (unsigned long long)param[2]);
	hv_log_report("guest crash: P3 0x%016llx P4 0x%016llx", (unsigned long long)param[3],
		      (unsigned long long)param[4]);
	if (ctl & HV_CRASH_CTL_MESSAGE)
		lines += print_message(v->part, param[3], param[4], left - lines);
	report_end(vir, lines);
}

/* ------------------------------------------------------------ the MSRs */

/* CRASH_CTL reads as the actions Vireo carries out (TLFS "Determining Guest Crash Capabilities"). */
uint64_t vir_crash_read(const struct vcpu *v, uint32_t msr)
{
	if (msr == HV_X64_MSR_CRASH_CTL)
		return HV_CRASH_CTL_NOTIFY | HV_CRASH_CTL_MESSAGE;
	return __atomic_load_n(&v->part->vir.crash_param[msr - HV_X64_MSR_CRASH_P0], __ATOMIC_RELAXED);
}

/*
 * P0-P4 take any value. A CRASH_CTL write without CrashNotify asks for
 * nothing (CrashMessage only goes with it); reserved bits fault.
 */
bool vir_crash_write(struct vcpu *v, uint32_t msr, uint64_t val)
{
	struct vir_partition *vir = &v->part->vir;

	if (msr != HV_X64_MSR_CRASH_CTL) {
		spin_lock(&vir->lock);
		__atomic_store_n(&vir->crash_param[msr - HV_X64_MSR_CRASH_P0], val, __ATOMIC_RELAXED);
		spin_unlock(&vir->lock);
		return true;
	}
	if (val & HV_CRASH_CTL_RESERVED)
		return false;
	if (val & HV_CRASH_CTL_NOTIFY)
		report(v, val);
	return true;
}
