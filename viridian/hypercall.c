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
/* The result value: reps completed in bits 43:32. */
#define HC_REPS_DONE_SHIFT	32
/* RsvdZ: bits 30:27, 47:44 and 63:60. Bit 31, is-nested, is ignored. */
#define HC_RESERVED		(0x0000000078000000ULL | 0x0000F00000000000ULL | 0xF000000000000000ULL)
#define HC_IS_NESTED		BIT(31)
/* The call codes vir_partition.hcalls_quick can hold, 0-31. */
#define HC_QUICK_CODE_MASK	0x1FULL

/* Parameter blocks are 8-byte aligned and stay within one page (TLFS "Alignment Requirements"). */
#define HC_GPA_ALIGN		8ULL

/*
 * The most variable header Vireo reads: a sparse VP set has at most one
 * bank word per bit of ValidBanksMask. A longer header cannot be valid.
 */
#define HC_VAR_HDR_MAX		64
/* The longest fixed header of a known call (HvCallFlushVirtualAddressSpaceEx), in qwords. */
#define HC_FIXED_MAX		4

/*
 * One hypercall as the guest made it (TLFS "Hypercall Inputs"). For a fast
 * call, in and out hold the two input registers.
 */
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
	bool fast;			/* the register-based convention is allowed */
	bool rep;			/* a rep call; else simple */
	bool var_hdr;			/* takes a variable header */
	uint8_t in_size;		/* bytes of the fixed input header in memory */
	uint8_t rep_size;		/* bytes of each rep element */
	const char *name;
	uint64_t group;			/* the mask groups that grant the call, all of them */
	vir_hcall_handler_t *handler;
};

/*
 * Every hypercall Vireo knows (TLFS "Hypercalls" pages), by call code; a
 * code without a name is unknown. A call without a handler has nothing to
 * do and succeeds. Bit n of vir_partition.hcalls, hcalls_used and
 * hcalls_quick stands for call code n. Only calls whose input fits in the
 * two registers may be fast: the XMM form (0x40000003 EDX bit 4) is not
 * offered.
 */
static const struct hcall_def hcall_defs[] = {
	[HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE] = {
		.code = HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE,
		.name = "HvCallFlushVirtualAddressSpace",
		.group = VIR_HCALL_REMOTE_TLB_FLUSH,
		.in_size = 3 * sizeof(uint64_t),	/* AddressSpace, Flags, ProcessorMask */
		.handler = vir_hcall_flush,
	},
	[HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST] = {
		.code = HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST,
		.name = "HvCallFlushVirtualAddressList",
		.group = VIR_HCALL_REMOTE_TLB_FLUSH,
		.rep = true,
		.in_size = 3 * sizeof(uint64_t),
		.rep_size = sizeof(uint64_t),		/* a GVA range */
		.handler = vir_hcall_flush,
	},
	[HVCALL_NOTIFY_LONG_SPIN_WAIT] = {
		.code = HVCALL_NOTIFY_LONG_SPIN_WAIT,
		.name = "HvCallNotifyLongSpinWait",
		.group = VIR_BASE,
		.fast = true,
		.in_size = sizeof(uint64_t),		/* the spin count */
		/*
		 * The guest reports a lock it has spun on for long. CPUID
		 * 0x40000004 EBX asks it never to, but the call stays valid.
		 * Every virtual processor has a physical processor to itself
		 * (its APIC MSRs go to that processor's local APIC), so there
		 * is nothing else to run instead.
		 */
	},
	[HVCALL_SEND_IPI] = {
		.code = HVCALL_SEND_IPI,
		.name = "HvCallSendSyntheticClusterIpi",
		.group = VIR_HCALL_IPI,
		.fast = true,
		.in_size = 2 * sizeof(uint64_t),	/* Vector, TargetVtl, padding; ProcessorMask */
		.handler = vir_hcall_send_ipi,
	},
	[HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX] = {
		.code = HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX,
		.name = "HvCallFlushVirtualAddressSpaceEx",
		.group = VIR_HCALL_REMOTE_TLB_FLUSH | VIR_EX_PROCESSOR_MASKS,
		.var_hdr = true,
		.in_size = 4 * sizeof(uint64_t),	/* AddressSpace, Flags, Format, ValidBanksMask */
		.handler = vir_hcall_flush,
	},
	[HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX] = {
		.code = HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX,
		.name = "HvCallFlushVirtualAddressListEx",
		.group = VIR_HCALL_REMOTE_TLB_FLUSH | VIR_EX_PROCESSOR_MASKS,
		.rep = true,
		.var_hdr = true,
		.in_size = 4 * sizeof(uint64_t),
		.rep_size = sizeof(uint64_t),
		.handler = vir_hcall_flush,
	},
	[HVCALL_SEND_IPI_EX] = {
		.code = HVCALL_SEND_IPI_EX,
		.name = "HvCallSendSyntheticClusterIpiEx",
		.group = VIR_HCALL_IPI | VIR_EX_PROCESSOR_MASKS,
		.var_hdr = true,
		.in_size = 3 * sizeof(uint64_t),	/* Vector, TargetVtl, padding; Format, ValidBanksMask */
		.handler = vir_hcall_send_ipi,
	},
};
_Static_assert(ARRAY_SIZE(hcall_defs) <= 32, "vir_partition.hcalls has a bit per call code");

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
	return code < ARRAY_SIZE(hcall_defs) && hcall_defs[code].name ? &hcall_defs[code] : NULL;
}

/* The calls a mask grants are known when it is set, like its leaves and MSRs. */
void vir_build_hcalls(struct partition *p)
{
	p->vir.hcalls = 0;
	for (size_t code = 0; code < ARRAY_SIZE(hcall_defs); code++)
		if (hcall_defs[code].name && vir_has(p, hcall_defs[code].group))
			p->vir.hcalls |= (uint32_t)BIT(code);
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

/*
 * Logs the first use of each call in a partition, as Xen does. A plain load
 * first: after the first call the bit is set, and a locked write to a line
 * every processor shares would cost each call. From then on a call that
 * needs no more checks than vir_hypercall_quick makes may be made there:
 * simple, without a variable header, and fast.
 */
static void hcall_note_use(struct vcpu *v, const struct hcall_def *def)
{
	struct vir_partition *vir = &v->part->vir;
	uint32_t bit = (uint32_t)BIT(def->code);

	if (__atomic_load_n(&vir->hcalls_used, __ATOMIC_RELAXED) & bit)
		return;
	if (!(__atomic_fetch_or(&vir->hcalls_used, bit, __ATOMIC_RELAXED) & bit))
		log_info("viridian: VP %u made the first %s", v->vp_index, def->name);
	if (def->fast && !def->rep && !def->var_hdr)
		__atomic_fetch_or(&vir->hcalls_quick, bit, __ATOMIC_RELAXED);
}

/*
 * The checks of TLFS "Hypercall Status Codes" and "Variable Sized
 * Hypercall Input Headers"; the order among them is the hypervisor's
 * choice. A rep call needs 0 <= rep start < rep count; a simple call has
 * both 0.
 */
static uint16_t hcall_check(const struct partition *p, const struct hcall *hc, const struct hcall_def **found)
{
	const struct hcall_def *def;

	if ((hc->control & HC_RESERVED) || hc->rep_start > hc->rep_count)
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	def = hcall_find(hc->code);
	if (!def)
		return HV_STATUS_INVALID_HYPERCALL_CODE;
	if (!(p->vir.hcalls & BIT(hc->code)))
		return HV_STATUS_ACCESS_DENIED;
	if (def->rep ? !hc->rep_count || hc->rep_start >= hc->rep_count : hc->rep_count != 0)
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	if (hc->var_hdr && (!def->var_hdr || hc->var_hdr > HC_VAR_HDR_MAX))
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	if (hc->fast && !def->fast)
		return HV_STATUS_INVALID_HYPERCALL_INPUT;
	*found = def;
	return HV_STATUS_SUCCESS;
}

/*
 * The input of a call in memory: its header, fixed and variable, read into
 * in[], then its rep list, checked in place: the whole block aligned, in
 * one page and in guest RAM.
 */
static uint16_t hcall_input(const struct partition *p, const struct hcall *hc, const struct hcall_def *def,
			    uint64_t *in)
{
	size_t header = def->in_size + hc->var_hdr * sizeof(uint64_t);
	uint16_t status;

	status = hcall_check_block(p, hc->in, header + def->rep_size * hc->rep_count);
	if (status == HV_STATUS_SUCCESS && gmem_read(p, hc->in, in, header))
		status = HV_STATUS_INVALID_PARAMETER;
	return status;
}

static uint64_t hcall_refused(const struct vcpu *v, const struct hcall *hc, uint16_t status)
{
	log_guest_info("viridian: VP %u: hypercall %#llx refused, status %#x", v->vp_index,
		       (unsigned long long)hc->control, status);
	return status;
}

static __noinline void hcall_failed(const struct vcpu *v, uint16_t code, uint16_t status)
{
	log_guest_info("viridian: VP %u: %s failed, status %#x", v->vp_index, hcall_defs[code].name, status);
}

/*
 * The result value (TLFS "Hypercall Outputs"): the status, and for a rep
 * call that succeeded the reps completed, counted from the first element
 * (a call Vireo refuses completes none).
 */
static uint64_t hcall_call(struct vcpu *v, const struct hcall *hc, const struct hcall_def *def, const uint64_t *in)
{
	uint16_t status;

	hcall_note_use(v, def);
	status = def->handler ? def->handler(v, hc->code, hc->var_hdr, in) : HV_STATUS_SUCCESS;
	if (status != HV_STATUS_SUCCESS)
		hcall_failed(v, hc->code, status);
	if (status == HV_STATUS_SUCCESS && def->rep)
		return status | (uint64_t)hc->rep_count << HC_REPS_DONE_SHIFT;
	return status;
}

/* A call whose input is in guest memory: the buffer for it stays off the fast calls' path. */
static __noinline uint64_t hcall_run_memory(struct vcpu *v, const struct hcall *hc, const struct hcall_def *def)
{
	uint64_t in[HC_FIXED_MAX + HC_VAR_HDR_MAX];
	uint16_t status = hcall_input(v->part, hc, def, in);

	if (status != HV_STATUS_SUCCESS)
		return hcall_refused(v, hc, status);
	return hcall_call(v, hc, def, in);
}

/* A fast call's input is its two registers. */
static uint64_t hcall_run(struct vcpu *v, const struct hcall *hc)
{
	const struct hcall_def *def = NULL;
	uint16_t status = hcall_check(v->part, hc, &def);
	uint64_t in[2] = { hc->in, hc->out };

	if (status != HV_STATUS_SUCCESS)
		return hcall_refused(v, hc, status);
	if (!hc->fast)
		return hcall_run_memory(v, hc, def);
	return hcall_call(v, hc, def, in);
}

/*
 * Legal only at CPL 0 outside real mode, and only once the guest has enabled
 * the hypercall page (TLFS "Legal Hypercall Environments"); anything else
 * is #UD.
 */
bool vir_hypercall(struct vcpu *v)
{
	struct guest_regs *g = v->regs;
	enum guest_mode mode;
	struct hcall hc;
	uint64_t result;

	if (!vir_hypercall_page_enabled(v->part) || vcpu_guest_cpl(v) != 0 ||
	    (mode = vcpu_guest_mode(v)) == GUEST_MODE_REAL) {
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

/*
 * The control word of a quick call is its code, the fast bit and at most
 * is-nested, and its code one of vir.hcalls_quick: a call the mask grants
 * (so the partition has base), that the partition has made before, and
 * whose input is its two registers. Such a call from 64-bit code at CPL 0,
 * with the page enabled, passes every check of vir_hypercall.
 */
bool vir_hypercall_quick(struct vcpu *v)
{
	struct guest_regs *g = v->regs;
	const struct vir_partition *vir = &v->part->vir;
	uint64_t control = g->rcx;
	unsigned int code = (unsigned int)(control & HC_QUICK_CODE_MASK);
	vir_hcall_handler_t *handler;
	uint16_t status = HV_STATUS_SUCCESS;

	if ((control & ~(HC_QUICK_CODE_MASK | HC_IS_NESTED)) != HC_FAST ||
	    !(__atomic_load_n(&vir->hcalls_quick, __ATOMIC_RELAXED) & BIT(code)) ||
	    !(__atomic_load_n(&vir->hypercall, __ATOMIC_ACQUIRE) & HV_HYPERCALL_ENABLE) ||
	    vcpu_guest_cpl(v) != 0 || vcpu_guest_mode(v) != GUEST_MODE_LONG)
		return false;
	stats_count_hypercall(&v->stats, (uint16_t)code);
	/* As hcall_call does, once the call's first use is logged. */
	handler = hcall_defs[code].handler;
	if (handler)
		status = handler(v, (uint16_t)code, 0, (const uint64_t[]){ g->rdx, g->r8 });
	if (status != HV_STATUS_SUCCESS)
		hcall_failed(v, (uint16_t)code, status);
	g->rax = status;
	return true;
}
