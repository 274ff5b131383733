/* SPDX-License-Identifier: MIT */
/*
 * Hyper-V hypercalls: VMCALL from the hypercall page (TLFS "Hypercall
 * Interface"). The control word is checked, the call looked up in a table,
 * its memory operands checked, and the status returned in RAX (EDX:EAX for
 * a 32-bit caller). Vireo's management calls never get here: hv/exit_vmcall.c
 * takes them first by their tag in the RsvdZ bits 63:60.
 */
#include "hv/gmem.h"
#include "hv/log.h"
#include "hv/partition.h"
#include "hv/vcpu.h"
#include "viridian/private.h"

/* The hypercall input value (TLFS "Hypercall Inputs"). */
#define HC_CODE_MASK		0xFFFFULL
#define HC_FAST			BIT(16)
#define HC_VAR_HDR_SHIFT	17
#define HC_VAR_HDR_MASK		0x3FFULL
#define HC_REP_COUNT_SHIFT	32
#define HC_REP_START_SHIFT	48
#define HC_REP_MASK		0xFFFULL
/* RsvdZ: bits 30:27, 47:44 and 63:60. */
#define HC_RESERVED		(0x0000000078000000ULL | 0x0000F00000000000ULL | 0xF000000000000000ULL)

/* Parameter blocks are 8-byte aligned and stay within one page (TLFS "Alignment Requirements"). */
#define HC_GPA_ALIGN		8ULL

#define HVCALL_NOTIFY_LONG_SPIN_WAIT	0x0008

/* One hypercall as the guest made it. For a fast call, in and out hold the two inputs. */
struct hcall {
	uint64_t control;
	uint16_t code;
	bool fast;
	unsigned int var_hdr;		/* qwords */
	unsigned int rep_count;
	unsigned int rep_start;
	uint64_t in;
	uint64_t out;
};

struct hcall_def {
	uint16_t code;
	const char *name;
	uint64_t group;			/* the mask group that grants the call */
	bool fast;			/* the register-based convention is allowed */
	bool rep;			/* a rep call; else simple */
	size_t in_size;			/* bytes of input and output in memory */
	size_t out_size;
	uint16_t (*handler)(struct vcpu *v, const struct hcall *hc);
};

/*
 * The guest reports a lock it has spun on for long. CPUID 0x40000004 EBX
 * asks it never to, but the call stays valid. Every virtual processor has a
 * physical processor to itself (its APIC MSRs go to that processor's local
 * APIC), so there is nothing else to run instead.
 */
static uint16_t hcall_notify_long_spin_wait(struct vcpu *v, const struct hcall *hc)
{
	(void)v;
	(void)hc;
	return HV_STATUS_SUCCESS;
}

/* Every hypercall Vireo knows. Bit i of vir_partition.hcalls_used stands for hcall_defs[i]. */
static const struct hcall_def hcall_defs[] = {
	{
		.code = HVCALL_NOTIFY_LONG_SPIN_WAIT,
		.name = "HvCallNotifyLongSpinWait",
		.group = VIR_BASE,
		.fast = true,
		.rep = false,
		.in_size = sizeof(uint64_t),	/* the spin count */
		.out_size = 0,
		.handler = hcall_notify_long_spin_wait,
	},
};
_Static_assert(ARRAY_SIZE(hcall_defs) <= 32, "vir_partition.hcalls_used has a bit per call");

/* 64-bit callers use RCX, RDX, R8; 32-bit ones EDX:EAX, EBX:ECX, EDI:ESI (TLFS "Hypercall Inputs"). */
static void hcall_decode(const struct guest_regs *g, enum guest_mode mode, struct hcall *hc)
{
	if (mode == GUEST_MODE_LONG) {
		hc->control = g->rcx;
		hc->in = g->rdx;
		hc->out = g->r8;
	} else {
		hc->control = (uint64_t)(uint32_t)g->rdx << 32 | (uint32_t)g->rax;
		hc->in = (uint64_t)(uint32_t)g->rbx << 32 | (uint32_t)g->rcx;
		hc->out = (uint64_t)(uint32_t)g->rdi << 32 | (uint32_t)g->rsi;
	}
	hc->code = (uint16_t)(hc->control & HC_CODE_MASK);
	hc->fast = hc->control & HC_FAST;
	hc->var_hdr = (unsigned int)(hc->control >> HC_VAR_HDR_SHIFT & HC_VAR_HDR_MASK);
	hc->rep_count = (unsigned int)(hc->control >> HC_REP_COUNT_SHIFT & HC_REP_MASK);
	hc->rep_start = (unsigned int)(hc->control >> HC_REP_START_SHIFT & HC_REP_MASK);
}

static const struct hcall_def *hcall_find(uint16_t code)
{
	for (size_t i = 0; i < ARRAY_SIZE(hcall_defs); i++)
		if (hcall_defs[i].code == code)
			return &hcall_defs[i];
	return NULL;
}

/*
 * A parameter block in guest memory: 8-byte aligned, within one page, and in
 * guest RAM. A call without that block ignores its GPA (TLFS "Alignment
 * Requirements").
 */
static uint16_t hcall_check_block(const struct partition *p, uint64_t gpa, size_t size)
{
	if (!size)
		return HV_STATUS_SUCCESS;
	if ((gpa & (HC_GPA_ALIGN - 1)) || (gpa & ~PAGE_MASK) + size > PAGE_SIZE)
		return HV_STATUS_INVALID_ALIGNMENT;
	if (!gmem_range_ok(p, gpa, size))
		return HV_STATUS_INVALID_PARAMETER;
	return HV_STATUS_SUCCESS;
}

/* Logs the first use of each call in a partition, as Xen does. */
static void hcall_note_use(struct vcpu *v, const struct hcall_def *def)
{
	uint32_t bit = (uint32_t)BIT(def - hcall_defs);

	if (!(__atomic_fetch_or(&v->part->vir.hcalls_used, bit, __ATOMIC_RELAXED) & bit))
		log_info("viridian: VP %u made the first %s", v->vp_index, def->name);
}

/* TLFS "Hypercall Status Codes" lists the checks; the order among them is the hypervisor's choice. */
static uint16_t hcall_run(struct vcpu *v, const struct hcall *hc)
{
	const struct hcall_def *def;
	uint16_t status;

	if ((hc->control & HC_RESERVED) || hc->rep_start > hc->rep_count)
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	def = hcall_find(hc->code);
	if (!def)
		return HV_STATUS_INVALID_HYPERCALL_CODE;
	if (!vir_has(v->part, def->group))
		return HV_STATUS_ACCESS_DENIED;
	/* A rep count only on a rep call; no known call takes a variable header. */
	if ((hc->rep_count && !def->rep) || hc->var_hdr || (hc->fast && !def->fast))
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	if (!hc->fast) {
		status = hcall_check_block(v->part, hc->in, def->in_size);
		if (status == HV_STATUS_SUCCESS)
			status = hcall_check_block(v->part, hc->out, def->out_size);
		if (status != HV_STATUS_SUCCESS)
			return status;
	}
	hcall_note_use(v, def);
	return def->handler(v, hc);
}

/*
 * Legal only at CPL 0 outside real mode, and only once the guest has enabled
 * the hypercall page (TLFS "Legal Hypercall Environments"); anything else
 * is #UD. Only simple calls exist so far, and a simple call completes no
 * reps: the result is the status alone, reps completed (43:32) being 0.
 */
bool vir_hypercall(struct vcpu *v)
{
	struct guest_regs *g = v->regs;
	enum guest_mode mode = vcpu_guest_mode(v);
	struct hcall hc;
	uint64_t result;

	if (!vir_hypercall_page_enabled(v->part) || vcpu_guest_cpl(v) != 0 || mode == GUEST_MODE_REAL) {
		vcpu_inject_ud(v);
		return false;
	}
	hcall_decode(g, mode, &hc);
	stats_count_hypercall(&v->stats, hc.code);
	result = hcall_run(v, &hc);
	if (mode == GUEST_MODE_LONG) {
		g->rax = result;
	} else {
		g->rax = (uint32_t)result;
		g->rdx = result >> 32;
	}
	return true;
}
