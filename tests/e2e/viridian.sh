# SPDX-License-Identifier: MIT
# What probe.efi must print for a partition with a given viridian mask
# (README "Viridian"), checked line by line against a Bochs boot.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

hex8() { printf '%08x' "$1"; }
hex16() { printf '%016x' "$1"; }

# viridian_boot NAME ARGS CPUS: boot Vireo with ARGS, then the probe; sets $log.
viridian_boot() {
	local name=$1 args=$2 cpus=$3
	dir=$BUILD/e2e/$name
	esp_create "$dir"
	esp_add "$dir" "$BUILD/vireo.efi"
	esp_add "$dir" "$BUILD/probe.efi"
	esp_script "$dir" 'fs0:' "vireo.efi console_timeout=0 $args" 'echo VIREO-RC=%lasterror%' 'probe.efi' \
		'dmpstore -guid 5669726f-0001-4d48-8656-69726f000001 VireoPartition' 'reset -s'
	bochs_boot "$dir" 240 "$cpus"
	log=$dir/serial.txt
	expect "$log" '^VIREO-RC=0x0$' "vireo.efi loads"
	expect "$log" "^vireo: running; the firmware is now a guest on $cpus vCPU\\(s\\)" "every processor virtualized"
}

# check_viridian_leaves MASK: base = 1, freq = 2.
check_viridian_leaves() {
	local mask=$1 eax3=0x70 edx3=0
	(( mask & 2 )) && { eax3=$((eax3 | 0x800)); edx3=0x100; }
	expect_line "$log" "probe: cpuid 40000000" "40000006 7263694d 666f736f 76482074" "0x40000000: Microsoft Hv, leaves up to 0x40000006"
	expect_line "$log" "probe: cpuid 40000001" "31237648 00000000 00000000 00000000" "0x40000001: Hv#1"
	expect_line "$log" "probe: cpuid 40000002" "00001772 00060000 00000000 00000000" "0x40000002: version 6.0 build 6002"
	expect_line "$log" "probe: cpuid 40000003" "$(hex8 $eax3) 00000000 00000000 $(hex8 $edx3)" "0x40000003: privileges of mask $mask"
	expect_line "$log" "probe: cpuid 40000004" "00000000 ffffffff 00000000 00000000" "0x40000004: no recommendations, never notify spin waits"
	expect_line "$log" "probe: cpuid 40000005" "00000040 00000000 00000000 00000000" "0x40000005: 64 virtual processors"
	expect_line "$log" "probe: cpuid 40000006" "00000002 00000000 00000000 00000000" "0x40000006: MSR bitmaps in use"
	expect_line "$log" "probe: cpuid 40000007" "00000000 00000000 00000000 00000000" "0x40000007: beyond the last leaf"
	expect_line "$log" "probe: cpuid 40000100" "40000101 65726956 63694d6f 56486f72" "Vireo's own leaves moved to 0x40000100"
	expect_line "$log" "probe: cpuid 40000101" "00000001 00000000 00000000 00000000" "0x40000101: version 0.1, VP index 0"
}

check_viridian_msrs() {
	local mask=$1 tsc apic
	tsc=$(sed -n 's/^vireo: clock: TSC \([0-9]*\) Hz, APIC timer \([0-9]*\) Hz.*/\1/p' "$log")
	apic=$(sed -n 's/^vireo: clock: TSC \([0-9]*\) Hz, APIC timer \([0-9]*\) Hz.*/\2/p' "$log")
	expect_line "$log" "probe: rdmsr 40000000 =" "0000000000000000" "GUEST_OS_ID reads 0 at first"
	expect_line "$log" "probe: rdmsr 40000001 =" "0000000000000000" "HYPERCALL reads 0 at first"
	expect_line "$log" "probe: rdmsr 40000002 =" "0000000000000000" "VP_INDEX of the boot processor is 0"
	for msr in 40000003 40000010 40000020 40000021 40000070 40000073 40000080 40000100 40000105 40000200; do
		expect_line "$log" "probe: rdmsr $msr" "#GP" "RDMSR $msr raises #GP"
	done
	if (( mask & 2 )); then
		[ -n "$tsc" ] && [ "$tsc" -gt 100000000 ] && [ "$tsc" -lt 400000000 ] && pass "TSC frequency measured near Bochs' 200 MHz ($tsc Hz)" || fail "TSC frequency measured near 200 MHz (${tsc:-none})"
		expect_line "$log" "probe: rdmsr 40000022 =" "$(hex16 "${tsc:-0}")" "TSC_FREQUENCY is the rate Vireo measured"
		expect_line "$log" "probe: rdmsr 40000023 =" "$(hex16 "${apic:-0}")" "APIC_FREQUENCY is the rate Vireo measured"
	else
		expect_line "$log" "probe: rdmsr 40000022" "#GP" "TSC_FREQUENCY raises #GP without freq"
		expect_line "$log" "probe: rdmsr 40000023" "#GP" "APIC_FREQUENCY raises #GP without freq"
	fi
	expect "$log" '^probe: rdmsr 40000071 = [0-9a-f]{16}$' "ICR reads the local APIC"
	expect_line "$log" "probe: rdmsr 40000072 =" "0000000000000000" "TPR reads the local APIC"
	expect_line "$log" "probe: wrmsr 40000002 0000000000000005" "#GP" "VP_INDEX is read-only"
	expect_line "$log" "probe: wrmsr 40000022 0000000000000001" "#GP" "TSC_FREQUENCY is read-only"
	expect_line "$log" "probe: wrmsr 40000023 0000000000000001" "#GP" "APIC_FREQUENCY is read-only"
	expect_line "$log" "probe: wrmsr 40000001 0000000000000004" "#GP" "HYPERCALL reserved bit raises #GP"
	expect_line "$log" "probe: wrmsr 40000072 0000000000000100" "#GP" "TPR reserved bits raise #GP"
	expect "$log" '^probe: wrmsr 40000072 0000000000000020 ok$' "TPR write accepted"
	expect "$log" '^probe: rdmsr 40000072 = 0000000000000020$' "TPR reads back"
	expect_line "$log" "probe: wrmsr 40000070 0000000100000000" "#GP" "EOI reserved bits raise #GP"
	expect "$log" '^probe: rdmsr 40000000 = 8100000000010000$' "GUEST_OS_ID reads back"
}

check_hypercalls() {
	local mask=$1
	expect "$log" '^probe: hypercall-msr = 00000000[0-9a-f]{5}[1-9a-f]0{2}1$|^probe: hypercall-msr = 0000000[0-9a-f]{6}0{2}1$' "HYPERCALL enabled with the page's GPFN"
	expect_line "$log" "probe: hypercall-page" "0f01c1c3" "hypercall page holds vmcall; ret"
	expect_line "$log" "probe: hypercall 0000000000010008 =" "0000000000000000" "HvCallNotifyLongSpinWait (fast) succeeds"
	expect_line "$log" "probe: hypercall 0000000000000099 =" "0000000000000002" "unknown call code: HV_STATUS_INVALID_HYPERCALL_CODE"
	expect_line "$log" "probe: hypercall 8000000000010008 =" "0000000000000003" "reserved control bit: HV_STATUS_INVALID_HYPERCALL_INPUT"
	expect_line "$log" "probe: hypercall-mem 0000000000000008 page+8 =" "0000000000000000" "memory-based call with its input in guest RAM succeeds"
	expect_line "$log" "probe: hypercall-mem 0000000000000008 page+4 =" "0000000000000004" "misaligned input block: HV_STATUS_INVALID_ALIGNMENT"
	expect_line "$log" "probe: hypercall-mem 0000000000000008 fffff000 =" "0000000000000005" "input block outside guest RAM: HV_STATUS_INVALID_PARAMETER"
	expect_line "$log" "probe: mgmt get viridian" "rax=0000000000000000 value=$(hex16 "$mask")" "the guest reads its mask $mask"
	expect_line "$log" "probe: mgmt set viridian" "rax=ffffffffffffffff" "the guest cannot set the mask (EPERM)"
	expect "$log" '^vireo: partition: guest may not set viridian \(EPERM\)' "the refusal is logged"
	# The saved-state record (hv/savestate.h): magic VIREOPRT, version 1, size 36, viridian set, the mask.
	expect "$log" '^ *00000000: 56 49 52 45 4F 50 52 54-01 00 00 00 24 00 00 00 ' "saved-state record in the UEFI variable"
	expect "$log" "^ *00000010: 01 00 00 00 00 00 00 00-0$mask 00 00 00 00 00 00 00 " "saved-state record holds mask $mask"
	expect_not "$log" 'vireo: error:|unexpected VM exit|host: exception|cannot be resolved' "no host errors"
}
