#!/usr/bin/env bash
# Too little memory (Bochs, 1 CPU): memhog.efi leaves the firmware about
# 400 KiB free: enough for the shell to load vireo.efi and for the image's
# relocated copy (some 66 pages together), less than what Vireo keeps
# besides (its host tables, the EPT, a vCPU).
# vireo.efi must say how much it needs and how much there is, return
# EFI_OUT_OF_RESOURCES, and leave the shell running without a hypervisor.
. "$(dirname "$0")/lib.sh"
dir=$BUILD/e2e/memory_refusal
esp_create "$dir"
esp_add "$dir" "$BUILD/vireo.efi"
esp_add "$dir" "$BUILD/memhog.efi"
esp_add "$dir" "$BUILD/probe.efi"
esp_script "$dir" 'fs0:' 'memhog.efi 400' 'vireo.efi console_timeout=0' 'echo VIREO-RC=%lasterror%' \
	'probe.efi' 'echo SHELL-STILL-WORKS' 'reset -s'
bochs_boot "$dir" 240
log=$dir/serial.txt

expect "$log" '^memhog: took [0-9]+ KiB, gave 400 KiB back$' "memhog.efi takes the firmware's free memory"
need=$(sed -n 's/^vireo: too little memory: Vireo needs \([0-9]*\) KiB for 1 processor(s) (\([0-9]*\) KiB each).*/\1 \2/p' "$log")
have=$(sed -n 's/^vireo: too little memory: .*the firmware has \([0-9]*\) KiB free.*/\1/p' "$log")
if [ -n "$need" ] && [ -n "$have" ] && [ "${need%% *}" -gt "$have" ] && [ "${need##* }" -gt 0 ]; then
	pass "Vireo says what it needs (${need%% *} KiB) and what is free ($have KiB)"
else
	fail "Vireo says what it needs and what is free (need '${need:-}', free '${have:-}')"
fi
expect "$log" '^vireo: too little memory: .*: free memory or add RAM; not loaded, boot continues without it$' "the same line says what to do"
expect "$log" '^VIREO-RC=0x9$' "vireo.efi returns EFI_OUT_OF_RESOURCES"
expect_not "$log" '^vireo: running;' "nothing is virtualized"
expect "$log" '^probe: cpuid 00000001 [0-9a-f]{8} [0-9a-f]{8} [0-7][0-9a-f]{7} ' "the shell runs on without a hypervisor"
expect "$log" '^SHELL-STILL-WORKS$' "the shell goes on"
expect_not "$log" 'vireo: error:|host: exception' "no other error"
finish
