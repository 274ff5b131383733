# SPDX-License-Identifier: MIT
# What probe.efi must print for a partition with a given viridian mask
# (README "Viridian"), checked line by line against a Bochs boot.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

hex8() { printf '%08x' "$1"; }
hex16() { printf '%016x' "$1"; }

# viridian_boot NAME ARGS CPUS [LINE...]: boot Vireo with ARGS, then the probe, then any
# further shell lines; sets $log.
viridian_boot() {
	local name=$1 args=$2 cpus=$3
	shift 3
	dir=$BUILD/e2e/$name
	esp_create "$dir"
	esp_add "$dir" "$BUILD/vireo.efi"
	esp_add "$dir" "$BUILD/probe.efi"
	esp_script "$dir" 'fs0:' "vireo.efi console_timeout=0 $args" 'echo VIREO-RC=%lasterror%' 'probe.efi' "$@" \
		'dmpstore -guid 5669726f-0001-4d48-8656-69726f000001 VireoPartition' 'reset -s'
	bochs_boot "$dir" 240 "$cpus"
	log=$dir/serial.txt
	expect "$log" '^VIREO-RC=0x0$' "vireo.efi loads"
	expect "$log" "^vireo: running; the firmware is now a guest on $cpus vCPU\\(s\\)" "every processor virtualized"
}

# The groups by bit (viridian/viridian.h): Xen's numbers, and Vireo's own tsc_invariant.
VIR_BASE=0x1 VIR_FREQ=0x2 VIR_TIME_REF_COUNT=0x4 VIR_REFERENCE_TSC=0x8 VIR_FLUSH=0x10 VIR_CRASH=0x40
VIR_IPI=0x200 VIR_EX=0x400 VIR_NO_VP_LIMIT=0x800 VIR_HOTPLUG=0x1000 VIR_TSC_INVARIANT=0x2000

# check_viridian_leaves MASK: every leaf as the groups in MASK make it.
check_viridian_leaves() {
	local mask=$1 eax3=0x70 edx3=0 eax4=0 eax5=0x40
	(( mask & VIR_FREQ )) && { eax3=$((eax3 | 0x800)); edx3=$((edx3 | 0x100)); }
	(( mask & VIR_TIME_REF_COUNT )) && eax3=$((eax3 | 0x2))
	(( mask & VIR_REFERENCE_TSC )) && eax3=$((eax3 | 0x200))
	(( mask & VIR_TSC_INVARIANT )) && eax3=$((eax3 | 0x8000))
	(( mask & VIR_CRASH )) && edx3=$((edx3 | 0x400))
	(( mask & VIR_HOTPLUG )) && edx3=$((edx3 | 0x8))
	(( mask & VIR_FLUSH )) && eax4=$((eax4 | 0x4))
	(( mask & VIR_IPI )) && eax4=$((eax4 | 0x400))
	(( mask & VIR_EX )) && eax4=$((eax4 | 0x800))
	(( mask & VIR_NO_VP_LIMIT )) && eax5=0xffffffff
	expect_line "$log" "probe: cpuid 40000000" "40000006 7263694d 666f736f 76482074" "0x40000000: Microsoft Hv, leaves up to 0x40000006"
	expect_line "$log" "probe: cpuid 40000001" "31237648 00000000 00000000 00000000" "0x40000001: Hv#1"
	expect_line "$log" "probe: cpuid 40000002" "00001772 00060000 00000000 00000000" "0x40000002: version 6.0 build 6002"
	expect_line "$log" "probe: cpuid 40000003" "$(hex8 $eax3) 00000000 00000000 $(hex8 $edx3)" "0x40000003: privileges and features of mask $mask"
	expect_line "$log" "probe: cpuid 40000004" "$(hex8 $eax4) ffffffff 00000000 00000000" "0x40000004: the recommendations of mask $mask, never notify spin waits"
	expect_line "$log" "probe: cpuid 40000005" "$(hex8 $eax5) 00000000 00000000 00000000" "0x40000005: the virtual processor limit of mask $mask"
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
	for msr in 40000003 40000010 40000070 40000080 40000200; do
		expect_line "$log" "probe: rdmsr $msr" "#GP" "RDMSR $msr raises #GP"
	done
	expect_line "$log" "probe: rdmsr 40000073 =" "0000000000000000" "VP_ASSIST_PAGE reads 0 at first (base)"
	if (( mask & VIR_CRASH )); then
		expect_line "$log" "probe: rdmsr 40000100 =" "0000000000000000" "CRASH_P0 reads 0 at first"
		expect_line "$log" "probe: rdmsr 40000105 =" "c000000000000000" "CRASH_CTL offers CrashNotify and CrashMessage"
	else
		expect_line "$log" "probe: rdmsr 40000100" "#GP" "CRASH_P0 raises #GP without crash_ctl"
		expect_line "$log" "probe: rdmsr 40000105" "#GP" "CRASH_CTL raises #GP without crash_ctl"
	fi
	if (( mask & VIR_FREQ )); then
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
	# VP_ASSIST_PAGE: enable, bits 11:1 and the GPFN read back; only the EOI-assist word is cleared.
	expect "$log" '^probe: page-msr 40000073 = 0000000[0-9a-f]{6}fff$' "VP_ASSIST_PAGE takes a page of guest RAM, bits 11:1 kept"
	expect_line "$log" "probe: page-msr 40000073 bytes" "00000000ffffffff" "VP_ASSIST_PAGE: the EOI-assist word cleared, nothing else written"
	expect_line "$log" "probe: wrmsr 40000073 00000000fffff001" "#GP" "VP_ASSIST_PAGE outside guest RAM raises #GP"
	expect "$log" '^vireo: warning: vcpu0: VP_ASSIST_PAGE page at 0xfffff000 refused: not guest RAM \(#GP\)$' "the refused VP_ASSIST_PAGE is logged"
	expect_line "$log" "probe: wrmsr 40000020 0000000000000000" "#GP" "TIME_REF_COUNT is read-only (or absent)"
}

# check_time MASK: TIME_REF_COUNT, REFERENCE_TSC, TSC_INVARIANT_CONTROL and CPUID 0x80000007 for the mask.
check_time() {
	local mask=$1 inv
	if (( mask & VIR_TIME_REF_COUNT )); then
		expect "$log" '^probe: rdmsr 40000020 = 0000[0-9a-f]{12}$' "TIME_REF_COUNT reads"
	else
		expect_line "$log" "probe: rdmsr 40000020" "#GP" "TIME_REF_COUNT raises #GP without time_ref_count"
	fi
	if (( mask & VIR_REFERENCE_TSC )); then
		expect_line "$log" "probe: rdmsr 40000021 =" "0000000000000000" "REFERENCE_TSC reads 0 at first"
		expect "$log" '^probe: page-msr 40000021 = 0000000[0-9a-f]{6}fff$' "REFERENCE_TSC takes a page of guest RAM, bits 11:1 kept"
		expect_line "$log" "probe: page-msr 40000021 bytes" "01000000ffffffff" "the page's sequence is 1 (valid), its reserved word untouched"
		expect_line "$log" "probe: wrmsr 40000021 00000000fffff001" "#GP" "REFERENCE_TSC outside guest RAM raises #GP"
		expect "$log" '^vireo: warning: vcpu0: REFERENCE_TSC page at 0xfffff000 refused: not guest RAM \(#GP\)$' "the refused REFERENCE_TSC is logged"
	else
		expect_line "$log" "probe: rdmsr 40000021" "#GP" "REFERENCE_TSC raises #GP without reference_tsc"
		expect_line "$log" "probe: page-msr 40000021" "#GP" "REFERENCE_TSC cannot be written without reference_tsc"
	fi
	# Bochs' Haswell has an invariant TSC (CPUID 0x80000007 EDX bit 8); it passes through unless
	# tsc_invariant hides it until the guest sets TSC_INVARIANT_CONTROL.
	inv=$(sed -n 's/^probe: cpuid 80000007 //p' "$log" | tr '\n' ' ')
	if (( mask & VIR_TSC_INVARIANT )); then
		expect_line "$log" "probe: rdmsr 40000118 =" "0000000000000000" "TSC_INVARIANT_CONTROL reads 0 at first"
		expect_line "$log" "probe: wrmsr 40000118 0000000000000002" "#GP" "TSC_INVARIANT_CONTROL reserved bits raise #GP"
		expect_line "$log" "probe: wrmsr 40000118 0000000000000001" "ok" "TSC_INVARIANT_CONTROL takes bit 0"
		expect "$log" '^probe: rdmsr 40000118 = 0000000000000001$' "TSC_INVARIANT_CONTROL reads back 1"
		expect_line "$log" "probe: wrmsr 40000118 0000000000000000" "#GP" "TSC_INVARIANT_CONTROL cannot be cleared"
		[ "$inv" = "00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000100 " ] &&
			pass "CPUID 0x80000007: no invariant TSC until the guest sets TSC_INVARIANT_CONTROL, then the processor's" ||
			fail "CPUID 0x80000007: no invariant TSC until the guest sets TSC_INVARIANT_CONTROL (got '$inv')"
	else
		expect_line "$log" "probe: rdmsr 40000118" "#GP" "TSC_INVARIANT_CONTROL raises #GP without tsc_invariant"
		expect_line "$log" "probe: wrmsr 40000118 0000000000000001" "#GP" "TSC_INVARIANT_CONTROL cannot be written without tsc_invariant"
		[ "$inv" = "00000000 00000000 00000000 00000100 00000000 00000000 00000000 00000100 " ] &&
			pass "CPUID 0x80000007 is the processor's (invariant TSC) without tsc_invariant" ||
			fail "CPUID 0x80000007 is the processor's without tsc_invariant (got '$inv')"
	fi
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
	local bytes="" i
	for i in 0 1 2 3 4 5 6 7; do bytes+=$(printf '%02X ' $(( (mask >> (8 * i)) & 0xff ))); done
	expect "$log" '^ *00000000: 56 49 52 45 4F 50 52 54-01 00 00 00 24 00 00 00 ' "saved-state record in the UEFI variable"
	expect "$log" "^ *00000010: 01 00 00 00 00 00 00 00-${bytes% } " "saved-state record holds mask $mask"
	expect_not "$log" 'vireo: error:|unexpected VM exit|host: exception|cannot be resolved' "no host errors"
}

# The flush and IPI calls probe.efi groups makes (tests/probe/groups.c) and
# their statuses with the call groups on: 0 success (reps completed in bits
# 43:32), 3 invalid hypercall input, 4 invalid alignment, 5 invalid parameter.
HCALL_CASES="flush-space 0000000000000000
flush-space-self 0000000000000000
flush-space-all-cpus 0000000000000000
flush-space-no-vp 0000000000000005
flush-space-flag3 0000000000000005
flush-space-fast 0000000000000003
flush-list 0000000200000000
flush-list-no-reps 0000000000000003
flush-list-start 0000000000000003
flush-list-non-global 0000000000000005
flush-list-past-page 0000000000000004
flush-space-ex 0000000000000000
flush-space-ex-all 0000000000000000
flush-space-ex-short 0000000000000003
flush-space-ex-bank1 0000000000000005
flush-space-ex-format 0000000000000005
flush-list-ex 0000000100000000
ipi-to-none 0000000000000000
ipi-vector-0f 0000000000000005
ipi-vector-100 0000000000000005
ipi-vtl1 0000000000000005
ipi-padding 0000000000000005
ipi-no-vp 0000000000000005
ipi-rep 0000000000000003
ipi-memory-to-none 0000000000000000
ipi-ex-to-none 0000000000000000
ipi-ex-bank1 0000000000000005
ipi-ex-short 0000000000000003
ipi-ex-fast 0000000000000003"

# crash_report N: the lines Vireo printed for the probe's crash report N (P0 = N).
crash_report() {
	awk -v p0="$(printf 'P0 0x%016x ' "$1")" '
		/^vireo: guest crash: vcpu[0-9]+ notified a crash/ { on = 0 }
		index($0, "vireo: guest crash: " p0) == 1 { on = 1 }
		on' "$log"
}

# check_groups MASK: what probe.efi groups showed, and the crash reports on Vireo's log.
check_groups() {
	local mask=$1 name want group vireo_page
	if (( mask & VIR_CRASH )); then
		for msr in 40000101 40000102 40000103 40000104; do
			expect_line "$log" "probe: crash rdmsr $msr =" "0000000000000000" "CRASH_P${msr: -1} reads 0 at first"
		done
		expect_line "$log" "probe: crash rdmsr 40000105 =" "c000000000000000" "CRASH_CTL reads CrashNotify | CrashMessage"
		expect_line "$log" "probe: crash rdmsr 40000106" "#GP" "the MSR after CRASH_CTL raises #GP"
		expect_line "$log" "probe: crash wrmsr 40000100 0123456789abcdef" "ok" "CRASH_P0 takes any value"
		expect_line "$log" "probe: crash readback 40000100 =" "0123456789abcdef" "CRASH_P0 reads back"
		expect_line "$log" "probe: crash wrmsr 40000105 0000000000000001" "#GP" "CRASH_CTL reserved bit 0 raises #GP"
		expect_line "$log" "probe: crash wrmsr 40000105 0200000000000000" "#GP" "CRASH_CTL reserved bit 57 raises #GP"
		expect_line "$log" "probe: crash wrmsr 40000105 4000000000000000" "ok" "CRASH_CTL without CrashNotify is taken"
		vireo_page=$(sed -n 's/^probe: vireo page \([0-9a-f]\{16\}\)$/\1/p' "$log")
		[ -n "$vireo_page" ] && pass "the probe finds a page of Vireo's memory (0x$vireo_page)" ||
			fail "the probe finds a page of Vireo's memory"
		for report in "1 long" "2 outside-ram" "3 vireo-memory" "4 text"; do
			expect_line "$log" "probe: crash report $report" "ok" "crash report $report: CRASH_CTL written"
		done
		[ "$(grep -c '^vireo: guest crash: vcpu0 notified a crash (CRASH_CTL 0xc000000000000000)$' "$log")" -eq 4 ] &&
			pass "Vireo prints 4 crash reports, none for CRASH_CTL without CrashNotify" ||
			fail "Vireo prints 4 crash reports ($(grep -c 'notified a crash' "$log") printed)"
		crash_report 1 | grep -qx 'vireo: guest crash: no message: P4 says 4097 bytes, more than 4096' &&
			pass "a message longer than 4096 bytes is not read" || fail "a message longer than 4096 bytes is not read"
		crash_report 2 | grep -qx 'vireo: guest crash: no message: its 16 bytes at 0xfffff000 are not guest RAM' &&
			pass "a message outside guest RAM is not read" || fail "a message outside guest RAM is not read"
		crash_report 3 | grep -qx "vireo: guest crash: no message: its 16 bytes at 0x${vireo_page#"${vireo_page%%[1-9a-f]*}"} are not guest RAM" &&
			pass "a message on Vireo's memory is not read" || fail "a message on Vireo's memory is not read"
		crash_report 4 > "$dir/crash4.txt"
		expect "$dir/crash4.txt" '^vireo: guest crash: P3 0x[0-9a-f]{16} P4 0x000000000000002f$' "report 4: P3 and P4 as written"
		expect "$dir/crash4.txt" '^vireo: guest crash: message, 47 bytes at 0x[0-9a-f]+:$' "report 4: the message's place"
		expect_line "$dir/crash4.txt" "vireo: guest crash: >" "crash text from probe.efi" "report 4: the message's first line, prefixed"
		grep -Fxq 'vireo: guest crash: > \tsecond line \x01\x7f \\ end' "$dir/crash4.txt" &&
			pass "report 4: tab, control bytes and backslash escaped" ||
			fail "report 4: tab, control bytes and backslash escaped"
		expect_line "$dir/crash4.txt" "vireo: guest crash: end" "of message" "report 4: the end of the message"
	else
		for msr in 40000100 40000101 40000102 40000103 40000104 40000105 40000106; do
			expect_line "$log" "probe: crash rdmsr $msr" "#GP" "RDMSR $msr raises #GP without crash_ctl"
		done
		expect_line "$log" "probe: crash wrmsr 40000100 0123456789abcdef" "#GP" "CRASH_P0 writes raise #GP without crash_ctl"
		expect_line "$log" "probe: crash wrmsr 40000105 4000000000000000" "#GP" "CRASH_CTL writes raise #GP without crash_ctl"
		expect_line "$log" "probe: crash report 4 text" "#GP" "a crash report raises #GP without crash_ctl"
		expect_not "$log" 'vireo: guest crash' "no crash report without crash_ctl"
	fi
	while read -r name want; do
		group=$VIR_FLUSH
		[[ $name == ipi* ]] && group=$VIR_IPI
		[[ $name == *-ex* ]] && group=$((group | VIR_EX))
		(( (mask & group) == group )) || want=0000000000000006
		expect_line "$log" "probe: hcall $name =" "$want" "hypercall $name returns $want"
	done <<< "$HCALL_CASES"
	expect_line "$log" "probe: remote ap vp-index" "0000000000000001" "the probe runs on the AP, VP index 1"
	expect_line "$log" "probe: remote tlb before" "41" "the AP reads page A through the test mapping"
	expect_line "$log" "probe: remote tlb stale" "41" "the AP still reads page A once the mapping points at B: a stale TLB entry"
	if (( mask & VIR_FLUSH )); then
		expect_line "$log" "probe: remote tlb flush =" "0000000000000000 then 42" "the flush returns once the AP dropped its translation: it reads page B"
		expect "$log" '^vireo: viridian: VP 0 made the first HvCallFlushVirtualAddressSpace$' "Vireo notes the first flush call"
	else
		expect_line "$log" "probe: remote tlb flush =" "0000000000000006 then 41" "no flush without the group: the AP still reads page A"
	fi
	if (( mask & VIR_IPI )); then
		expect_line "$log" "probe: remote ipi =" "0000000000000000 ap 1 bsp 0" "the IPI reaches the AP's handler once, not the caller's"
		expect_line "$log" "probe: remote ipi-both =" "0000000000000000 ap 2 bsp 1" "an IPI to both reaches each handler once"
	else
		expect_line "$log" "probe: remote ipi =" "0000000000000006 ap 0 bsp 0" "no IPI without the group"
	fi
	if (( (mask & (VIR_IPI | VIR_EX)) == (VIR_IPI | VIR_EX) )); then
		expect_line "$log" "probe: remote ipi-ex =" "0000000000000000 ap 3 bsp 1" "the _Ex IPI reaches the AP's handler once"
	else
		expect "$log" '^probe: remote ipi-ex = 0000000000000006 ap [0-2] bsp [0-1]$' "no _Ex IPI without its groups"
	fi
	expect "$log" '^probe: groups done$' "probe.efi groups ran to the end"
}
