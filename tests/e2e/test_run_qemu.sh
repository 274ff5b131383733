#!/usr/bin/env bash
# The QEMU branch of make run (tests/e2e/run-interactive), which nested
# QEMU/KVM takes on an Intel host, run here under TCG (RUN_QEMU=tcg): the
# same OVMF pflash pair, ESP and console on stdio, only without VT-x. The
# console must show the UEFI shell starting vireo.efi, and Vireo refusing
# with the hypervisor's name while the shell goes on.
. "$(dirname "$0")/lib.sh"
dir=$BUILD/e2e/run_qemu
mkdir -p "$dir"
out=$dir/console.log
RUN_QEMU=tcg bash "$E2E_ROOT/tests/e2e/run-interactive" </dev/null >"$out" 2>&1 &
pid=$!
for _ in $(seq 90); do
	clean_log "$out" | grep -q '^vireo.efi returned' && break
	sleep 1
done
sleep 1
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
clean_log "$out" > "$dir/console.txt"
log=$dir/console.txt

expect "$log" '^run: RUN_QEMU=tcg: QEMU/TCG' "make run takes its QEMU branch"
expect "$log" '^Vireo [0-9.]+: a microhypervisor for Intel VT-x' "Vireo's console shows on the terminal"
expect "$log" '^vireo: running under another hypervisor \("TCGTCGTCGTCG"\) that does not offer VT-x' "Vireo names QEMU's TCG and refuses"
expect "$log" '^vireo.efi returned 0x3;' "the shell goes on after EFI_UNSUPPORTED"
finish
