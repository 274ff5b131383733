#!/usr/bin/env bash
# Linux on 2 CPUs in Bochs without Vireo: checks the harness the Linux guest
# tests share (tests/e2e/linux.sh). acpi.efi gives OVMF the ACPI tables it
# lacks under Bochs, the host's Debian kernel boots the busybox initramfs,
# which reports what userspace sees and powers the machine off.
. "$(dirname "$0")/linux.sh"
dir=$BUILD/e2e/linux_bare
limit=420
if ! linux_esp "$dir"; then
	fail "ESP with the kernel, the initramfs and acpi.efi"
	finish
fi
esp_script "$dir" 'fs0:' 'acpi.efi' 'echo ACPI-RC=%lasterror%' "$(linux_command)"
linux_boot "$dir" "$limit" 2
log=$dir/serial.txt

expect_line "$log" "acpi: installed MADT" "(2 CPUs, IOAPIC id 2)" "acpi.efi finds 2 CPUs and the IOAPIC id"
expect "$log" '^ACPI-RC=0x0$' "acpi.efi returns EFI_SUCCESS"
expect_not "$log" 'System description tables not found' "Linux finds ACPI tables"
expect "$log" '^\[ *[0-9.]+\] ACPI: FACP .*VIREO  FIXTURE' "Linux reads the fixture's FADT"
expect "$log" '^\[ *[0-9.]+\] ACPI: APIC .*VIREO  FIXTURE' "Linux reads the fixture's MADT"
expect "$log" '^\[ *[0-9.]+\] IOAPIC\[0\]: apic_id 2, version [0-9]+, address 0xfec00000' "Linux sets up the IOAPIC from the MADT"
expect "$log" '^\[ *[0-9.]+\] ACPI: PM: \(supports S0 S5\)' "Linux finds _S5 in the DSDT"
expect "$log" '^\[ *[0-9.]+\] smp: Brought up 1 node, 2 CPUs$' "Linux brings up both CPUs"
expect_line "$log" "initramfs: userspace up on" "2 CPUs" "userspace runs and sees 2 CPUs"
expect_line "$log" "initramfs: hv" "none" "no hypervisor under bare Bochs"
expect "$log" '^\[ *[0-9.]+\] reboot: Power down$' "Linux powers off"
expect_powered_off "$dir"
finish
