# SPDX-License-Identifier: MIT
# The differential conformance guest (tests/conform/) in one Bochs boot on two
# CPUs: conform.efi on bare metal, vireo.efi, conform.efi again as Vireo's
# guest, and last "conform.efi apic", which leaves the local APICs disabled.
# The two transcripts must agree item by item, on each CPU, except for the
# documented differences below (README "What a guest can see of Vireo").
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# conform_part FROM TO: the item lines of $log between the lines matching FROM and TO,
# if that run of conform.efi got to its end.
conform_part() {
	awk -v from="$1" -v to="$2" '$0 ~ from {p=1; next} $0 ~ to {p=0} p' "$log" > "$dir/part.txt"
	grep -q '^conform: done ' "$dir/part.txt" && grep -v '^conform: done ' "$dir/part.txt" | grep '^conform: '
}

# conform_boot NAME VIREO-ARGS: the boot; sets $dir, $log and the transcripts
# $dir/bare.txt, $dir/vireo.txt, $dir/apic.txt.
conform_boot() {
	local name=$1 args=$2
	dir=$BUILD/e2e/$name
	esp_create "$dir"
	esp_add "$dir" "$BUILD/vireo.efi"
	esp_add "$dir" "$BUILD/conform.efi"
	esp_script "$dir" 'fs0:' 'echo CONFORM-BARE' 'conform.efi' 'echo CONFORM-BARE-RC=%lasterror%' \
		"vireo.efi console_timeout=0 $args" 'echo VIREO-RC=%lasterror%' 'conform.efi' \
		'echo CONFORM-VIREO-RC=%lasterror%' 'conform.efi apic' 'echo CONFORM-APIC-RC=%lasterror%' 'reset -s'
	bochs_boot "$dir" 360 2
	log=$dir/serial.txt
	echo "Bochs CPU seconds: $BOCHS_SECONDS"
	conform_part '^CONFORM-BARE$' '^CONFORM-BARE-RC=' > "$dir/bare.txt"
	conform_part '^VIREO-RC=' '^CONFORM-VIREO-RC=' > "$dir/vireo.txt"
	conform_part '^CONFORM-VIREO-RC=' '^CONFORM-APIC-RC=' > "$dir/apic.txt"
	expect "$log" '^CONFORM-BARE-RC=0x0$' "conform.efi runs on bare metal"
	expect "$log" '^VIREO-RC=0x0$' "vireo.efi loads"
	expect "$log" '^vireo: running; the firmware is now a guest on 2 vCPU\(s\)' "both processors virtualized"
	expect "$log" '^CONFORM-VIREO-RC=0x0$' "conform.efi runs as Vireo's guest"
	expect "$log" '^CONFORM-APIC-RC=0x0$' "conform.efi apic runs as Vireo's guest"
}

# The result of ITEM on CPU in FILE: the line without "conform: CPU ITEM".
result_of() {
	grep -F -m1 -- "conform: $2 $3 " "$1" | sed "s/^conform: $2 $3 //"
}

# The four registers of a CPUID line, as numbers.
cpuid_regs() {
	local f
	read -ra f <<< "$1"
	echo "$((16#${f[-4]})) $((16#${f[-3]})) $((16#${f[-2]})) $((16#${f[-1]}))"
}

# documented_difference CPU BARE-LINE VIREO-LINE: the reason, if the two lines
# differ in one of the ways Vireo documents, else nothing. Each case also says
# what Vireo must show instead; anything else is a failure.
documented_difference() {
	local cpu=$1 b=${2#conform: * } v=${3#conform: * } gp
	# A #GP as the processor itself raises it from these instructions on this CPU.
	gp=$(result_of "$dir/bare.txt" "$cpu" "rdmsr 00000830")
	case $b in
	# VMX is hidden: setting CR4.VMXE faults as for a bit the processor does not have.
	"cr4 ^0d VMXE "*)
		[ "${v#cr4 ^0d VMXE }" = "$(result_of "$dir/bare.txt" "$cpu" "cr4 ^0e SMXE")" ] && echo "VMX hidden" ;;
	# VMX is hidden: its capability MSRs fault.
	"rdmsr 00000480 "*)
		[ "${v#rdmsr 00000480 }" = "$gp" ] && echo "VMX hidden" ;;
	# IA32_FEATURE_CONTROL: Vireo locks it, VMX enabled, where the firmware left it unlocked.
	"rdmsr 0000003a "*)
		[ $(( 16#${v##* } & 5 )) -eq 5 ] && echo "IA32_FEATURE_CONTROL locked" ;;
	# The synthetic MSRs: #GP without viridian, as on hardware (Bochs itself
	# reads an unknown MSR as 0 and ignores a write to it); the partition's
	# with viridian.
	"rdmsr 40000000 "* | "wrmsr 40000000 "*)
		if [ -z "$viridian" ]; then [ "${v#* 40000000 }" = "$gp" ] && echo "hypervisor MSRs"
		else echo "hypervisor MSRs"; fi ;;
	# VMCALL is the call of the hypervisor below the guest: where the bare run
	# has one (KVM answers it), under Vireo it is Vireo's, which raises #UD
	# without a hypercall page, as a processor outside VMX operation does.
	"vmcall "* | "tf vmcall "* | "cpl3 vmcall "*)
		case $b in *" #UD "*) return ;; esac
		[[ $v == *"vmcall #UD rip+0 "* ]] && (( 16#$(sed 's/.* fl=\([0-9a-f]*\) .*/\1/' <<< "$v") & 0x10000 )) &&
			echo "VMCALL is the hypervisor's" ;;
	# CPUID.1:ECX: bit 31 (a hypervisor is present) set, bit 5 (VMX) clear; nothing else.
	"cpuid "*"00000001.00 "*)
		local rb rv
		read -ra rb <<< "$(cpuid_regs "$b")"
		read -ra rv <<< "$(cpuid_regs "$v")"
		[ "${rb[0]} ${rb[1]} ${rb[3]}" = "${rv[0]} ${rv[1]} ${rv[3]}" ] &&
			[ $(( rv[2] )) -eq $(( (rb[2] | 0x80000000) & ~0x20 )) ] && echo "hypervisor bit, VMX hidden" ;;
	esac
}

# What an item belongs to, for the report.
category() {
	case ${1#conform: * } in
	cr0* | cr4* | cpuid* | cpl3*) echo "${1#conform: * }" | cut -d' ' -f1 ;;
	rdmsr* | wrmsr*) echo msr ;;
	osxsave*) echo xsave ;;
	*) echo faults ;;
	esac
}

# conform_compare WHAT [CPUS]: the bare and Vireo transcripts item by item, of
# a run on CPUS processors (2 unless given); one PASS line per CPU and kind of
# item, a FAIL line per unexplained difference.
conform_compare() {
	local what=$1 cpus=${2:-2} nb nv b v cpu cat reason key last
	local -A same=() documented=() reasons=()
	nb=$(wc -l < "$dir/bare.txt")
	nv=$(wc -l < "$dir/vireo.txt")
	# conform.efi prints some 150 items on each processor; the last one is ap<CPUS-1>.
	last=bsp
	[ "$cpus" -gt 1 ] && last=ap$((cpus - 1))
	if [ "$nb" -lt $((140 * cpus)) ] || [ "$nb" -ne "$nv" ] || ! grep -q "^conform: $last " "$dir/vireo.txt"; then
		fail "$what: both runs print every item on $cpus CPU(s) ($nb lines bare, $nv under Vireo)"
		return
	fi
	while IFS=$'\t' read -r b v; do
		cpu=${b#conform: }
		cpu=${cpu%% *}
		key="$cpu $(category "$b")"
		same[$key]=$(( ${same[$key]:-0} + 0 ))
		if [ "$b" = "$v" ]; then
			same[$key]=$(( ${same[$key]} + 1 ))
			continue
		fi
		reason=$(documented_difference "$cpu" "$b" "$v")
		if [ -z "$reason" ]; then
			fail "$what: $cpu: not as on bare metal: '${b#conform: }' became '${v#conform: }'"
			continue
		fi
		documented[$key]=$(( ${documented[$key]:-0} + 1 ))
		case ${reasons[$key]:-} in
		*"$reason"*) ;;
		*) reasons[$key]="${reasons[$key]:+${reasons[$key]}, }$reason" ;;
		esac
	done < <(paste "$dir/bare.txt" "$dir/vireo.txt")
	for key in $(printf '%s\n' "${!same[@]}" | tr ' ' '/' | sort); do
		key=${key/\// }
		if [ -n "${documented[$key]:-}" ]; then
			pass "$what: $key: ${same[$key]} items as on bare metal," \
			     "${documented[$key]} documented differences (${reasons[$key]})"
		else
			pass "$what: $key: ${same[$key]} items as on bare metal"
		fi
	done
}

# check_apic_disabled: a guest that disables its APIC sees CPUID.1:EDX.APIC
# clear, and its stores to the page go to memory nothing answers for, byte by
# byte, without a line in Vireo's log (the page is read-only in the EPT).
check_apic_disabled() {
	local cpu on off running before after ron roff
	for cpu in bsp ap1; do
		on=$(result_of "$dir/apic.txt" "$cpu" "cpuid apic=on 00000001.00")
		off=$(result_of "$dir/apic.txt" "$cpu" "cpuid apic=off 00000001.00")
		running=$(result_of "$dir/vireo.txt" "$cpu" "cpuid 00000001.00")
		read -ra ron <<< "$(cpuid_regs "${on:-0 0 0 0}")"
		read -ra roff <<< "$(cpuid_regs "${off:-0 0 0 0}")"
		# With the APIC on, leaf 1 is as in the run before; disabled, only EDX[9] changes, to 0.
		if [ -n "$on" ] && [ "$on" = "$running" ] && (( ron[3] & 0x200 )) &&
		   [ "${roff[*]}" = "${ron[0]} ${ron[1]} ${ron[2]} $(( ron[3] & ~0x200 ))" ]; then
			pass "$cpu: CPUID.1:EDX.APIC follows IA32_APIC_BASE (set, then clear with the APIC disabled)"
		else
			fail "$cpu: CPUID.1:EDX.APIC follows IA32_APIC_BASE ('$on', then '$off')"
		fi
		before=$(result_of "$dir/apic.txt" "$cpu" "apic=off page before")
		after=$(result_of "$dir/apic.txt" "$cpu" "apic=off page after")
		if [ -n "$before" ] && [ "$before" = "$after" ]; then
			pass "$cpu: byte stores to the page of a disabled APIC go where bare metal sends them (reads $after)"
		else
			fail "$cpu: byte stores to the page of a disabled APIC ('$before', then '$after')"
		fi
	done
	expect_not "$log" 'write to the local APIC' "no log line for stores to the page of a disabled APIC"
}
