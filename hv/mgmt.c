/* SPDX-License-Identifier: MIT */
/* Management calls (hv/mgmt.h): the parameter interface of hv/param.c and the statistics behind one entry point. */
#include "hv/errno.h"
#include "hv/log.h"
#include "hv/mgmt.h"
#include "hv/stats.h"

/* A parameter id too wide for an unsigned int is unknown all the same; keep it unknown. */
static unsigned int param_id(uint64_t arg)
{
	return arg <= UINT32_MAX ? (unsigned int)arg : UINT32_MAX;
}

int64_t mgmt_call(struct partition *p, enum caller who, uint64_t op, uint64_t arg0, uint64_t arg1, uint64_t *out)
{
	uint64_t val;
	int rc;

	switch (op) {
	case MGMT_OP_GET_PARAM:
		rc = part_get_param(p, param_id(arg0), &val);
		if (!rc)
			*out = val;
		return rc;
	case MGMT_OP_SET_PARAM:
		return part_set_param(p, who, param_id(arg0), arg1);
	case MGMT_OP_PRINT_STATS:
		stats_print(p);
		return 0;
	}
	hv_log(who == CALLER_MGMT ? LOG_WARN : LOG_INFO, "mgmt: %s made unknown call %#llx (%s)",
	       who == CALLER_MGMT ? "management" : "guest", (unsigned long long)op, hv_strerror(HV_ENOSYS));
	return -HV_ENOSYS;
}
