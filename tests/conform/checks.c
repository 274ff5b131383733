/* SPDX-License-Identifier: MIT */
/*
 * The checks that run at CPL 0: every CR0 and CR4 bit toggled alone, CPUID
 * with every subleaf (and again after changing the state some of its bits
 * mirror), instructions that fault or trap, XSAVE with CR4.OSXSAVE off and
 * on, and the local APIC globally disabled. Every change is undone before
 * the next item.
 */
#include <efi.h>
#include <efilib.h>

#include "arch/x86/msr.h"
#include "arch/x86/processor.h"
#include "tests/conform/conform.h"

#define CR4_OSXSAVE		BIT(18)
#define CR4_SMEP		BIT(20)
#define CR4_SMAP		BIT(21)
#define CR4_PKE			BIT(22)
#define CR4_LA57		BIT(12)

#define CPUID_1_ECX_XSAVE	BIT(26)
#define CPUID_7_ECX_PKU		BIT(3)
#define XCR0_X87_SSE		0x3
#define XCR0_AVX		BIT(2)
#define XSAVE_HEADER		512

#define PTE_PRESENT		BIT(0)
#define PTE_USER		BIT(2)
#define PTE_LARGE		BIT(7)
#define PTE_ADDR		0x000ffffffffff000ULL

static void cpuid(uint32_t leaf, uint32_t subleaf, uint32_t r[4])
{
	asm volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(subleaf));
}

static uint64_t irq_disable(void)
{
	uint64_t flags = read_rflags();

	cli();
	return flags;
}

static void irq_restore(uint64_t flags)
{
	if (flags & X86_RFLAGS_IF)
		asm volatile("sti" ::: "memory");
}

/* ------------------------------------------------------------ CR0, CR4 */

static const char *const cr0_names[64] = {
	[0] = "PE", [1] = "MP", [2] = "EM", [3] = "TS", [4] = "ET", [5] = "NE", [16] = "WP", [18] = "AM",
	[29] = "NW", [30] = "CD", [31] = "PG",
};

static const char *const cr4_names[64] = {
	[0] = "VME", [1] = "PVI", [2] = "TSD", [3] = "DE", [4] = "PSE", [5] = "PAE", [6] = "MCE", [7] = "PGE",
	[8] = "PCE", [9] = "OSFXSR", [10] = "OSXMMEXCPT", [11] = "UMIP", [12] = "LA57", [13] = "VMXE",
	[14] = "SMXE", [16] = "FSGSBASE", [17] = "PCIDE", [18] = "OSXSAVE", [19] = "KL", [20] = "SMEP",
	[21] = "SMAP", [22] = "PKE", [23] = "CET", [24] = "PKS",
};


/* How to write, read and put back one control register. */
struct control_register {
	const char *name;
	const char *const *bit_names;
	uint64_t (*write_and_read)(uint64_t value, uint64_t *readback);
	uint64_t (*read)(void);
	void (*write)(uint64_t value);
};

/* MOV to the register and what it reads then; one that changed it and did not put it back is a failure of its own. */
static void write_and_report(struct ct_out *o, const struct control_register *r, uint64_t value, uint64_t old)
{
	uint64_t readback = 0, faulted = r->write_and_read(value, &readback);

	out_result(o, faulted, readback, 16);
	out_end(o);
	if (r->read() == old)
		return;
	out_begin(o, r->name);
	out_str(o, " not restored: ");
	out_hex(o, r->read(), 16);
	out_end(o);
	r->write(old);
}

static const unsigned int high_bits[] = { 32, 63 };

/*
 * Every bit of the register alone toggled (0-31, then 32 and 63 for the
 * reserved upper half), except those in skip, and then value as a whole.
 */
static void toggle_each_bit(struct ct_out *o, const struct control_register *r, uint64_t skip, uint64_t value)
{
	uint64_t old = r->read(), flags = irq_disable();
	unsigned int bit;

	for (unsigned int i = 0; i < 32 + ARRAY_SIZE(high_bits); i++) {
		bit = i < 32 ? i : high_bits[i - 32];
		out_begin(o, r->name);
		out_str(o, " ^");
		out_hex(o, bit, 2);
		out_str(o, " ");
		out_str(o, r->bit_names[bit] ? r->bit_names[bit] : "-");
		if (skip & BIT(bit)) {
			out_str(o, " skipped: the firmware is user-accessible");
			out_end(o);
			continue;
		}
		write_and_report(o, r, old ^ BIT(bit), old);
	}
	out_begin(o, r->name);
	out_str(o, " =");
	out_hex(o, value, 16);
	write_and_report(o, r, value, old);
	irq_restore(flags);
}

static uint64_t cr0_read(void)
{
	return read_cr0();
}

static uint64_t cr4_read(void)
{
	return read_cr4();
}

void check_cr0(struct ct_out *o)
{
	static const struct control_register cr0 = { "cr0", cr0_names, ct_write_cr0, cr0_read, write_cr0 };

	/* Last, PG, WP and PE alone: NE and ET clear, as a program that sets up its own CR0 may write it. */
	toggle_each_bit(o, &cr0, 0, 0x80010001);
}

/* Whether the page translating va is reachable from CPL 3 (4-level paging). */
static bool user_accessible(uint64_t va)
{
	uint64_t entry = read_cr3() & PTE_ADDR;

	for (int level = 3; level >= 0; level--) {
		entry = ((const uint64_t *)(UINTN)(entry & PTE_ADDR))[(va >> (12 + 9 * level)) & 0x1ff];
		if (!(entry & PTE_PRESENT) || !(entry & PTE_USER))
			return false;
		if (level > 0 && level < 3 && (entry & PTE_LARGE))
			return true;
	}
	return true;
}

void check_cr4(struct ct_out *o)
{
	static const struct control_register cr4 = { "cr4", cr4_names, ct_write_cr4, cr4_read, write_cr4 };
	uint64_t here = (uint64_t)(UINTN)&here;
	/* SMEP or SMAP on firmware that maps itself user-accessible would fault on the next fetch or access. */
	bool unsafe = (read_cr4() & CR4_LA57) || user_accessible((uint64_t)(UINTN)check_cr4) ||
		      user_accessible(here) || user_accessible((uint64_t)(UINTN)&ct_frame);

	/* Last, every bit set: reserved ones among them. */
	toggle_each_bit(o, &cr4, unsafe ? CR4_SMEP | CR4_SMAP : 0, 0xffffffff);
}

/* ------------------------------------------------------------ CPUID */

static void print_cpuid(struct ct_out *o, const char *state, uint32_t leaf, uint32_t subleaf, const uint32_t r[4])
{
	out_begin(o, "cpuid ");
	out_str(o, state);
	out_hex(o, leaf, 8);
	out_str(o, ".");
	out_hex(o, subleaf, 2);
	for (unsigned int i = 0; i < 4; i++) {
		out_str(o, " ");
		out_hex(o, r[i], 8);
	}
	out_end(o);
}

/*
 * Every subleaf of a leaf: subleaf 0, then each that differs from the one
 * before it. Leaves 4, 0xB and 0x1F list their subleaves until one of type
 * 0 (SDM "CPUID"); the others are probed up to subleaf 63.
 */
static void sweep_leaf(struct ct_out *o, const char *state, uint32_t leaf)
{
	uint32_t r[4], prev[4] = { 0, 0, 0, 0 };

	for (uint32_t sub = 0; sub < 64; sub++) {
		cpuid(leaf, sub, r);
		if (!sub || r[0] != prev[0] || r[1] != prev[1] || r[2] != prev[2] || r[3] != prev[3])
			print_cpuid(o, state, leaf, sub, r);
		if ((leaf == 4 && !(r[0] & 0x1f)) || ((leaf == 0xb || leaf == 0x1f) && !(r[2] & 0xff00)))
			break;
		for (unsigned int i = 0; i < 4; i++)
			prev[i] = r[i];
	}
}

static void sweep_range(struct ct_out *o, uint32_t first, uint32_t last)
{
	uint32_t r[4];

	cpuid(first, 0, r);
	if (r[0] < last)
		last = r[0];
	for (uint32_t leaf = first; leaf >= first && leaf <= last; leaf++)
		sweep_leaf(o, "", leaf);
}

static void xsetbv(uint64_t value)
{
	asm volatile("xsetbv" : : "a"((uint32_t)value), "d"((uint32_t)(value >> 32)), "c"(0) : "memory");
}

static uint64_t xgetbv(void)
{
	uint32_t lo, hi;

	asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return (uint64_t)hi << 32 | lo;
}

/*
 * The bits that mirror state software changes: CPUID.1:ECX.OSXSAVE follows
 * CR4.OSXSAVE, CPUID.7.0:ECX.OSPKE follows CR4.PKE, the sizes in leaf 0xD
 * follow XCR0, CPUID.1:EDX.APIC follows IA32_APIC_BASE (check_apic).
 */
static void sweep_mirrors(struct ct_out *o)
{
	uint64_t cr4 = read_cr4(), flags = irq_disable();
	uint32_t r1[4], r7[4], rd[4];

	cpuid(1, 0, r1);
	cpuid(7, 0, r7);
	if (r1[2] & CPUID_1_ECX_XSAVE) {
		uint64_t xcr0, variants[2];

		write_cr4(cr4 ^ CR4_OSXSAVE);
		sweep_leaf(o, cr4 & CR4_OSXSAVE ? "osxsave=0 " : "osxsave=1 ", 1);
		write_cr4(cr4 | CR4_OSXSAVE);
		xcr0 = xgetbv();
		cpuid(0xd, 0, rd);
		variants[0] = XCR0_X87_SSE;
		variants[1] = rd[0] & (XCR0_X87_SSE | XCR0_AVX);
		for (unsigned int i = 0; i < ARRAY_SIZE(variants); i++) {
			xsetbv(variants[i]);
			sweep_leaf(o, i ? "xcr0=all " : "xcr0=3 ", 0xd);
		}
		xsetbv(xcr0);
		write_cr4(cr4);
	}
	if (r7[2] & CPUID_7_ECX_PKU) {
		write_cr4(cr4 ^ CR4_PKE);
		sweep_leaf(o, cr4 & CR4_PKE ? "pke=0 " : "pke=1 ", 7);
		write_cr4(cr4);
	}
	irq_restore(flags);
}

void check_cpuid(struct ct_out *o)
{
	sweep_range(o, 0, 0x1f);
	sweep_range(o, 0x80000000, 0x80000008);
	sweep_mirrors(o);
}

/* ------------------------------------------------------------ faults and traps */

struct insn_item {
	const char *name;
	ct_insn_fn *fn;
	uint64_t rax, rcx, rdx;
	bool msr_value;		/* print EDX:EAX when it does not fault */
};

/*
 * Instructions that exit to a hypervisor and fault, or complete and trap
 * (TF), and the reads of MSRs that say whether VMX is there. The MSR
 * 0x12345678 exists nowhere; 0x40000000 is the first synthetic MSR of a
 * hypervisor; the x2APIC ICR (0x830) faults in xAPIC mode.
 */
static const struct insn_item insn_items[] = {
	{ "rdmsr 00000830", ct_rdmsr, 0, 0x830, 0, true },
	{ "wrmsr 00000830", ct_wrmsr, 0, 0x830, 0, false },
	{ "rdmsr 12345678", ct_rdmsr, 0, 0x12345678, 0, true },
	{ "wrmsr 12345678", ct_wrmsr, 0, 0x12345678, 0, false },
	{ "rdmsr 40000000", ct_rdmsr, 0, 0x40000000, 0, true },
	{ "wrmsr 40000000", ct_wrmsr, 0, 0x40000000, 0, false },
	{ "rdmsr 0000003a", ct_rdmsr, 0, MSR_IA32_FEATURE_CONTROL, 0, true },
	{ "rdmsr 00000480", ct_rdmsr, 0, MSR_IA32_VMX_BASIC, 0, true },
	{ "invd", ct_invd, 0, 0, 0, false },
	{ "vmxon", ct_vmxon, 0, 0, 0, false },
	{ "vmxoff", ct_vmxoff, 0, 0, 0, false },
	{ "vmcall", ct_vmcall, 0, 0, 0, false },
	{ "vmread", ct_vmread, 0, 0x4400, 0, false },
	{ "vmptrst", ct_vmptrst, 0, 0, 0, false },
	{ "invept", ct_invept, 1, 0, 0, false },
	{ "getsec", ct_getsec, 0, 0, 0, false },
	{ "vmfunc", ct_vmfunc, 0, 0, 0, false },
	{ "tf cpuid", ct_cpuid_tf, 0, 0, 0, false },
	{ "tf invd", ct_invd_tf, 0, 0, 0, false },
	{ "tf vmcall", ct_vmcall_tf, 0, 0, 0, false },
};

static void run_insn(struct ct_out *o, const char *name, ct_insn_fn *fn, uint64_t rax, uint64_t rcx, uint64_t rdx,
		     void *mem, bool msr_value)
{
	uint64_t faulted = fn(rax, rcx, rdx, mem);

	out_begin(o, name);
	if (!faulted && !msr_value)
		out_str(o, " ok");
	else
		out_result(o, faulted, ct_out[3] << 32 | (uint32_t)ct_out[0], 16);
	out_end(o);
}

void check_faults(struct ct_out *o, uint8_t *scratch)
{
	uint64_t flags = irq_disable(), faulted;

	for (unsigned int i = 0; i < ARRAY_SIZE(insn_items); i++) {
		const struct insn_item *t = &insn_items[i];

		ZeroMem(scratch, 4096);
		run_insn(o, t->name, t->fn, t->rax, t->rcx, t->rdx, scratch, t->msr_value);
	}
	faulted = ct_cpuid_rf_then_breakpoint();
	ct_write_dr7(0x400);
	out_begin(o, "rf cpuid, breakpoint after it");
	out_result(o, faulted, 0, 1);
	out_end(o);
	irq_restore(flags);
}

/* ------------------------------------------------------------ XSAVE */

void check_xsave(struct ct_out *o, uint8_t *area)
{
	uint64_t cr4 = read_cr4(), flags, xcr0;
	uint8_t *saved = area, *test = area + 4096;
	uint32_t r[4];

	cpuid(1, 0, r);
	if (!(r[2] & CPUID_1_ECX_XSAVE)) {
		out_begin(o, "xsave: not offered");
		out_end(o);
		return;
	}
	flags = irq_disable();
	write_cr4(cr4 & ~CR4_OSXSAVE);
	run_insn(o, "osxsave=0 xgetbv", ct_xgetbv, 0, 0, 0, NULL, true);
	run_insn(o, "osxsave=0 xsetbv", ct_xsetbv, 1, 0, 0, NULL, false);
	run_insn(o, "osxsave=0 xsave", ct_xsave, ~0ULL, 0, ~0ULL, test, false);
	write_cr4(cr4 | CR4_OSXSAVE);
	run_insn(o, "osxsave=1 xgetbv", ct_xgetbv, 0, 0, 0, NULL, true);
	xcr0 = xgetbv();
	run_insn(o, "osxsave=1 xsetbv xcr1", ct_xsetbv, xcr0, 1, 0, NULL, false);
	run_insn(o, "osxsave=1 xsetbv 0", ct_xsetbv, 0, 0, 0, NULL, false);
	run_insn(o, "osxsave=1 xsetbv avx without sse", ct_xsetbv, 1 | XCR0_AVX, 0, 0, NULL, false);
	run_insn(o, "osxsave=1 xsetbv bit 63", ct_xsetbv, 1, 0, 1u << 31, NULL, false);
	run_insn(o, "osxsave=1 xsetbv same", ct_xsetbv, (uint32_t)xcr0, 0, xcr0 >> 32, NULL, false);
	run_insn(o, "osxsave=1 tf xsetbv", ct_xsetbv_tf, (uint32_t)xcr0, 0, xcr0 >> 32, NULL, false);
	xsetbv(xcr0);

	/*
	 * XSAVE of the initial state: the state as it is kept aside, XRSTOR
	 * from a zero header (every component to its initial state), XSAVE
	 * again, and the state put back.
	 */
	ZeroMem(saved, 8192);
	ct_xsave((uint32_t)xcr0, 0, xcr0 >> 32, saved);
	ct_xrstor((uint32_t)xcr0, 0, xcr0 >> 32, test);
	run_insn(o, "osxsave=1 xsave", ct_xsave, (uint32_t)xcr0, 0, xcr0 >> 32, test, false);
	out_begin(o, "osxsave=1 xsave header");
	out_str(o, " ");
	out_hex(o, *(uint64_t *)(test + XSAVE_HEADER), 16);
	out_str(o, " ");
	out_hex(o, *(uint64_t *)(test + XSAVE_HEADER + 8), 16);
	out_end(o);
	ct_xrstor((uint32_t)xcr0, 0, xcr0 >> 32, saved);
	write_cr4(cr4);
	irq_restore(flags);
}

/* ------------------------------------------------------------ local APIC */

#define XAPIC_STORE_TEST	0x400		/* no register there */
#define XAPIC_STORE_BYTES	32

static void print_bytes(struct ct_out *o, const char *item, volatile const uint8_t *p)
{
	out_begin(o, item);
	out_str(o, " ");
	for (unsigned int i = 0; i < XAPIC_STORE_BYTES; i++)
		out_hex(o, p[i], 2);
	out_end(o);
}

/*
 * The APIC globally disabled (IA32_APIC_BASE[11] clear): CPUID.1:EDX.APIC
 * reads 0, and its page is no longer the APIC's, so stores there, byte by
 * byte as a memory clear would do them, go to whatever lies behind it and
 * read back as it does (SDM "Enabling or Disabling the Local APIC"). Some
 * processors (P6, and Bochs) enable it again only at reset, so this is
 * the last check of a boot and the APIC stays disabled.
 */
void check_apic(struct ct_out *o)
{
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE), flags;
	volatile uint8_t *test = (volatile uint8_t *)(UINTN)((base & APIC_BASE_ADDR_MASK) + XAPIC_STORE_TEST);
	uint32_t r[4];

	cpuid(1, 0, r);
	print_cpuid(o, "apic=on ", 1, 0, r);
	if ((base & APIC_BASE_X2APIC) || !(base & APIC_BASE_ENABLE)) {
		out_begin(o, "apic: not in xAPIC mode, not tested");
		out_end(o);
		return;
	}
	flags = irq_disable();
	wrmsr(MSR_IA32_APIC_BASE, base & ~(uint64_t)APIC_BASE_ENABLE);
	cpuid(1, 0, r);
	print_cpuid(o, "apic=off ", 1, 0, r);
	print_bytes(o, "apic=off page before", test);
	for (unsigned int i = 0; i < XAPIC_STORE_BYTES; i++)
		test[i] = (uint8_t)i;
	print_bytes(o, "apic=off page after", test);
	irq_restore(flags);
}

/* ------------------------------------------------------------ all */

#define IDT_INTERRUPT_GATE_DPL3	0xee		/* INT3 from ring 3 may use it */

void ct_run_all(struct ct_cpu *c)
{
	struct idt_gate *idt = (struct idt_gate *)(ct_page(c, CT_PAGE_TSS) + CT_IDT_OFFSET);

	for (unsigned int v = 0; v < 32; v++)
		idt[v] = idt_gate((uint64_t)(UINTN)ct_vectors + 16 * v, read_cs(), 0,
				  v == 3 ? IDT_INTERRUPT_GATE_DPL3 : IDT_INTERRUPT_GATE);
	ct_idtr = (struct ct_idtr){ .limit = 32 * sizeof(*idt) - 1, .base = (uint64_t)(UINTN)idt };

	check_cr0(&c->out);
	check_cr4(&c->out);
	check_cpuid(&c->out);
	check_faults(&c->out, ct_page(c, CT_PAGE_SCRATCH));
	check_xsave(&c->out, ct_page(c, CT_PAGE_XSAVE));
	check_ring3(c);
}
