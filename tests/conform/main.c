/* SPDX-License-Identifier: MIT */
/*
 * conform.efi: a differential conformance guest. It runs the same checks on
 * every processor (the application processors through
 * EFI_MP_SERVICES_PROTOCOL.StartupThisAP) and prints what each saw, one line
 * per compared item:
 *
 *	conform: <cpu> <item> -> <value>
 *	conform: <cpu> <item> #<name> [err=<code>] rip<+-offset> cs=<cs> fl=<rflags>
 *		 sp<+-offset> ss=<ss> [cr2=<cr2>] [dr6=<dr6>]	(on one line)
 *	conform: <cpu> <item> <text>
 *	conform: done <lines>
 *
 * <cpu> is "bsp" or "ap<number>". An exception is printed as the processor
 * pushed its frame: RIP and RSP relative to the instruction under test and
 * the RSP it ran with, so that two runs, bare and under a hypervisor, give
 * the same text when the processor behaves the same. The checks are in
 * checks.c (control registers, CPUID, faults, XSAVE, the local APIC) and
 * ring3.c (privileged instructions from CPL 3). tests/e2e/test_conform_bochs.sh
 * runs it before and after vireo.efi in one boot and compares.
 *
 * The program changes no state it does not restore, except that a
 * processor keeps the copy of its GDT and the TSS it loaded for the ring-3
 * checks (a task register cannot be unloaded again): that memory is left
 * allocated.
 */
#include <efi.h>
#include <efilib.h>

#include "boot/mp.h"
#include "tests/conform/conform.h"

#define AP_TIMEOUT_US		60000000
#define MAX_CPUS		8

static struct ct_cpu cpus[MAX_CPUS];

/* ------------------------------------------------------------ output */

static void put(struct ct_out *o, char ch)
{
	if (o->line_len < sizeof(o->line) - 1)
		o->line[o->line_len++] = ch;
}

void out_str(struct ct_out *o, const char *s)
{
	while (*s)
		put(o, *s++);
}

void out_hex(struct ct_out *o, uint64_t v, unsigned int digits)
{
	while (digits--)
		put(o, "0123456789abcdef"[(v >> (4 * digits)) & 0xf]);
}

/* A signed offset in as few hex digits as it needs: "+0", "+2", "-8". */
static void out_signed(struct ct_out *o, const char *name, uint64_t v)
{
	unsigned int digits = 1;

	out_str(o, name);
	put(o, (int64_t)v < 0 ? '-' : '+');
	if ((int64_t)v < 0)
		v = -v;
	while (digits < 16 && v >> (4 * digits))
		digits++;
	out_hex(o, v, digits);
}

void out_begin(struct ct_out *o, const char *item)
{
	o->line_len = 0;
	out_str(o, o->cpu);
	put(o, ' ');
	out_str(o, item);
}

void out_end(struct ct_out *o)
{
	if (o->len + o->line_len + 1 >= CT_OUT_SIZE)
		return;
	for (size_t i = 0; i < o->line_len; i++)
		o->buf[o->len++] = o->line[i];
	o->buf[o->len++] = '\n';
}

static const char *const vector_names[32] = {
	"DE", "DB", "NMI", "BP", "OF", "BR", "UD", "NM", "DF", "09", "TS", "NP", "SS", "GP", "PF", "15",
	"MF", "AC", "MC", "XM", "VE", "CP",
};

/* The vectors that push an error code (SDM "Exception and Interrupt Reference"). */
static bool has_error_code(uint64_t vector)
{
	return vector == 8 || (vector >= 10 && vector <= 14) || vector == 17 || vector == 21;
}

void out_result(struct ct_out *o, uint64_t faulted, uint64_t value, unsigned int digits)
{
	const struct ct_frame *f = &ct_frame;

	if (!faulted) {
		out_str(o, " -> ");
		out_hex(o, value, digits);
		return;
	}
	out_str(o, " #");
	out_str(o, f->vector < 32 && vector_names[f->vector] ? vector_names[f->vector] : "??");
	if (has_error_code(f->vector)) {
		out_str(o, " err=");
		out_hex(o, f->error, 4);
	}
	out_signed(o, " rip", f->rip - f->at_rip);
	out_str(o, " cs=");
	out_hex(o, f->cs, 4);
	out_str(o, " fl=");
	out_hex(o, f->rflags, 8);
	out_signed(o, " sp", f->rsp - f->at_rsp);
	out_str(o, " ss=");
	out_hex(o, f->ss, 4);
	if (f->vector == 14) {
		out_str(o, " cr2=");
		out_hex(o, f->cr2, 16);
	}
	if (f->vector == 1) {
		out_str(o, " dr6=");
		out_hex(o, f->dr6, 8);
	}
}

static void print_out(const struct ct_out *o)
{
	CHAR8 line[200];
	size_t n = 0;

	for (size_t i = 0; i < o->len; i++) {
		if (o->buf[i] != '\n') {
			if (n < sizeof(line) - 1)
				line[n++] = (CHAR8)o->buf[i];
			continue;
		}
		line[n] = 0;
		Print(L"conform: %a\n", line);
		n = 0;
	}
}

/* ------------------------------------------------------------ processors */

static EFI_STATUS cpu_alloc(struct ct_cpu *c, const char *name)
{
	EFI_PHYSICAL_ADDRESS pages = 0xffffffff, buf = 0xffffffff;
	EFI_STATUS status;

	status = uefi_call_wrapper(BS->AllocatePages, 4, AllocateMaxAddress, EfiBootServicesData, CT_CPU_PAGES,
				   &pages);
	if (!EFI_ERROR(status))
		status = uefi_call_wrapper(BS->AllocatePages, 4, AllocateMaxAddress, EfiBootServicesData,
					   CT_OUT_SIZE / 4096, &buf);
	if (EFI_ERROR(status)) {
		Print(L"conform: out of memory: %r\n", status);
		return status;
	}
	ZeroMem((void *)(UINTN)pages, CT_CPU_PAGES * 4096);
	*c = (struct ct_cpu){
		.out = { .buf = (char *)(UINTN)buf, .cpu = name },
		.pages = (uint8_t *)(UINTN)pages,
	};
	return EFI_SUCCESS;
}

/* What each processor runs: every check, or (conform.efi apic) the one that must come last. */
static void (*job)(struct ct_cpu *c) = ct_run_all;

static void run_apic_check(struct ct_cpu *c)
{
	check_apic(&c->out);
}

static VOID EFIAPI ap_entry(VOID *arg)
{
	job(arg);
}

static const char *const ap_names[MAX_CPUS] = { "bsp", "ap1", "ap2", "ap3", "ap4", "ap5", "ap6", "ap7" };

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st);

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	EFI_GUID mp_guid = EFI_MP_SERVICES_PROTOCOL_GUID;
	EFI_MP_SERVICES_PROTOCOL *mp = NULL;
	UINTN count = 1, enabled = 1, self = 0, lines = 0;
	unsigned int n = 0;
	EFI_STATUS status;
	CHAR16 **argv;
	INTN argc;
	bool bsp_last;

	InitializeLib(image, st);
	argc = GetShellArgcArgv(image, &argv);
	if (argc > 1 && !StrCmp(argv[1], L"apic")) {
		job = run_apic_check;
	} else if (argc > 1) {
		Print(L"conform: unknown mode %s (apic)\n", argv[1]);
		return EFI_INVALID_PARAMETER;
	}
	if (EFI_ERROR(uefi_call_wrapper(BS->LocateProtocol, 3, &mp_guid, NULL, (void **)&mp)) ||
	    EFI_ERROR(mp->GetNumberOfProcessors(mp, &count, &enabled)) || EFI_ERROR(mp->WhoAmI(mp, &self)))
		count = 1;
	if (count > MAX_CPUS)
		count = MAX_CPUS;

	status = cpu_alloc(&cpus[n], ap_names[0]);
	if (EFI_ERROR(status))
		return status;
	n++;
	/* The APIC check runs on the application processors first: the boot processor's APIC wakes them. */
	bsp_last = job == run_apic_check;
	if (!bsp_last)
		job(&cpus[0]);
	for (UINTN cpu = 0; cpu < count; cpu++) {
		EFI_PROCESSOR_INFORMATION info;

		if (cpu == self || EFI_ERROR(mp->GetProcessorInfo(mp, cpu, &info)) ||
		    !(info.StatusFlag & PROCESSOR_ENABLED_BIT))
			continue;
		status = cpu_alloc(&cpus[n], ap_names[n]);
		if (EFI_ERROR(status))
			return status;
		status = mp->StartupThisAP(mp, ap_entry, cpu, NULL, AP_TIMEOUT_US, &cpus[n], NULL);
		if (EFI_ERROR(status)) {
			Print(L"conform: %a: StartupThisAP: %r\n", ap_names[n], status);
			return status;
		}
		n++;
	}
	if (bsp_last)
		job(&cpus[0]);
	for (unsigned int i = 0; i < n; i++) {
		print_out(&cpus[i].out);
		for (size_t j = 0; j < cpus[i].out.len; j++)
			lines += cpus[i].out.buf[j] == '\n';
		uefi_call_wrapper(BS->FreePages, 2, (EFI_PHYSICAL_ADDRESS)(UINTN)cpus[i].out.buf, CT_OUT_SIZE / 4096);
	}
	Print(L"conform: done %u\n", lines);
	return EFI_SUCCESS;
}
