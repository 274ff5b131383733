#!/usr/bin/env bash
# The differential conformance guest with viridian = ["base", "freq"], on 2
# CPUs: enlightenments change nothing a guest sees outside the hypervisor's
# leaves and MSRs (tests/e2e/conform.sh).
. "$(dirname "$0")/conform.sh"
viridian=base,freq
conform_boot conform_viridian_bochs 'viridian=base,freq'
conform_compare "viridian base,freq"
check_apic_disabled
expect_not "$log" 'vireo: error:|vireo: warning:|unexpected VM exit|host: exception|not restored' "no errors or warnings"
finish
