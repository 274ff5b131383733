/* SPDX-License-Identifier: MIT */
#ifndef HV_COMPILER_H
#define HV_COMPILER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BIT(n)		(1ULL << (n))
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a)	(((x) + (a) - 1) & ~((uint64_t)(a) - 1))
#define PAGE_SIZE	4096ULL
#define PAGE_MASK	(~(PAGE_SIZE - 1))

#define __packed	__attribute__((packed))
#define __aligned(n)	__attribute__((aligned(n)))
#define __printf(a, b)	__attribute__((format(printf, a, b)))
#define __noreturn	__attribute__((noreturn))
#define __unused	__attribute__((unused))
#ifndef __always_inline		/* the C library of the hosted build has its own */
#define __always_inline	inline __attribute__((always_inline))
#endif
/*
 * For the less travelled path out of a hot one: inlined, its calls make
 * the compiler save registers and build a frame on every path.
 */
#define __noinline	__attribute__((noinline))

#endif
