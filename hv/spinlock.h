/* SPDX-License-Identifier: MIT */
#ifndef HV_SPINLOCK_H
#define HV_SPINLOCK_H

/*
 * A test-and-set lock for a few loads and stores that any processor may
 * make at once: acquire on lock, release on unlock. Never held across a
 * wait for another processor, which may be spinning on the same lock.
 */

#include "arch/x86/cpu.h"

struct spinlock {
	bool held;
};

static inline void spin_lock(struct spinlock *l)
{
	while (__atomic_test_and_set(&l->held, __ATOMIC_ACQUIRE))
		cpu_relax();
}

static inline void spin_unlock(struct spinlock *l)
{
	__atomic_clear(&l->held, __ATOMIC_RELEASE);
}

#endif
