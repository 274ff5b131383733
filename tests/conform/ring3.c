/* SPDX-License-Identifier: MIT */
/*
 * Privileged instructions from CPL 3. A processor raises the fault of a
 * privilege check (and #UD) before it considers a VM exit (SDM "Relative
 * Priority of Faults and VM Exits"), so what ring 3 sees must not change
 * when a hypervisor is there.
 *
 * The firmware runs at CPL 0 only: no TSS, no ring-3 descriptors, no
 * user-accessible pages. So this processor gets a copy of its GDT with a
 * 64-bit ring-3 code and data descriptor and a TSS (its RSP0 is where an
 * exception from ring 3 lands), and page tables that are a copy of the
 * firmware's top level plus one unused 512 GiB slot mapping two
 * user-accessible pages: a copy of the ct_user_* code and a stack. The
 * page tables and segment registers are the firmware's again afterwards;
 * the GDT copy and the task register stay, since a task register cannot
 * be unloaded.
 */
#include <efi.h>
#include <efilib.h>

#include "arch/x86/host.h"
#include "arch/x86/msr.h"
#include "arch/x86/processor.h"
#include "tests/conform/conform.h"

#define PTE_P			BIT(0)
#define PTE_RW			BIT(1)
#define PTE_US			BIT(2)

/* SDM "Segment Descriptors", "TSS Descriptor in 64-bit mode". */
#define DESC_USER_DATA		0x00cff2000000ffffULL	/* DPL 3, read/write, 4 GiB */
#define DESC_USER_CODE64	0x00affa000000ffffULL	/* DPL 3, execute/read, L */
#define DESC_TSS_AVAILABLE	0x89ULL			/* present, DPL 0, 64-bit TSS (available) */
#define DESC_ACCESSED		BIT(40)			/* set by the processor when it loads the descriptor */

struct user_item {
	const char *name;
	const char *entry;
	uint64_t rax, rcx, rdx;
};

static const struct user_item user_items[] = {
	{ "cpl3 mov cr8", ct_user_mov_cr8, 0, 0, 0 },
	{ "cpl3 mov from cr0", ct_user_mov_from_cr0, 0, 0, 0 },
	{ "cpl3 rdmsr 00000010", ct_user_rdmsr, 0, 0x10, 0 },
	{ "cpl3 wrmsr 12345678", ct_user_wrmsr, 0, 0x12345678, 0 },
	{ "cpl3 vmcall", ct_user_vmcall, 0, 0, 0 },
	{ "cpl3 vmxon", ct_user_vmxon, 0, 0, 0 },
	{ "cpl3 invd", ct_user_invd, 0, 0, 0 },
	{ "cpl3 hlt", ct_user_hlt, 0, 0, 0 },
	{ "cpl3 cpuid", ct_user_cpuid, 0, 0, 0 },
};

static void write_u64(uint8_t *p, uint64_t v)
{
	CopyMem(p, &v, sizeof(v));
}

/*
 * The size of the firmware's part of the GDT: all of it, or, when an
 * earlier run left its copy loaded, what precedes that run's ring-3
 * descriptors, so that every run uses the same selectors.
 */
static size_t firmware_gdt_size(const struct desc_ptr *gdt)
{
	const uint64_t *desc = (const uint64_t *)(UINTN)gdt->base;
	size_t n = ((size_t)gdt->limit + 1) / 8;

	for (size_t i = 1; i + 1 < n; i++)
		if ((desc[i] & ~DESC_ACCESSED) == DESC_USER_DATA && (desc[i + 1] & ~DESC_ACCESSED) == DESC_USER_CODE64)
			return i * 8;
	n = ((size_t)gdt->limit + 1 + 7) & ~(size_t)7;
	return n < 4096 - 32 ? n : 4096 - 32;
}

/* The GDT copy with ring-3 code and data and a TSS, loaded with the TSS; *cs_ss gets the ring-3 selectors. */
static void load_gdt_copy(struct ct_cpu *c, uint64_t *cs_ss)
{
	uint8_t *gdt = ct_page(c, CT_PAGE_GDT);
	struct tss64 *tss = (struct tss64 *)ct_page(c, CT_PAGE_TSS);
	uint64_t tss_base = (uint64_t)(UINTN)tss;
	struct desc_ptr old, copy;
	uint16_t data, code, tr;
	size_t n;

	read_gdt(&old);
	n = firmware_gdt_size(&old);
	CopyMem(gdt, (void *)(UINTN)old.base, n);
	data = (uint16_t)n;
	code = (uint16_t)(n + 8);
	tr = (uint16_t)(n + 16);
	write_u64(gdt + data, DESC_USER_DATA);
	write_u64(gdt + code, DESC_USER_CODE64);
	write_u64(gdt + tr, (sizeof(*tss) - 1) | (tss_base & 0xffffff) << 16 | DESC_TSS_AVAILABLE << 40 |
		  ((tss_base >> 24) & 0xff) << 56);
	write_u64(gdt + tr + 8, tss_base >> 32);

	*tss = (struct tss64){
		.rsp = { (uint64_t)(UINTN)(ct_page(c, CT_PAGE_STACK0) + 2 * 4096) },
		.iomap_base = sizeof(*tss),		/* no I/O permission bitmap */
	};

	copy = (struct desc_ptr){ .limit = (uint16_t)(n + 32 - 1), .base = (uint64_t)(UINTN)gdt };
	write_gdt(&copy);
	asm volatile("ltr %0" : : "r"(tr) : "memory");
	*cs_ss = (uint64_t)(code | 3) | (uint64_t)(data | 3) << 16;
}

/* The firmware's page tables, plus the user pages in the highest unused slot below the canonical hole. */
static uint64_t build_user_mapping(struct ct_cpu *c)
{
	uint64_t *pml4 = (uint64_t *)ct_page(c, CT_PAGE_PML4);
	uint64_t *pdpt = (uint64_t *)ct_page(c, CT_PAGE_PDPT);
	uint64_t *pd = (uint64_t *)ct_page(c, CT_PAGE_PD);
	uint64_t *pt = (uint64_t *)ct_page(c, CT_PAGE_PT);
	unsigned int slot = 255;

	CopyMem(pml4, (void *)(UINTN)(read_cr3() & ~0xfffULL), 4096);
	while (slot > 1 && (pml4[slot] & PTE_P))
		slot--;
	ZeroMem(pdpt, 3 * 4096);
	pml4[slot] = (uint64_t)(UINTN)pdpt | PTE_P | PTE_RW | PTE_US;
	pdpt[0] = (uint64_t)(UINTN)pd | PTE_P | PTE_RW | PTE_US;
	pd[0] = (uint64_t)(UINTN)pt | PTE_P | PTE_RW | PTE_US;
	pt[0] = (uint64_t)(UINTN)ct_page(c, CT_PAGE_USER_CODE) | PTE_P | PTE_US;
	pt[1] = (uint64_t)(UINTN)ct_page(c, CT_PAGE_USER_STACK) | PTE_P | PTE_RW | PTE_US;
	CopyMem(ct_page(c, CT_PAGE_USER_CODE), ct_user_begin, (UINTN)(ct_user_end - ct_user_begin));
	return (uint64_t)slot << 39;
}

#define WRITE_SEG(name, v) asm volatile("mov %0, %%" #name : : "r"(v) : "memory")

struct ring0_segments {
	uint16_t ds, es, fs, gs;
};

static void run_user(struct ct_cpu *c, const struct ring0_segments *seg, uint64_t user, uint64_t cs_ss,
		     const struct user_item *t)
{
	uint64_t faulted = ct_user(user + (uint64_t)(t->entry - ct_user_begin), t->rax, t->rcx, t->rdx,
				   user + 2 * 4096 - 64, cs_ss);

	/* An IRET to CPL 3 leaves the data segment registers that held DPL-0 selectors null (SDM "IRET"). */
	WRITE_SEG(ds, seg->ds);
	WRITE_SEG(es, seg->es);
	WRITE_SEG(fs, seg->fs);
	WRITE_SEG(gs, seg->gs);
	out_begin(&c->out, t->name);
	out_result(&c->out, faulted, 0, 1);
	out_end(&c->out);
}

#define CPUID_1_ECX_XSAVE	BIT(26)

void check_ring3(struct ct_cpu *c)
{
	uint64_t cs_ss, flags = read_rflags(), cr3 = read_cr3(), cr4 = read_cr4(), user, fs_base, gs_base;
	struct ring0_segments seg = { read_ds(), read_es(), read_fs(), read_gs() };
	uint32_t eax, ebx, ecx, edx;

	cli();
	fs_base = rdmsr(MSR_FS_BASE);
	gs_base = rdmsr(MSR_GS_BASE);
	load_gdt_copy(c, &cs_ss);
	user = build_user_mapping(c);
	write_cr3((uint64_t)(UINTN)(ct_page(c, CT_PAGE_PML4)));
	for (unsigned int i = 0; i < ARRAY_SIZE(user_items); i++)
		run_user(c, &seg, user, cs_ss, &user_items[i]);

	/* XSETBV checks CR4.OSXSAVE (#UD) before CPL (#GP): with it set, CPL 3 gets #GP, XCR0 as it is. */
	asm volatile("cpuid" : "=a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx) : "a"(1), "c"(0));
	if (ecx & CPUID_1_ECX_XSAVE) {
		struct user_item xsetbv = { "cpl3 xsetbv", ct_user_xsetbv, 0, 0, 0 };

		write_cr4(cr4 | X86_CR4_OSXSAVE);
		asm volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
		xsetbv.rax = eax;
		xsetbv.rdx = edx;
		run_user(c, &seg, user, cs_ss, &xsetbv);
		write_cr4(cr4);
	}
	write_cr3(cr3);
	wrmsr(MSR_FS_BASE, fs_base);
	wrmsr(MSR_GS_BASE, gs_base);
	if (flags & X86_RFLAGS_IF)
		asm volatile("sti" ::: "memory");
}
