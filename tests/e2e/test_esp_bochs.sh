#!/usr/bin/env bash
# The image `make esp` builds boots Vireo by itself (the firmware's
# removable-media path, no startup.nsh), with its vireo.cfg, and Vireo then
# starts the configured next loader, here probe.efi. The firmware shows its
# boot menu once the boot option returns, so the run ends on the probe's last
# line.
. "$(dirname "$0")/lib.sh"
dir=$BUILD/e2e/esp_bochs
mkdir -p "$dir"
rm -f "$dir/serial.log"
"$E2E_ROOT/boot/make-esp" "$dir/esp.img" --next '\EFI\vireo\probe.efi' \
	--add "$BUILD/probe.efi=/EFI/vireo/probe.efi" > "$dir/make-esp.out"
expect "$dir/make-esp.out" 'BOOTX64  EFI' "image holds \\EFI\\BOOT\\BOOTX64.EFI"
expect "$dir/make-esp.out" 'vireo    cfg' "image holds \\EFI\\BOOT\\vireo.cfg"
mtype -i "$dir/esp.img" ::/EFI/BOOT/vireo.cfg > "$dir/vireo.cfg"
expect "$dir/vireo.cfg" "^next = '\\\\EFI\\\\vireo\\\\probe.efi'$" "vireo.cfg names the next loader"
bochs_boot "$dir" 240 2 '^probe: done$'
log=$dir/serial.txt
# The firmware started Vireo: there is no shell in this boot at all.
expect_not "$log" 'UEFI Interactive Shell' "no UEFI shell involved"
cp "$log" "$dir/before-shell.txt"
expect "$dir/before-shell.txt" '^Vireo [0-9.]+: a microhypervisor for Intel VT-x' "the firmware boots Vireo from the removable-media path"
expect "$dir/before-shell.txt" '^viridian = \["base", "freq"\]$' "Vireo read \\EFI\\BOOT\\vireo.cfg"
expect "$dir/before-shell.txt" '^vireo: running; the firmware is now a guest on 2 vCPU\(s\)$' "every processor virtualized"
expect "$dir/before-shell.txt" '^vireo: starting \\EFI\\vireo\\probe.efi$' "Vireo starts the next loader"
expect_line "$dir/before-shell.txt" "probe: cpuid 40000000" "40000006 7263694d 666f736f 76482074" "the next loader runs as the guest, with the configured enlightenments"
expect "$dir/before-shell.txt" '^probe: done$' "the next loader ran to the end"
expect_not "$log" 'vireo: error:|unexpected VM exit|host: exception' "no host errors"
finish
