#!/usr/bin/env bash
# Vireo nested under QEMU/KVM (-enable-kvm -cpu host,+vmx, OVMF as pflash),
# the way users run it on an Intel host, with QEMU/KVM itself inside Bochs
# (tests/e2e/nested.sh): KVM offers nested VMX, Vireo loads on QEMU's vCPU,
# the probe sees what it sees in Bochs alone, and the guest powers QEMU off.
. "$(dirname "$0")/nested.sh"
. "$(dirname "$0")/viridian.sh"
dir=$BUILD/e2e/nested_kvm
suite=$TEST_NAME
record='dmpstore -guid 5669726f-0001-4d48-8656-69726f000001 VireoPartition'

# check_qemu_boot N CPUS: QEMU boot N ran Vireo and the probe on CPUS vCPUs.
check_qemu_boot() {
	local n=$1 cpus=$2
	TEST_NAME="$suite (QEMU boot $n, -smp $cpus)"
	nested_qemu_log "$dir" "$n"
	log=$dir/qemu$n.txt
	expect "$log" "^vireo: running; the firmware is now a guest on $cpus vCPU\\(s\\)$" "Vireo loads under KVM on $cpus vCPU(s)"
	expect "$log" '^VIREO-RC=0x0$' "vireo.efi returns to the shell"
	check_viridian_leaves 1
	check_viridian_msrs 1
	check_hypercalls 1
	expect "$log" '^probe: done$' "the probe runs to its end"
	expect "$log" "^nested: qemu $n exit status 0, " "the guest powers QEMU off (exit status 0)"
	TEST_NAME=$suite
}

nested_qemu_esp "$dir" 1 'fs0:' 'vireo.efi console_timeout=0 viridian=base' 'echo VIREO-RC=%lasterror%' \
	'probe.efi' "$record" 'reset -s'
nested_boot "$dir" 600 "1 1" || finish
expect "$dir/serial.txt" '^nested: userspace up, kvm_intel nested=Y ept=Y unrestricted_guest=Y$' \
	"KVM in Bochs offers nested VMX with EPT and unrestricted guest"
check_qemu_boot 1 1
expect_powered_off "$dir"
echo "nested: the run took $(cat "$dir/elapsed") s of Bochs CPU time"
finish
