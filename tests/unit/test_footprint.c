/* SPDX-License-Identifier: MIT */
/* Whether what Vireo keeps fits in the firmware's free memory (boot/footprint.h). */
#include "boot/footprint.h"
#include "tests/unit/test.h"

TEST_GLOBALS;

/* Roughly Vireo's own figures: 3 host pages, 258 for the EPT, 13 per processor, the EPT pool the largest piece. */
static const struct footprint vireo = { .fixed = 261, .per_cpu = 13, .largest = 257 };

static void pages_grow_per_processor(void)
{
	CHECK_EQ(footprint_pages(&vireo, 1), 274);
	CHECK_EQ(footprint_pages(&vireo, 2), 287);
	CHECK_EQ(footprint_pages(&vireo, 64), 261 + 64 * 13);
}

static void fits_only_with_enough_in_total_and_in_one_piece(void)
{
	static const struct {
		unsigned int cpus;
		struct free_memory free;
		bool fits;
	} cases[] = {
		{ 2, { 287, 287 }, true },		/* exactly enough */
		{ 2, { 286, 286 }, false },		/* one page short */
		{ 2, { 100000, 257 }, true },		/* the pool just fits in the largest piece */
		{ 2, { 100000, 256 }, false },		/* plenty, but fragmented */
		{ 3, { 287, 287 }, false },		/* a third processor needs 13 more */
		{ 1, { 0, 0 }, false },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK_EQ(footprint_fits(&vireo, cases[i].cpus, &cases[i].free), cases[i].fits);
}

int main(void)
{
	RUN("footprint", pages_grow_per_processor);
	RUN("footprint", fits_only_with_enough_in_total_and_in_one_piece);
	return test_suite_failures != 0;
}
