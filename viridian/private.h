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
#define HV_STATUS_TIME_OUT			0x0078

/* Call codes (TLFS "Hypercalls"). */
#define HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE	0x0002
#define HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST	0x0003
#define HVCALL_NOTIFY_LONG_SPIN_WAIT		0x0008
#define HVCALL_SEND_IPI				0x000b
#define HVCALL_FLUSH_VIRTUAL_ADDRESS_SPACE_EX	0x0013
#define HVCALL_FLUSH_VIRTUAL_ADDRESS_LIST_EX	0x0014
#define HVCALL_SEND_IPI_EX			0x0015

/*
 * The virtual processors a processor mask or an HV_VP_SET names
 * (viridian/vpset.c): all of the partition's, or those in mask (bit n is
 * VP index n); beyond says it also names one of index 64 or more.
 */
struct vir_vp_set {
	bool all;
	uint64_t mask;
	bool beyond;
};

static inline struct vir_vp_set vir_vp_mask(uint64_t mask)
{
	return (struct vir_vp_set){ .all = false, .mask = mask, .beyond = false };
}

/*
 * Decodes the HV_VP_SET at set: Format, ValidBanksMask, then bank_words
 * bank words (the call's variable header). HV_STATUS_INVALID_HYPERCALL_INPUT
 * if bank_words is not the number of valid banks, ..._INVALID_PARAMETER
 * for an unknown format.
 */
uint16_t vir_vpset_decode(const uint64_t *set, unsigned int bank_words, struct vir_vp_set *out);

/* Every VP index of the partition, as a mask. */
uint64_t vir_all_vps(const struct partition *p);

/* The partition's VPs set names, in *targets; HV_STATUS_INVALID_PARAMETER if it names one the partition lacks. */
uint16_t vir_vp_targets(const struct partition *p, const struct vir_vp_set *set, uint64_t *targets);

/*
 * Hypercall handlers, given the call code and the variable header's size in
 * qwords. in holds the input's fixed and variable header, as qwords (the
 * two registers of a fast call); the rep list, if any, stays in guest
 * memory, checked.
 */
typedef uint16_t vir_hcall_handler_t(struct vcpu *v, uint16_t code, unsigned int var_hdr, const uint64_t *in);
vir_hcall_handler_t vir_hcall_flush;
vir_hcall_handler_t vir_hcall_send_ipi;

/* The parts of vir_apply_mask: the Hyper-V leaves, the map of synthetic MSRs, the calls granted. */
void vir_build_leaves(struct partition *p);
void vir_build_msr_map(struct partition *p);
void vir_build_hcalls(struct partition *p);

/* The partition's group mask: 0 (viridian off) until PARAM_VIRIDIAN is set. */
uint64_t vir_mask(const struct partition *p);

/* CRASH_P0-P4 and CRASH_CTL (viridian/crash.c), for the table in viridian/msr.c. */
#define HV_X64_MSR_CRASH_P0		0x40000100u
#define HV_X64_MSR_CRASH_CTL		0x40000105u
uint64_t vir_crash_read(const struct vcpu *v, uint32_t msr);
bool vir_crash_write(struct vcpu *v, uint32_t msr, uint64_t val);
/* How a byte of the guest's crash message is printed: itself, or a C escape ("\\", "\t", "\x1b"); the length. */
size_t vir_crash_escape(uint8_t c, char out[5]);

/* HV_X64_MSR_HYPERCALL bit 0: the guest has enabled the hypercall page. */
#define HV_HYPERCALL_ENABLE		BIT(0)

/* True once the guest has enabled the hypercall page in a partition with base. */
bool vir_hypercall_page_enabled(const struct partition *p);

/* The processor's TSC runs at a constant rate in every power state (CPUID 0x80000007 EDX bit 8). */
bool vir_host_tsc_invariant(void);

/* The time MSRs (viridian/time.c), for the table in viridian/msr.c. */
uint64_t vir_time_read_ref_count(const struct vcpu *v, uint32_t msr);
uint64_t vir_time_read_reference_tsc(const struct vcpu *v, uint32_t msr);
bool vir_time_write_reference_tsc(struct vcpu *v, uint32_t msr, uint64_t val);
uint64_t vir_time_read_invariant_control(const struct vcpu *v, uint32_t msr);
bool vir_time_write_invariant_control(struct vcpu *v, uint32_t msr, uint64_t val);

/* A guest-physical page a synthetic MSR was given that gmem refuses: logged, rate-limited. */
void vir_log_bad_page(const struct vcpu *v, const char *msr, uint64_t gpa);

#endif
