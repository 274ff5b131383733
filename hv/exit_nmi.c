/* SPDX-License-Identifier: MIT */
/*
 * NMIs. With NMI exiting every NMI that arrives in the guest exits: it is
 * either a kick that makes this vCPU look at what is asked of it
 * (hv/ipi.c) or the guest's own, which is injected on VM entry once the
 * guest can take it; the NMI window exits when it can (SDM "NMI Exiting",
 * "NMI-Window Exiting"). The exception bitmap is empty, so no exception
 * exits.
 */
#include "hv/exit.h"
#include "hv/init_rule.h"
#include "hv/ipi.h"
#include "hv/log.h"

/* VM-exit interruption information (SDM "Information for VM Exits Due to Vectored Events"). */
#define INTR_INFO_VECTOR(info)	((info) & 0xff)
#define INTR_INFO_TYPE(info)	(((info) >> 8) & 7)

enum exit_action exit_exception_nmi(struct vcpu *v)
{
	if (INTR_INFO_TYPE(v->exit_intr_info) == EVENT_NMI) {
		ipi_nmi_arrived(v);
		return EXIT_RESUME;
	}
	log_err("vcpu%u: unexpected exception exit, vector %u, interruption information %#x", v->vp_index,
		INTR_INFO_VECTOR(v->exit_intr_info), v->exit_intr_info);
	return EXIT_STOP_VCPU;
}

/*
 * The guest can take an NMI now: the VM entry that follows injects it. The
 * first ones after launch measure the INIT rule.
 */
enum exit_action exit_nmi_window(struct vcpu *v)
{
	if (init_rule_running(v))
		init_rule_nmi_window(v);
	return EXIT_RESUME;
}
