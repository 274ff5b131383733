/* SPDX-License-Identifier: MIT */
/*
 * The INIT rule: whether the guest's IPIs may reach the hardware untouched,
 * measured on every processor as it starts running the guest.
 *
 * A processor in VMX non-root operation takes an INIT as a VM exit, which
 * consumes it; in VMX root operation INIT is blocked, held until the next
 * VM entry, where it causes that exit (SDM "Other Causes of VM Exits",
 * "Handling Boundary Conditions in a Virtual Machine Monitor"; VMXOFF
 * unblocks it). Where every processor does so, the guest's INIT and SIPI
 * can go to the hardware as written: they arrive as INIT-signal and SIPI
 * exits (hv/exit_cpu_state.c), and neither an IPI nor an APIC register
 * write has to exit. KVM does the same for a nested hypervisor: it holds
 * an INIT while L1 is in VMX root operation and makes it an INIT-signal
 * exit at the next nested VM entry. Bochs 2.7 does not consume an INIT
 * with its VM exit: it delivers it again on every VM entry, and a
 * processor that took one could never run the guest again. There Vireo
 * delivers INIT, SIPI and the guest's NMI IPIs itself (hv/ipi.c), which
 * means an exit for every ICR write.
 *
 * The measurement must not leave Bochs an INIT to deliver for ever, so it
 * is sent where Bochs drops it: by the processor to itself, in VMX root
 * operation, where Bochs discards an INIT instead of holding it.
 * NMI-window exiting is on at launch, so the first exit comes before the
 * guest's first instruction (the guest blocks no NMI then):
 *
 *   START, NMI window   the INIT goes out, the guest is resumed     -> SENT
 *   SENT, INIT exit     held in VMX root operation, taken at entry  -> TAKEN
 *   SENT, NMI window    no INIT exit came (INIT has priority over
 *                       the NMI window): dropped                    -> DONE
 *   TAKEN, NMI window   consumed by its exit                        -> DONE
 *   TAKEN, INIT exit    held and delivered again: this processor
 *                       cannot run the guest                        -> stop
 *
 * The partition lets IPIs through (ipis_native) only once every vCPU has
 * found INIT consumed; until then, and otherwise, Vireo intercepts them,
 * which works everywhere. The boot processor launches last, after every
 * other has measured, so the outcome is known before the guest runs any
 * code that sends an IPI.
 */
#include "hv/init_rule.h"
#include "hv/log.h"
#include "hv/request.h"

static uint64_t all_vcpus(const struct partition *p, unsigned int *count)
{
	uint64_t mask = 0;

	*count = 0;
	for (unsigned int i = 0; i < p->nr_vcpus; i++) {
		if (!p->vcpu[i])
			continue;
		mask |= BIT(p->vcpu[i]->vp_index);
		(*count)++;
	}
	return mask;
}

/* The last vCPU to finish decides for the partition. */
static void decide(struct vcpu *v, unsigned int consumed, unsigned int nr)
{
	struct partition *p = v->part;
	unsigned int count;
	uint64_t targets = all_vcpus(p, &count);

	if (consumed != nr) {
		log_info("ipi: INIT is not consumed by its VM exit here: %u of %u processor(s) took the INIT each "
			 "sent itself in VMX root operation as one VM exit; Vireo delivers INIT, SIPI and NMI IPIs "
			 "itself, the guest's ICR writes exit", consumed, nr);
		return;
	}
	__atomic_store_n(&p->ipis_native, true, __ATOMIC_RELEASE);
	if (!vcpu_request_all(v, targets, VCPU_REQ_PASS_IPIS))
		log_warn("ipi: a processor did not stop intercepting IPIs in time; it does at its next exit");
	log_info("ipi: every processor consumes INIT with its VM exit: the guest's IPIs and APIC writes go to "
		 "the local APIC without an exit, INIT and SIPI start processors through their VM exits");
}

static void finish(struct vcpu *v, bool consumed)
{
	struct partition *p = v->part;
	unsigned int nr, done, taken;

	v->init_check = INIT_CHECK_DONE;
	log_debug("vcpu%u: the INIT it sent itself in VMX root operation was %s", v->vp_index,
		  consumed ? "taken as one VM exit" : "not taken as a VM exit");
	all_vcpus(p, &nr);
	if (consumed)
		__atomic_add_fetch(&p->init_consumed, 1, __ATOMIC_ACQ_REL);
	done = __atomic_add_fetch(&p->init_checked, 1, __ATOMIC_ACQ_REL);
	if (done != nr)
		return;
	taken = __atomic_load_n(&p->init_consumed, __ATOMIC_ACQUIRE);
	decide(v, taken, nr);
}

void init_rule_nmi_window(struct vcpu *v)
{
	switch (v->init_check) {
	case INIT_CHECK_START:
		v->init_check = INIT_CHECK_SENT;
		vcpu_send_init_to_self(v);
		break;
	case INIT_CHECK_SENT:
		finish(v, false);
		break;
	case INIT_CHECK_TAKEN:
		finish(v, true);
		break;
	default:
		break;
	}
}

bool init_rule_init_exit(struct vcpu *v, enum exit_action *action)
{
	switch (v->init_check) {
	case INIT_CHECK_SENT:
		v->init_check = INIT_CHECK_TAKEN;
		*action = EXIT_RESUME;
		return true;
	case INIT_CHECK_TAKEN:
		log_err("vcpu%u: the INIT it sent itself at load arrives again after its VM exit: this processor "
			"cannot run the guest", v->vp_index);
		*action = EXIT_STOP_VCPU;
		return true;
	default:
		return false;
	}
}
