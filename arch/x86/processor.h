/* SPDX-License-Identifier: MIT */
#ifndef ARCH_X86_PROCESSOR_H
#define ARCH_X86_PROCESSOR_H

/* Control registers, descriptor tables and port I/O: the real build only. */

#include "arch/x86/cr.h"
#include "hv/compiler.h"

#define X86_RFLAGS_TF	BIT(8)
#define X86_RFLAGS_IF	BIT(9)
#define X86_RFLAGS_RF	BIT(16)

struct __packed desc_ptr {
	uint16_t limit;
	uint64_t base;
};

/* SDM "64-Bit Mode IDT": a 16-byte gate descriptor. */
struct __packed idt_gate {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;
	uint8_t type;
	uint16_t offset_mid;
	uint32_t offset_high;
	uint32_t reserved;
};

#define IDT_INTERRUPT_GATE	0x8e	/* present, DPL 0, 64-bit interrupt gate */

static inline struct idt_gate idt_gate(uint64_t handler, uint16_t selector, uint8_t ist, uint8_t type)
{
	return (struct idt_gate){
		.offset_low = (uint16_t)handler,
		.selector = selector,
		.ist = ist,
		.type = type,
		.offset_mid = (uint16_t)(handler >> 16),
		.offset_high = (uint32_t)(handler >> 32),
	};
}

#define DEFINE_READ_CR(n)						\
static inline uint64_t read_cr##n(void)					\
{									\
	uint64_t v;							\
	asm volatile("mov %%cr" #n ", %0" : "=r"(v));			\
	return v;							\
}
#define DEFINE_WRITE_CR(n)						\
static inline void write_cr##n(uint64_t v)				\
{									\
	asm volatile("mov %0, %%cr" #n : : "r"(v) : "memory");		\
}
DEFINE_READ_CR(0)
DEFINE_READ_CR(3)
DEFINE_READ_CR(4)
DEFINE_WRITE_CR(0)
DEFINE_WRITE_CR(3)
DEFINE_WRITE_CR(4)

#define DEFINE_READ_SEG(name)						\
static inline uint16_t read_##name(void)				\
{									\
	uint16_t v;							\
	asm volatile("mov %%" #name ", %0" : "=rm"(v));			\
	return v;							\
}
DEFINE_READ_SEG(cs)
DEFINE_READ_SEG(ss)
DEFINE_READ_SEG(ds)
DEFINE_READ_SEG(es)
DEFINE_READ_SEG(fs)
DEFINE_READ_SEG(gs)

static inline uint16_t read_tr(void)
{
	uint16_t v;

	asm volatile("str %0" : "=rm"(v));
	return v;
}

static inline uint16_t read_ldtr(void)
{
	uint16_t v;

	asm volatile("sldt %0" : "=rm"(v));
	return v;
}

static inline void read_gdt(struct desc_ptr *d)
{
	asm volatile("sgdt %0" : "=m"(*d));
}

static inline void read_idt(struct desc_ptr *d)
{
	asm volatile("sidt %0" : "=m"(*d));
}

static inline void write_gdt(const struct desc_ptr *d)
{
	asm volatile("lgdt %0" : : "m"(*d) : "memory");
}

static inline void write_idt(const struct desc_ptr *d)
{
	asm volatile("lidt %0" : : "m"(*d) : "memory");
}

static inline uint64_t read_dr7(void)
{
	uint64_t v;

	asm volatile("mov %%dr7, %0" : "=r"(v));
	return v;
}

static inline uint64_t read_rflags(void)
{
	uint64_t v;

	asm volatile("pushfq; pop %0" : "=r"(v));
	return v;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

static inline void outb(uint16_t port, uint8_t v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void cli(void)
{
	asm volatile("cli" ::: "memory");
}

static inline void __noreturn cpu_halt_forever(void)
{
	for (;;)
		asm volatile("cli; hlt" ::: "memory");
}

#endif
