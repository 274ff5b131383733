/* SPDX-License-Identifier: MIT */
#ifndef VIRIDIAN_PRIVATE_H
#define VIRIDIAN_PRIVATE_H

/* Shared between the files of viridian/; nothing outside it includes this. */

#include "viridian/viridian.h"

/*
 * HV_STATUS values returned in bits 15:0 of the hypercall result (TLFS
 * "Hypercall Status Codes"; the numbers are those of the TLFS HV_STATUS
 * data type page).
 */
#define HV_STATUS_SUCCESS			0x0000
#define HV_STATUS_INVALID_HYPERCALL_CODE	0x0002
#define HV_STATUS_INVALID_HYPERCALL_INPUT	0x0003
#define HV_STATUS_INVALID_ALIGNMENT		0x0004
#define HV_STATUS_INVALID_PARAMETER		0x0005
#define HV_STATUS_ACCESS_DENIED			0x0006

/* The partition's group mask: 0 (viridian off) until PARAM_VIRIDIAN is set. */
uint64_t vir_mask(const struct partition *p);

/* CRASH_P0-P4 and CRASH_CTL, 0x40000100-0x40000105 (viridian/crash.c). */
bool vir_crash_msr(uint32_t msr);
enum msr_result vir_crash_rdmsr(struct vcpu *v, uint32_t msr, uint64_t *val);
enum msr_result vir_crash_wrmsr(struct vcpu *v, uint32_t msr, uint64_t val);
/* How a byte of the guest's crash message is printed: itself, or a C escape ("\\", "\t", "\x1b"); the length. */
size_t vir_crash_escape(uint8_t c, char out[5]);

/* True once the guest has enabled the hypercall page (HV_X64_MSR_HYPERCALL bit 0). */
bool vir_hypercall_page_enabled(const struct partition *p);

#endif
