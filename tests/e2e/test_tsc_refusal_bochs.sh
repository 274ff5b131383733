#!/usr/bin/env bash
# tsc_invariant on a processor whose TSC is not invariant: Bochs' generic
# CPU with VT-x, EPT and unrestricted guest (vmx=2), whose CPUID 0x80000007
# reports no invariant TSC. Vireo refuses the set with the group at load,
# with the reason, and the shell goes on; "all" is refused the same way,
# not narrowed to what the processor can do. The same processor then runs
# Vireo with "all" but tsc_invariant, and the guest sees CPUID 0x80000007
# as the processor reports it.
. "$(dirname "$0")/lib.sh"
dir=$BUILD/e2e/tsc_refusal
export BOCHS_CPUID="level=6, family=6, model=0x3c, stepping=3, x86_64=1, 1g_pages=1, pcid=1, fsgsbase=1, mmx=1, sep=1, simd=avx2, apic=x2apic, aes=1, movbe=1, xsave=1, xsaveopt=1, avx_f16c=1, avx_fma=1, bmi=bmi2, smep=1, vmx=2"
esp_create "$dir"
esp_add "$dir" "$BUILD/vireo.efi"
esp_add "$dir" "$BUILD/probe.efi"
esp_script "$dir" 'fs0:' \
	'vireo.efi console_timeout=0 viridian=base,freq,time_ref_count,reference_tsc,tsc_invariant' \
	'echo REFUSED-RC=%lasterror%' \
	'vireo.efi console_timeout=0 viridian=all' 'echo REFUSED-ALL-RC=%lasterror%' \
	'vireo.efi console_timeout=0 viridian=all,!tsc_invariant' 'echo VIREO-RC=%lasterror%' \
	'probe.efi' 'reset -s'
bochs_boot "$dir" 240 1
log=$dir/serial.txt

refusal='^vireo: error: viridian: tsc_invariant needs a processor with an invariant TSC \(CPUID 0x80000007 EDX bit 8\), which this one lacks; leave it out with "!tsc_invariant"$'
n=$(grep -Ec "$refusal" "$log")
[ "$n" -eq 2 ] && pass "tsc_invariant is refused at load, by name and in \"all\", with the reason and the way out" ||
	fail "tsc_invariant is refused at load, by name and in \"all\", with the reason ($n such lines, want 2)"
expect "$log" '^vireo: error: viridian mask 0x200f refused \(ENODEV\)$' "the mask is refused whole (ENODEV), not set without the group"
expect "$log" '^REFUSED-RC=0x2$' "vireo.efi returns EFI_INVALID_PARAMETER and the shell goes on"
expect "$log" '^vireo: error: viridian mask 0x3e7f refused \(ENODEV\)$' "\"all\" is refused whole too, not narrowed to what the processor has"
expect "$log" '^REFUSED-ALL-RC=0x2$' "vireo.efi returns EFI_INVALID_PARAMETER for \"all\""
expect "$log" '^vireo: partition: viridian = 0x1e7f$' "the same processor takes \"all\" without tsc_invariant"
expect "$log" '^VIREO-RC=0x0$' "vireo.efi loads"
expect_line "$log" "probe: cpuid 40000003" "00000a72 00000000 00000000 00000508" "the guest gets every privilege but TSC-invariant"
expect_line "$log" "probe: cpuid 80000007" "00000000 00000000 00000000 00000000" "CPUID 0x80000007 as the processor reports it: no invariant TSC"
expect_line "$log" "probe: page-msr 40000021 bytes" "00000000ffffffff" "the reference TSC page says sequence 0 (read the MSR) on this processor"
expect "$log" '^probe: rdmsr 40000020 = 0000[0-9a-f]{12}$' "TIME_REF_COUNT still counts"
expect_not "$log" 'unexpected VM exit|host: exception|cannot be resolved' "no host errors"
finish
