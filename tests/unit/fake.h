/* SPDX-License-Identifier: MIT */
#ifndef TESTS_UNIT_FAKE_H
#define TESTS_UNIT_FAKE_H

/* Controls of the hosted fakes of arch/x86 (tests/unit/fake_*.c). */

#include "hv/compiler.h"
#include "hv/vcpu.h"
#include "arch/x86/cpu.h"

/* CPUID: leaves not set read as zero. */
void fake_cpuid_set(uint32_t leaf, uint32_t subleaf, uint32_t eax, uint32_t ebx, uint32_t ecx, uint32_t edx);
void fake_cpuid_reset(void);

/* MSRs: an MSR not set raises #GP (the safe accessors return -1). */
void fake_msr_set(uint32_t msr, uint64_t val);
bool fake_msr_get(uint32_t msr, uint64_t *val);
void fake_msr_reset(void);

/* TSC: each read advances it by fake_tsc_step (1000 unless a test changes it); the next read returns next. */
extern uint64_t fake_tsc_step;
void fake_tsc_set(uint64_t next);

/* Guest RAM: FAKE_RAM_SIZE bytes at guest-physical 0. */
#define FAKE_RAM_SIZE (1024 * 1024)
extern uint8_t fake_ram[FAKE_RAM_SIZE];
/* Microseconds each phys_to_virt() sleeps: widens a window for the tests that race two threads. */
extern unsigned int fake_phys_delay_us;
extern uint64_t fake_xcr0;
extern unsigned int fake_wbinvd_count;

/* Port I/O: the last access, and what an IN returns. */
struct fake_io {
	uint16_t port;
	unsigned int size;
	uint32_t in_value;
	uint32_t out_value;
	unsigned int outs;
};
extern struct fake_io fake_io;

/* Local APIC: what the last accesses wrote. */
#define FAKE_APIC_FIXED_MAX	64
struct fake_apic {
	uint32_t eoi_count;
	uint32_t last_eoi;
	uint64_t icr;
	uint32_t tpr;
	uint32_t reg[64];		/* apic_read/apic_write, by xAPIC offset / 16 */
	unsigned int writes;		/* apic_write calls */
	bool x2apic;
	bool globally_disabled;		/* IA32_APIC_BASE[11] clear */
	unsigned int init_resets;	/* apic_reset_for_init calls */
	unsigned int kicks;		/* vcpu_kick calls */
	uint32_t last_kick;		/* the APIC ID kicked last */
	bool kick_exits;		/* a kick's NMI reaches its target at once, which serves its requests */
	unsigned int inits_to_self;	/* vcpu_send_init_to_self calls */
	uint64_t passed_ipis;		/* BIT(VP index) of each vcpu_pass_ipis call */
	struct {
		uint32_t apic_id;
		uint8_t vector;
	} fixed[FAKE_APIC_FIXED_MAX];	/* apic_send_fixed calls, the first FAKE_APIC_FIXED_MAX */
	unsigned int nr_fixed;		/* all of them */
};
extern struct fake_apic fake_apic;

/* vcpu_flush_tlb calls, by VP index. */
#define MAX_VCPUS_FAKE	64
extern unsigned int fake_tlb_flushes[MAX_VCPUS_FAKE];

/* Guest privilege level and mode as vcpu_guest_cpl()/vcpu_guest_mode() report them. */
extern unsigned int fake_guest_cpl;
extern enum guest_mode fake_guest_mode;

/* Guest state behind the vcpu_* accessors of hv/vcpu.h. */
struct fake_guest {
	uint64_t rsp;
	uint64_t cr[8];
	bool unrestricted;
	bool wait_for_sipi;
	int sipi_vector;
	uint64_t ept_fault_gpa;
	enum vcpu_ept_fault ept_result;
	uint8_t insn[15];		/* what vcpu_fetch_insn reads */
	size_t insn_len;
	unsigned int code_bits;
	uint64_t seg_base[6];		/* what vcpu_segment_base returns, ES..GS */
};
extern struct fake_guest fake_guest;

/* Everything the log sink received since the last fake_log_clear(). */
extern char fake_log[16384];
void fake_log_clear(void);
bool fake_log_contains(const char *s);

#endif
