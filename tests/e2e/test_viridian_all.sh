#!/usr/bin/env bash
# viridian = ["all"] on 2 CPUs: every group on. probe.efi shows every leaf
# bit and MSR the groups add; probe.efi groups shows the crash reports Vireo
# prints, every status of the flush and IPI calls, and on the second CPU a
# flush that took effect before the call returned and IPIs taken once each;
# Vireo's counters show each call code.
. "$(dirname "$0")/viridian.sh"
mask=0x1e73	# base, freq, hcall_remote_tlb_flush, apic_assist, crash_ctl, hcall_ipi, ex_processor_masks,
		# no_vp_limit, cpu_hotplug
viridian_boot viridian_all 'viridian=all' 2 'probe.efi groups' 'probe.efi stats'
check_viridian_leaves $mask
check_viridian_msrs $mask
check_hypercalls $mask
check_groups $mask
expect "$log" '^vireo: stats: vcpu0 hypercall 0002 [1-9][0-9]*, 0003 [1-9][0-9]*, 0008 [1-9][0-9]*, 000b [1-9][0-9]*, 0013 [1-9][0-9]*, 0014 [1-9][0-9]*, 0015 [1-9][0-9]*' \
	"Vireo counts each flush and IPI call code"
finish
