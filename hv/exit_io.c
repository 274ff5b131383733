/* SPDX-License-Identifier: MIT */
/*
 * I/O exits. The I/O bitmap traps one port: the FADT's PM1a control
 * register, so Vireo sees the guest enter an ACPI sleep state (power-off
 * included) and prints its statistics first. The access itself is carried
 * out on the port, as the guest asked.
 */
#include "arch/x86/cpu.h"
#include "hv/exit.h"
#include "hv/log.h"
#include "hv/partition.h"
#include "hv/stats.h"

/* Exit qualification for I/O instructions (SDM "Exit Qualification for I/O Instructions"). */
#define IO_QUAL_SIZE(q)		((unsigned int)((q) & 7) + 1)
#define IO_QUAL_IN		BIT(3)
#define IO_QUAL_STRING		BIT(4)
#define IO_QUAL_PORT(q)		((uint16_t)((q) >> 16))

/* PM1 control register (ACPI "PM1 Control Registers"): SLP_TYP 12:10, SLP_EN 13. */
#define PM1_SLP_EN		BIT(13)
#define PM1_SLP_TYP(v)		(((v) >> 10) & 7)

static uint32_t io_mask(unsigned int size)
{
	return size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
}

enum exit_action exit_io(struct vcpu *v)
{
	unsigned int size = IO_QUAL_SIZE(v->exit_qual);
	uint16_t port = IO_QUAL_PORT(v->exit_qual);
	struct guest_regs *g = v->regs;
	uint32_t value;

	if ((v->exit_qual & IO_QUAL_STRING) || (size != 1 && size != 2 && size != 4)) {
		log_err("vcpu%u: string or malformed I/O at port %#x, qualification %#llx", v->vp_index, port,
			(unsigned long long)v->exit_qual);
		return EXIT_STOP_VCPU;
	}
	if (v->exit_qual & IO_QUAL_IN) {
		g->rax = (g->rax & ~(uint64_t)io_mask(size)) | cpu_in(port, size);
		vcpu_skip_instruction(v);
		return EXIT_RESUME;
	}
	value = (uint32_t)g->rax & io_mask(size);
	if (port == v->part->sleep_port && size >= 2 && (value & PM1_SLP_EN)) {
		log_info("vcpu%u: the guest enters ACPI sleep type %u", v->vp_index, PM1_SLP_TYP(value));
		stats_print(v->part);
	}
	cpu_out(port, size, value);
	vcpu_skip_instruction(v);
	return EXIT_RESUME;
}
