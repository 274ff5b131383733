/* SPDX-License-Identifier: MIT */
/* INIT and SIPI between virtual processors (hv/ipi.c) and the exits that carry them. */
#include "hv/exit.h"
#include "hv/ipi.h"
#include "hv/partition.h"
#include "tests/unit/fake.h"
#include "tests/unit/test.h"

TEST_GLOBALS;

#define NR_VCPUS	3
#define MSR_X2APIC_ICR	0x830

/* Delivery mode, level assert and shorthand as an OS writes them (SDM "Interrupt Command Register"). */
#define INIT_ASSERT	(5u << 8 | ICR_LEVEL_ASSERT | ICR_TRIGGER_LEVEL)
#define INIT_DEASSERT	(5u << 8 | ICR_TRIGGER_LEVEL)
#define SIPI(vector)	(6u << 8 | (vector))
#define TO(apic_id)	((uint64_t)(apic_id) << 32)
#define OTHERS		(3u << 18)
#define ALL		(2u << 18)

static struct partition part;
static struct vcpu vcpus[NR_VCPUS];
static struct guest_regs regs[NR_VCPUS];

/* APIC IDs 0, 2, 4: not the vCPU numbers, so a mix-up shows. */
static void reset_all(void)
{
	part = (struct partition){ .ram_top = FAKE_RAM_SIZE, .nr_vcpus = NR_VCPUS };
	for (unsigned int i = 0; i < NR_VCPUS; i++) {
		vcpus[i] = (struct vcpu){ .regs = &regs[i], .part = &part, .vp_index = i, .apic_id = 2 * i,
					  .rip = 0x1000 };
		part.vcpu[i] = &vcpus[i];
	}
	fake_apic = (struct fake_apic){ 0 };
	fake_guest = (struct fake_guest){ .sipi_vector = -1 };
	fake_msr_reset();
	fake_log_clear();
}

static uint32_t state_of(unsigned int i)
{
	return vcpus[i].startup.state;
}

static void init_then_sipi_starts_the_target(void)
{
	reset_all();
	CHECK(ipi_intercept(&vcpus[0], INIT_ASSERT | TO(4), true));
	CHECK_EQ(state_of(2), STARTUP_INIT_PENDING);
	CHECK(ipi_init_pending(&vcpus[2]));
	CHECK(!ipi_init_pending(&vcpus[1]));
	CHECK_EQ(fake_apic.kicks, 1);
	CHECK_EQ(fake_apic.last_kick, 4);
	CHECK(ipi_intercept(&vcpus[0], INIT_DEASSERT | TO(4), true));
	CHECK_EQ(fake_apic.kicks, 1);
	CHECK(ipi_intercept(&vcpus[0], SIPI(0x87) | TO(4), true));
	CHECK(vcpus[2].startup.sipi_valid);

	ipi_take_init(&vcpus[2]);
	CHECK_EQ(fake_guest.sipi_vector, 0x87);
	CHECK_EQ(fake_apic.init_resets, 1);
	CHECK_EQ(state_of(2), STARTUP_RUNNING);
	CHECK(!vcpus[2].startup.sipi_valid);
	CHECK(vcpus[2].sipi_fresh);
	CHECK_EQ(state_of(1), STARTUP_RUNNING);
	CHECK_EQ(state_of(0), STARTUP_RUNNING);
}

/* A SIPI counts only after an INIT: a running processor ignores it, and an INIT drops one sent before it. */
static void sipi_needs_a_preceding_init(void)
{
	reset_all();
	CHECK(ipi_intercept(&vcpus[0], SIPI(0x10) | TO(2), true));
	CHECK(!vcpus[1].startup.sipi_valid);
	CHECK_EQ(state_of(1), STARTUP_RUNNING);

	vcpus[1].startup.sipi_valid = true;	/* left over from an earlier start-up */
	vcpus[1].startup.sipi_vector = 0x10;
	CHECK(ipi_intercept(&vcpus[0], INIT_ASSERT | TO(2), true));
	CHECK(!vcpus[1].startup.sipi_valid);
	CHECK(ipi_intercept(&vcpus[0], SIPI(0x9a) | TO(2), true));
	CHECK(ipi_intercept(&vcpus[0], SIPI(0x9a) | TO(2), true));	/* the second SIPI of the protocol */
	ipi_take_init(&vcpus[1]);
	CHECK_EQ(fake_guest.sipi_vector, 0x9a);
	CHECK(ipi_intercept(&vcpus[0], SIPI(0x9a) | TO(2), true));
	CHECK(!vcpus[1].startup.sipi_valid);
}

static void shorthands_and_broadcasts(void)
{
	static const struct {
		uint64_t icr;
		bool x2apic;
		bool hit[NR_VCPUS];
	} cases[] = {
		{ INIT_ASSERT | OTHERS, true, { false, true, true } },
		{ INIT_ASSERT | OTHERS | TO(2), false, { false, true, true } },	/* the shorthand wins */
		{ INIT_ASSERT | ALL, true, { false, true, true } },		/* never to itself */
		{ INIT_ASSERT | TO(0xffffffff), true, { false, true, true } },
		{ INIT_ASSERT | TO(0xff), false, { false, true, true } },
		{ INIT_ASSERT | TO(0xff), true, { false, false, false } },	/* x2APIC ID 0xff: nobody */
		{ INIT_ASSERT | TO(7), true, { false, false, false } },
		{ INIT_ASSERT | TO(0), true, { false, false, false } },		/* itself */
		{ INIT_ASSERT | 1u << 18, true, { false, false, false } },	/* self shorthand */
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		reset_all();
		CHECK(ipi_intercept(&vcpus[0], cases[i].icr, cases[i].x2apic));
		for (unsigned int t = 0; t < NR_VCPUS; t++)
			if ((state_of(t) == STARTUP_INIT_PENDING) != cases[i].hit[t]) {
				printf("  case %zu: vcpu%u\n", i, t);
				CHECK(false);
			}
	}
	CHECK(fake_log_contains("vcpu0: INIT to itself ignored"));
}

/* Fixed and the rest go to the local APIC as written; so does INIT with a logical destination. */
static void other_ipis_go_to_the_apic(void)
{
	static const uint64_t icrs[] = {
		0x30 | TO(2), 1u << 8 | 0x41 | TO(2), 0xfd | OTHERS, 2u << 8 | TO(2),
	};

	for (size_t i = 0; i < ARRAY_SIZE(icrs); i++) {
		reset_all();
		CHECK(!ipi_intercept(&vcpus[0], icrs[i], true));
		CHECK_EQ(state_of(1), STARTUP_RUNNING);
		CHECK_EQ(fake_apic.kicks, 0);
	}
	reset_all();
	CHECK(!ipi_intercept(&vcpus[0], INIT_ASSERT | ICR_DEST_LOGICAL | TO(1), true));
	CHECK_EQ(state_of(1), STARTUP_RUNNING);
	CHECK(fake_log_contains("vcpu0: INIT with a logical destination"));
	reset_all();
	CHECK(ipi_intercept(&vcpus[0], INIT_ASSERT | ICR_DEST_LOGICAL | OTHERS, true));
	CHECK_EQ(state_of(1), STARTUP_INIT_PENDING);
}

/*
 * One kick NMI at a time is on its way: kicks while it is never merge with
 * it into one NMI, the first NMI that arrives is the kick, and any after
 * it is the guest's.
 */
static void kicks_are_not_guest_nmis(void)
{
	reset_all();
	ipi_nmi_arrived(&vcpus[1]);
	CHECK(vcpus[1].nmi_pending);

	reset_all();
	CHECK(ipi_intercept(&vcpus[0], INIT_ASSERT | TO(2), true));
	CHECK(ipi_intercept(&vcpus[2], INIT_ASSERT | TO(2), true));
	CHECK_EQ(fake_apic.kicks, 1);
	ipi_nmi_arrived(&vcpus[1]);
	CHECK(!vcpus[1].nmi_pending);
	ipi_nmi_arrived(&vcpus[1]);
	CHECK(vcpus[1].nmi_pending);
	vcpus[1].nmi_pending = false;
	CHECK(ipi_intercept(&vcpus[0], INIT_ASSERT | TO(2), true));
	CHECK_EQ(fake_apic.kicks, 2);
	ipi_nmi_arrived(&vcpus[1]);
	CHECK(!vcpus[1].nmi_pending);

	/* Through the NMI exit. */
	reset_all();
	CHECK(ipi_intercept(&vcpus[0], INIT_ASSERT | TO(2), true));
	vcpus[1].exit_reason = EXIT_REASON_EXCEPTION_NMI;
	vcpus[1].exit_intr_info = 0x80000000u | EVENT_NMI << 8 | 2;
	CHECK_EQ(exit_dispatch(&vcpus[1]), EXIT_RESUME);
	CHECK(!vcpus[1].nmi_pending);
	CHECK_EQ(exit_dispatch(&vcpus[1]), EXIT_RESUME);
	CHECK(vcpus[1].nmi_pending);
	CHECK(!vcpus[1].rip_changed);
	CHECK(!vcpus[1].event.valid);
}

/* A kick and a guest NMI call for attention: the exit that finds the call delivers what is pending. */
static void kicks_and_guest_nmis_call_attention(void)
{
	reset_all();
	CHECK(!vcpu_attention_called(&vcpus[1]));
	CHECK(ipi_intercept(&vcpus[0], INIT_ASSERT | TO(2), true));
	CHECK(vcpu_attention_called(&vcpus[1]));
	vcpu_attention_seen(&vcpus[1]);
	CHECK(!vcpu_attention_called(&vcpus[1]));
	ipi_nmi_arrived(&vcpus[1]);
	CHECK(!vcpu_attention_called(&vcpus[1]));
	ipi_nmi_arrived(&vcpus[1]);
	CHECK(vcpu_attention_called(&vcpus[1]));
}

#define NMI_IPI		(4u << 8 | ICR_LEVEL_ASSERT)
#define SELF		(1u << 18)

/*
 * The guest's NMI IPIs between virtual processors never become NMIs, so
 * none can merge with a kick: the target's NMI is pending, and another
 * vCPU is kicked to deliver it. An NMI for no vCPU, or with a logical
 * destination, goes to the local APIC as written.
 */
static void guest_nmi_ipis(void)
{
	reset_all();
	CHECK(ipi_intercept(&vcpus[0], NMI_IPI | TO(2), true));
	CHECK(vcpus[1].nmi_pending);
	CHECK(!vcpus[0].nmi_pending && !vcpus[2].nmi_pending);
	CHECK_EQ(fake_apic.kicks, 1);
	CHECK_EQ(fake_apic.last_kick, 2);
	ipi_nmi_arrived(&vcpus[1]);		/* the kick */
	CHECK(vcpus[1].nmi_pending);

	/* To itself: pending, delivered as this exit ends; no kick. */
	reset_all();
	CHECK(ipi_intercept(&vcpus[1], NMI_IPI | SELF, true));
	CHECK(vcpus[1].nmi_pending);
	CHECK(vcpu_attention_called(&vcpus[1]));
	CHECK_EQ(fake_apic.kicks, 0);
	reset_all();
	CHECK(ipi_intercept(&vcpus[0], NMI_IPI | TO(0xff), false));
	CHECK(vcpus[0].nmi_pending && vcpus[1].nmi_pending && vcpus[2].nmi_pending);
	CHECK_EQ(fake_apic.kicks, 2);

	reset_all();
	CHECK(!ipi_intercept(&vcpus[0], NMI_IPI | TO(7), true));
	CHECK(!ipi_intercept(&vcpus[0], NMI_IPI | ICR_DEST_LOGICAL | TO(2), true));
	CHECK(!vcpus[1].nmi_pending);
	CHECK_EQ(fake_apic.kicks, 0);
	CHECK(!fake_log_contains("logical"));
}

/*
 * An NMI and then an INIT for the same vCPU, sent together: one kick NMI
 * carries both, and both are still pending when it arrives.
 */
static void nmi_and_init_kick_together(void)
{
	reset_all();
	CHECK(ipi_intercept(&vcpus[0], NMI_IPI | TO(2), true));
	CHECK(ipi_intercept(&vcpus[0], INIT_ASSERT | TO(2), true));
	CHECK_EQ(fake_apic.kicks, 1);
	vcpus[1].exit_reason = EXIT_REASON_EXCEPTION_NMI;
	vcpus[1].exit_intr_info = 0x80000000u | EVENT_NMI << 8 | 2;
	CHECK_EQ(exit_dispatch(&vcpus[1]), EXIT_RESUME);
	CHECK(vcpus[1].nmi_pending);
	CHECK(ipi_init_pending(&vcpus[1]));
	CHECK(!vcpus[1].kick_in_flight);
}

static void exception_exit_is_unexpected(void)
{
	reset_all();
	vcpus[1].exit_reason = EXIT_REASON_EXCEPTION_NMI;
	vcpus[1].exit_intr_info = 0x80000000u | EVENT_HW_EXCEPTION << 8 | 14;
	CHECK_EQ(exit_dispatch(&vcpus[1]), EXIT_STOP_VCPU);
	CHECK(fake_log_contains("vcpu1: unexpected exception exit, vector 14"));
	vcpus[1].exit_reason = EXIT_REASON_NMI_WINDOW;
	CHECK_EQ(exit_dispatch(&vcpus[1]), EXIT_RESUME);
	CHECK(!vcpus[1].rip_changed);
}

/* WRMSR to the x2APIC ICR: INIT and SIPI are Vireo's, the rest is written to the processor. */
static void x2apic_icr_write(void)
{
	uint64_t val;

	reset_all();
	fake_apic.x2apic = true;
	regs[0] = (struct guest_regs){ .rcx = MSR_X2APIC_ICR, .rax = INIT_ASSERT, .rdx = 2 };
	vcpus[0].exit_reason = EXIT_REASON_MSR_WRITE;
	vcpus[0].instr_len = 2;
	CHECK_EQ(exit_dispatch(&vcpus[0]), EXIT_RESUME);
	CHECK_EQ(state_of(1), STARTUP_INIT_PENDING);
	CHECK(vcpus[0].rip_changed);
	CHECK_EQ(vcpus[0].rip, 0x1002);
	CHECK(!fake_msr_get(MSR_X2APIC_ICR, &val));

	reset_all();
	fake_apic.x2apic = true;
	fake_msr_set(MSR_X2APIC_ICR, 0);
	regs[0] = (struct guest_regs){ .rcx = MSR_X2APIC_ICR, .rax = 0xfd, .rdx = 2 };
	vcpus[0].exit_reason = EXIT_REASON_MSR_WRITE;
	vcpus[0].instr_len = 2;
	CHECK_EQ(exit_dispatch(&vcpus[0]), EXIT_RESUME);
	CHECK(fake_msr_get(MSR_X2APIC_ICR, &val));
	CHECK_EQ(val, 0x2000000fdULL);
	CHECK_EQ(state_of(1), STARTUP_RUNNING);

	/* In xAPIC mode the MSR does not exist: #GP, nothing sent. */
	reset_all();
	regs[0] = (struct guest_regs){ .rcx = MSR_X2APIC_ICR, .rax = INIT_ASSERT, .rdx = 2 };
	vcpus[0].exit_reason = EXIT_REASON_MSR_WRITE;
	CHECK_EQ(exit_dispatch(&vcpus[0]), EXIT_RESUME);
	CHECK(vcpus[0].event.valid);
	CHECK_EQ(vcpus[0].event.vector, VEC_GP);
	CHECK_EQ(state_of(1), STARTUP_RUNNING);
}

#define XAPIC_PAGE	0xfee00000ULL
#define RAM_PAGE	0x8000ULL
#define EPT_QUAL_READ	0x181ULL
#define EPT_QUAL_WRITE	0x182ULL

/*
 * A store to the xAPIC page by the instruction in bytes, as the EPT
 * violation reports it; RCX holds the address, for the [rcx] forms.
 */
static enum exit_action xapic_store(unsigned int offset, const char *bytes, size_t len)
{
	struct vcpu *v = &vcpus[0];

	regs[0].rcx = part.xapic_gpa + offset;
	memcpy(fake_guest.insn, bytes, len);
	fake_guest.insn_len = len;
	fake_guest.code_bits = 64;
	v->exit_reason = EXIT_REASON_EPT_VIOLATION;
	v->exit_gpa = part.xapic_gpa + offset;
	v->exit_qual = EPT_QUAL_WRITE;
	v->rip = 0x1000;
	v->rip_changed = false;
	return exit_dispatch(v);
}

static void xapic_stores(void)
{
	reset_all();
	part.xapic_gpa = XAPIC_PAGE;
	fake_guest.ept_result = VCPU_EPT_FATAL;

	/* mov [rcx], edx: ICR high, then ICR low with an INIT for APIC ID 2. */
	regs[0].rdx = 2u << 24;
	CHECK_EQ(xapic_store(0x310, "\x89\x11", 2), EXIT_RESUME);
	CHECK_EQ(fake_apic.reg[0x31], 2u << 24);
	CHECK_EQ(vcpus[0].rip, 0x1002);
	CHECK(vcpus[0].rip_changed);
	regs[0].rdx = INIT_ASSERT;
	CHECK_EQ(xapic_store(0x300, "\x89\x11", 2), EXIT_RESUME);
	CHECK_EQ(state_of(1), STARTUP_INIT_PENDING);
	CHECK_EQ(fake_apic.reg[0x30], 0);
	/* mov dword [rax+0x300], 0x69f: the SIPI. */
	regs[0].rax = XAPIC_PAGE;
	CHECK_EQ(xapic_store(0x300, "\xc7\x80\x00\x03\x00\x00\x9f\x06\x00\x00", 10), EXIT_RESUME);
	CHECK(vcpus[1].startup.sipi_valid);
	CHECK_EQ(vcpus[1].startup.sipi_vector, 0x9f);
	CHECK_EQ(vcpus[0].rip, 0x100a);
	CHECK_EQ(fake_apic.reg[0x30], 0);

	/* mov [0xfee00310], eax: the absolute-address form a compiler picks for a constant address. */
	regs[0].rax = 4u << 24;
	CHECK_EQ(xapic_store(0x310, "\xa3\x10\x03\xe0\xfe\x00\x00\x00\x00", 9), EXIT_RESUME);
	CHECK_EQ(fake_apic.reg[0x31], 4u << 24);
	CHECK_EQ(vcpus[0].rip, 0x1009);
	regs[0].rdx = 2u << 24;
	CHECK_EQ(xapic_store(0x310, "\x89\x11", 2), EXIT_RESUME);

	/* A fixed IPI and an EOI go to the APIC as written. */
	regs[0].rdx = 0x40f1;
	CHECK_EQ(xapic_store(0x300, "\x89\x11", 2), EXIT_RESUME);
	CHECK_EQ(fake_apic.reg[0x30], 0x40f1);
	regs[0].rax = XAPIC_PAGE + 0xb0;
	CHECK_EQ(xapic_store(0xb0, "\xc7\x00\x00\x00\x00\x00", 6), EXIT_RESUME);
	CHECK_EQ(fake_apic.writes, 5);
	CHECK_EQ(vcpus[0].rip, 0x1006);
	CHECK(fake_guest.ept_fault_gpa == 0);

	/* Undefined accesses: a byte, a misaligned dword. Skipped, with a warning. */
	CHECK_EQ(xapic_store(0x80, "\x88\x11", 2), EXIT_RESUME);
	CHECK_EQ(xapic_store(0x84, "\x89\x11", 2), EXIT_RESUME);
	CHECK_EQ(fake_apic.writes, 5);
	CHECK_EQ(vcpus[0].rip, 0x1002);
	CHECK(fake_log_contains("vcpu0: 1-byte write to the local APIC at offset 0x80 ignored"));
	CHECK(fake_log_contains("vcpu0: 4-byte write to the local APIC at offset 0x84 ignored"));

	/*
	 * In x2APIC mode, or with the APIC globally disabled, the page is not
	 * the APIC's: a store goes to memory as it is, whatever its size, and
	 * nothing is logged. (A page in the fake RAM here, to see the bytes.)
	 */
	part.xapic_gpa = RAM_PAGE;
	fake_log_clear();
	fake_apic.x2apic = true;
	regs[0].rdx = INIT_ASSERT;
	CHECK_EQ(xapic_store(0x300, "\x89\x11", 2), EXIT_RESUME);
	CHECK_EQ(fake_apic.writes, 5);
	CHECK_EQ(state_of(2), STARTUP_RUNNING);
	CHECK_EQ(*(uint32_t *)&fake_ram[RAM_PAGE + 0x300], INIT_ASSERT);
	CHECK_EQ(vcpus[0].rip, 0x1002);
	fake_apic.x2apic = false;
	fake_apic.globally_disabled = true;
	regs[0].rdx = 0x0123456789abcdefULL;
	for (unsigned int i = 0; i < 16; i++)
		CHECK_EQ(xapic_store(0x400 + i, "\x88\x11", 2), EXIT_RESUME);	/* mov [rcx], dl */
	CHECK_EQ(xapic_store(0x410, "\x48\x89\x11", 3), EXIT_RESUME);		/* mov [rcx], rdx */
	CHECK_EQ(xapic_store(0x418, "\x66\x89\x11", 3), EXIT_RESUME);		/* mov [rcx], dx */
	CHECK_EQ(vcpus[0].rip, 0x1003);
	for (unsigned int i = 0; i < 16; i++)
		CHECK_EQ(fake_ram[RAM_PAGE + 0x400 + i], 0xef);
	CHECK_EQ(*(uint64_t *)&fake_ram[RAM_PAGE + 0x410], 0x0123456789abcdefULL);
	CHECK_EQ(*(uint32_t *)&fake_ram[RAM_PAGE + 0x418], 0xcdef);
	CHECK_EQ(fake_apic.writes, 5);
	CHECK(!fake_log_contains("local APIC"));
	fake_apic.globally_disabled = false;
	part.xapic_gpa = XAPIC_PAGE;

	/* What the decoder does not know stops the vCPU with the bytes in the log; a truncated fetch too. */
	CHECK_EQ(xapic_store(0x300, "\x0f\xc3\x11", 3), EXIT_STOP_VCPU);
	CHECK(fake_log_contains("vcpu0: write to the local APIC at offset 0x300 by an instruction Vireo does not "
				"emulate (rip 0x1000, bytes 0f c3 11 00)"));
	CHECK_EQ(xapic_store(0x300, "\xc7\x80\x00\x03", 4), EXIT_STOP_VCPU);
	CHECK(!vcpus[0].rip_changed);
}

/*
 * The register a store is to comes from the instruction's operand: KVM
 * reflects an EPT violation that its emulator finds in a nested guest with
 * the address of the page alone, and a nested guest's EOI, taken for a
 * write to offset 0, left its interrupt in service for good.
 */
static void xapic_store_offset_from_operand(void)
{
	struct vcpu *v = &vcpus[0];

	reset_all();
	part.xapic_gpa = XAPIC_PAGE;
	fake_guest.ept_result = VCPU_EPT_FATAL;
	fake_guest.code_bits = 64;
	v->exit_reason = EXIT_REASON_EPT_VIOLATION;
	v->exit_qual = EPT_QUAL_WRITE;

	/* mov dword [rax+0xb0], 0: the EOI, reported at the page. */
	memcpy(fake_guest.insn, "\xc7\x80\xb0\x00\x00\x00\x00\x00\x00\x00", 10);
	fake_guest.insn_len = 10;
	regs[0].rax = XAPIC_PAGE;
	fake_apic.reg[0xb] = 0xdead;
	v->exit_gpa = XAPIC_PAGE;
	v->rip = 0x1000;
	CHECK_EQ(exit_dispatch(v), EXIT_RESUME);
	CHECK_EQ(fake_apic.reg[0xb], 0);
	CHECK_EQ(fake_apic.reg[0], 0);
	CHECK_EQ(fake_apic.writes, 1);
	CHECK_EQ(v->rip, 0x100a);

	/* mov fs:[rcx+rdx*4], esi: segment base, index and scale count; the page stays the exit's. */
	memcpy(fake_guest.insn, "\x64\x89\x34\x91", 4);
	fake_guest.insn_len = 4;
	fake_guest.seg_base[4] = 0x7000000000000040ULL;
	v->rip = 0x1000;
	regs[0].rcx = 0x10;
	regs[0].rdx = 0xc;
	regs[0].rsi = 0x20;
	v->exit_gpa = XAPIC_PAGE + 0xf00;	/* a wrong offset, not taken */
	CHECK_EQ(exit_dispatch(v), EXIT_RESUME);
	CHECK_EQ(fake_apic.reg[0x8], 0x20);	/* TPR: 0x40 + 0x10 + 0xc * 4 */
	CHECK_EQ(fake_apic.writes, 2);
	CHECK_EQ(v->rip, 0x1004);

	/* mov [rip+0x7b], eax: RIP-relative, from the next instruction. */
	memcpy(fake_guest.insn, "\x89\x05\x7b\x00\x00\x00", 6);
	fake_guest.insn_len = 6;
	regs[0].rax = 0x1f;
	v->rip = 0xfee00000ULL - 0x1000 + 0x2f0 - 6 - 0x7b;	/* the store lands at offset 0x2f0 */
	v->exit_gpa = XAPIC_PAGE;
	CHECK_EQ(exit_dispatch(v), EXIT_RESUME);
	CHECK_EQ(fake_apic.reg[0x2f], 0x1f);
}

/* Only writes to the xAPIC page are emulated; reads never exit, other pages are ordinary EPT faults. */
static void other_ept_violations(void)
{
	reset_all();
	part.xapic_gpa = XAPIC_PAGE;
	fake_guest.ept_result = VCPU_EPT_MAPPED;
	vcpus[0].exit_reason = EXIT_REASON_EPT_VIOLATION;
	vcpus[0].exit_qual = EPT_QUAL_READ;
	vcpus[0].exit_gpa = XAPIC_PAGE + 0x20;
	CHECK(!exit_is_xapic_write(&vcpus[0]));
	CHECK_EQ(exit_dispatch(&vcpus[0]), EXIT_RESUME);
	CHECK_EQ(fake_guest.ept_fault_gpa, XAPIC_PAGE + 0x20);
	vcpus[0].exit_qual = EPT_QUAL_WRITE;
	vcpus[0].exit_gpa = XAPIC_PAGE + 0x1300;
	CHECK(!exit_is_xapic_write(&vcpus[0]));
	part.xapic_gpa = 0;
	vcpus[0].exit_gpa = 0x300;
	CHECK(!exit_is_xapic_write(&vcpus[0]));
	/* A store while an event is delivered (a frame pushed onto the page) is not the instruction's. */
	part.xapic_gpa = XAPIC_PAGE;
	vcpus[0].exit_gpa = XAPIC_PAGE + 0x300;
	CHECK(exit_is_xapic_write(&vcpus[0]));
	vcpus[0].exit_in_delivery = true;
	CHECK(!exit_is_xapic_write(&vcpus[0]));
	vcpus[0].exit_in_delivery = false;
}

int main(void)
{
	RUN("ipi", init_then_sipi_starts_the_target);
	RUN("ipi", xapic_store_offset_from_operand);
	RUN("ipi", sipi_needs_a_preceding_init);
	RUN("ipi", shorthands_and_broadcasts);
	RUN("ipi", other_ipis_go_to_the_apic);
	RUN("ipi", kicks_are_not_guest_nmis);
	RUN("ipi", kicks_and_guest_nmis_call_attention);
	RUN("ipi", guest_nmi_ipis);
	RUN("ipi", nmi_and_init_kick_together);
	RUN("ipi", exception_exit_is_unexpected);
	RUN("ipi", x2apic_icr_write);
	RUN("ipi", xapic_stores);
	RUN("ipi", other_ept_violations);
	return test_suite_failures != 0;
}
