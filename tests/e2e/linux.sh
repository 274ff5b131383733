# SPDX-License-Identifier: MIT
# A stock Linux guest for the end-to-end tests: the host's Debian kernel
# (its EFI stub lets the UEFI shell start it), a busybox initramfs that
# reports what userspace sees and powers off, and an ESP that carries both
# with acpi.efi, which gives OVMF under Bochs the ACPI tables it lacks.
#
#   . "$(dirname "$0")/linux.sh"
#   linux_esp "$dir" || ...
#   esp_script "$dir" 'fs0:' 'acpi.efi' "$(linux_command)"
#   linux_boot "$dir" 300 2
#
# The initramfs prints, on the serial console (with vireo.shell on the kernel
# command line it opens a shell before powering off):
#   initramfs: userspace up on <N> CPUs
#   initramfs: hv <content of /sys/hypervisor/type, or none>
# then powers off with "poweroff -f" (the kernel logs "reboot: Power down"
# and Bochs' PIIX4 model ends the run with "ACPI control: soft power off").
#
# With LINUX_GUEST_TOOLS=1 the initramfs also carries vireo-guest
# (tests/linux/guest.c, built static) and the kernel's msr module, and with
# vireo.groups on the kernel command line /init, before powering off, runs
# a process on each CPU, a remote TLB flush workout and a crash report of
# the kernel's log through the crash MSRs:
#   initramfs: a process on cpu <N>		(for N = 0 and 1)
#   tlb: <count> unmaps with a thread on cpu 1
#   crash: message <length> bytes, crc32 <crc>, at <physical address>
#   crash: reported
# and with vireo.tsc, first of all (make bench compares the figure with and
# without Vireo):
#   initramfs: tsc <the time-stamp counter as userspace starts>

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

LINUX_VMLINUZ=${LINUX_VMLINUZ:-$(printf '%s\n' /boot/vmlinuz-* | sort -V | tail -n1)}
LINUX_BUSYBOX=${LINUX_BUSYBOX:-/bin/busybox}

# Kernel parameters. In Bochs (2 CPUs, 200 M instructions per second each)
# a run to power-off takes about 140 s wall-clock, of which the kernel's own
# boot is 4-7 s of guest time; with only the console parameters it is about
# 33 s of guest time and the run takes minutes longer. Most of the rest
# happens before the kernel runs: OVMF to the shell (the startup.nsh
# countdown included) and the EFI stub unpacking the XZ kernel.
#   console=ttyS0,115200 earlyprintk=serial,ttyS0,115200
#	the whole log on COM1 from the first kernel message; the default
#	loglevel (7) keeps the "smp:" and "ACPI:" lines the tests read.
#   cryptomgr.notests	no self-test of every built-in crypto algorithm:
#			about 26 s of the 33 s of guest time.
#   mitigations=off	no page-table isolation (the emulated Haswell reports
#			Meltdown) and no other speculation workarounds, each
#			paid on every kernel entry.
#   nokaslr		the same load address on every run, so logs compare.
#   no_timer_check	no busy wait for PIT ticks to check the IOAPIC timer.
#   8250.nr_uarts=1	only COM1 is registered.
# Not tsc=reliable: it skips the checks of the TSC between CPUs and the
# clocksource watchdog, and with it a bare 2-CPU boot in Bochs now and then
# stalled after bringing up the second CPU, its timers firing seconds late.
# A panic leaves the machine hung (Debian's default panic=0), so the log ends
# with the panic and the time limit ends the run.
LINUX_PARAMS=${LINUX_PARAMS:-"console=ttyS0,115200 earlyprintk=serial,ttyS0,115200 cryptomgr.notests mitigations=off nokaslr no_timer_check 8250.nr_uarts=1"}

# linux_guest_tools ROOT: vireo-guest in ROOT/bin and the msr module, after
# the modules it depends on, in ROOT/lib/modules (their load order, each
# with its parameters, in ROOT/lib/modules/order), all for the kernel
# LINUX_VMLINUZ. The msr module gets allow_writes=on: otherwise it warns
# about every MSR it does not know that root writes.
linux_guest_tools() {
	local root=$1 version mods=() m deps
	version=$(basename "$LINUX_VMLINUZ")
	version=${version#vmlinuz-}
	gcc -static -O2 -Wall -Wextra -Werror -pthread -o "$root/bin/vireo-guest" \
		"$E2E_ROOT/tests/linux/guest.c" || return 1
	mkdir -p "$root/lib/modules"
	m=$(modinfo -k "$version" -n msr 2>/dev/null) || { echo "linux_guest_tools: no msr module for $version" >&2; return 1; }
	deps=$(modinfo -k "$version" -F depends msr | tr ',' ' ')
	for d in $deps; do mods+=("$(modinfo -k "$version" -n "$d")"); done
	mods+=("$m")
	for m in "${mods[@]}"; do
		case $m in
		*/msr.ko) cp "$m" "$root/lib/modules/" && echo "msr.ko allow_writes=on" >> "$root/lib/modules/order" ;;
		*.ko) cp "$m" "$root/lib/modules/" && basename "$m" >> "$root/lib/modules/order" ;;
		*) echo "linux_guest_tools: $m is compressed; busybox insmod takes .ko" >&2; return 1 ;;
		esac
	done
}

# linux_initramfs OUT: a gzip'ed newc cpio with the static busybox as /bin/busybox
# and /init (and with LINUX_GUEST_TOOLS=1, linux_guest_tools). The kernel
# starts /init with no console open (the archive holds no device nodes), so
# /init opens /dev/console itself once devtmpfs is up.
linux_initramfs() {
	local out=$1 root
	if [ ! -x "$LINUX_BUSYBOX" ]; then
		echo "linux_initramfs: no static busybox at $LINUX_BUSYBOX" >&2
		return 1
	fi
	root=$(mktemp -d)
	mkdir -p "$root/bin" "$root/dev" "$root/proc" "$root/sys"
	cp "$LINUX_BUSYBOX" "$root/bin/busybox"
	if [ "${LINUX_GUEST_TOOLS:-0}" = 1 ] && ! linux_guest_tools "$root"; then
		rm -rf "$root"
		return 1
	fi
	cat > "$root/init" <<-'INIT'
	#!/bin/busybox sh
	/bin/busybox --install -s /bin
	export PATH=/bin
	mount -t proc proc /proc
	mount -t sysfs sysfs /sys
	mount -t devtmpfs devtmpfs /dev
	exec </dev/console >/dev/console 2>&1
	grep -q 'vireo.tsc' /proc/cmdline && echo "initramfs: tsc $(vireo-guest tsc)"
	echo "initramfs: userspace up on $(grep -c '^processor' /proc/cpuinfo) CPUs"
	hv=none
	[ -r /sys/hypervisor/type ] && hv=$(cat /sys/hypervisor/type)
	echo "initramfs: hv $hv"
	if grep -q 'vireo.groups' /proc/cmdline; then
		for cpu in 0 1; do
			taskset -c $cpu sh -c 'echo "initramfs: a process on cpu $(cut -d" " -f39 /proc/self/stat)"'
		done
		vireo-guest tlb 64
		while read -r m args; do insmod /lib/modules/$m $args; done < /lib/modules/order
		dmesg | vireo-guest crash
	fi
	if grep -q 'vireo.shell' /proc/cmdline; then
		echo "initramfs: a shell; 'poweroff -f' ends the run"
		setsid cttyhack sh
	fi
	poweroff -f
	INIT
	chmod 755 "$root/init"
	(set -o pipefail; cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet | gzip -9) > "$out"
	local rc=$?
	rm -rf "$root"
	return $rc
}

# linux_esp DIR [FILE...]: DIR/esp.img with vmlinuz (the newest /boot/vmlinuz-*),
# initrd.img (linux_initramfs), acpi.efi and any further files, all in the
# root directory. The caller then writes startup.nsh with esp_script.
linux_esp() {
	local dir=$1 f
	shift
	if [ -z "$LINUX_VMLINUZ" ] || [ ! -r "$LINUX_VMLINUZ" ]; then
		echo "linux_esp: no readable kernel (/boot/vmlinuz-*)" >&2
		return 1
	fi
	if [ ! -f "$BUILD/acpi.efi" ]; then
		echo "linux_esp: $BUILD/acpi.efi is missing (make build/acpi.efi)" >&2
		return 1
	fi
	esp_create "$dir" || return 1
	linux_initramfs "$dir/initrd.img" || return 1
	esp_add "$dir" "$LINUX_VMLINUZ" ::/vmlinuz || return 1
	esp_add "$dir" "$dir/initrd.img" ::/initrd.img || return 1
	esp_add "$dir" "$BUILD/acpi.efi" || return 1
	for f in "$@"; do
		esp_add "$dir" "$f" || return 1
	done
}

# linux_command [PARAM...]: the UEFI shell line that starts the kernel from
# fs0:, with LINUX_PARAMS and any extra parameters.
linux_command() {
	echo "vmlinuz initrd=\\initrd.img $LINUX_PARAMS${*:+ $*}"
}

# linux_boot DIR SECONDS CPUS: bochs_boot, keeping the Bochs CPU seconds it
# took in DIR/elapsed and the limit in DIR/limit, for expect_powered_off.
linux_boot() {
	local dir=$1 limit=$2 cpus=$3
	bochs_boot "$dir" "$limit" "$cpus"
	echo "$BOCHS_SECONDS" > "$dir/elapsed"
	echo "$limit" > "$dir/limit"
}

# expect_powered_off DIR: the run of linux_boot ended because the guest
# powered off (Bochs' ACPI model quit on SLP_TYP 0 + SLP_EN), not because the
# time limit killed Bochs.
expect_powered_off() {
	local dir=$1 elapsed limit
	elapsed=$(cat "$dir/elapsed") limit=$(cat "$dir/limit")
	if grep -q 'ACPI control: soft power off' "$dir/bochs.out" && [ "$elapsed" -lt "$limit" ]; then
		pass "the guest powered the machine off after $elapsed s of Bochs CPU time (limit $limit s)"
	else
		fail "the guest powered the machine off (ran $elapsed s of Bochs CPU time, limit $limit s)"
	fi
}
