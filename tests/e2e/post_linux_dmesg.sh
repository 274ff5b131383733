#!/usr/bin/env bash
# Run by tests/run-all once every boot of make test has finished: the whole
# kernel log of each Linux boot under Vireo (build/e2e/linux_vireo_*) against
# the bare boot of the same run (build/e2e/linux_bare). Every line Linux
# prints under Vireo that reports trouble (a warning, an error, a call trace,
# an unchecked MSR access, an unstable clock) must also be in the bare log,
# or be one of the expected differences listed below; anything else fails,
# and the line is shown. Lines compare without their timestamps.
#
# With E2E_RUN_START set (run-all sets it to a file made when the run
# began) only logs written after it count, so a log left over from an
# earlier run is never compared.
. "$(dirname "$0")/lib.sh"

# What reports trouble in a kernel line (the serial console shows no log levels).
TROUBLE='warn|error|fail|bug|call trace|unchecked|oops|panic|unstable|taint|hung task'

# Expected differences, by the Vireo configuration of the boot (its
# directory), as extended regular expressions matched against the whole line.
# Linux on any Hyper-V that does not offer the TSC-invariant privilege
# (0x40000003 EAX bit 15) stops trusting the TSC (arch/x86/kernel/cpu/
# mshyperv.c), and with it sched_clock, which the tracer reports:
NO_TSC_INVARIANT=(
	'tsc: Marking TSC unstable due to running on Hyper-V'
	'Unstable clock detected, switching default tracing clock to "global"'
)
expected_for() {
	case $1 in
	linux_vireo_base|linux_vireo_tsc_page) printf '%s\n' "${NO_TSC_INVARIANT[@]}" ;;
	esac
	# With the recommended set (linux_vireo_invariant) nothing is expected.
}

# The kernel's lines of a serial log, without their timestamps.
kernel_lines() {
	sed -n 's/^\[ *[0-9]*\.[0-9]*\] //p' "$1"
}

fresh() {
	[ -s "$1" ] && { [ -z "${E2E_RUN_START:-}" ] || [ "$1" -nt "$E2E_RUN_START" ]; }
}

bare=$BUILD/e2e/linux_bare/serial.txt
if ! fresh "$bare" || ! kernel_lines "$bare" | grep -q 'reboot: Power down'; then
	fail "the bare Linux boot of this run logged a whole boot to compare with ($bare)"
	finish
fi
kernel_lines "$bare" > "$BUILD/e2e/linux_bare/kernel.txt"

compared=0
for log in "$BUILD"/e2e/linux_vireo_*/serial.txt; do
	fresh "$log" || continue
	name=$(basename "$(dirname "$log")")
	kernel=$(dirname "$log")/kernel.txt
	kernel_lines "$log" > "$kernel"
	compared=$((compared + 1))
	if ! grep -q 'reboot: Power down' "$kernel"; then
		fail "$name: the boot under Vireo ran to power-off, so its whole log compares"
		continue
	fi
	expected=$(expected_for "$name")
	new=$(grep -Ei -- "$TROUBLE" "$kernel" | grep -vxF -f "$BUILD/e2e/linux_bare/kernel.txt" |
	      { if [ -n "$expected" ]; then grep -vxE -f <(printf '%s\n' "$expected"); else cat; fi })
	if [ -z "$new" ]; then
		pass "$name: no warning, error or call trace that the bare boot does not have"
	else
		fail "$name: lines the bare boot does not have: $(printf '%s' "$new" | head -n 5 | tr '\n' '|')"
	fi
done
[ "$compared" -gt 0 ] || fail "a Linux boot under Vireo in this run to compare"
finish
