/* SPDX-License-Identifier: MIT */
#ifndef TESTS_PROBE_PROBE_H
#define TESTS_PROBE_PROBE_H

/* The probe's modes other than the default run (tests/probe/main.c); trap_install() has run. */

/* probe.efi bench: exit round trips in host instructions (tests/probe/bench.c). */
void probe_bench(void);

/* probe.efi hostile: garbage to the synthetic MSRs, CPUID and hypercalls (tests/probe/hostile.c). */
void probe_hostile(void);

#endif
