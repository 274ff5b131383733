/* SPDX-License-Identifier: MIT */
#ifndef TESTS_PROBE_PROBE_H
#define TESTS_PROBE_PROBE_H

#include <efi.h>
#include "hv/compiler.h"

/* One output line (tests/probe/line.c): "probe: " and what was seen; hex in lower case. */
#define LINE_MAX	77	/* columns; the console wraps at 80 */

struct line {
	CHAR16 text[LINE_MAX + 1];
	UINTN len;
};

void line_start(struct line *l, const CHAR16 *what);
void put(struct line *l, const CHAR16 *s);
void put_hex(struct line *l, const CHAR16 *prefix, uint64_t v, unsigned int digits);
/* " #GP", " #UD". */
void put_fault(struct line *l, uint64_t vector);
void line_end(const struct line *l);

/*
 * RDMSR or WRMSR and its line: "probe: <what> <msr> = <value>" or
 * "probe: <what> <msr> <value> ok", " #GP" when it faults. Returns the
 * fault's vector, 0 if none.
 */
uint64_t report_rdmsr(const CHAR16 *what, uint32_t msr);
uint64_t report_wrmsr(const CHAR16 *what, uint32_t msr, uint64_t val);

/* The probe's modes other than the default run (tests/probe/main.c); trap_install() has run. */

/* probe.efi bench: exit round trips in host instructions (tests/probe/bench.c). */
void probe_bench(void);

/* probe.efi hostile: garbage to the synthetic MSRs, CPUID and hypercalls (tests/probe/hostile.c). */
void probe_hostile(void);

/* probe.efi time: TIME_REF_COUNT against the TSC and on two processors, the reference TSC page (tests/probe/time.c). */
void probe_time(void);

/* probe.efi nmi: a self-NMI through the xAPIC ICR, counted by the probe's own handler (tests/probe/nmi.c). */
void probe_nmi(void);

/* probe.efi mp, mp-nmi: APs started through the firmware's MP services (tests/probe/mp.c). */
void probe_mp(void);
void probe_mp_nmi(void);

/*
 * probe.efi groups: the groups beyond base and freq (tests/probe/groups.c):
 * the crash MSRs and reports, the flush and IPI hypercalls' statuses, and
 * on a second processor (tests/probe/remote.c) a flush's effect and an
 * IPI's arrival.
 */
void probe_groups(void);
void probe_remote(const void *hcall_page);

#endif
