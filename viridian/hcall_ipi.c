/* SPDX-License-Identifier: MIT */
/*
 * IPIs by hypercall: HvCallSendSyntheticClusterIpi (0x000b, a processor
 * mask; Linux makes it fast, RDX = vector, R8 = mask) and its _Ex form
 * with a sparse VP set (0x0015). "This hypercall sends a virtual fixed
 * interrupt to the specified virtual processor set. It does not support
 * NMIs." The guest runs on the real local APICs, so Vireo sends each
 * target a fixed, edge-triggered IPI from the caller's local APIC, to the
 * target's APIC ID; the target's guest takes it as it would any other.
 */
#include "arch/x86/apic.h"
#include "hv/partition.h"
#include "hv/vcpu.h"
#include "viridian/private.h"

/* The first qword of the input: Vector (31:0), TargetVtl (39:32), padding (63:40). */
#define IPI_VECTOR_MASK		0xFFFFFFFFULL
#define IPI_VTL_AND_PADDING	0xFFFFFFFF00000000ULL
/* "Must be between >= 0x10 and <= 0xFF." */
#define IPI_VECTOR_MIN		0x10
#define IPI_VECTOR_MAX		0xFF

#define IN_VECTOR		0
#define IN_PROCESSORS		1

/*
 * Vireo has one VTL, 0. Like Xen it refuses another target VTL and
 * non-zero padding rather than guess what the guest meant.
 */
uint16_t vir_hcall_send_ipi(struct vcpu *v, uint16_t code, unsigned int var_hdr, const uint64_t *in)
{
	uint64_t vector = in[IN_VECTOR] & IPI_VECTOR_MASK, targets;
	struct vir_vp_set set = vir_vp_mask(in[IN_PROCESSORS]);
	struct partition *p = v->part;
	uint16_t status;

	if (code == HVCALL_SEND_IPI_EX) {
		status = vir_vpset_decode(&in[IN_PROCESSORS], var_hdr, &set);
		if (status != HV_STATUS_SUCCESS)
			return status;
	}
	if (vector < IPI_VECTOR_MIN || vector > IPI_VECTOR_MAX || (in[IN_VECTOR] & IPI_VTL_AND_PADDING))
		return HV_STATUS_INVALID_PARAMETER;
	status = vir_vp_targets(p, &set, &targets);
	if (status != HV_STATUS_SUCCESS)
		return status;
	for (unsigned int i = 0; i < p->nr_vcpus && i < MAX_VCPUS; i++) {
		const struct vcpu *t = p->vcpu[i];

		if (t && t->vp_index < 64 && (targets & BIT(t->vp_index)))
			apic_send_fixed(t->apic_id, (uint8_t)vector);
	}
	return HV_STATUS_SUCCESS;
}
