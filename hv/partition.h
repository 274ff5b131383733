/* SPDX-License-Identifier: MIT */
#ifndef HV_PARTITION_H
#define HV_PARTITION_H

#include "hv/compiler.h"
#include "viridian/viridian.h"

#define MAX_VCPUS	64
#define MAX_HV_RANGES	(MAX_VCPUS + 16)	/* a vCPU each, the rest of Vireo's memory, the image */

/* Partition parameters, set by the management partition (hv/param.c). */
enum part_param {
	PARAM_VIRIDIAN,
	PARAM_COUNT,
};

/* Who asks: the management partition (Vireo's loader, before the guest runs) or the guest. */
enum caller {
	CALLER_MGMT,
	CALLER_GUEST,
};

struct mem_range {
	uint64_t base;
	uint64_t size;
};

struct partition {
	uint64_t param[PARAM_COUNT];
	uint32_t param_set;		/* BIT(id) once param[id] is set */

	struct vir_partition vir;

	uint64_t tsc_hz;
	uint64_t apic_hz;
	uint64_t xapic_gpa;		/* the xAPIC page, read-only in EPT while IPIs are intercepted; 0 if none */
	/*
	 * The INIT rule (hv/init_rule.c): how many vCPUs measured it, how many
	 * of them consume INIT with its VM exit, and the outcome: the guest's
	 * IPIs reach the hardware untouched once every vCPU does.
	 */
	unsigned int init_checked;
	unsigned int init_consumed;
	bool ipis_native;
	uint16_t sleep_port;		/* the FADT's PM1a_CNT_BLK, 0 if unknown: its S-state writes exit */

	/* Guest RAM ends below ram_top; Vireo's own memory is never guest-accessible. */
	uint64_t ram_top;
	struct mem_range hv_mem[MAX_HV_RANGES];
	unsigned int nr_hv_mem;

	unsigned int nr_vcpus;
	struct vcpu *vcpu[MAX_VCPUS];

	void *arch;			/* struct ept in the real build */
};

int part_set_param(struct partition *p, enum caller who, unsigned int id, uint64_t val);
int part_get_param(const struct partition *p, unsigned int id, uint64_t *val);
const char *part_param_name(unsigned int id);

/* Records a range of Vireo's memory that guest-supplied addresses must never reach. */
int part_add_hv_range(struct partition *p, uint64_t base, uint64_t size);

#endif
