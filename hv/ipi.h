/* SPDX-License-Identifier: MIT */
#ifndef HV_IPI_H
#define HV_IPI_H

#include "hv/vcpu.h"

/*
 * Interrupt Command Register (SDM "Interrupt Command Register (ICR)"):
 * vector 7:0, delivery mode 10:8, destination mode 11, delivery status 12,
 * level 14, trigger mode 15, shorthand 19:18. The destination is bits 63:56
 * in the xAPIC layout and 63:32 in the x2APIC layout ("x2APIC Interrupt
 * Command Register (ICR) Operation"), which is what hv/ipi.c takes.
 */
#define ICR_VECTOR_MASK		0x00000000000000FFULL
#define ICR_DELIVERY_MASK	0x0000000000000700ULL
#define ICR_DEST_LOGICAL	BIT(11)
#define ICR_LEVEL_ASSERT	BIT(14)
#define ICR_TRIGGER_LEVEL	BIT(15)
#define ICR_SHORTHAND_MASK	0x00000000000C0000ULL
#define ICR_XAPIC_DEST_MASK	0xFF00000000000000ULL

#define ICR_DM_NMI		4
#define ICR_DM_INIT		5
#define ICR_DM_STARTUP		6

#define ICR_SH_NONE		0
#define ICR_SH_SELF		1
#define ICR_SH_ALL		2
#define ICR_SH_OTHERS		3

static inline unsigned int icr_delivery_mode(uint64_t icr)
{
	return (unsigned int)(icr & ICR_DELIVERY_MASK) >> 8;
}

static inline unsigned int icr_shorthand(uint64_t icr)
{
	return (unsigned int)(icr & ICR_SHORTHAND_MASK) >> 18;
}

static inline uint64_t icr_from_xapic(uint64_t icr)
{
	return (icr >> 56) << 32 | (uint32_t)icr;
}

/*
 * An IPI the guest writes to its ICR, in the x2APIC layout; x2apic tells
 * which destination width applies (0xff or 0xffffffff is the broadcast).
 * True when Vireo delivered it itself (INIT, SIPI and NMI to virtual
 * processors, where the partition intercepts IPIs), false when the caller
 * sends it through the local APIC as the guest wrote it.
 */
bool ipi_intercept(struct vcpu *from, uint64_t icr, bool x2apic);

/*
 * Asks t to leave the guest and look at what the caller recorded for it
 * first (an INIT, an NMI, a request, an undo). The kick is an NMI, never
 * delivered to the guest; while one is on its way to t no other is sent.
 */
void ipi_kick(struct vcpu *t);

/* An NMI reached v, by a VM exit or in the host: the kick on its way, if any, else the guest's. */
void ipi_nmi_arrived(struct vcpu *v);

/* Before each VM entry: whether an INIT is waiting for v (ipi_take_init then runs it). */
static inline bool ipi_init_pending(const struct vcpu *v)
{
	return __atomic_load_n(&v->startup.state, __ATOMIC_ACQUIRE) == STARTUP_INIT_PENDING;
}

/*
 * Carries out the INIT: the local APIC goes to its INIT state, the vCPU
 * waits in the host for its SIPI (the architectural wait-for-SIPI), then
 * starts in real mode at the SIPI's vector.
 */
void ipi_take_init(struct vcpu *v);

#endif
