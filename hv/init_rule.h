/* SPDX-License-Identifier: MIT */
#ifndef HV_INIT_RULE_H
#define HV_INIT_RULE_H

#include "hv/exit.h"
#include "hv/partition.h"

/*
 * The INIT rule (hv/init_rule.c): each vCPU measures, in its first exits,
 * whether its processor consumes an INIT with the VM exit it causes; once
 * every vCPU has found that it does, the partition stops intercepting the
 * guest's IPIs.
 */

/* At launch, before the first VM entry: the first exit, an NMI window, starts the measurement. */
static inline void init_rule_start(struct vcpu *v)
{
	v->init_check = INIT_CHECK_START;
}

/* The measurement is not finished: the exit path keeps NMI-window exiting on. */
static inline bool init_rule_running(const struct vcpu *v)
{
	return v->init_check != INIT_CHECK_IDLE && v->init_check != INIT_CHECK_DONE;
}

/* The measurement's INIT may be on its way or held: leaving VMX operation now would let it reset the processor. */
static inline bool init_rule_init_outstanding(const struct vcpu *v)
{
	return v->init_check == INIT_CHECK_SENT;
}

/* The outcome: the guest's IPIs go to the local APIC untouched, and INIT and SIPI come as VM exits. */
static inline bool init_rule_ipis_native(const struct partition *p)
{
	return __atomic_load_n(&p->ipis_native, __ATOMIC_ACQUIRE);
}

/* An NMI-window exit while the measurement runs: its next step. */
void init_rule_nmi_window(struct vcpu *v);

/*
 * An INIT-signal exit: true if it is the measurement's own INIT, with what
 * to do in *action; false for any other INIT.
 */
bool init_rule_init_exit(struct vcpu *v, enum exit_action *action);

#endif
