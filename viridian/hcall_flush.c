/* SPDX-License-Identifier: MIT */
/*
 * Remote TLB flushes by hypercall: HvCallFlushVirtualAddressSpace (0x0002),
 * ...List (0x0003) and their _Ex forms with a sparse VP set (0x0013,
 * 0x0014). TLFS: "This call guarantees that by the time control returns
 * back to the caller, the observable effects of all flushes on the
 * specified virtual processors have occurred." Each virtual processor runs
 * on a processor of its own, so the caller asks each target to flush, kicks
 * it out of the guest and waits for its answer (hv/request.h); a target
 * that is waiting for its SIPI runs no guest code until it has flushed.
 *
 * Vireo drops every translation of a target, whatever the address space,
 * the flags and the GVA list narrow the flush to: the TLFS lets a flush do
 * more than asked. So the GVA list (one GVA per element, its low 12 bits the
 * number of further pages, TLFS "HvCallFlushVirtualAddressList") is checked
 * for place but never read.
 */
#include "hv/partition.h"
#include "hv/request.h"
#include "hv/vcpu.h"
#include "viridian/private.h"

/* HV_FLUSH_FLAGS. */
#define HV_FLUSH_ALL_PROCESSORS			BIT(0)	/* the mask or set is ignored */
#define HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES	BIT(1)	/* AddressSpace is ignored */
#define HV_FLUSH_NON_GLOBAL_MAPPINGS_ONLY	BIT(2)	/* not for the List calls */

/*
 * The flags each call takes: "All other flags are reserved and must be set
 * to zero." Bit 3, the extended GVA range format, needs 0x40000003 EDX bit
 * 14, which Vireo does not offer.
 */
#define FLUSH_SPACE_FLAGS	(HV_FLUSH_ALL_PROCESSORS | HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES | \
				 HV_FLUSH_NON_GLOBAL_MAPPINGS_ONLY)
#define FLUSH_LIST_FLAGS	(HV_FLUSH_ALL_PROCESSORS | HV_FLUSH_ALL_VIRTUAL_ADDRESS_SPACES)

/* The input header: AddressSpace, Flags, then the ProcessorMask or the HV_VP_SET. */
#define IN_FLAGS		1
#define IN_PROCESSORS		2

uint16_t vir_hcall_flush(struct vcpu *v, uint16_t code, unsigned int var_hdr, const uint64_t *in)
{
	bool list = code == HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST || code == HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX;
	bool ex = code == HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX || code == HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX;
	uint64_t flags = in[IN_FLAGS], targets;
	struct vir_vp_set set = vir_vp_mask(in[IN_PROCESSORS]);
	uint16_t status;

	if (ex) {
		status = vir_vpset_decode(&in[IN_PROCESSORS], var_hdr, &set);
		if (status != HV_STATUS_SUCCESS)
			return status;
	}
	if (flags & ~(list ? FLUSH_LIST_FLAGS : FLUSH_SPACE_FLAGS))
		return HV_STATUS_INVALID_PARAMETER;
	if (flags & HV_FLUSH_ALL_PROCESSORS)
		set.all = true;
	status = vir_vp_targets(v->part, &set, &targets);
	if (status != HV_STATUS_SUCCESS)
		return status;
	/* Not answered in time: the guest may then flush by IPIs itself, as Linux does on any failure. */
	if (!vcpu_request_all(v, targets, VCPU_REQ_FLUSH_TLB))
		return HV_STATUS_TIME_OUT;
	return HV_STATUS_SUCCESS;
}
