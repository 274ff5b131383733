#!/usr/bin/env bash
# The boot skeleton in Bochs (VT-x with EPT and unrestricted guest), one CPU,
# viridian off: vireo.efi takes the processor into VMX root and returns to
# the UEFI shell, which now runs as its guest. probe.efi, run afterwards,
# reports what the guest sees; the shell must still work. probe.efi nmi, before
# and after, sends itself an NMI that the guest must get exactly once.
. "$(dirname "$0")/lib.sh"
dir=$BUILD/e2e/boot_bochs
esp_create "$dir"
esp_add "$dir" "$BUILD/vireo.efi"
esp_add "$dir" "$BUILD/probe.efi"
esp_script "$dir" 'fs0:' 'probe.efi' 'probe.efi nmi' 'vireo.efi console_timeout=0' 'echo VIREO-RC=%lasterror%' \
	'probe.efi' 'echo PROBE-RC=%lasterror%' 'probe.efi nmi' 'vireo.efi console_timeout=0' 'echo SECOND-RC=%lasterror%' \
	'ls fs0:\ ' 'echo SHELL-STILL-WORKS' 'reset -s'
bochs_boot "$dir" 240
log=$dir/serial.txt
# What the guest saw before and after: the probe runs twice, split the log.
awk '/VIREO-RC=/{p=1} p' "$log" > "$dir/after.txt"
awk '/VIREO-RC=/{exit} {print}' "$log" > "$dir/before.txt"

expect "$log" '^Vireo [0-9.]+: a microhypervisor for Intel VT-x' "banner"
expect "$log" '^vireo: running; the firmware is now a guest on 1 vCPU\(s\)' "virtualized the boot processor"
expect "$log" '^vireo: vmx: a VPID per vCPU: the guest.s TLB outlives its exits$' "a VPID per vCPU (Bochs' Haswell has VPIDs and single-context INVVPID)"
expect "$log" '^VIREO-RC=0x0$' "vireo.efi returns EFI_SUCCESS to the shell"
# Bare Bochs: no hypervisor bit before Vireo.
if grep -Eq '^probe: cpuid 00000001 [0-9a-f]{8} [0-9a-f]{8} [89a-f][0-9a-f]{7} ' "$dir/before.txt"; then
	fail "CPUID.1:ECX[31] is clear before Vireo"
else
	pass "CPUID.1:ECX[31] is clear before Vireo"
fi
expect "$dir/after.txt" '^probe: cpuid 00000001 [0-9a-f]{8} [0-9a-f]{8} [89a-f][0-9a-f]{7} ' "hypervisor bit CPUID.1:ECX[31] set for the guest"
ecx=$(grep -Em1 '^probe: cpuid 00000001 ' "$dir/after.txt" | awk '{print $6}')
if [ -n "$ecx" ] && [ $(( 0x$ecx & 0x20 )) -eq 0 ]; then pass "VMX hidden from the guest (CPUID.1:ECX[5] clear)"
else fail "VMX hidden from the guest (CPUID.1:ECX[5] clear), ecx=${ecx:-none}"; fi
expect_line "$dir/after.txt" "probe: cpuid 40000000" "40000001 65726956 63694d6f 56486f72" "Vireo's signature VireoMicroHV at 0x40000000"
expect_line "$dir/after.txt" "probe: cpuid 40000001" "00000001 00000000 00000000 00000000" "Vireo version 0.1, VP index 0 at 0x40000001"
expect_line "$dir/after.txt" "probe: cpuid 40000100" "00000000 00000000 00000000 00000000" "nothing at 0x40000100 with viridian off"
expect_not "$dir/after.txt" 'Microsoft Hv|7263694d 666f736f 76482074' "no Microsoft Hv anywhere with viridian off"
expect_line "$dir/after.txt" "probe: rdmsr 40000000" "#GP" "synthetic MSR 0x40000000 raises #GP with viridian off"
expect_line "$dir/after.txt" "probe: rdmsr 40000022" "#GP" "TSC_FREQUENCY raises #GP with viridian off"
expect_line "$dir/after.txt" "probe: mgmt get viridian" "rax=0000000000000000 value=0000000000000000" "the guest reads the viridian parameter: not set"
expect_line "$dir/after.txt" "probe: mgmt set viridian" "rax=ffffffffffffffff" "the guest cannot set the viridian parameter (EPERM)"
expect "$dir/before.txt" '^probe: mgmt get #UD' "VMCALL raises #UD without Vireo"
expect "$log" '^PROBE-RC=0x0$' "probe ran to the end"
expect_line "$dir/before.txt" "probe: nmi" "1" "a self-NMI through the xAPIC ICR reaches the probe's handler once (no Vireo)"
expect_line "$dir/after.txt" "probe: nmi" "1" "under Vireo: the ICR store is emulated and the NMI injected exactly once"
expect "$log" '^vireo: Vireo is already running on this machine: nothing to do' "second load refused"
expect "$log" '^SECOND-RC=0x14$' "second load returns EFI_ALREADY_STARTED"
expect "$log" 'vireo\.efi' "shell lists the ESP after virtualization"
expect "$log" '^SHELL-STILL-WORKS$' "shell still works as a guest"
expect_not "$log" 'vireo: error:|unexpected VM exit|host: exception' "no host errors"
finish
