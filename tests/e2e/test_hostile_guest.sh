#!/usr/bin/env bash
# A hostile guest, one CPU, viridian = ["base", "freq"]: probe.efi hostile
# writes garbage to every synthetic MSR but ICR, runs CPUID across the
# hypervisor range, and makes random hypercalls and management calls (see
# tests/probe/hostile.c). Vireo must carry on as if nothing happened: every
# fault the guest's own, the mask as it was, the shell still running, no
# host error in the log, and its counters showing what the guest did.
. "$(dirname "$0")/lib.sh"
dir=$BUILD/e2e/hostile_guest
esp_create "$dir"
esp_add "$dir" "$BUILD/vireo.efi"
esp_add "$dir" "$BUILD/probe.efi"
esp_script "$dir" 'fs0:' 'vireo.efi console_timeout=0 viridian=base,freq' 'echo VIREO-RC=%lasterror%' \
	'probe.efi hostile' 'echo HOSTILE-RC=%lasterror%' 'probe.efi stats' \
	'ls fs0:\ ' 'echo SHELL-STILL-WORKS' 'reset -s'
bochs_boot "$dir" 300 1
log=$dir/serial.txt

expect "$log" '^VIREO-RC=0x0$' "vireo.efi loads"
expect "$log" '^vireo: running; the firmware is now a guest on 1 vCPU\(s\)' "the boot processor virtualized"
# 262 MSRs, 4 rounds; GUEST_OS_ID takes any value, VP_ASSIST_PAGE one with the enable bit clear (one of
# its four here), and 8 MSRs can be read with base+freq.
expect_line "$log" "hostile: msr" "1044 writes (1039 #GP), 1048 reads (1016 #GP)" "garbage MSR writes fault but GUEST_OS_ID's and a disabled VP_ASSIST_PAGE"
expect_line "$log" "hostile: cpuid" "2560 leaves" "CPUID across the hypervisor range"
expect_line "$log" "hostile: hypercall" "2000 calls, 0 faults" "every random hypercall returns a status"
expect_line "$log" "hostile: mgmt" "64 calls, 0 sets accepted" "the guest never sets a parameter"
expect_line "$log" "hostile: viridian mask" "3" "the mask is still base+freq"
expect "$log" '^hostile: done$' "the hostile guest ran to the end"
expect "$log" '^HOSTILE-RC=0x0$' "probe.efi hostile returned to the shell"
expect_line "$log" "probe: stats" "rax=0000000000000000" "the guest asks for the counters"
expect "$log" '^vireo: stats: vcpu0 total [0-9]+ exits$' "exit counters printed"
expect "$log" '^vireo: stats: vcpu0 exits .*MSR_WRITE [0-9]+' "MSR writes counted"
expect "$log" '^vireo: stats: vcpu0 wrmsr .*40000050 4(,|$)' "each garbage write counted (0x40000050 four times)"
expect "$log" '^vireo: stats: vcpu0 rdmsr .*40000105 4(,|$)' "each read counted (CRASH_CTL four times)"
expect "$log" '^vireo: stats: vcpu0 cpuid .*400000ff [0-9]+' "hypervisor CPUID leaves counted"
expect "$log" '^vireo: stats: vcpu0 hypercall .*0008 [0-9]+' "hypercalls counted by code"
# The refused calls are logged, rate-limited per call site, and counted.
refused=$(grep -c '^vireo: viridian: VP 0: hypercall 0x[0-9a-f]* refused, status 0x[0-9a-f]*$' "$log")
dropped=$(sed -n 's/^vireo: stats: guest-caused log lines dropped \([0-9]*\)$/\1/p' "$log")
[ "$refused" -ge 1 ] && [ "$refused" -le 20 ] &&
	pass "refused hypercalls are logged at most 10 lines every 5 s ($refused lines)" ||
	fail "refused hypercalls are logged at most 10 lines every 5 s ($refused lines)"
[ "${dropped:-0}" -ge 1000 ] && pass "the rest are counted ($dropped lines dropped)" ||
	fail "the rest are counted (${dropped:-no} lines dropped)"
expect "$log" 'vireo\.efi' "shell lists the ESP afterwards"
expect "$log" '^SHELL-STILL-WORKS$' "shell still works"
expect_not "$log" 'vireo: error:|unexpected VM exit|host: exception|cannot be resolved|triple fault' "no host errors"
finish
