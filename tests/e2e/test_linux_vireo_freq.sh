#!/usr/bin/env bash
# Linux under Vireo with viridian = ["base", "freq"]: it sees the base and
# frequency privileges and takes the TSC and APIC timer rates from the MSRs
# instead of calibrating them.
. "$(dirname "$0")/linux_vireo.sh"
linux_vireo_boot linux_vireo_freq base,freq
tsc=$(sed -n 's/^vireo: clock: TSC \([0-9]*\) Hz, APIC timer \([0-9]*\) Hz.*/\1/p' "$log")
expect "$log" '^\[ *[0-9.]+\] Hyper-V: privilege flags low 0x870, high 0x0, .*misc 0x100$' "Linux reads the base+freq privileges (0x870) and the frequency-MSR flag"
expect "$log" "^\\[ *[0-9.]+\\] Hyper-V: LAPIC Timer Frequency: " "Linux takes the APIC timer rate from APIC_FREQUENCY"
expect "$log" "^\\[ *[0-9.]+\\] tsc: Detected $((tsc / 1000000))\\.$(printf '%03d' $(( (tsc / 1000) % 1000 ))) MHz processor" "Linux's TSC rate is the one from TSC_FREQUENCY"
expect_not "$log" 'tsc: Fast TSC calibration' "Linux does not calibrate the TSC"
finish
