/* SPDX-License-Identifier: MIT */
#ifndef HV_REQUEST_H
#define HV_REQUEST_H

/*
 * Work one virtual processor asks of others, done by each on its own
 * processor: the asker posts the request and kicks the target out of the
 * guest (hv/ipi.c); the target serves it in the host before it enters the
 * guest again; the asker waits for that, within a bound.
 */

#include "hv/vcpu.h"

enum vcpu_request {
	VCPU_REQ_FLUSH_TLB,	/* drop the guest's cached linear translations */
	VCPU_REQ_PASS_IPIS,	/* stop intercepting the guest's IPIs (hv/init_rule.c) */
};

/* How long vcpu_request_all() waits for the targets. */
#define VCPU_REQUEST_TIMEOUT_MS		100
/* The same in TSC ticks where the partition's TSC rate is not known. */
#define VCPU_REQUEST_TIMEOUT_TICKS	1000000000ULL

/* Whether v has requests to serve before it enters the guest again. */
static inline bool vcpu_requests_pending(const struct vcpu *v)
{
	return __atomic_load_n(&v->requests.posted, __ATOMIC_ACQUIRE) !=
	       __atomic_load_n(&v->requests.served, __ATOMIC_ACQUIRE);
}

/* Serves what was posted to v; on v's own processor, in the host. */
void vcpu_serve_requests(struct vcpu *v);

/*
 * Asks every vCPU in targets (bit n: VP index n) to do req and returns
 * true once each has done it, or cannot enter the guest before it does (it
 * waits for a SIPI, or it stopped). from does it itself, here. While it
 * waits, from serves what others ask of it, so two vCPUs asking each other
 * at once both go on. False if a target did not answer within
 * VCPU_REQUEST_TIMEOUT_MS: it still serves the request before it next
 * enters the guest.
 */
bool vcpu_request_all(struct vcpu *from, uint64_t targets, enum vcpu_request req);

#endif
