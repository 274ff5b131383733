# SPDX-License-Identifier: MIT
# QEMU/KVM with nested VT-x, the way a user runs Vireo on an Intel host
# (qemu-system-x86_64 -enable-kvm -cpu host,+vmx, OVMF as pflash), built
# inside Bochs from the installed Debian packages:
#
#   Bochs (VT-x) -> OVMF -> acpi.efi -> Debian's kernel + initramfs
#     -> insmod irqbypass, kvm, kvm-intel nested=1
#     -> qemu-system-x86_64 -enable-kvm -cpu host,+vmx, OVMF as pflash
#        -> UEFI shell -> vireo.efi (under KVM) -> probe.efi (Vireo's guest)
#
#   . "$(dirname "$0")/nested.sh"
#   nested_qemu_esp "$dir" 1 'fs0:' 'vireo.efi console_timeout=0' 'probe.efi' 'reset -s'
#   nested_boot "$dir" 900 "1 1" "1 2"	# QEMU boots, in order: "<image> <vCPUs>"
#   nested_qemu_log "$dir" 2		# -> $dir/qemu2.txt, what the second QEMU boot printed
#
# The kernel gets two initrds (the EFI stub concatenates them): the base
# (static busybox, the KVM modules, QEMU with every library it loads,
# kvmvapic.bin, OVMF), built once and kept under build/nested/ keyed on the
# versions of the packages its files come from, and a small one per run
# with /init and the QEMU boots' ESP images. All QEMU boots of one run
# share one OVMF variable store, as a machine keeps its NVRAM across boots.
#
# /init prints, on the serial console:
#   nested: userspace up, kvm_intel nested=<Y|N> ept=<Y|N> unrestricted_guest=<Y|N>
#   nested: qemu <n> start, <vCPUs> vCPU(s), at <uptime> s
#   ... what QEMU's serial port shows (OVMF, the shell, Vireo, the probe) ...
#   nested: qemu <n> exit status <rc>, at <uptime> s
# then powers off. QEMU's serial console is its stdio; a key on it ends the
# shell's 5-second startup.nsh countdown (busy polling, costly here).
. "$(dirname "${BASH_SOURCE[0]}")/linux.sh"

NESTED_QEMU=/usr/bin/qemu-system-x86_64
NESTED_OVMF_CODE=/usr/share/OVMF/OVMF_CODE_4M.fd
NESTED_OVMF_VARS=/usr/share/OVMF/OVMF_VARS_4M.fd
# The only data file QEMU opens with the options below (found with strace).
NESTED_QEMU_DATA=/usr/share/qemu/kvmvapic.bin
# Emulated seconds a QEMU boot may take before /init kills it, and that its
# guest may stay silent once the shell is up, so that one hung boot still
# leaves its log and lets the next boots run. A QEMU boot takes about 30 s
# of emulated time.
NESTED_QEMU_LIMIT=150
NESTED_QEMU_SILENCE=20

nested_kernel_version() {
	basename "$LINUX_VMLINUZ" | sed 's/^vmlinuz-//'
}

# The files of the base initrd, one path a line.
nested_base_files() {
	local mods
	mods=/lib/modules/$(nested_kernel_version)/kernel
	printf '%s\n' "$LINUX_BUSYBOX" "$mods/virt/lib/irqbypass.ko" "$mods/arch/x86/kvm/kvm.ko" \
		"$mods/arch/x86/kvm/kvm-intel.ko" "$NESTED_QEMU" "$NESTED_QEMU_DATA" \
		"$NESTED_OVMF_CODE" "$NESTED_OVMF_VARS"
	ldd "$NESTED_QEMU" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'
}

# The cache key of the base initrd: the packages its files come from, with
# their versions, and how it is built (the text of the functions that
# build it).
nested_base_key() {
	local files=$1 packages
	# A file is known to dpkg by the path its package installed, which on a
	# merged-/usr system may be the link or its target.
	packages=$(dpkg-query -S $files $(readlink -f $files) 2>/dev/null | sed 's/: .*//' | tr -d ' ' | tr ',' '\n' |
		sort -u)
	[ -n "$packages" ] || return 1
	{ dpkg-query -W -f '${Package} ${Version}\n' $packages; echo "$files"
	  declare -f nested_base_files nested_base_key nested_base_initrd; } | sha256sum | cut -c1-16
}

# nested_base_initrd: prints the path of the base initrd, building it if no
# copy for these package versions is cached.
nested_base_initrd() {
	local files key out root f
	files=$(nested_base_files) || return 1
	for f in $files; do
		[ -r "$f" ] || { echo "nested_base_initrd: $f is missing" >&2; return 1; }
	done
	key=$(nested_base_key "$files") || { echo "nested_base_initrd: dpkg knows none of its files" >&2; return 1; }
	out=$BUILD/nested/base-$key.cpio.zst
	[ -f "$out" ] && { echo "$out"; return 0; }
	mkdir -p "$BUILD/nested"
	root=$(mktemp -d)
	for f in $files; do
		mkdir -p "$root$(dirname "$f")"
		cp -L "$f" "$root$f"
	done
	mkdir -p "$root/bin"
	[ -e "$root/bin/busybox" ] || cp -L "$LINUX_BUSYBOX" "$root/bin/busybox"
	# zstd -19: OVMF reads the initrd at about 3.4 Bochs CPU seconds a MB.
	if ! (set -o pipefail; cd "$root" && find . | LC_ALL=C sort |
	      cpio -o -H newc -R 0:0 --quiet | zstd -q -19 -T0) > "$out.tmp"; then
		rm -rf "$root" "$out.tmp"
		return 1
	fi
	rm -rf "$root"
	mv "$out.tmp" "$out"
	echo "$out"
}

# nested_qemu_esp DIR N LINE...: the FAT image QEMU boot N starts from,
# DIR/qemu/esp<N>.img, with vireo.efi, probe.efi, conform.efi and a
# startup.nsh of LINEs.
nested_qemu_esp() {
	local dir=$1 n=$2 img
	shift 2
	img=$dir/qemu/esp$n.img
	mkdir -p "$dir/qemu"
	rm -f "$img"
	dd if=/dev/zero of="$img" bs=1M count=2 status=none
	mformat -i "$img" ::
	mcopy -i "$img" "$BUILD/vireo.efi" "$BUILD/probe.efi" "$BUILD/conform.efi" ::/
	{ printf '@echo -off\r\n'; for l in "$@"; do printf '%s\r\n' "$l"; done; } > "$dir/qemu/startup$n.nsh"
	mcopy -i "$img" "$dir/qemu/startup$n.nsh" ::/startup.nsh
}

# The initramfs's /init; @BOOTS@, @LIMIT@ and @SILENCE@ are filled in.
nested_init_script() {
	cat <<-'INIT'
	#!/bin/busybox sh
	/bin/busybox --install -s /bin
	export PATH=/bin:/usr/bin
	mount -t proc proc /proc
	mount -t sysfs sysfs /sys
	mount -t devtmpfs devtmpfs /dev
	exec </dev/console >/dev/console 2>&1
	m=/lib/modules/$(uname -r)/kernel
	# One emulated CPU runs every vCPU thread: a vCPU that polls before it halts only delays the others.
	insmod $m/virt/lib/irqbypass.ko
	insmod $m/arch/x86/kvm/kvm.ko halt_poll_ns=0
	insmod $m/arch/x86/kvm/kvm-intel.ko nested=1
	p=/sys/module/kvm_intel/parameters
	echo "nested: userspace up, kvm_intel nested=$(cat $p/nested) ept=$(cat $p/ept)" \
		"unrestricted_guest=$(cat $p/unrestricted_guest)"
	cp /usr/share/OVMF/OVMF_VARS_4M.fd /vars.fd
	mkfifo /serial-in
	exec 3<>/serial-in
	uptime_s() { cut -d' ' -f1 /proc/uptime; }
	# Ends the shell's countdown with a key, then stops a QEMU whose guest
	# has printed nothing for @SILENCE@ s: a hang ends that boot, not the run.
	watch_qemu() {
		local keyed= quiet=0 size last=-1
		while sleep 1; do
			size=$(wc -c < /serial-out)
			if [ -z "$keyed" ]; then
				grep -q 'any other key' /serial-out && printf ' ' > /serial-in && keyed=1
			elif [ "$size" = "$last" ]; then
				quiet=$((quiet + 1))
				if [ $quiet -ge @SILENCE@ ]; then
					echo "nested: qemu $1 printed nothing for @SILENCE@ s: stopped"
					kill -9 $(pidof qemu-system-x86_64)
				fi
			else
				quiet=0
			fi
			last=$size
		done
	}
	n=0
	while read -r image cpus; do
		n=$((n + 1))
		echo "nested: qemu $n start, $cpus vCPU(s), at $(uptime_s) s"
		: > /serial-out
		watch_qemu "$n" &
		watcher=$!
		{ timeout @LIMIT@ /usr/bin/qemu-system-x86_64 -nodefaults -no-user-config -machine q35,accel=kvm \
			-cpu host,+vmx -m 256 -smp "$cpus" -display none -serial stdio -monitor none -net none \
			-no-reboot \
			-drive if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd \
			-drive if=pflash,format=raw,file=/vars.fd \
			-drive format=raw,file=/nested/esp$image.img,if=virtio <&3
		  echo $? > /qemu-rc; } | tee /serial-out
		kill $watcher
		echo "nested: qemu $n exit status $(cat /qemu-rc), at $(uptime_s) s"
	done <<-BOOTS
	@BOOTS@
	BOOTS
	poweroff -f
	INIT
}

# nested_boot DIR SECONDS BOOT...: one Bochs run (1 CPU, 1 GiB) of the
# kernel with KVM, which boots QEMU once per BOOT ("<image> <vCPUs>", images
# from nested_qemu_esp), SECONDS of Bochs CPU time at most, as linux_boot.
nested_boot() {
	local dir=$1 limit=$2 base root b
	shift 2
	base=$(nested_base_initrd) || { fail "the base initrd (KVM modules, QEMU, OVMF)"; return 1; }
	root=$dir/initrd
	rm -rf "$root"
	mkdir -p "$root/nested" "$root/proc" "$root/sys" "$root/dev"
	for b in "$@"; do
		cp -n "$dir/qemu/esp${b%% *}.img" "$root/nested/"
	done
	nested_init_script | awk -v boots="$(printf '%s\n' "$@")" -v limit="$NESTED_QEMU_LIMIT" \
		-v silence="$NESTED_QEMU_SILENCE" \
		'{ gsub(/@LIMIT@/, limit); gsub(/@SILENCE@/, silence) } /@BOOTS@/ { print boots; next } { print }' \
		> "$root/init"
	chmod 755 "$root/init"
	(set -o pipefail; cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet | gzip -9) \
		> "$dir/nested.img" || { fail "the run's initrd"; return 1; }
	esp_create "$dir" 64
	esp_add "$dir" "$LINUX_VMLINUZ" ::/vmlinuz
	esp_add "$dir" "$base" ::/base.img
	esp_add "$dir" "$dir/nested.img" ::/nested.img
	esp_add "$dir" "$BUILD/acpi.efi"
	esp_script "$dir" 'fs0:' 'acpi.efi' "vmlinuz initrd=\\base.img initrd=\\nested.img $LINUX_PARAMS"
	BOCHS_MEGS=1024 linux_boot "$dir" "$limit" 1
}

# nested_qemu_log DIR N: DIR/qemu<N>.txt, the lines of the Nth QEMU boot.
nested_qemu_log() {
	local dir=$1 n=$2
	awk -v n="$n" '$0 ~ "^nested: qemu " n " start" { p = 1 } p { print }
		$0 ~ "^nested: qemu " n " exit status" { exit }' "$dir/serial.txt" > "$dir/qemu$n.txt"
}
