#!/usr/bin/env bash
# viridian = ["base", "freq"] on 2 CPUs: base plus the frequency MSRs, which
# report the rates Vireo measured.
. "$(dirname "$0")/viridian.sh"
viridian_boot viridian_freq 'viridian=base,freq' 2
check_viridian_leaves 3
check_viridian_msrs 3
check_hypercalls 3
check_time 3
finish
