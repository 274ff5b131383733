#!/usr/bin/env bash
# After ExitBootServices nothing of the firmware is left to lean on: ebs.efi
# leaves boot services as an OS loader does, then Vireo must still answer
# CPUID and a management call (printing its statistics on COM1 itself), and
# the guest powers the machine off.
. "$(dirname "$0")/lib.sh"
dir=$BUILD/e2e/ebs_bochs
esp_create "$dir"
esp_add "$dir" "$BUILD/vireo.efi"
esp_add "$dir" "$BUILD/ebs.efi"
esp_script "$dir" 'fs0:' 'vireo.efi console_timeout=0 viridian=base' 'ebs.efi'
bochs_boot "$dir" 180 1
log=$dir/serial.txt
expect "$log" '^ebs: exited boot services$' "the guest left boot services"
expect_line "$log" "ebs: cpuid 40000000" "7263694d 666f736f 76482074" "Vireo answers CPUID after ExitBootServices"
expect "$log" "^ebs: mgmt rax=0000000000000000$" "Vireo answers a management call after ExitBootServices"
expect "$log" '^vireo: stats: vcpu0 total [0-9]+ exits$' "Vireo prints its statistics on COM1 without the firmware"
expect "$dir/bochs.out" 'ACPI control: soft power off' "the guest powered the machine off"
expect_not "$log" 'vireo: error:|unexpected VM exit|host: exception' "no host errors"
finish
