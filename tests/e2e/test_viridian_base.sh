#!/usr/bin/env bash
# viridian = ["base"] on 2 CPUs: the guest sees the base leaves and MSRs and
# none of the other groups: no frequency enlightenments, #GP on the crash
# MSRs, HV_STATUS_ACCESS_DENIED from the flush and IPI calls (and the second
# CPU keeps its stale translation and takes no IPI).
. "$(dirname "$0")/viridian.sh"
viridian_boot viridian_base 'viridian=base' 2 'probe.efi groups'
check_viridian_leaves 1
check_viridian_msrs 1
check_hypercalls 1
check_groups 1
check_time 1
finish
