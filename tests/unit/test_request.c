/* SPDX-License-Identifier: MIT */
/* Requests between vCPUs (hv/request.c): post, kick, serve, and the bounded wait. */
#include <pthread.h>
#include <sched.h>
#include "hv/log.h"
#include "hv/request.h"
#include "tests/unit/viridian_fixture.h"

TEST_GLOBALS;

static struct vcpu *setup(struct vir_fixture *f)
{
	struct vcpu *v = vf_init(f, (struct vf_mask)VF_BASE);

	memset(fake_tlb_flushes, 0, sizeof(fake_tlb_flushes));
	f->vcpu.apic_id = 0;
	f->vcpu_b.apic_id = 1;
	fake_log_clear();
	return v;
}

/* The fixture's two vCPUs, by VP index. */
#define A	BIT(VF_VP_INDEX)
#define B	BIT(VF_VP_INDEX_B)

static void self_only(void)
{
	struct vir_fixture f;
	struct vcpu *v = setup(&f);

	CHECK(vcpu_request_all(v, A, VCPU_REQ_FLUSH_TLB));
	CHECK_EQ(fake_tlb_flushes[VF_VP_INDEX], 1);
	CHECK_EQ(fake_apic.kicks, 0);
	CHECK(!vcpu_requests_pending(v));
}

/* The target leaves the guest on its kick and serves: the call returns after its flush. */
static void target_answers(void)
{
	struct vir_fixture f;
	struct vcpu *v = setup(&f);

	fake_apic.kick_exits = true;
	CHECK(vcpu_request_all(v, A | B, VCPU_REQ_FLUSH_TLB));
	CHECK_EQ(fake_tlb_flushes[VF_VP_INDEX], 1);
	CHECK_EQ(fake_tlb_flushes[VF_VP_INDEX_B], 1);
	CHECK_EQ(fake_apic.kicks, 1);
	CHECK_EQ(fake_apic.last_kick, 1);
	CHECK(!f.vcpu_b.kick_in_flight);	/* its NMI arrived: the kick */
	CHECK(!f.vcpu_b.nmi_pending);
	CHECK(!vcpu_requests_pending(&f.vcpu_b));
	CHECK_STR(fake_log, "");
}

/* A target that never leaves the guest: the wait ends, says so, and the request stays for its next exit. */
static void target_silent(void)
{
	struct vir_fixture f;
	struct vcpu *v = setup(&f);

	CHECK(!vcpu_request_all(v, B, VCPU_REQ_FLUSH_TLB));
	CHECK(fake_log_contains("vireo: warning: vcpu3: request 0 not answered by vcpu7 within 100 ms"));
	CHECK_EQ(fake_tlb_flushes[VF_VP_INDEX_B], 0);
	CHECK(vcpu_requests_pending(&f.vcpu_b));
	vcpu_serve_requests(&f.vcpu_b);
	CHECK_EQ(fake_tlb_flushes[VF_VP_INDEX_B], 1);
	CHECK(!vcpu_requests_pending(&f.vcpu_b));
}

/* Waiting for a SIPI, or stopped, a target runs no guest code until it has served: no wait. */
static void target_not_running(void)
{
	struct vir_fixture f;
	struct vcpu *v = setup(&f);

	f.vcpu_b.startup.state = STARTUP_WAIT_SIPI;
	CHECK(vcpu_request_all(v, B, VCPU_REQ_FLUSH_TLB));
	CHECK(vcpu_requests_pending(&f.vcpu_b));
	CHECK_STR(fake_log, "");

	v = setup(&f);
	f.vcpu_b.stopped = true;
	CHECK(vcpu_request_all(v, B, VCPU_REQ_FLUSH_TLB));
	CHECK_STR(fake_log, "");

	/* An INIT still to be taken is not enough: the vCPU runs the guest until then. */
	v = setup(&f);
	f.vcpu_b.startup.state = STARTUP_INIT_PENDING;
	CHECK(!vcpu_request_all(v, B, VCPU_REQ_FLUSH_TLB));
}

/* Bits naming no vCPU of the partition ask nothing of anyone. */
static void absent_targets(void)
{
	struct vir_fixture f;
	struct vcpu *v = setup(&f);

	CHECK(vcpu_request_all(v, ~(A | B), VCPU_REQ_FLUSH_TLB));
	CHECK_EQ(fake_apic.kicks, 0);
}

/* Two posts before the target serves: one serve answers both tickets. */
static void one_serve_answers_all(void)
{
	struct vir_fixture f;
	struct vcpu *v = setup(&f);

	CHECK(!vcpu_request_all(v, B, VCPU_REQ_FLUSH_TLB));
	CHECK(!vcpu_request_all(v, B, VCPU_REQ_FLUSH_TLB));
	CHECK_EQ(f.vcpu_b.requests.posted, 2);
	vcpu_serve_requests(&f.vcpu_b);
	CHECK_EQ(f.vcpu_b.requests.served, 2);
	CHECK_EQ(fake_tlb_flushes[VF_VP_INDEX_B], 1);
}

/* Two vCPUs asking each other at the same moment, on two threads: each serves the other while it waits. */
static struct vir_fixture mutual;
static bool mutual_ok[2], mutual_done[2];

static void *ask_other(void *arg)
{
	unsigned int me = (unsigned int)(uintptr_t)arg;
	struct vcpu *v = me ? &mutual.vcpu_b : &mutual.vcpu;

	mutual_ok[me] = vcpu_request_all(v, me ? A : B, VCPU_REQ_FLUSH_TLB);
	__atomic_store_n(&mutual_done[me], true, __ATOMIC_RELEASE);
	/* Back "in the guest": serve until the other is done too, as the exit path would. */
	while (!__atomic_load_n(&mutual_done[!me], __ATOMIC_ACQUIRE) || vcpu_requests_pending(v)) {
		if (vcpu_requests_pending(v))
			vcpu_serve_requests(v);
		sched_yield();
	}
	return NULL;
}

static void asked_by_each_other(void)
{
	pthread_t a, b;

	setup(&mutual);
	pthread_create(&a, NULL, ask_other, (void *)0);
	pthread_create(&b, NULL, ask_other, (void *)1);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	CHECK(mutual_ok[0]);
	CHECK(mutual_ok[1]);
	CHECK_EQ(fake_tlb_flushes[VF_VP_INDEX], 1);
	CHECK_EQ(fake_tlb_flushes[VF_VP_INDEX_B], 1);
}

int main(void)
{
	RUN("request", self_only);
	RUN("request", target_answers);
	RUN("request", target_silent);
	RUN("request", target_not_running);
	RUN("request", absent_targets);
	RUN("request", one_serve_answers_all);
	RUN("request", asked_by_each_other);
	return test_suite_failures != 0;
}
