/* SPDX-License-Identifier: MIT */
#ifndef TESTS_FUZZ_FUZZ_H
#define TESTS_FUZZ_FUZZ_H

/* Shared by the libFuzzer targets: an invariant that aborts, so the fuzzer keeps the input; the input's fields. */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define INVARIANT(cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: invariant %s broken\n",	\
				__FILE__, __LINE__, #cond);		\
			abort();					\
		}							\
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The fuzzer's bytes, consumed as the fields of operations. */
struct fuzz_input {
	const uint8_t *p;
	size_t n;
};

/* The next field of bytes bytes (at most 8), little-endian; bytes past the end read as 0. */
static inline uint64_t fuzz_take(struct fuzz_input *in, unsigned int bytes)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < bytes && in->n; i++, in->n--)
		v |= (uint64_t)*in->p++ << (8 * i);
	return v;
}

#endif
