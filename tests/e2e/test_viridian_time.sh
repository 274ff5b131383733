#!/usr/bin/env bash
# viridian = ["base", "freq", "time_ref_count", "reference_tsc", "tsc_invariant"]
# on 2 CPUs, the set recommended for Linux guests: every leaf bit and MSR of
# the time groups, then probe.efi time: TIME_REF_COUNT at 10 MHz against the
# TSC, the reference TSC page and the MSR in agreement, and the count never
# going back between the two processors.
. "$(dirname "$0")/viridian.sh"
mask=$((VIR_BASE | VIR_FREQ | VIR_TIME_REF_COUNT | VIR_REFERENCE_TSC | VIR_TSC_INVARIANT))
viridian_boot viridian_time 'viridian=base,freq,time_ref_count,reference_tsc,tsc_invariant' 2 'probe.efi time'
check_viridian_leaves $mask
check_viridian_msrs $mask
check_hypercalls $mask
check_time $mask

tsc=$(sed -n 's/^vireo: clock: TSC \([0-9]*\) Hz, APIC timer .*/\1/p' "$log")
expect_line "$log" "probe: time tsc-hz" "${tsc:-none}" "the probe takes the TSC rate from TSC_FREQUENCY"
expect "$log" '^probe: time rate [0-9]+ in [0-9]+ ticks: ok$' "TIME_REF_COUNT counts at 10 MHz against the TSC"
# The scale is 2^64 * 10^7 / TSC rate; sequence 2: the page the probe publishes after run_page_msr's.
scale=$(python3 -c "print('%016x' % ((10**7 << 64) // ${tsc:-1}))")
expect "$log" "^probe: time page seq 00000002 scale $scale offset [0-9a-f]{16}\$" "the reference TSC page: a valid sequence, the scale for the TSC rate"
expect_line "$log" "probe: time page-msr" "ok" "the time computed from the page brackets a read of TIME_REF_COUNT"
expect_line "$log" "probe: time 2 cpus" "2000 reads, 0 backwards" "TIME_REF_COUNT never goes back between the two processors"
expect "$log" '^probe: time done$' "the time probe ran to the end"
finish
