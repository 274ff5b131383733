# SPDX-License-Identifier: MIT
# A stock Linux kernel under Vireo in Bochs: Vireo virtualizes the processor
# from the UEFI shell, then the kernel boots as its guest past
# ExitBootServices, reaches userspace and powers off. What Linux logs is what
# the guest saw.
#
# Two CPUs: OVMF restarts the AP with INIT-SIPI-SIPI at ExitBootServices
# (through the xAPIC page), Linux starts it again (through the x2APIC ICR);
# both reach Vireo's INIT/SIPI emulation (hv/ipi.c).
. "$(dirname "${BASH_SOURCE[0]}")/linux.sh"

# linux_vireo_boot NAME VIRIDIAN [KERNEL PARAM...]: boots; sets $dir and $log.
linux_vireo_boot() {
	local name=$1 viridian=$2 starts
	shift 2
	dir=$BUILD/e2e/$name
	limit=420
	if ! linux_esp "$dir" "$BUILD/vireo.efi"; then
		fail "ESP with the kernel, the initramfs, acpi.efi and vireo.efi"
		finish
	fi
	esp_script "$dir" 'fs0:' 'acpi.efi' "vireo.efi console_timeout=0 viridian=$viridian ${LINUX_VIREO_ARGS:-}" \
		'echo VIREO-RC=%lasterror%' "$(linux_command "$@")"
	linux_boot "$dir" "$limit" 2
	log=$dir/serial.txt
	expect "$log" '^vireo: running; the firmware is now a guest on 2 vCPU\(s\)$' "Vireo virtualizes both processors"
	expect "$log" '^VIREO-RC=0x0$' "vireo.efi returns to the shell"
	expect "$log" '^\[ *[0-9.]+\] Hypervisor detected: Microsoft Hyper-V$' "Linux detects Microsoft Hyper-V"
	expect "$log" '^\[ *[0-9.]+\] x86/fpu: Enabled xstate features' "Linux enables XSAVE through Vireo's XSETBV"
	starts=$(grep -Ec '^vireo: vcpu1: started by SIPI at 0x[0-9a-f]+000$' "$log")
	[ "$starts" -eq 2 ] && pass "Vireo starts vcpu1 twice: OVMF at ExitBootServices, then Linux" ||
		fail "Vireo starts vcpu1 twice (started $starts times)"
	expect "$log" '^\[ *[0-9.]+\] smp: Brought up 1 node, 2 CPUs$' "Linux starts the second CPU under Vireo (INIT-SIPI-SIPI)"
	expect_line "$log" "initramfs: userspace up on" "2 CPUs" "userspace runs on both CPUs"
	expect "$log" '^\[ *[0-9.]+\] reboot: Power down$' "Linux powers off"
	expect "$log" '^vireo: vcpu0: the guest enters ACPI sleep type 0$' "Vireo sees the guest power off (PM1a_CNT trapped)"
	expect "$log" '^vireo: stats: vcpu0 total [0-9]+ exits$' "Vireo prints its exit statistics at power-off"
	expect_powered_off "$dir"
	expect_not "$log" 'vireo: error:|unexpected VM exit|host: exception|cannot be resolved' "no host errors"
	expect_not "$log" 'Kernel panic|BUG:|Oops' "no kernel failure"
	expect_not "$log" 'unchecked MSR access' "no synthetic MSR the guest was offered faults"
}
