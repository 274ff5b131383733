#!/usr/bin/env bash
# Vireo nested under QEMU/KVM (-enable-kvm -cpu host,+vmx, OVMF as pflash),
# the way users run it on an Intel host, with QEMU/KVM itself inside Bochs
# (tests/e2e/nested.sh). One Linux boot with KVM, three QEMU boots over one
# OVMF variable store, as a machine keeps its NVRAM:
#   1. -smp 2, viridian = base: Vireo loads on both vCPUs, the probe sees
#      what it sees in Bochs alone, OVMF's MP services start the AP with
#      INIT-SIPI-SIPI as Vireo's INIT-signal and SIPI exits (the INIT rule's
#      native path), an NMI sent just before such a start reaches the AP
#      once, and the saved-state record is written (mask 1);
#   2. -smp 1, viridian = base, freq: the differential conformance guest
#      before and after vireo.efi (tests/e2e/conform.sh), the transcripts
#      compared item by item; Vireo reports the mask that differs
#      from the record (README "Viridian"), and records the new one;
#   3. -smp 1, the same again: nothing to report, and the probe sees what
#      it sees in Bochs alone with that mask.
# Each time the guest powers QEMU off; at the end Linux powers Bochs off.
. "$(dirname "$0")/nested.sh"
. "$(dirname "$0")/viridian.sh"
. "$(dirname "$0")/conform.sh"
dir=$BUILD/e2e/nested_kvm
suite=$TEST_NAME
record='dmpstore -guid 5669726f-0001-4d48-8656-69726f000001 VireoPartition'

# check_vireo_boot N CPUS: QEMU boot N ran Vireo on CPUS vCPUs, back to the shell, and powered off.
check_vireo_boot() {
	local n=$1 cpus=$2
	TEST_NAME="$suite (QEMU boot $n, -smp $cpus)"
	nested_qemu_log "$dir" "$n"
	log=$dir/qemu$n.txt
	expect "$log" "^vireo: running; the firmware is now a guest on $cpus vCPU\\(s\\)$" "Vireo loads under KVM on $cpus vCPU(s)"
	expect "$log" '^VIREO-RC=0x0$' "vireo.efi returns to the shell"
	expect "$log" '^vireo: ipi: every processor consumes INIT with its VM exit: ' \
		"KVM consumes the INIT each vCPU sends itself at load: the guest's IPIs go through"
	expect_not "$log" 'vireo: error:|unexpected VM exit|host: exception|cannot be resolved' "no host errors"
	expect "$log" "^nested: qemu $n exit status 0, " "the guest powers QEMU off (exit status 0)"
}

# expect_record_mask MASK: the saved-state record dmpstore printed holds MASK (one byte).
expect_record_mask() {
	expect "$log" "^ *00000010: 01 00 00 00 00 00 00 00-$(printf '%02X' "$1") 00 00 00 00 00 00 00 " \
		"the saved-state record holds mask $1"
}

nested_qemu_esp "$dir" 1 'fs0:' 'vireo.efi console_timeout=0 viridian=base' 'echo VIREO-RC=%lasterror%' \
	'probe.efi' 'probe.efi mp' 'probe.efi mp-nmi' "$record" 'reset -s'
nested_qemu_esp "$dir" 2 'fs0:' 'echo CONFORM-BARE' 'conform.efi' 'echo CONFORM-BARE-RC=%lasterror%' \
	'vireo.efi console_timeout=0 viridian=base,freq' 'echo VIREO-RC=%lasterror%' 'conform.efi' \
	'echo CONFORM-VIREO-RC=%lasterror%' "$record" 'reset -s'
nested_qemu_esp "$dir" 3 'fs0:' 'vireo.efi console_timeout=0 viridian=base,freq' 'echo VIREO-RC=%lasterror%' \
	'probe.efi' "$record" 'reset -s'
nested_boot "$dir" 900 "1 2" "2 1" "3 1" || finish
expect "$dir/serial.txt" '^nested: userspace up, kvm_intel nested=Y ept=Y unrestricted_guest=Y$' \
	"KVM in Bochs offers nested VMX with EPT and unrestricted guest"

# check_probe MASK: what probe.efi printed in this boot is what it prints in Bochs alone.
check_probe() {
	check_viridian_leaves "$1"
	check_viridian_msrs "$1"
	check_hypercalls "$1"
	expect "$log" '^probe: done$' "the probe runs to its end"
}

check_vireo_boot 1 2
check_probe 1
expect_line "$log" "probe: mp cpu 1 apic" "1 vp 1" "the AP runs a procedure of the firmware's MP services, as vCPU 1"
sipis=$(grep -c '^vireo: vcpu1: started by SIPI at 0x[0-9a-f]*000$' "$log")
[ "$sipis" -ge 2 ] && pass "OVMF starts the AP for each procedure through INIT-signal and SIPI exits ($sipis starts)" ||
	fail "OVMF starts the AP for each procedure through INIT-signal and SIPI exits ($sipis starts)"
expect "$log" '^vireo: stats: vcpu1 exits .*INIT_SIGNAL [0-9]+, SIPI [0-9]+' \
	"vcpu1's statistics count the INIT-signal and SIPI exits that started it"
expect_line "$log" "probe: mp-nmi cpu 1 nmi" "1" "an NMI, then INIT-SIPI-SIPI, to the AP: the NMI's handler runs once"
runs=$(grep -c '^probe: mp cpu 1 apic 1 vp 1$' "$log")
[ "$runs" -eq 2 ] && pass "the AP runs its procedure after the NMI too" ||
	fail "the AP runs its procedure after the NMI too (ran $runs of 2 times)"
expect_not "$log" 'in the saved record' "a fresh variable store: no saved-state record to differ from"

check_vireo_boot 2 1
expect "$log" '^CONFORM-BARE-RC=0x0$' "conform.efi runs under KVM without Vireo"
expect "$log" '^CONFORM-VIREO-RC=0x0$' "conform.efi runs as Vireo's guest under KVM"
conform_part '^CONFORM-BARE$' '^CONFORM-BARE-RC=' > "$dir/bare.txt"
conform_part '^VIREO-RC=' '^CONFORM-VIREO-RC=' > "$dir/vireo.txt"
viridian=base,freq
conform_compare "under KVM, viridian base,freq" 1
expect "$log" '^vireo: warning: partition: viridian was 0x1 in the saved record, is 0x3 now$' \
	"the mask that differs from the saved-state record is reported"
expect_record_mask 3

check_vireo_boot 3 1
check_probe 3
expect_not "$log" 'in the saved record' "the same mask again: nothing to report"
expect_record_mask 3

TEST_NAME=$suite
expect_powered_off "$dir"
echo "nested: the run took $(cat "$dir/elapsed") s of Bochs CPU time"
finish
