#!/usr/bin/env bash
# Linux under Vireo with viridian = ["base", "freq", "time_ref_count",
# "reference_tsc"]: it takes the TSC and APIC timer rates from the frequency
# MSRs instead of calibrating them, and without the TSC-invariant privilege
# it leaves the TSC, as on any Hyper-V, for the reference TSC page.
. "$(dirname "$0")/linux_vireo.sh"
linux_vireo_boot linux_vireo_tsc_page base,freq,time_ref_count,reference_tsc
tsc=$(sed -n 's/^vireo: clock: TSC \([0-9]*\) Hz, APIC timer \([0-9]*\) Hz.*/\1/p' "$log")
# 0x870 (base, freq) | 0x2 (TIME_REF_COUNT) | 0x200 (REFERENCE_TSC)
expect "$log" '^\[ *[0-9.]+\] Hyper-V: privilege flags low 0xa72, high 0x0, .*misc 0x100$' "Linux reads the base, freq and time privileges (0xa72) and the frequency-MSR flag"
expect "$log" "^\\[ *[0-9.]+\\] Hyper-V: LAPIC Timer Frequency: " "Linux takes the APIC timer rate from APIC_FREQUENCY"
expect "$log" "^\\[ *[0-9.]+\\] tsc: Detected $((tsc / 1000000))\\.$(printf '%03d' $(( (tsc / 1000) % 1000 ))) MHz processor" "Linux's TSC rate is the one from TSC_FREQUENCY"
expect_not "$log" 'tsc: Fast TSC calibration' "Linux does not calibrate the TSC"
expect "$log" '^\[ *[0-9.]+\] tsc: Marking TSC unstable due to running on Hyper-V$' "without tsc_invariant Linux does not trust the TSC, as on any Hyper-V"
expect "$log" '^\[ *[0-9.]+\] clocksource: Switched to clocksource hyperv_clocksource_tsc_page$' "Linux keeps time with the reference TSC page"
finish
