#!/usr/bin/env bash
# A load that fails on one processor is undone on every other (Bochs, 3
# CPUs). A test build of Vireo (make FAIL_LAUNCH=2) gets VMLAUNCH refused on
# processor 2, after processor 1 already runs as the guest: processor 1 must
# leave VMX operation and run on natively, vireo.efi must fail, and nothing
# of it may stay behind. The proof: the firmware still runs code on
# processor 1 and the real vireo.efi, loaded next, virtualizes all three
# (VMXON fails on a processor still in VMX operation).
. "$(dirname "$0")/lib.sh"
dir=$BUILD/e2e/launch_undo
variant=$BUILD/faillaunch
if ! make --no-print-directory -C "$E2E_ROOT" B="$variant" FAIL_LAUNCH=2 "$variant/vireo.efi" >/dev/null; then
	fail "the FAIL_LAUNCH=2 test build"
	finish
fi
esp_create "$dir"
esp_add "$dir" "$variant/vireo.efi" ::/vfail.efi
esp_add "$dir" "$BUILD/vireo.efi"
esp_add "$dir" "$BUILD/probe.efi"
esp_script "$dir" 'fs0:' 'vfail.efi console_timeout=0' 'echo FAIL-RC=%lasterror%' 'probe.efi' \
	'vireo.efi console_timeout=0' 'echo VIREO-RC=%lasterror%' 'probe.efi' 'reset -s'
bochs_boot "$dir" 300 3
log=$dir/serial.txt
# The failed load, then the probe without Vireo, then the real load and its probe.
awk '/^FAIL-RC=/{exit} {print}' "$log" > "$dir/failed.txt"
awk '/^FAIL-RC=/{p=1} /^VIREO-RC=/{exit} p' "$log" > "$dir/between.txt"
awk '/^VIREO-RC=/{p=1} p' "$log" > "$dir/after.txt"

expect "$dir/failed.txt" '^vireo: error: vmx: VMLAUNCH failed: VM entry with invalid control field\(s\)$' "processor 2's VMLAUNCH fails (the test build)"
expect "$dir/failed.txt" '^vireo: error: mp: processor 2 failed to launch$' "the failure is reported"
expect "$dir/failed.txt" '^vireo: vcpu1: left VMX operation, running natively$' "processor 1, already the guest, leaves VMX operation"
expect_not "$log" 'did not leave VMX operation' "no processor stays behind"
expect "$dir/failed.txt" '^vireo: VM entry failed on an application processor; the load is undone' "vireo.efi says the load is undone"
expect "$log" '^FAIL-RC=0x7$' "vireo.efi returns EFI_DEVICE_ERROR"
expect_not "$dir/failed.txt" '^vireo: running;' "the failed load does not claim to run"
expect "$dir/between.txt" '^probe: cpuid 00000001 [0-9a-f]{8} [0-9a-f]{8} [0-7][0-9a-f]{7} ' "the shell runs without a hypervisor after the undone load"
expect "$dir/between.txt" '^vireo: running; the firmware is now a guest on 3 vCPU\(s\)$' "the next load virtualizes all three processors again"
expect "$log" '^VIREO-RC=0x0$' "that load succeeds"
expect "$dir/after.txt" '^probe: cpuid 00000001 [0-9a-f]{8} [0-9a-f]{8} [89a-f][0-9a-f]{7} ' "the guest sees the hypervisor bit"
expect_not "$log" 'unexpected VM exit|host: exception|cannot be resolved' "no host errors"
finish
