/* SPDX-License-Identifier: MIT */
#include <string.h>
#include <unistd.h>
#include "arch/x86/apic.h"
#include "arch/x86/cpu.h"
#include "hv/log.h"
#include "hv/ipi.h"
#include "hv/request.h"
#include "tests/unit/fake.h"

struct fake_cpuid_entry {
	uint32_t leaf, subleaf;
	struct cpuid_regs r;
};

struct fake_msr_entry {
	uint32_t msr;
	uint64_t val;
};

static struct fake_cpuid_entry cpuid_entries[64];
static unsigned int nr_cpuid;
static struct fake_msr_entry msr_entries[64];
static unsigned int nr_msr;

uint8_t fake_ram[FAKE_RAM_SIZE];
uint64_t fake_xcr0 = 1;
struct fake_apic fake_apic;
unsigned int fake_guest_cpl;
enum guest_mode fake_guest_mode = GUEST_MODE_LONG;
char fake_log[16384];

void fake_cpuid_set(uint32_t leaf, uint32_t subleaf, uint32_t eax, uint32_t ebx, uint32_t ecx, uint32_t edx)
{
	struct fake_cpuid_entry *e = NULL;

	for (unsigned int i = 0; i < nr_cpuid; i++)
		if (cpuid_entries[i].leaf == leaf && cpuid_entries[i].subleaf == subleaf)
			e = &cpuid_entries[i];
	if (!e && nr_cpuid < ARRAY_SIZE(cpuid_entries))
		e = &cpuid_entries[nr_cpuid++];
	if (e)
		*e = (struct fake_cpuid_entry){ leaf, subleaf, { eax, ebx, ecx, edx } };
}

void fake_cpuid_reset(void)
{
	nr_cpuid = 0;
}

void cpu_cpuid(uint32_t leaf, uint32_t subleaf, struct cpuid_regs *r)
{
	*r = (struct cpuid_regs){ 0, 0, 0, 0 };
	for (unsigned int i = 0; i < nr_cpuid; i++)
		if (cpuid_entries[i].leaf == leaf && cpuid_entries[i].subleaf == subleaf)
			*r = cpuid_entries[i].r;
}

void vcpu_cpuid(struct vcpu *v, uint32_t leaf, uint32_t subleaf)
{
	struct cpuid_regs r;

	cpu_cpuid(leaf, subleaf, &r);
	v->regs->rax = r.eax;
	v->regs->rbx = r.ebx;
	v->regs->rcx = r.ecx;
	v->regs->rdx = r.edx;
}

void fake_msr_set(uint32_t msr, uint64_t val)
{
	for (unsigned int i = 0; i < nr_msr; i++) {
		if (msr_entries[i].msr == msr) {
			msr_entries[i].val = val;
			return;
		}
	}
	if (nr_msr < ARRAY_SIZE(msr_entries))
		msr_entries[nr_msr++] = (struct fake_msr_entry){ msr, val };
}

bool fake_msr_get(uint32_t msr, uint64_t *val)
{
	for (unsigned int i = 0; i < nr_msr; i++) {
		if (msr_entries[i].msr == msr) {
			*val = msr_entries[i].val;
			return true;
		}
	}
	return false;
}

void fake_msr_reset(void)
{
	nr_msr = 0;
}

int cpu_rdmsr_safe(uint32_t msr, uint64_t *val)
{
	return fake_msr_get(msr, val) ? 0 : -1;
}

int cpu_wrmsr_safe(uint32_t msr, uint64_t val)
{
	uint64_t old;

	if (!fake_msr_get(msr, &old))
		return -1;
	fake_msr_set(msr, val);
	return 0;
}

int cpu_xsetbv_safe(uint32_t index, uint64_t val)
{
	/* XCR0 bit 0 (x87) must be set; bit 2 (AVX) needs bit 1 (SSE). SDM "XSETBV". */
	if (index != 0 || !(val & 1) || ((val & 4) && !(val & 2)))
		return -1;
	fake_xcr0 = val;
	return 0;
}

uint64_t fake_tsc_step = 1000;
static uint64_t tsc;

void fake_tsc_set(uint64_t next)
{
	__atomic_store_n(&tsc, next - fake_tsc_step, __ATOMIC_RELAXED);
}

/* Atomic, so that tests may read it from several threads. */
uint64_t cpu_rdtsc(void)
{
	return __atomic_add_fetch(&tsc, fake_tsc_step, __ATOMIC_RELAXED);
}

unsigned int fake_wbinvd_count;
struct fake_io fake_io;

uint32_t cpu_in(uint16_t port, unsigned int size)
{
	fake_io.port = port;
	fake_io.size = size;
	return fake_io.in_value;
}

void cpu_out(uint16_t port, unsigned int size, uint32_t value)
{
	fake_io.port = port;
	fake_io.size = size;
	fake_io.out_value = value;
	fake_io.outs++;
}

void cpu_wbinvd(void)
{
	fake_wbinvd_count++;
}

unsigned int fake_phys_delay_us;

void *phys_to_virt(uint64_t pa)
{
	if (fake_phys_delay_us)
		usleep(fake_phys_delay_us);
	return pa < FAKE_RAM_SIZE ? &fake_ram[pa] : NULL;
}

void apic_write_eoi(uint32_t value)
{
	fake_apic.eoi_count++;
	fake_apic.last_eoi = value;
}

uint64_t apic_read_icr(void)
{
	return fake_apic.icr;
}

void apic_write_icr(uint64_t value)
{
	fake_apic.icr = value;
}

uint32_t apic_read(unsigned int offset)
{
	return fake_apic.reg[(offset / 16) % 64];
}

void apic_write(unsigned int offset, uint32_t value)
{
	fake_apic.reg[(offset / 16) % 64] = value;
	fake_apic.writes++;
}

bool apic_x2apic_mode(void)
{
	return fake_apic.x2apic;
}

bool apic_xapic_decodes(uint64_t page)
{
	(void)page;
	return !fake_apic.x2apic && !fake_apic.globally_disabled;
}

uint32_t apic_id(void)
{
	return fake_apic.reg[2];
}

void apic_send_nmi(uint32_t id)
{
	fake_apic.last_kick = id;
}

void apic_send_fixed(uint32_t id, uint8_t vector)
{
	if (fake_apic.nr_fixed < FAKE_APIC_FIXED_MAX) {
		fake_apic.fixed[fake_apic.nr_fixed].apic_id = id;
		fake_apic.fixed[fake_apic.nr_fixed].vector = vector;
	}
	fake_apic.nr_fixed++;
}

void apic_reset_for_init(void)
{
	fake_apic.init_resets++;
}

void vcpu_kick(struct vcpu *v)
{
	fake_apic.kicks++;
	fake_apic.last_kick = v->apic_id;
	if (fake_apic.kick_exits) {
		ipi_nmi_arrived(v);
		vcpu_serve_requests(v);
	}
}

void vcpu_send_init_to_self(struct vcpu *v)
{
	(void)v;
	fake_apic.inits_to_self++;
}

void vcpu_pass_ipis(struct vcpu *v)
{
	fake_apic.passed_ipis |= 1ULL << (v->vp_index % 64);
}

unsigned int fake_tlb_flushes[MAX_VCPUS_FAKE];

void vcpu_flush_tlb(struct vcpu *v)
{
	fake_tlb_flushes[v->vp_index % MAX_VCPUS_FAKE]++;
}

uint32_t apic_read_tpr(void)
{
	return fake_apic.tpr;
}

void apic_write_tpr(uint32_t value)
{
	fake_apic.tpr = value;
}

unsigned int vcpu_guest_cpl(const struct vcpu *v)
{
	(void)v;
	return fake_guest_cpl;
}

enum guest_mode vcpu_guest_mode(const struct vcpu *v)
{
	(void)v;
	return fake_guest_mode;
}

struct fake_guest fake_guest;

uint64_t vcpu_read_rsp(const struct vcpu *v)
{
	(void)v;
	return fake_guest.rsp;
}

void vcpu_write_rsp(struct vcpu *v, uint64_t rsp)
{
	(void)v;
	fake_guest.rsp = rsp;
}

uint64_t vcpu_read_cr(const struct vcpu *v, unsigned int cr)
{
	(void)v;
	return fake_guest.cr[cr & 7];
}

uint64_t vcpu_read_cr4_bits(const struct vcpu *v, uint64_t bits)
{
	(void)v;
	return fake_guest.cr[4] & bits;
}

bool vcpu_write_cr(struct vcpu *v, unsigned int cr, uint64_t value)
{
	(void)v;
	if (cr == 4 && (value & BIT(13)))
		return false;
	fake_guest.cr[cr & 7] = value;
	return true;
}

bool vcpu_enter_wait_for_sipi(struct vcpu *v)
{
	(void)v;
	fake_guest.wait_for_sipi = fake_guest.unrestricted;
	return fake_guest.unrestricted;
}

void vcpu_start_at_sipi(struct vcpu *v, uint8_t vector)
{
	(void)v;
	fake_guest.wait_for_sipi = false;
	fake_guest.sipi_vector = vector;
}

size_t vcpu_fetch_insn(struct vcpu *v, uint8_t *buf, size_t len, unsigned int *code_bits)
{
	(void)v;
	if (len > fake_guest.insn_len)
		len = fake_guest.insn_len;
	memcpy(buf, fake_guest.insn, len);
	*code_bits = fake_guest.code_bits;
	return len;
}

uint64_t vcpu_segment_base(const struct vcpu *v, unsigned int seg)
{
	(void)v;
	return fake_guest.seg_base[seg % ARRAY_SIZE(fake_guest.seg_base)];
}

enum vcpu_ept_fault vcpu_ept_fault(struct vcpu *v, uint64_t gpa)
{
	(void)v;
	fake_guest.ept_fault_gpa = gpa;
	return fake_guest.ept_result;
}

void log_sink_write(const char *s, size_t len)
{
	size_t used = strlen(fake_log);

	if (used + len >= sizeof(fake_log))
		len = sizeof(fake_log) - used - 1;
	memcpy(fake_log + used, s, len);
	fake_log[used + len] = '\0';
}

void fake_log_clear(void)
{
	fake_log[0] = '\0';
}

bool fake_log_contains(const char *s)
{
	return strstr(fake_log, s) != NULL;
}
