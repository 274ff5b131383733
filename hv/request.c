/* SPDX-License-Identifier: MIT */
/*
 * Requests between virtual processors (hv/request.h). Each vCPU has a
 * ticket counter others bump when they post (posted) and the ticket its
 * last serve covered (served), which only it writes. A poster sets the
 * request's bit before it takes its ticket, and the server reads the
 * ticket before it takes the bits: so a ticket it marks served had its bit
 * taken by this serve or an earlier one, and the work was done after the
 * poster asked for it.
 */
#include "arch/x86/cpu.h"
#include "hv/ipi.h"
#include "hv/log.h"
#include "hv/partition.h"
#include "hv/request.h"

static void carry_out(struct vcpu *v, uint32_t requests)
{
	if (requests & BIT(VCPU_REQ_FLUSH_TLB))
		vcpu_flush_tlb(v);
	if (requests & BIT(VCPU_REQ_PASS_IPIS))
		vcpu_pass_ipis(v);
}

void vcpu_serve_requests(struct vcpu *v)
{
	uint32_t ticket = __atomic_load_n(&v->requests.posted, __ATOMIC_ACQUIRE);

	carry_out(v, __atomic_exchange_n(&v->requests.pending, 0, __ATOMIC_ACQ_REL));
	__atomic_store_n(&v->requests.served, ticket, __ATOMIC_RELEASE);
}

static uint32_t post(struct vcpu *t, enum vcpu_request req)
{
	__atomic_or_fetch(&t->requests.pending, (uint32_t)BIT(req), __ATOMIC_ACQ_REL);
	return __atomic_add_fetch(&t->requests.posted, 1, __ATOMIC_ACQ_REL);
}

/* A vCPU waiting for its SIPI, or stopped, serves its requests before it runs the guest again, if ever. */
static bool in_guest_or_about_to_be(const struct vcpu *t)
{
	return __atomic_load_n(&t->startup.state, __ATOMIC_ACQUIRE) != STARTUP_WAIT_SIPI &&
	       !__atomic_load_n(&t->stopped, __ATOMIC_ACQUIRE);
}

static bool answered(const struct vcpu *t, uint32_t ticket)
{
	return (int32_t)(__atomic_load_n(&t->requests.served, __ATOMIC_ACQUIRE) - ticket) >= 0 ||
	       !in_guest_or_about_to_be(t);
}

bool vcpu_request_all(struct vcpu *from, uint64_t targets, enum vcpu_request req)
{
	struct partition *p = from->part;
	uint32_t ticket[MAX_VCPUS];
	uint64_t waiting = 0, start, limit;

	for (unsigned int i = 0; i < p->nr_vcpus && i < MAX_VCPUS; i++) {
		struct vcpu *t = p->vcpu[i];

		if (!t || t->vp_index >= 64 || !(targets & BIT(t->vp_index)))
			continue;
		if (t == from) {
			carry_out(from, (uint32_t)BIT(req));
			continue;
		}
		ticket[i] = post(t, req);
		ipi_kick(t);
		waiting |= BIT(i);
	}
	limit = p->tsc_hz ? p->tsc_hz / 1000 * VCPU_REQUEST_TIMEOUT_MS : VCPU_REQUEST_TIMEOUT_TICKS;
	start = cpu_rdtsc();
	for (;;) {
		for (unsigned int i = 0; i < MAX_VCPUS; i++)
			if ((waiting & BIT(i)) && answered(p->vcpu[i], ticket[i]))
				waiting &= ~BIT(i);
		if (!waiting)
			return true;
		if (cpu_rdtsc() - start > limit)
			break;
		if (vcpu_requests_pending(from))
			vcpu_serve_requests(from);
		cpu_relax();
	}
	for (unsigned int i = 0; i < MAX_VCPUS; i++)
		if (waiting & BIT(i))
			log_guest_warn("vcpu%u: request %u not answered by vcpu%u within %u ms", from->vp_index,
				       (unsigned int)req, p->vcpu[i]->vp_index, VCPU_REQUEST_TIMEOUT_MS);
	return false;
}
