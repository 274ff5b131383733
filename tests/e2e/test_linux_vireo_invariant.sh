#!/usr/bin/env bash
# Linux on 2 CPUs under Vireo with the set recommended for Linux guests,
# viridian = ["base", "freq", "time_ref_count", "reference_tsc",
# "tsc_invariant"]: with the TSC-invariant privilege it sets
# TSC_INVARIANT_CONTROL, trusts the TSC and keeps time with it as on bare
# metal: the TSC clocksource and a stable sched_clock.
. "$(dirname "$0")/linux_vireo.sh"
linux_vireo_boot linux_vireo_invariant base,freq,time_ref_count,reference_tsc,tsc_invariant
tsc=$(sed -n 's/^vireo: clock: TSC \([0-9]*\) Hz, APIC timer \([0-9]*\) Hz.*/\1/p' "$log")
# 0xa72 | 0x8000 (TSC invariant controls)
expect "$log" '^\[ *[0-9.]+\] Hyper-V: privilege flags low 0x8a72, high 0x0, .*misc 0x100$' "Linux reads the time privileges with TSC-invariant (0x8a72)"
expect "$log" "^\\[ *[0-9.]+\\] tsc: Detected $((tsc / 1000000))\\.$(printf '%03d' $(( (tsc / 1000) % 1000 ))) MHz processor" "Linux's TSC rate is the one from TSC_FREQUENCY"
expect_not "$log" 'Marking TSC unstable' "Linux trusts the TSC"
expect "$log" '^\[ *[0-9.]+\] clocksource: Switched to clocksource tsc$' "Linux keeps time with the TSC, as on bare metal"
expect "$log" '^\[ *[0-9.]+\] sched_clock: Marking stable ' "sched_clock is stable, as on bare metal"
expect_not "$log" 'Unstable clock detected' "no unstable clock for tracing"
finish
