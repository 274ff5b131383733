/* SPDX-License-Identifier: MIT */
/*
 * Partition-wide MSRs written from two virtual processors at the same
 * moment (two threads, one per vCPU): whatever the interleaving, the
 * partition ends in a state some order of the two writes gives. Guest
 * memory accesses sleep a little (fake_phys_delay_us), so that one write
 * is caught between its checks and its store (the hypercall page is
 * written there) while the other runs.
 */
#include <pthread.h>
#include <sched.h>
#include "tests/unit/viridian_fixture.h"

TEST_GLOBALS;

#define GUEST_OS_ID	0x40000000u
#define HYPERCALL	0x40000001u
#define REFERENCE_TSC	0x40000021u

#define LINUX_OS_ID	0x8100000608000000ULL
#define HC_PAGE_A	0x5000ULL
#define HC_PAGE_B	0x7000ULL
#define HC_ENABLE	0x1ULL
#define HC_LOCKED	0x2ULL

#define ROUNDS		2000

/* Both threads run one write per round, released together. */
struct race {
	struct vir_fixture f;
	unsigned int round;		/* released by the main thread */
	unsigned int done;		/* threads finished with this round */
	uint32_t msr[2];
	uint64_t val[2];
};

static void *writer(void *arg, unsigned int id)
{
	struct race *r = arg;
	struct vcpu *v = id ? &r->f.vcpu_b : &r->f.vcpu;

	for (unsigned int round = 1; round <= ROUNDS; round++) {
		while (__atomic_load_n(&r->round, __ATOMIC_ACQUIRE) != round)
			sched_yield();
		vir_wrmsr(v, r->msr[id], r->val[id]);
		__atomic_add_fetch(&r->done, 1, __ATOMIC_ACQ_REL);
	}
	return NULL;
}

static void *writer_a(void *arg)
{
	return writer(arg, 0);
}

static void *writer_b(void *arg)
{
	return writer(arg, 1);
}

/*
 * Runs ROUNDS rounds of vCPU A writing msr_a = val_a while vCPU B writes
 * msr_b = val_b, with prepare() setting the partition up before each, and
 * returns how many rounds ended in a state check() refuses.
 */
static unsigned int race(struct vf_mask mask, uint32_t msr_a, uint64_t val_a, uint32_t msr_b, uint64_t val_b,
			 void (*prepare)(struct race *r), bool (*check)(const struct race *r))
{
	static struct race r;
	pthread_t a, b;
	unsigned int bad = 0;

	vf_init(&r.f, mask);
	r.round = r.done = 0;
	r.msr[0] = msr_a;
	r.val[0] = val_a;
	r.msr[1] = msr_b;
	r.val[1] = val_b;
	fake_phys_delay_us = 20;
	pthread_create(&a, NULL, writer_a, &r);
	pthread_create(&b, NULL, writer_b, &r);
	for (unsigned int round = 1; round <= ROUNDS; round++) {
		prepare(&r);
		__atomic_store_n(&r.done, 0, __ATOMIC_RELEASE);
		__atomic_store_n(&r.round, round, __ATOMIC_RELEASE);
		while (__atomic_load_n(&r.done, __ATOMIC_ACQUIRE) != 2)
			sched_yield();
		bad += !check(&r);
	}
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	fake_phys_delay_us = 0;
	return bad;
}

static void identity_set_page_off(struct race *r)
{
	r->f.part.vir.guest_os_id = LINUX_OS_ID;
	r->f.part.vir.hypercall = 0;
}

/* TLFS: with the identity cleared the page is disabled, whichever write came last. */
static bool no_page_without_identity(const struct race *r)
{
	return r->f.part.vir.guest_os_id || !(r->f.part.vir.hypercall & HC_ENABLE);
}

/* One vCPU enables the page while the other clears the guest identity. */
static void enable_while_identity_cleared(void)
{
	CHECK_EQ(race((struct vf_mask)VF_BASE, HYPERCALL, HC_PAGE_A | HC_ENABLE, GUEST_OS_ID, 0, identity_set_page_off,
		      no_page_without_identity), 0);
}

/*
 * A locks page A while B moves the page to B. In either order the result is
 * page A, locked: B first is overwritten by A; A first refuses B.
 */
static bool locked_page_stays(const struct race *r)
{
	return r->f.part.vir.hypercall == (HC_PAGE_A | HC_ENABLE | HC_LOCKED);
}

/* One vCPU locks the page where it is while the other moves it. */
static void lock_while_moved(void)
{
	CHECK_EQ(race((struct vf_mask)VF_BASE, HYPERCALL, HC_PAGE_A | HC_ENABLE | HC_LOCKED, HYPERCALL, HC_PAGE_B | HC_ENABLE,
		      identity_set_page_off, locked_page_stays), 0);
}

static void tsc_page_off(struct race *r)
{
	r->f.part.vir.time.reference_tsc = 0;
}

/*
 * The page REFERENCE_TSC names carries the newest TscSequence: the write
 * that stored the MSR last also published its page last.
 */
static bool msr_names_newest_page(const struct race *r)
{
	uint64_t gpa = r->f.part.vir.time.reference_tsc & ~0xfffULL;
	uint32_t seq;

	if (gpa != HC_PAGE_A && gpa != HC_PAGE_B)
		return false;
	memcpy(&seq, &fake_ram[gpa], sizeof(seq));
	return seq && seq == r->f.part.vir.time.sequence;
}

/* Two vCPUs enable the reference TSC page at once, each at a page of its own. */
static void tsc_page_from_two_vcpus(void)
{
	CHECK_EQ(race((struct vf_mask)VF_TSC_PAGE, REFERENCE_TSC, HC_PAGE_A | 1, REFERENCE_TSC, HC_PAGE_B | 1,
		      tsc_page_off, msr_names_newest_page), 0);
}

int main(void)
{
	RUN("viridian_shared", enable_while_identity_cleared);
	RUN("viridian_shared", lock_while_moved);
	RUN("viridian_shared", tsc_page_from_two_vcpus);
	return test_suite_failures != 0;
}
