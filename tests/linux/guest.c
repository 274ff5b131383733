/* SPDX-License-Identifier: MIT */
/*
 * vireo-guest: what the Linux test guest's userspace does beyond busybox
 * (tests/e2e/linux.sh builds it statically into the initramfs).
 *
 * vireo-guest crash
 *	Reports a crash to the hypervisor as Linux does from its early
 *	Hyper-V code since 2023 ("Drivers: hv: move panic report code from
 *	vmbus to hv early init code"), which Debian's 6.1 kernel does only
 *	through VMBus: if CRASH_CTL offers CrashMessage, the message (the
 *	newest whole lines of standard input that fit in 4096 bytes, as the
 *	kernel's kmsg dumper takes them) goes in a page of RAM; then P0-P2 =
 *	0, P3 = the page's physical address, P4 = the length, CRASH_CTL =
 *	CrashNotify | CrashMessage. The MSRs are written through /dev/cpu/0/msr
 *	(the msr module), the page's address comes from /proc/self/pagemap,
 *	and the page stays locked in RAM until the hypervisor has read it,
 *	which it does within the WRMSR. (Load the module with
 *	allow_writes=on, or it warns about the synthetic MSRs.) Prints,
 *	without the text, before it writes the MSRs:
 *	    crash: message <length> bytes, crc32 <crc>, at <physical address>
 *	    crash: reported
 *
 * vireo-guest tlb <count>
 *	A thread of the process spins on CPU 1 while the main thread, on
 *	CPU 0, maps, touches and unmaps a page count times: each unmap must
 *	flush the translation on CPU 1 too (a remote TLB flush). Prints
 *	    tlb: <count> unmaps with a thread on cpu 1
 *
 * Exits non-zero, with "<mode>: <what failed>: <error>", on any failure.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <termios.h>
#include <unistd.h>

#define HV_X64_MSR_CRASH_P0	0x40000100u
#define HV_X64_MSR_CRASH_CTL	0x40000105u
#define HV_CRASH_CTL_NOTIFY	(1ULL << 63)
#define HV_CRASH_CTL_MESSAGE	(1ULL << 62)
#define MESSAGE_MAX		4096
#define PAGE			4096
#define PAGEMAP_PRESENT		(1ULL << 63)
#define PAGEMAP_PFN		((1ULL << 55) - 1)

static int fail(const char *mode, const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", mode, what, strerror(errno));
	return 1;
}

/* ------------------------------------------------------------ crash */

static int msr_write(int fd, uint32_t msr, uint64_t val)
{
	return pwrite(fd, &val, sizeof(val), msr) == sizeof(val) ? 0 : -1;
}

static int msr_read(int fd, uint32_t msr, uint64_t *val)
{
	return pread(fd, val, sizeof(*val), msr) == sizeof(*val) ? 0 : -1;
}

/* zlib's CRC-32 (the polynomial of IEEE 802.3, reflected), as Python's zlib.crc32 computes it. */
static uint32_t crc32(const uint8_t *p, size_t n)
{
	uint32_t crc = 0xffffffffu;

	while (n--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = crc >> 1 ^ (0xedb88320u & -(crc & 1));
	}
	return ~crc;
}

/* The newest whole lines of text[0, len) that fit in MESSAGE_MAX bytes: their start. */
static size_t newest_lines(const char *text, size_t len)
{
	size_t start = len > MESSAGE_MAX ? len - MESSAGE_MAX : 0;

	if (start)
		while (start < len && text[start - 1] != '\n')
			start++;
	return start;
}

/* The physical address of a page of this process, which must be in RAM (it is locked). */
static int physical(const void *page, uint64_t *pa)
{
	uint64_t entry;
	int fd = open("/proc/self/pagemap", O_RDONLY);
	off_t at = (off_t)((uintptr_t)page / PAGE * sizeof(entry));

	if (fd < 0)
		return -1;
	if (pread(fd, &entry, sizeof(entry), at) != sizeof(entry)) {
		close(fd);
		return -1;
	}
	close(fd);
	if (!(entry & PAGEMAP_PRESENT) || !(entry & PAGEMAP_PFN)) {
		errno = EFAULT;
		return -1;
	}
	*pa = (entry & PAGEMAP_PFN) * PAGE;
	return 0;
}

static int crash(void)
{
	static char text[1 << 20];
	size_t len = 0, start, n;
	uint64_t ctl, pa = 0;
	uint8_t *page;
	int fd;

	while ((n = fread(text + len, 1, sizeof(text) - len, stdin)) > 0)
		len += n;
	start = newest_lines(text, len);
	len -= start;
	fd = open("/dev/cpu/0/msr", O_RDWR);
	if (fd < 0)
		return fail("crash", "/dev/cpu/0/msr");
	if (msr_read(fd, HV_X64_MSR_CRASH_CTL, &ctl))
		return fail("crash", "read CRASH_CTL");
	if (!(ctl & HV_CRASH_CTL_MESSAGE)) {
		errno = ENOTSUP;
		return fail("crash", "CRASH_CTL offers no CrashMessage");
	}
	page = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0);
	if (page == MAP_FAILED)
		return fail("crash", "a locked page");
	memcpy(page, text + start, len);
	if (physical(page, &pa))
		return fail("crash", "the page's physical address");
	printf("crash: message %zu bytes, crc32 %08x, at %#llx\n", len, crc32(page, len), (unsigned long long)pa);
	/* The hypervisor prints on the same serial line: let this line leave the UART first. */
	fflush(stdout);
	tcdrain(STDOUT_FILENO);
	for (uint32_t p = 0; p < 3; p++)
		if (msr_write(fd, HV_X64_MSR_CRASH_P0 + p, 0))
			return fail("crash", "write CRASH_P0-P2");
	if (msr_write(fd, HV_X64_MSR_CRASH_P0 + 3, pa) || msr_write(fd, HV_X64_MSR_CRASH_P0 + 4, len))
		return fail("crash", "write CRASH_P3-P4");
	if (msr_write(fd, HV_X64_MSR_CRASH_CTL, HV_CRASH_CTL_NOTIFY | HV_CRASH_CTL_MESSAGE))
		return fail("crash", "write CRASH_CTL");
	printf("crash: reported\n");
	munmap(page, PAGE);
	close(fd);
	return 0;
}

/* ------------------------------------------------------------ tlb */

static volatile int stop;

static int pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

static void *spin(void *arg)
{
	(void)arg;
	if (pin(1))
		return (void *)(intptr_t)errno;
	while (!stop)
		;
	return NULL;
}

static int tlb(long count)
{
	pthread_t other;
	void *err;

	if (pin(0))
		return fail("tlb", "pin to cpu 0");
	errno = pthread_create(&other, NULL, spin, NULL);
	if (errno)
		return fail("tlb", "thread");
	/* Let the thread reach CPU 1 before the unmaps start. */
	usleep(10000);
	for (long i = 0; i < count; i++) {
		volatile char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			return fail("tlb", "mmap");
		p[0] = 1;
		munmap((void *)p, PAGE);
	}
	stop = 1;
	pthread_join(other, &err);
	if (err) {
		errno = (int)(intptr_t)err;
		return fail("tlb", "pin the thread to cpu 1");
	}
	printf("tlb: %ld unmaps with a thread on cpu 1\n", count);
	return 0;
}

/* The time-stamp counter: in Bochs with one CPU, the instructions run since reset. */
static int tsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi));
	printf("%llu\n", (unsigned long long)hi << 32 | lo);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "tsc"))
		return tsc();
	if (argc == 2 && !strcmp(argv[1], "crash"))
		return crash();
	if (argc == 3 && !strcmp(argv[1], "tlb"))
		return tlb(strtol(argv[2], NULL, 0));
	fprintf(stderr, "usage: vireo-guest crash < text | vireo-guest tlb COUNT | vireo-guest tsc\n");
	return 2;
}
