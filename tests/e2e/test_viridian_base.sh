#!/usr/bin/env bash
# viridian = ["base"] on 2 CPUs: the guest sees the base leaves and MSRs and
# none of the frequency enlightenments.
. "$(dirname "$0")/viridian.sh"
viridian_boot viridian_base 'viridian=base' 2
check_viridian_leaves 1
check_viridian_msrs 1
check_hypercalls 1
finish
