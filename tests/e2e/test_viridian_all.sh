#!/usr/bin/env bash
# viridian = ["all"] on 2 CPUs: every group on, the time groups too (Bochs'
# Haswell has an invariant TSC, CPUID 0x80000007 EDX bit 8, so tsc_invariant
# is taken). probe.efi shows every leaf bit and MSR the groups add, the
# reference TSC page and CPUID 0x80000007 before and after
# TSC_INVARIANT_CONTROL; probe.efi groups shows the crash reports Vireo
# prints, every status of the flush and IPI calls, and on the second CPU a
# flush that took effect before the call returned and IPIs taken once each;
# Vireo's counters show each call code.
. "$(dirname "$0")/viridian.sh"
mask=0x3e7f	# base, freq, time_ref_count, reference_tsc, hcall_remote_tlb_flush, apic_assist, crash_ctl,
		# hcall_ipi, ex_processor_masks, no_vp_limit, cpu_hotplug, tsc_invariant
viridian_boot viridian_all 'viridian=all' 2 'probe.efi groups' 'probe.efi stats'
check_viridian_leaves $mask
check_viridian_msrs $mask
check_hypercalls $mask
check_time $mask
check_groups $mask
expect "$log" '^vireo: stats: vcpu0 hypercall 0002 [1-9][0-9]*, 0003 [1-9][0-9]*, 0008 [1-9][0-9]*, 000b [1-9][0-9]*, 0013 [1-9][0-9]*, 0014 [1-9][0-9]*, 0015 [1-9][0-9]*' \
	"Vireo counts each flush and IPI call code"
finish
