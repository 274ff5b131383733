# SPDX-License-Identifier: MIT
# Helpers for the end-to-end tests: a FAT ESP image, a Bochs or QEMU boot of
# OVMF bounded in time, the serial transcript, and assertions on it.
#
# A test sources this file, builds a work directory with esp_create and
# esp_add, boots it with bochs_boot or qemu_boot, then checks serial.log with
# expect / expect_line. Each check prints "PASS <test>: <what>" or
# "FAIL <test>: <what>"; tests/run-all counts them.

set -u
E2E_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD="$E2E_ROOT/build"
OVMF=${OVMF:-/usr/share/ovmf/OVMF.fd}
TEST_NAME=${TEST_NAME:-$(basename "$0" .sh)}
FAILURES=0

# esp_create DIR [MIB]: a FAT16 image DIR/esp.img of MIB MiB (default 32).
esp_create() {
	local dir=$1 mib=${2:-32}
	mkdir -p "$dir"
	rm -f "$dir/esp.img" "$dir/esp.img.lock" "$dir/serial.log"
	dd if=/dev/zero of="$dir/esp.img" bs=1M count="$mib" status=none
	mformat -i "$dir/esp.img" -T $((mib * 2048)) -h 16 -s 63 ::
}

# esp_add DIR SRC [DEST]: copy a file into the image (DEST like ::/EFI/BOOT/BOOTX64.EFI).
esp_add() {
	local dir=$1 src=$2 dest=${3:-::/$(basename "$2")}
	local parent=${dest%/*}
	[ "$parent" = "::" ] || mmd -i "$dir/esp.img" -D s "$parent" 2>/dev/null || true
	mcopy -o -i "$dir/esp.img" "$src" "$dest"
}

# esp_script DIR LINES...: startup.nsh running the given shell lines (CRLF, echo off).
esp_script() {
	local dir=$1; shift
	{ printf '@echo -off\r\n'; for l in "$@"; do printf '%s\r\n' "$l"; done; } > "$dir/startup.nsh"
	esp_add "$dir" "$dir/startup.nsh"
}

# bochs_config DIR [CPUS] [COM1]: write DIR/bochsrc and DIR/cmds. COM1 defaults
# to a file (DIR/serial.log); "socket:PORT" makes it a TCP server that a test
# (or make run) connects to. The processor is Bochs' Haswell, or with
# BOCHS_CPUID set Bochs' generic one with those "cpuid:" features.
# BOCHS_MEGS sets the memory (default 256 MiB).
bochs_config() {
	local dir=$1 cpus=${2:-1} com1=${3:-file} cpu_model="model=corei7_haswell_4770, "
	[ -n "${BOCHS_CPUID:-}" ] && cpu_model=
	local com1_line="com1: enabled=1, mode=file, dev=serial.log"
	case $com1 in
	socket:*) com1_line="com1: enabled=1, mode=socket-server, dev=127.0.0.1:${com1#socket:}" ;;
	esac
	cat > "$dir/bochsrc" <<-BXRC
	romimage: file=$OVMF, address=0xffe00000
	cpu: ${cpu_model}count=$cpus, ips=200000000
	${BOCHS_CPUID:+cpuid: $BOCHS_CPUID}
	megs: ${BOCHS_MEGS:-256}
	display_library: term
	ata0-master: type=disk, path=esp.img, mode=flat
	$com1_line
	clock: sync=none
	speaker: enabled=0
	BXRC
	echo c > "$dir/cmds"
}

# bochs_boot DIR SECONDS [CPUS] [MARKER]: boot OVMF in Bochs until reset -s (or
# power-off), SECONDS of Bochs' CPU time, or, if given, a serial line matching
# the extended regex MARKER. The limit is CPU time because the guest's time
# (clock: sync=none) advances with the instructions Bochs emulates, not with
# the wall clock: a machine busy with other work slows a run down but does not
# change what the guest does before the limit. A run that stops using the CPU
# altogether ends at four times SECONDS of wall-clock time. Sets BOCHS_SECONDS
# to the CPU seconds the run took and DIR/cputime to the same.
bochs_boot() {
	local dir=$1 limit=$2 cpus=${3:-1} marker=${4:-} start pid
	bochs_config "$dir" "$cpus"
	start=$(date +%s)
	rm -f "$dir/cputime"
	(
		cd "$dir" || exit
		TIMEFORMAT='%U %S'
		{ time prlimit --cpu="$limit" bochs -q -f bochsrc -rc cmds </dev/null >bochs.out 2>&1; } 2>cputime.raw
		tail -n1 cputime.raw | awk '{ printf "%d\n", $1 + $2 + 0.5 }' > cputime
	) &
	pid=$!
	while kill -0 "$pid" 2>/dev/null; do
		if { [ -n "$marker" ] && [ -f "$dir/serial.log" ] && clean_log "$dir/serial.log" | grep -Eq -- "$marker"; } ||
		   [ $(( $(date +%s) - start )) -ge $(( 4 * limit )) ]; then
			sleep 1
			pkill -KILL -P "$pid" 2>/dev/null
			break
		fi
		sleep 1
	done
	wait "$pid" 2>/dev/null
	BOCHS_SECONDS=$(cat "$dir/cputime" 2>/dev/null || echo "$limit")
	rm -f "$dir/esp.img.lock"
	[ -f "$dir/serial.log" ] || touch "$dir/serial.log"
	clean_log "$dir/serial.log" > "$dir/serial.txt"
}

# qemu_boot DIR SECONDS [QEMU ARGS...]: boot OVMF in QEMU (TCG unless told otherwise).
qemu_boot() {
	local dir=$1 limit=$2; shift 2
	cp "$OVMF" "$dir/ovmf.fd"
	timeout -s KILL "$limit" qemu-system-x86_64 -machine q35 -m 256 -display none -no-reboot \
		-bios "$dir/ovmf.fd" -drive format=raw,file="$dir/esp.img" -serial file:"$dir/serial.log" \
		-net none "$@" </dev/null >"$dir/qemu.out" 2>&1
	[ -f "$dir/serial.log" ] || touch "$dir/serial.log"
	clean_log "$dir/serial.log" > "$dir/serial.txt"
}

# The serial transcript without terminal escape sequences and carriage returns.
clean_log() {
	tr -d '\000' < "$1" | sed -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' -e 's/\r//g'
}

pass() { echo "PASS $TEST_NAME: $*"; }
fail() { echo "FAIL $TEST_NAME: $*"; FAILURES=$((FAILURES + 1)); }

# expect FILE REGEX WHAT: a line of FILE matches the extended regex.
expect() {
	if grep -Eq -- "$2" "$1"; then pass "$3"; else fail "$3 (no line matches /$2/)"; fi
}

# expect_not FILE REGEX WHAT: no line matches.
expect_not() {
	if grep -Eq -- "$2" "$1"; then fail "$3 (unexpected: $(grep -Em1 -- "$2" "$1"))"; else pass "$3"; fi
}

# expect_line FILE PREFIX VALUE WHAT: the line starting with PREFIX reads exactly PREFIX VALUE.
expect_line() {
	local got
	got=$(grep -F -m1 -- "$2" "$1" | sed 's/[[:space:]]*$//')
	if [ "$got" = "$2 $3" ]; then pass "$4"; else fail "$4 (want '$2 $3', got '${got:-nothing}')"; fi
}

finish() {
	[ "$FAILURES" -eq 0 ]
	exit $?
}
