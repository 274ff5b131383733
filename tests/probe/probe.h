/* SPDX-License-Identifier: MIT */
#ifndef TESTS_PROBE_PROBE_H
#define TESTS_PROBE_PROBE_H

/* The probe's modes other than the default run (tests/probe/main.c); trap_install() has run. */

/* probe.efi bench: exit round trips in host instructions (tests/probe/bench.c). */
void probe_bench(void);

/* probe.efi hostile: garbage to the synthetic MSRs, CPUID and hypercalls (tests/probe/hostile.c). */
void probe_hostile(void);

/* probe.efi nmi: a self-NMI through the xAPIC ICR, counted by the probe's own handler (tests/probe/nmi.c). */
void probe_nmi(void);

#endif
