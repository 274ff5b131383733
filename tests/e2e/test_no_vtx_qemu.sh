#!/usr/bin/env bash
# QEMU without VT-x (TCG's CPU has no VMX): vireo.efi refuses with a clear
# message and an error status, and the shell goes on.
. "$(dirname "$0")/lib.sh"
dir=$BUILD/e2e/no_vtx_qemu
esp_create "$dir"
esp_add "$dir" "$BUILD/vireo.efi"
esp_script "$dir" 'fs0:' 'vireo.efi console_timeout=0' 'echo VIREO-RC=%lasterror%' 'echo SHELL-STILL-WORKS' 'reset -s'
qemu_boot "$dir" 90
log=$dir/serial.txt
expect "$log" '^vireo: this processor has no VT-x \(CPUID\.1:ECX\.VMX is clear\): run it on an Intel CPU with VT-x, or under a hypervisor that offers nested VMX; not loaded, boot continues without it$' "clear refusal without VT-x"
expect "$log" '^VIREO-RC=0x3$' "returns EFI_UNSUPPORTED"
expect "$log" '^SHELL-STILL-WORKS$' "the shell goes on"
expect_not "$log" 'vireo: running' "did not claim to run"
finish
