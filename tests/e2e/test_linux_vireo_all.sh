#!/usr/bin/env bash
# Linux on 2 CPUs under Vireo with viridian = ["all"]: it sees every group,
# keeps its TSC clocksource as on bare metal (tsc_invariant is in "all"),
# flushes remote TLBs and sends IPIs by hypercall, runs userspace on both
# CPUs, and reports a crash through the crash MSRs as Linux does since 2023
# (its kernel log as the message, written from userspace through the msr
# module: Debian's 6.1 reports a panic only through VMBus). Vireo prints the
# crash registers and the message on its own log, and counts the calls.
. "$(dirname "$0")/linux_vireo.sh"
export LINUX_GUEST_TOOLS=1
linux_vireo_boot linux_vireo_all all vireo.groups

# Leaf 0x40000003: base, freq and time privileges (0x8a72: TIME_REF_COUNT 1, REFERENCE_TSC 9,
# TSC-invariant 15); EDX frequency MSRs, cpu_hotplug (3), crash MSRs (10).
# Leaf 0x40000004: remote TLB flush (2), cluster IPI (10), _Ex calls (11).
expect "$log" '^\[ *[0-9.]+\] Hyper-V: privilege flags low 0x8a72, high 0x0, .*hints 0xc04, misc 0x508$' \
	"Linux reads every group's privileges, recommendations and features"
# With the TSC-invariant privilege Linux trusts the TSC and prefers it to the reference TSC page
# (whose clocksource it rates below the TSC's then), as on bare metal.
expect_not "$log" 'Marking TSC unstable' "Linux trusts the TSC"
expect "$log" '^\[ *[0-9.]+\] clocksource: Switched to clocksource tsc$' "Linux keeps time with the TSC, as on bare metal"
expect "$log" '^\[ *[0-9.]+\] sched_clock: Marking stable ' "sched_clock is stable, as on bare metal"
expect "$log" '^\[ *[0-9.]+\] Hyper-V: Using hypercall for remote TLB flush$' "Linux flushes remote TLBs by hypercall"
expect "$log" '^\[ *[0-9.]+\] Hyper-V: Using IPI hypercalls$' "Linux sends IPIs by hypercall"
expect "$log" '^\[ *[0-9.]+\] Hyper-V: enabling crash_kexec_post_notifiers$' "Linux sees the crash MSRs"
expect_not "$log" 'Hyper-V: Using enlightened APIC' "no APIC-MSR recommendation (apic_assist shows nothing)"
expect "$log" '^initramfs: a process on cpu 0$' "userspace runs on CPU 0"
expect "$log" '^initramfs: a process on cpu 1$' "userspace runs on CPU 1"
expect_line "$log" "tlb:" "64 unmaps with a thread on cpu 1" "a process with a thread on each CPU unmaps 64 pages"
expect_not "$log" 'msr: Write to unrecognized MSR' "the msr module writes the crash MSRs without a warning"

# Vireo's counters: the calls Linux made, summed over both vCPUs.
calls() {
	awk -v codes="$1" '
		/^vireo: stats: vcpu[0-9]+ hypercall / {
			sub(/^vireo: stats: vcpu[0-9]+ hypercall /, "")
			n = split($0, items, ", ")
			for (i = 1; i <= n; i++) {
				split(items[i], kv, " ")
				if (index(" " codes " ", " " kv[1] " "))
					total += kv[2]
			}
		}
		END { print total + 0 }' "$log"
}
flushes=$(calls "0002 0003 0013 0014") ipis=$(calls "000b 0015")
[ "$flushes" -gt 0 ] && pass "Vireo counts the flush calls Linux made ($flushes)" || fail "Vireo counts flush calls (none)"
[ "$ipis" -gt 0 ] && pass "Vireo counts the IPI calls Linux made ($ipis)" || fail "Vireo counts IPI calls (none)"
expect "$log" '^vireo: viridian: VP [01] made the first HvCallFlushVirtualAddress(Space|List)$' "Vireo notes Linux's first flush call"
expect "$log" '^vireo: viridian: VP [01] made the first HvCallSendSyntheticClusterIpi$' "Vireo notes Linux's first IPI call"
expect_not "$log" 'vireo: .*(hypercall 0x[0-9a-f]+ refused|failed, status)' "Vireo refuses none of Linux's calls"

# The crash report: Vireo's prefixed lines carry P3, P4 and the text the guest wrote, byte for byte.
guest=$(sed -n 's/^crash: message \([0-9]*\) bytes, crc32 \([0-9a-f]*\), at 0x\([0-9a-f]*\)$/\1 \2 \3/p' "$log")
read -r len crc pa <<< "$guest"
expect "$log" '^crash: reported$' "the guest writes CRASH_CTL = CrashNotify | CrashMessage"
if [ -z "$guest" ]; then
	fail "the guest reports its kernel log as a crash message"
else
	pass "the guest reports its kernel log as a crash message ($len bytes at 0x$pa)"
	expect "$log" '^vireo: guest crash: vcpu0 notified a crash \(CRASH_CTL 0xc000000000000000\)$' "Vireo reports the crash, with the vCPU"
	expect_line "$log" "vireo: guest crash: P3" "$(printf '0x%016x P4 0x%016x' "0x$pa" "$len")" "Vireo prints P3 (the message's address) and P4 (its length)"
	expect_line "$log" "vireo: guest crash: message," "$len bytes at 0x$pa:" "Vireo reads the message where the guest put it"
	got=$(python3 - "$log" <<-'PY'
	import re, sys, zlib
	text, first, lines = b"", True, open(sys.argv[1], encoding="latin-1").read().splitlines()
	for l in lines:
	    m = re.match(r"^vireo: guest crash: ([>+]) (.*)$", l)
	    if not m:
	        continue
	    body = re.sub(rb"\\(x[0-9a-f]{2}|t|r|\\)",
	                  lambda e: {b"t": b"\t", b"r": b"\r", b"\\": b"\\"}.get(e.group(1), None)
	                  or bytes([int(e.group(1)[1:], 16)]), m.group(2).encode("latin-1"))
	    text += (b"\n" if m.group(1) == ">" and not first else b"") + body
	    first = False
	if lines and any(l == "vireo: guest crash: end of message" for l in lines):
	    print(len(text), "%08x" % zlib.crc32(text), len(text) + 1, "%08x" % zlib.crc32(text + b"\n"))
	PY
	)
	read -r n1 c1 n2 c2 <<< "$got"
	if { [ "$n1" = "$len" ] && [ "$c1" = "$crc" ]; } || { [ "$n2" = "$len" ] && [ "$c2" = "$crc" ]; }; then
		pass "the text on Vireo's log is the guest's message, byte for byte ($len bytes, crc32 $crc)"
	else
		fail "the text on Vireo's log is the guest's message (guest: $len bytes crc32 $crc; Vireo's log: ${got:-nothing})"
	fi
	expect "$log" '^vireo: guest crash: > \[ *[0-9.]+\] Run /init as init process$' "the message holds the kernel's own lines"
fi
finish
