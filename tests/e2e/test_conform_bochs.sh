#!/usr/bin/env bash
# The differential conformance guest with viridian off, on 2 CPUs: every CR0
# and CR4 bit, CPUID with every subleaf, faults and traps with their frames,
# XSAVE, ring 3, each as on bare metal (tests/e2e/conform.sh).
. "$(dirname "$0")/conform.sh"
viridian=
conform_boot conform_bochs ''
conform_compare "viridian off"
check_apic_disabled
expect_not "$log" 'vireo: error:|vireo: warning:|unexpected VM exit|host: exception|not restored' "no errors or warnings"
finish
