/* SPDX-License-Identifier: MIT */
#ifndef ARCH_X86_HOST_H
#define ARCH_X86_HOST_H

/*
 * Vireo's own host environment: page tables, GDT, TSS and IDT. Nothing the
 * host uses belongs to the firmware or the guest OS, which may overwrite or
 * free theirs at any time.
 */

#include "hv/compiler.h"

#define HOST_CS		0x08
#define HOST_DS		0x10
#define HOST_TR		0x18

struct __packed tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
};

/* Per processor: a GDT with a TSS descriptor needs one per CPU (the busy bit). */
struct host_cpu {
	uint64_t gdt[5];		/* null, code, data, TSS (16 bytes) */
	struct tss64 tss;
	uint8_t df_stack[4096] __aligned(16);	/* IST1: #DF and NMI */
};

struct host_exception_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rdi, rsi, rbp, rbx, rdx, rcx, rax;
	uint64_t vector, error_code;
	uint64_t rip, cs, rflags, rsp, ss;
};

/* Shared page tables and IDT; 0 or -HV_ENOMEM. */
int host_init(void);
/* The pages host_init allocates, in at most HOST_ALLOCATIONS allocations (PML4, PDPT, PDs, IDT). */
unsigned int host_pages(void);
#define HOST_ALLOCATIONS	4
void host_cpu_init(struct host_cpu *hc);

uint64_t host_cr3(void);
uint64_t host_idt_base(void);

void host_exception(struct host_exception_frame *f);

#endif
