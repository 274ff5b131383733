#!/usr/bin/env bash
# Linux under Vireo with viridian = ["base"]: Hyper-V is detected, but with
# no frequency privileges Linux measures the TSC itself.
. "$(dirname "$0")/linux_vireo.sh"
linux_vireo_boot linux_vireo_base base
expect "$log" '^vireo: ipi: INIT is not consumed by its VM exit here: 0 of 2 processor' \
	"Bochs 2.7 drops the INIT each processor sends itself at load: Vireo starts the APs itself"
expect "$log" '^\[ *[0-9.]+\] Hyper-V: privilege flags low 0x70, high 0x0, .*misc 0x0$' "Linux reads the base privileges (0x70) only"
expect_not "$log" 'Hyper-V: LAPIC Timer Frequency' "no APIC timer rate from Vireo"
expect "$log" 'tsc: Fast TSC calibration|tsc: Detected [0-9.]+ MHz processor' "Linux measures the TSC itself"
finish
