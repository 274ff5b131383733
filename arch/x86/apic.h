/* SPDX-License-Identifier: MIT */
#ifndef ARCH_X86_APIC_H
#define ARCH_X86_APIC_H

#include "hv/compiler.h"

#define XAPIC_ICR_LOW	0x300		/* writing it sends the IPI */
#define XAPIC_ICR_HIGH	0x310		/* the destination, bits 31:24 */

/*
 * The local APIC of the processor the caller runs on, in whichever mode
 * (xAPIC or x2APIC) the guest has put it. Used to carry out the guest's
 * writes to the Hyper-V APIC MSRs and to the xAPIC page on the real APIC,
 * and for Vireo's own kicks and INIT emulation.
 */
/*
 * A 32-bit local APIC register by its xAPIC MMIO offset; in x2APIC mode the
 * MSR 0x800 + offset / 16 (SDM "x2APIC Register Address Space").
 */
uint32_t apic_read(unsigned int offset);
void apic_write(unsigned int offset, uint32_t value);

void apic_write_eoi(uint32_t value);
/* ICR in the xAPIC layout: ICR-high << 32 | ICR-low (TLFS "Virtual Interrupt Controller"). */
uint64_t apic_read_icr(void);
void apic_write_icr(uint64_t value);
uint32_t apic_read_tpr(void);
void apic_write_tpr(uint32_t value);

bool apic_x2apic_mode(void);
/*
 * Whether this processor's local APIC answers at the xAPIC page at
 * physical address page: globally enabled, in xAPIC mode, based there. In
 * any other case its page is memory like any other address (SDM "Local
 * APIC Status and Location", "x2APIC Register Address Space").
 */
bool apic_xapic_decodes(uint64_t page);
uint32_t apic_id(void);
/* An NMI, an INIT, to the processor with this APIC ID (physical destination). */
void apic_send_nmi(uint32_t apic_id);
void apic_send_init(uint32_t apic_id);
/* A fixed, edge-triggered interrupt with this vector (16-255) to the processor with this APIC ID. */
void apic_send_fixed(uint32_t apic_id, uint8_t vector);
/*
 * This processor's local APIC as an INIT leaves it: LVT entries masked,
 * timer stopped, TPR 0, nothing in service, software-disabled (SDM "Local
 * APIC State After an INIT Reset").
 */
void apic_reset_for_init(void);

#endif
