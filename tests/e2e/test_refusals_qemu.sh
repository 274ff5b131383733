#!/usr/bin/env bash
# QEMU/TCG offers no VT-x: every refusal it can reach prints one line saying
# what and what to do, returns an error status, and the shell goes on. Also
# --version, --help and a configuration error, which need no VT-x.
. "$(dirname "$0")/lib.sh"

# Without the hypervisor bit: a processor that simply has no VT-x.
dir=$BUILD/e2e/refusals_qemu
esp_create "$dir"
esp_add "$dir" "$BUILD/vireo.efi"
esp_script "$dir" 'fs0:' \
	'vireo.efi --version' 'echo VERSION-RC=%lasterror%' \
	'vireo.efi --help' 'echo HELP-RC=%lasterror%' \
	'vireo.efi viridian=base,fre' 'echo BADCFG-RC=%lasterror%' \
	'vireo.efi console_timeout=0' 'echo NOVTX-RC=%lasterror%' \
	'echo SHELL-STILL-WORKS' 'reset -s'
qemu_boot "$dir" 90 -cpu qemu64,-hypervisor
log=$dir/serial.txt
expect "$log" '^Vireo [0-9]+\.[0-9]+$' "--version prints the version"
expect "$log" '^VERSION-RC=0x0$' "--version succeeds"
expect "$log" '^usage: vireo\.efi \[--help\] \[--version\] \[key=value \.\.\.\]$' "--help prints the usage"
expect "$log" '^  viridian=base,freq ' "--help lists the keys"
expect "$log" '^HELP-RC=0x0$' "--help succeeds"
expect "$log" '^vireo: error: argument "viridian=base,fre": unknown viridian group "fre"' "bad configuration named with what was expected"
expect "$log" '^BADCFG-RC=0x2$' "a configuration error returns EFI_INVALID_PARAMETER"
expect "$log" '^vireo: this processor has no VT-x \(CPUID\.1:ECX\.VMX is clear\): run it on an Intel CPU with VT-x, or under a hypervisor that offers nested VMX; not loaded, boot continues without it$' "clear refusal without VT-x"
expect "$log" '^NOVTX-RC=0x3$' "returns EFI_UNSUPPORTED"
expect "$log" '^SHELL-STILL-WORKS$' "the shell goes on"
expect_not "$log" 'vireo: running' "never claimed to run"

# With the hypervisor bit (QEMU's default): another hypervisor without nested VMX.
dir=$BUILD/e2e/refusals_qemu_nested
esp_create "$dir"
esp_add "$dir" "$BUILD/vireo.efi"
esp_script "$dir" 'fs0:' 'vireo.efi console_timeout=0' 'echo VIREO-RC=%lasterror%' 'echo SHELL-STILL-WORKS' 'reset -s'
qemu_boot "$dir" 90
log=$dir/serial.txt
expect "$log" '^vireo: running under another hypervisor \("TCGTCGTCGTCG"\) that does not offer VT-x: enable nested virtualization there' "refusal under a hypervisor without nested VMX names it"
expect "$log" '^VIREO-RC=0x3$' "returns EFI_UNSUPPORTED"
expect "$log" '^SHELL-STILL-WORKS$' "the shell goes on"
finish
