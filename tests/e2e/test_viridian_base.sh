#!/usr/bin/env bash
# viridian = ["base"] on 2 CPUs: the guest sees the base leaves and MSRs and
# none of the other groups: no frequency enlightenments, #GP on the crash
# MSRs, HV_STATUS_ACCESS_DENIED from the flush and IPI calls (and the second
# CPU keeps its stale translation and takes no IPI). Then the firmware's MP
# services run a procedure on the AP, which OVMF wakes with INIT-SIPI-SIPI
# through Vireo; and an NMI sent to the AP just before such a wake-up reaches
# the AP's handler once: Vireo delivers the guest's NMI IPIs itself, so the
# kick that carries the INIT never swallows it.
. "$(dirname "$0")/viridian.sh"
viridian_boot viridian_base 'viridian=base' 2 'probe.efi groups' 'probe.efi mp' 'probe.efi mp-nmi'
expect "$log" '^vireo: ipi: INIT is not consumed by its VM exit here: 0 of 2 processor' \
	"Bochs 2.7 drops the INIT each processor sends itself at load: Vireo intercepts IPIs"
check_viridian_leaves 1
check_viridian_msrs 1
check_hypercalls 1
check_groups 1
check_time 1
expect_line "$log" "probe: mp cpu 1 apic" "1 vp 1" "the AP runs a procedure of the firmware's MP services, as vCPU 1"
sipis=$(grep -c '^vireo: vcpu1: started by SIPI at 0x[0-9a-f]*000$' "$log")
[ "$sipis" -ge 2 ] && pass "OVMF wakes the AP for each procedure with INIT and SIPI, through Vireo ($sipis starts)" ||
	fail "OVMF wakes the AP for each procedure with INIT and SIPI, through Vireo ($sipis starts)"
expect_line "$log" "probe: mp-nmi cpu 1 nmi" "1" "an NMI, then INIT-SIPI-SIPI, to the AP: the NMI's handler runs once"
runs=$(grep -c '^probe: mp cpu 1 apic 1 vp 1$' "$log")
[ "$runs" -eq 2 ] && pass "the AP runs its procedure after the NMI too" ||
	fail "the AP runs its procedure after the NMI too (ran $runs of 2 times)"
finish
