/* SPDX-License-Identifier: MIT */
/*
 * Taking a running processor into VMX root operation and turning what it was
 * running into the guest: VMXON, a VMCS built from the processor's current
 * state, VMLAUNCH (SDM "Virtual Machine Control Structures", "VMX Support for
 * Address Translation", "Checks on the Guest State Area").
 */
#include "arch/x86/apic.h"
#include "arch/x86/cpu.h"
#include "arch/x86/ept.h"
#include "arch/x86/ept_setup.h"
#include "arch/x86/msr.h"
#include "arch/x86/processor.h"
#include "arch/x86/vmcs.h"
#include "arch/x86/vmx.h"
#include "arch/x86/vmx_ops.h"
#include "hv/errno.h"
#include "hv/log.h"

#define TSS_TYPE_BUSY_64	0xb

extern void vmx_exit_entry(void);

enum vmx_support vmx_check_and_enable(void)
{
	struct cpuid_regs r;
	enum vmx_support support;

	cpu_cpuid(1, 0, &r);
	support = vmx_support_from(r.ecx, r.ecx & CPUID_1_ECX_VMX ? rdmsr(MSR_IA32_FEATURE_CONTROL) : 0);
	if (support != VMX_ENABLE_AND_LOCK)
		return support;
	/* Unlocked: only a reset changes it once locked (SDM "Enabling and Entering VMX Operation"). */
	wrmsr(MSR_IA32_FEATURE_CONTROL, rdmsr(MSR_IA32_FEATURE_CONTROL) | FEATURE_CONTROL_LOCKED |
	      FEATURE_CONTROL_VMX_OUTSIDE_SMX);
	return VMX_SUPPORTED;
}

static uint64_t pa_of(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

static int vmx_enter_root(struct vmx_vcpu *vv)
{
	const struct vmx_caps *c = vv->caps;
	int err;

	write_cr0(vmx_fix_cr(read_cr0(), c->cr0_fixed0, c->cr0_fixed1));
	write_cr4(vmx_fix_cr(read_cr4() | X86_CR4_VMXE, c->cr4_fixed0, c->cr4_fixed1));

	*(uint32_t *)vv->vmxon_region = c->revision;
	*(uint32_t *)vv->vmcs = c->revision;
	err = vmxon(pa_of(vv->vmxon_region));
	if (err) {
		log_err("vmx: VMXON failed (%s)", err == VMX_FAIL_INVALID ? "VMfailInvalid" : "VMfailValid");
		return -HV_ENODEV;
	}
	if (vmclear(pa_of(vv->vmcs)) || vmptrld(pa_of(vv->vmcs))) {
		log_err("vmx: VMCLEAR/VMPTRLD failed: %s",
			vmx_instruction_error_name((uint32_t)vmcs_read(VM_INSTRUCTION_ERROR)));
		vmxoff();
		return -HV_ENODEV;
	}
	return 0;
}

struct segment {
	uint16_t selector;
	uint64_t base;
	uint32_t limit;
	uint32_t ar;
};

/* A segment register as the VMCS wants it, from its descriptor in the current GDT. */
static struct segment segment_from_gdt(uint16_t selector)
{
	struct desc_ptr gdt;
	const uint64_t *desc;
	struct segment s = { .selector = selector };
	uint64_t d;

	if (!(selector & ~7)) {
		s.ar = VMX_AR_UNUSABLE;
		return s;
	}
	read_gdt(&gdt);
	desc = (const uint64_t *)(uintptr_t)(gdt.base + (selector & ~7));
	d = desc[0];
	s.limit = (uint32_t)((d & 0xffff) | ((d >> 32) & 0xf0000));
	if (d & BIT(55))		/* granularity: 4 KiB units */
		s.limit = s.limit << 12 | 0xfff;
	s.base = ((d >> 16) & 0xffffff) | ((d >> 56) & 0xff) << 24;
	if (!(d & BIT(44)))		/* system descriptor: 16 bytes in long mode */
		s.base |= desc[1] << 32;
	s.ar = (uint32_t)((d >> 40) & 0xf0ff);
	return s;
}

#define WRITE_SEGMENT(seg, s, err)					\
	do {								\
		err |= vmcs_write(GUEST_##seg##_SELECTOR, (s).selector);	\
		err |= vmcs_write(GUEST_##seg##_BASE, (s).base);	\
		err |= vmcs_write(GUEST_##seg##_LIMIT, (s).limit);	\
		err |= vmcs_write(GUEST_##seg##_AR_BYTES, (s).ar);	\
	} while (0)

/* The guest is this processor as it is now: the firmware, mid-call. */
static int vmx_setup_guest_state(uint64_t rflags)
{
	struct segment cs = segment_from_gdt(read_cs()), ss = segment_from_gdt(read_ss());
	struct segment ds = segment_from_gdt(read_ds()), es = segment_from_gdt(read_es());
	struct segment fs = segment_from_gdt(read_fs()), gs = segment_from_gdt(read_gs());
	struct segment ldtr = segment_from_gdt(read_ldtr()), tr = segment_from_gdt(read_tr());
	struct desc_ptr gdt, idt;
	int err = 0;

	read_gdt(&gdt);
	read_idt(&idt);
	/* Code and data segments in use have been loaded, so "accessed" is set; the VMCS requires it. */
	struct segment *loaded[] = { &cs, &ss, &ds, &es, &fs, &gs };

	for (size_t i = 0; i < ARRAY_SIZE(loaded); i++)
		if (!(loaded[i]->ar & VMX_AR_UNUSABLE))
			loaded[i]->ar |= 1;
	fs.base = rdmsr(MSR_FS_BASE);
	gs.base = rdmsr(MSR_GS_BASE);
	/*
	 * VM entry needs a usable, busy TR even though the firmware never
	 * loaded one: a 64-bit busy TSS with selector 0 satisfies the checks
	 * and only matters if the guest takes an IST or privilege switch before
	 * loading its own.
	 */
	if (tr.ar & VMX_AR_UNUSABLE)
		tr = (struct segment){ .limit = 0x67, .ar = 0x80 | TSS_TYPE_BUSY_64 };
	else
		tr.ar = (tr.ar & ~0xfu) | TSS_TYPE_BUSY_64;

	WRITE_SEGMENT(CS, cs, err);
	WRITE_SEGMENT(SS, ss, err);
	WRITE_SEGMENT(DS, ds, err);
	WRITE_SEGMENT(ES, es, err);
	WRITE_SEGMENT(FS, fs, err);
	WRITE_SEGMENT(GS, gs, err);
	WRITE_SEGMENT(LDTR, ldtr, err);
	WRITE_SEGMENT(TR, tr, err);
	err |= vmcs_write(GUEST_GDTR_BASE, gdt.base);
	err |= vmcs_write(GUEST_GDTR_LIMIT, gdt.limit);
	err |= vmcs_write(GUEST_IDTR_BASE, idt.base);
	err |= vmcs_write(GUEST_IDTR_LIMIT, idt.limit);

	err |= vmcs_write(GUEST_CR0, read_cr0());
	err |= vmcs_write(GUEST_CR3, read_cr3());
	err |= vmcs_write(GUEST_CR4, read_cr4());
	err |= vmcs_write(GUEST_DR7, read_dr7());
	err |= vmcs_write(GUEST_RFLAGS, rflags);
	err |= vmcs_write(GUEST_IA32_DEBUGCTL, rdmsr(MSR_IA32_DEBUGCTL));
	err |= vmcs_write(GUEST_IA32_EFER, rdmsr(MSR_EFER));
	err |= vmcs_write(GUEST_IA32_PAT, rdmsr(MSR_IA32_PAT));
	err |= vmcs_write(GUEST_SYSENTER_CS, rdmsr(MSR_IA32_SYSENTER_CS));
	err |= vmcs_write(GUEST_SYSENTER_ESP, rdmsr(MSR_IA32_SYSENTER_ESP));
	err |= vmcs_write(GUEST_SYSENTER_EIP, rdmsr(MSR_IA32_SYSENTER_EIP));
	err |= vmcs_write(GUEST_ACTIVITY_STATE, 0);
	err |= vmcs_write(GUEST_INTERRUPTIBILITY_INFO, 0);
	err |= vmcs_write(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	err |= vmcs_write(VMCS_LINK_POINTER, ~0ULL);
	return err;
}

/*
 * The host runs with the firmware's CR4, plus OSXSAVE where the processor
 * has XSAVE: XSETBV, which the host executes for the guest, raises #UD
 * without it (SDM "XSETBV").
 */
static uint64_t host_cr4(void)
{
	struct cpuid_regs r;

	cpu_cpuid(1, 0, &r);
	return read_cr4() | (r.ecx & CPUID_1_ECX_XSAVE ? X86_CR4_OSXSAVE : 0);
}

static int vmx_setup_host_state(struct vmx_vcpu *vv)
{
	uint64_t *stack_slot = (uint64_t *)(vv->stack + HOST_STACK_SIZE - 16);
	int err = 0;

	/*
	 * vmx_exit_entry finds its vCPU in the 16 bytes at the top of the host
	 * stack and saves the guest's registers just below.
	 */
	stack_slot[0] = (uint64_t)(uintptr_t)vv;
	stack_slot[1] = 0;
	vv->vcpu.regs = (struct guest_regs *)stack_slot - 1;

	host_cpu_init(&vv->host);
	err |= vmcs_write(HOST_CR0, read_cr0());
	err |= vmcs_write(HOST_CR3, host_cr3());
	err |= vmcs_write(HOST_CR4, host_cr4());
	err |= vmcs_write(HOST_CS_SELECTOR, HOST_CS);
	err |= vmcs_write(HOST_SS_SELECTOR, HOST_DS);
	err |= vmcs_write(HOST_DS_SELECTOR, HOST_DS);
	err |= vmcs_write(HOST_ES_SELECTOR, HOST_DS);
	err |= vmcs_write(HOST_FS_SELECTOR, HOST_DS);
	err |= vmcs_write(HOST_GS_SELECTOR, HOST_DS);
	err |= vmcs_write(HOST_TR_SELECTOR, HOST_TR);
	err |= vmcs_write(HOST_FS_BASE, 0);
	err |= vmcs_write(HOST_GS_BASE, (uint64_t)(uintptr_t)vv);
	err |= vmcs_write(HOST_TR_BASE, (uint64_t)(uintptr_t)&vv->host.tss);
	err |= vmcs_write(HOST_GDTR_BASE, (uint64_t)(uintptr_t)vv->host.gdt);
	err |= vmcs_write(HOST_IDTR_BASE, host_idt_base());
	err |= vmcs_write(HOST_IA32_SYSENTER_CS, 0);
	err |= vmcs_write(HOST_IA32_SYSENTER_ESP, 0);
	err |= vmcs_write(HOST_IA32_SYSENTER_EIP, 0);
	err |= vmcs_write(HOST_IA32_EFER, rdmsr(MSR_EFER));
	err |= vmcs_write(HOST_IA32_PAT, rdmsr(MSR_IA32_PAT));
	err |= vmcs_write(HOST_RSP, (uint64_t)(uintptr_t)stack_slot);
	err |= vmcs_write(HOST_RIP, (uint64_t)(uintptr_t)vmx_exit_entry);
	return err;
}

/*
 * MSR bitmap (SDM "MSR-Bitmap Address"): a set bit makes the access exit.
 * MSRs outside 0-0x1fff and 0xc0000000-0xc0001fff always exit, which is how
 * the synthetic MSRs at 0x40000000 reach viridian/. Inside the ranges Vireo
 * traps only the VMX capability MSRs, since CPUID hides VMX from the guest,
 * and, until the INIT rule lets IPIs through (hv/init_rule.c), writes to
 * the x2APIC ICR, for the INIT and SIPI it sends (hv/ipi.c).
 * Reads of the low range take bytes 0-1023 of the bitmap, of the high range
 * 1024-2047; writes 2048-3071 and 3072-4095.
 */
static void msr_bitmap_set(uint8_t *bitmap, uint32_t msr, bool write, bool trap)
{
	unsigned int base = (write ? 2048 : 0) + (msr >= 0xc0000000 ? 1024 : 0);
	unsigned int bit = msr & 0x1fff;
	uint8_t mask = (uint8_t)(1u << (bit % 8));

	if (trap)
		bitmap[base + bit / 8] |= mask;
	else
		bitmap[base + bit / 8] &= (uint8_t)~mask;
}

#ifdef VIREO_TRAP_ALL_MSRS
/* What VM entry and exit switch through the VMCS: the host's WRMSR would not reach the guest's copy. */
static const uint32_t vmcs_switched_msrs[] = {
	MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP, MSR_IA32_DEBUGCTL,
	MSR_IA32_PAT, MSR_EFER, MSR_FS_BASE, MSR_GS_BASE,
};
#endif

static void vmx_setup_msr_bitmap(struct vmx_vcpu *vv)
{
#ifdef VIREO_TRAP_ALL_MSRS
	/*
	 * A measurement build (make bench): every MSR access exits and is
	 * carried out by the host, except those the VMCS holds for the guest.
	 */
	for (size_t i = 0; i < sizeof(vv->msr_bitmap); i++)
		vv->msr_bitmap[i] = 0xff;
	for (size_t i = 0; i < ARRAY_SIZE(vmcs_switched_msrs); i++) {
		msr_bitmap_set(vv->msr_bitmap, vmcs_switched_msrs[i], false, false);
		msr_bitmap_set(vv->msr_bitmap, vmcs_switched_msrs[i], true, false);
	}
#endif
	for (uint32_t msr = MSR_IA32_VMX_BASIC; msr <= MSR_IA32_VMX_VMFUNC; msr++)
		msr_bitmap_set(vv->msr_bitmap, msr, false, true);
	msr_bitmap_set(vv->msr_bitmap, MSR_X2APIC_ICR, true, true);
}

/*
 * The MSR bitmap is this vCPU's alone and changes while it is in the host
 * (SDM "Software Access to Related Structures"); the EPT is shared, and
 * each processor drops the read-only xAPIC page it may have cached.
 */
void vcpu_pass_ipis(struct vcpu *v)
{
	struct vmx_vcpu *vv = v->arch;
	const struct vmx_caps *c = vv->caps;

	msr_bitmap_set(vv->msr_bitmap, MSR_X2APIC_ICR, true, false);
	if (!vmx_has_ept(c))
		return;
	ept_setup_xapic_writable(v->part);
	if ((c->ept_vpid & (VMX_EPT_INVEPT | VMX_EPT_INVEPT_SINGLE)) == (VMX_EPT_INVEPT | VMX_EPT_INVEPT_SINGLE))
		invept(INVEPT_SINGLE_CONTEXT, ept_pointer(v->part->arch));
}

/*
 * I/O bitmaps (SDM "I/O-Bitmap Addresses"): only the ACPI PM1a control
 * register exits, so Vireo sees the guest power off (hv/exit_io.c). A 16-bit
 * access to it touches two ports; trap both.
 */
static void vmx_setup_io_bitmap(struct vmx_vcpu *vv, uint16_t port)
{
	for (uint32_t p = port; port && p < (uint32_t)port + 2; p++)
		vv->io_bitmap[p >> 15][(p & 0x7fff) / 8] |= (uint8_t)(1u << (p % 8));
}

static int vmx_setup_controls(struct vmx_vcpu *vv)
{
	const struct vmx_caps *c = vv->caps;
	uint64_t cr0 = read_cr0(), cr4 = read_cr4();
	int err = 0;

	vmx_setup_msr_bitmap(vv);
	vmx_setup_io_bitmap(vv, vv->vcpu.part->sleep_port);
	err |= vmcs_write(PIN_BASED_VM_EXEC_CONTROL, c->pin);
	/* The first exit comes before the guest's first instruction: it starts the INIT rule's measurement. */
	err |= vmcs_write(CPU_BASED_VM_EXEC_CONTROL, c->cpu | CPU_BASED_NMI_WINDOW_EXITING);
	vv->nmi_window = true;
	init_rule_start(&vv->vcpu);
	err |= vmcs_write(SECONDARY_VM_EXEC_CONTROL, c->secondary);
	err |= vmcs_write(VM_EXIT_CONTROLS, c->exit);
	err |= vmcs_write(VM_ENTRY_CONTROLS, c->entry);
	err |= vmcs_write(MSR_BITMAP, pa_of(vv->msr_bitmap));
	if (c->cpu & CPU_BASED_USE_IO_BITMAPS) {
		err |= vmcs_write(IO_BITMAP_A, pa_of(vv->io_bitmap[0]));
		err |= vmcs_write(IO_BITMAP_B, pa_of(vv->io_bitmap[1]));
	}
	if (c->secondary & SECONDARY_EXEC_XSAVES)
		err |= vmcs_write(XSS_EXIT_BITMAP, 0);
	if (vmx_has_ept(c))
		err |= vmcs_write(EPT_POINTER, ept_pointer(vv->vcpu.part->arch));
	if (vmx_has_vpid(c))
		err |= vmcs_write(VIRTUAL_PROCESSOR_ID, vmx_vpid(vv));
	err |= vmcs_write(EXCEPTION_BITMAP, 0);
	err |= vmcs_write(CR3_TARGET_COUNT, 0);
#ifdef VIREO_FAIL_LAUNCH
	/* A test build: more CR3 targets than any processor has, so VMLAUNCH fails (SDM "Checks on VM-Execution Control Fields"). */
	if (vv->vcpu.vp_index == VIREO_FAIL_LAUNCH)
		err |= vmcs_write(CR3_TARGET_COUNT, 64);
#endif
	err |= vmcs_write(VM_EXIT_MSR_STORE_COUNT, 0);
	err |= vmcs_write(VM_EXIT_MSR_LOAD_COUNT, 0);
	err |= vmcs_write(VM_ENTRY_MSR_LOAD_COUNT, 0);
	err |= vmcs_write(VM_ENTRY_INTR_INFO_FIELD, 0);
	/* The bits Vireo owns read from the shadow: the guest's own values, CR4.VMXE clear (arch/x86/cr.h). */
	err |= vmcs_write(CR0_GUEST_HOST_MASK, cr0_host_owned(c));
	err |= vmcs_write(CR0_READ_SHADOW, cr0);
	err |= vmcs_write(CR4_GUEST_HOST_MASK, cr4_host_owned(c));
	err |= vmcs_write(CR4_READ_SHADOW, cr4 & ~X86_CR4_VMXE);
	return err;
}

/*
 * Mappings a previous load may have left under this vCPU's VPID or the
 * partition's EPTP, whose tables now hold other things: VMXON does not drop
 * them (SDM "Invalidation of TLBs and Paging-Structure Caches").
 */
static void flush_stale_translations(const struct vmx_vcpu *vv)
{
	const struct vmx_caps *c = vv->caps;

	if (vmx_has_vpid(c))
		invvpid(INVVPID_SINGLE_CONTEXT, vmx_vpid(vv));
	if (vmx_has_ept(c) && (c->ept_vpid & (VMX_EPT_INVEPT | VMX_EPT_INVEPT_SINGLE)) ==
				      (VMX_EPT_INVEPT | VMX_EPT_INVEPT_SINGLE))
		invept(INVEPT_SINGLE_CONTEXT, ept_pointer(vv->vcpu.part->arch));
}

int vmx_virtualize_this_cpu(struct vmx_vcpu *vv, const struct guest_resume *resume)
{
	uint64_t rflags = read_rflags();
	int err;

	cli();
	vv->vcpu.apic_id = apic_id();
	err = vmx_enter_root(vv);
	if (err)
		goto out;
	if (vmx_setup_controls(vv) | vmx_setup_host_state(vv) | vmx_setup_guest_state(rflags)) {
		log_err("vmx: VMWRITE failed: %s",
			vmx_instruction_error_name((uint32_t)vmcs_read(VM_INSTRUCTION_ERROR)));
		err = -HV_ENODEV;
		goto off;
	}
	flush_stale_translations(vv);
	err = vmx_launch(resume->rsp, resume->rip);
	if (err == VMX_FAIL_VALID)
		log_err("vmx: VMLAUNCH failed: %s",
			vmx_instruction_error_name((uint32_t)vmcs_read(VM_INSTRUCTION_ERROR)));
	else
		log_err("vmx: VMLAUNCH failed: no current VMCS");
	err = -HV_ENODEV;
off:
	vmxoff();
	write_cr4(read_cr4() & ~X86_CR4_VMXE);
out:
	if (rflags & X86_RFLAGS_IF)
		asm volatile("sti" ::: "memory");
	return err;
}
