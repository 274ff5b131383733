/* SPDX-License-Identifier: MIT */
/*
 * Partition parameters. The management partition sets each one once, before
 * the guest runs; the guest may read them. The checks follow Xen's
 * HVMOP_set_param for HVM_PARAM_VIRIDIAN: EPERM when the guest itself asks,
 * EINVAL for an unknown parameter or a value its validator refuses, EEXIST
 * for a second set, even to the same value.
 */
#include "hv/errno.h"
#include "hv/log.h"
#include "hv/partition.h"

struct param_def {
	const char *name;
	int (*validate)(uint64_t val);		/* 0, -HV_EINVAL, or -HV_ENODEV: the processor lacks it */
	void (*apply)(struct partition *p);	/* what follows from the value, once it is set */
};

static const struct param_def param_defs[PARAM_COUNT] = {
	[PARAM_VIRIDIAN] = { "viridian", vir_check_mask, vir_apply_mask },
};

const char *part_param_name(unsigned int id)
{
	return id < PARAM_COUNT ? param_defs[id].name : NULL;
}

/*
 * A refusal the guest caused is logged at info rather than warning, and
 * rate-limited: the guest can repeat it at will, and log_threshold =
 * LOG_WARN keeps it out of the log altogether.
 */
static enum log_level refusal_level(enum caller who)
{
	return who == CALLER_MGMT ? LOG_WARN : LOG_INFO;
}

int part_set_param(struct partition *p, enum caller who, unsigned int id, uint64_t val)
{
	enum log_level level = refusal_level(who);
	const char *name = part_param_name(id);
	int rc;

	if (who != CALLER_MGMT) {
		if (name)
			log_guest(level, "partition: guest may not set %s (%s)", name, hv_strerror(HV_EPERM));
		else
			log_guest(level, "partition: guest may not set parameter %u (%s)", id,
				  hv_strerror(HV_EPERM));
		return -HV_EPERM;
	}
	if (!name) {
		hv_log(level, "partition: no parameter %u (%s)", id, hv_strerror(HV_EINVAL));
		return -HV_EINVAL;
	}
	if (p->param_set & BIT(id)) {
		hv_log(level, "partition: %s is already 0x%llx, cannot set 0x%llx (%s)", name,
		       (unsigned long long)p->param[id], (unsigned long long)val, hv_strerror(HV_EEXIST));
		return -HV_EEXIST;
	}
	rc = param_defs[id].validate(val);
	if (rc) {
		hv_log(level, "partition: %s cannot be 0x%llx (%s)", name, (unsigned long long)val,
		       hv_strerror(rc));
		return rc;
	}
	p->param[id] = val;
	p->param_set |= (uint32_t)BIT(id);
	param_defs[id].apply(p);
	log_info("partition: %s = 0x%llx", name, (unsigned long long)val);
	return 0;
}

int part_get_param(const struct partition *p, unsigned int id, uint64_t *val)
{
	if (id >= PARAM_COUNT) {
		log_debug("partition: no parameter %u to read (%s)", id, hv_strerror(HV_EINVAL));
		return -HV_EINVAL;
	}
	*val = (p->param_set & BIT(id)) ? p->param[id] : 0;
	return 0;
}

/*
 * Vireo's own memory (image, host page tables, VMCS and stacks): gmem_*()
 * refuses any guest-supplied address that reaches one of these ranges.
 */
/* A range that touches or overlaps one already recorded extends it: the firmware often allocates side by side. */
int part_add_hv_range(struct partition *p, uint64_t base, uint64_t size)
{
	uint64_t end = base + size;

	if (!size || size > UINT64_MAX - base)
		return -HV_EINVAL;
	for (unsigned int i = 0; i < p->nr_hv_mem; i++) {
		struct mem_range *r = &p->hv_mem[i];
		uint64_t r_end = r->base + r->size;

		if (base <= r_end && r->base <= end) {
			r->base = base < r->base ? base : r->base;
			r->size = (end > r_end ? end : r_end) - r->base;
			return 0;
		}
	}
	if (p->nr_hv_mem >= MAX_HV_RANGES)
		return -HV_ENOSPC;
	p->hv_mem[p->nr_hv_mem++] = (struct mem_range){ base, size };
	return 0;
}
