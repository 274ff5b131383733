/* SPDX-License-Identifier: MIT */
#include "arch/x86/ept.h"
#include "hv/errno.h"

#define LEVEL_SHIFT(l)	(12 + 9 * ((l) - 1))	/* level 1 maps 4 KiB, 2: 2 MiB, 3: 1 GiB, 4: 512 GiB */
#define LEVEL_SIZE(l)	(1ULL << LEVEL_SHIFT(l))

static uint64_t *pool_alloc(struct ept *e)
{
	struct ept_pool *p = e->pool;

	if (p->used == p->nr_pages)
		return NULL;
	return (uint64_t *)(p->pages + PAGE_SIZE * p->used++);
}

/* EPT tables come from the pool, which the host maps 1:1 (and the hosted tests use as is). */
static uint64_t *table_of(uint64_t entry)
{
	return (uint64_t *)(uintptr_t)(entry & EPT_ADDR_MASK);
}

static uint64_t pa_of(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

static bool overlaps_hv(const struct ept *e, uint64_t base, uint64_t size)
{
	for (unsigned int i = 0; i < e->part->nr_hv_mem; i++) {
		const struct mem_range *r = &e->part->hv_mem[i];

		if (r->base < base + size && base < r->base + r->size)
			return true;
	}
	return false;
}

static bool level_has_large_pages(const struct ept *e, int level)
{
	return level == 1 || (level == 2 && e->pages_2m) || (level == 3 && e->pages_1g);
}

/*
 * The leaf for [base, base + size) at this level, or 0 when the range must
 * be split further: it holds Vireo's memory or more than one memory type.
 * A 4 KiB page of Vireo's memory is a not-present leaf (also 0).
 */
static uint64_t leaf_for(const struct ept *e, int level, uint64_t base, uint64_t *entry)
{
	uint64_t size = LEVEL_SIZE(level);
	uint8_t type;

	if (!level_has_large_pages(e, level) || !mtrr_range_type(e->mtrr, base, size, &type))
		return false;
	if (overlaps_hv(e, base, size)) {
		if (level != 1)
			return false;
		*entry = 0;
		return true;
	}
	*entry = base | EPT_RWX | (uint64_t)type << EPT_MT_SHIFT | (level > 1 ? EPT_LARGE : 0);
	return true;
}

/* Replaces a large leaf by a table of the same mapping one level down. */
static uint64_t *split(struct ept *e, uint64_t *entry, int level)
{
	uint64_t *t = pool_alloc(e);
	uint64_t leaf = *entry;

	if (!t)
		return NULL;
	if (leaf & EPT_RWX) {
		uint64_t flags = leaf & ~EPT_ADDR_MASK & (level - 1 > 1 ? ~0ULL : ~EPT_LARGE);

		for (uint64_t i = 0; i < 512; i++)
			t[i] = ((leaf & EPT_ADDR_MASK) + i * LEVEL_SIZE(level - 1)) | flags;
	}
	*entry = pa_of(t) | EPT_RWX;
	return t;
}

static int map_level(struct ept *e, uint64_t *table, int level, uint64_t base, uint64_t end)
{
	uint64_t size = LEVEL_SIZE(level);

	for (uint64_t a = base & ~(size - 1); a < end; a += size) {
		uint64_t *entry = &table[(a >> LEVEL_SHIFT(level)) & 511], leaf;
		uint64_t *next;
		int err;

		if (a >= base && a + size <= end && !(*entry & EPT_RWX) && level < 4 && leaf_for(e, level, a, &leaf)) {
			*entry = leaf;
			continue;
		}
		if (level == 1)
			continue;		/* a 4 KiB page already mapped, or hidden */
		if (!(*entry & EPT_RWX) || (*entry & EPT_LARGE)) {
			if ((*entry & EPT_LARGE) && a >= base && a + size <= end)
				continue;	/* already mapped whole */
			next = split(e, entry, level);
			if (!next)
				return -HV_ENOMEM;
		} else {
			next = table_of(*entry);
		}
		err = map_level(e, next, level - 1, a > base ? a : base, a + size < end ? a + size : end);
		if (err)
			return err;
	}
	return 0;
}

/* The tables map_level allocates to map [base, end) below an empty entry of this level. */
static unsigned int count_level(const struct ept *e, int level, uint64_t base, uint64_t end)
{
	uint64_t size = LEVEL_SIZE(level), leaf;
	unsigned int n = 0;

	for (uint64_t a = base & ~(size - 1); a < end; a += size) {
		if ((a >= base && a + size <= end && level < 4 && leaf_for(e, level, a, &leaf)) || level == 1)
			continue;
		n += 1 + count_level(e, level - 1, a > base ? a : base, a + size < end ? a + size : end);
	}
	return n;
}

unsigned int ept_tables_for(const struct ept *e, uint64_t base, uint64_t end)
{
	return 1 + count_level(e, 4, base, end);
}

int ept_init(struct ept *e)
{
	e->pml4 = pool_alloc(e);
	return e->pml4 ? 0 : -HV_ENOMEM;
}

int ept_map_range(struct ept *e, uint64_t base, uint64_t end)
{
	return map_level(e, e->pml4, 4, base, end);
}

/* The entry that maps gpa, and its level; NULL where a table is missing. */
static uint64_t *walk(const struct ept *e, uint64_t gpa, int *level)
{
	uint64_t *table = e->pml4;

	for (int l = 4;; l--) {
		uint64_t *entry = &table[(gpa >> LEVEL_SHIFT(l)) & 511];

		if (l == 1 || (*entry & EPT_LARGE) || !(*entry & EPT_RWX)) {
			*level = l;
			return entry;
		}
		table = table_of(*entry);
	}
}

uint64_t ept_lookup(const struct ept *e, uint64_t gpa, uint64_t *size)
{
	int level;
	uint64_t *entry = walk(e, gpa, &level);

	*size = LEVEL_SIZE(level);
	return *entry;
}

/* The 4 KiB leaf that maps gpa, splitting larger pages on the way; NULL where nothing is mapped or the pool ran out. */
static uint64_t *leaf_4k(struct ept *e, uint64_t gpa)
{
	uint64_t *table = e->pml4;

	for (int l = 4; l > 1; l--) {
		uint64_t *entry = &table[(gpa >> LEVEL_SHIFT(l)) & 511];

		if (!(*entry & EPT_RWX))
			return NULL;
		table = *entry & EPT_LARGE ? split(e, entry, l) : table_of(*entry);
		if (!table)
			return NULL;
	}
	return &table[(gpa >> LEVEL_SHIFT(1)) & 511];
}

int ept_set_writable(struct ept *e, uint64_t gpa, bool writable)
{
	uint64_t *entry = leaf_4k(e, gpa & PAGE_MASK);

	if (!entry || !(*entry & EPT_RWX))
		return -HV_EINVAL;
	if (writable)
		__atomic_or_fetch(entry, EPT_WRITE, __ATOMIC_RELEASE);
	else
		*entry &= ~(uint64_t)EPT_WRITE;
	return 0;
}

enum ept_fault ept_handle_fault(struct ept *e, uint64_t gpa)
{
	uint64_t page = gpa & PAGE_MASK;
	int level;
	uint64_t *entry;

	if (overlaps_hv(e, page, PAGE_SIZE)) {
		if (map_level(e, e->pml4, 4, page, page + PAGE_SIZE))
			return EPT_FAULT_FATAL;
		entry = walk(e, page, &level);
		if (level != 1 || (*entry & EPT_RWX))
			return EPT_FAULT_FATAL;
		/* Readable and writable, never executable: the guest sees a page of its own, not Vireo's. */
		*entry = e->decoy_pa | EPT_READ | EPT_WRITE | (uint64_t)MT_WB << EPT_MT_SHIFT;
		return EPT_FAULT_HIDDEN;
	}
	entry = walk(e, page, &level);
	if (*entry & EPT_RWX)
		return EPT_FAULT_FATAL;
	/* Mapped lazily: the 1 GiB around the address. */
	page &= ~(LEVEL_SIZE(3) - 1);
	return map_level(e, e->pml4, 4, page, page + LEVEL_SIZE(3)) ? EPT_FAULT_FATAL : EPT_FAULT_MAPPED;
}
