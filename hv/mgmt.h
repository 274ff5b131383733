/* SPDX-License-Identifier: MIT */
#ifndef HV_MGMT_H
#define HV_MGMT_H

/*
 * Vireo's management interface, reached with VMCALL.
 *
 * RCX = MGMT_TAG | op. The tag sets RCX bits 63:60, which are reserved
 * (RsvdZ) in the Hyper-V hypercall control word (TLFS "Hypercall Inputs"),
 * so no well-formed Hyper-V call can be mistaken for a management call.
 * RDX and R8 carry the arguments; RAX returns 0 or a negative hv_errno.
 *
 *   MGMT_OP_GET_PARAM   RDX = param id            -> RAX = 0, RDX = value
 *   MGMT_OP_SET_PARAM   RDX = param id, R8 = value -> RAX = 0
 *   MGMT_OP_PRINT_STATS (no arguments)            -> RAX = 0
 *
 * The same functions serve Vireo's loader before the guest runs
 * (CALLER_MGMT) and the guest's VMCALL (CALLER_GUEST), which may read
 * parameters but never set them (-HV_EPERM). PRINT_STATS only writes
 * Vireo's memory use and the exit and viridian counters of every vCPU to
 * Vireo's log (hv/stats.h), so the guest may call it too; RDX comes back
 * unchanged.
 */

#include "hv/compiler.h"
#include "hv/partition.h"

#define MGMT_TAG		0x5649000000000000ULL	/* "VI" in bits 63:48 */
#define MGMT_TAG_MASK		0xFFFF000000000000ULL
#define MGMT_OP_GET_PARAM	1
#define MGMT_OP_SET_PARAM	2
#define MGMT_OP_PRINT_STATS	3

struct vcpu;

static inline bool mgmt_is_call(uint64_t rcx)
{
	return (rcx & MGMT_TAG_MASK) == MGMT_TAG;
}

/* Runs one management call; returns what goes into RAX. */
int64_t mgmt_call(struct partition *p, enum caller who, uint64_t op, uint64_t arg0, uint64_t arg1, uint64_t *out);

#endif
