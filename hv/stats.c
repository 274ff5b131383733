/* SPDX-License-Identifier: MIT */
/* The per-vCPU exit and viridian counters (hv/stats.h), as a table on the log. */
#include "hv/exit.h"
#include "hv/log.h"
#include "hv/partition.h"
#include "hv/stats.h"
#include "hv/string.h"

_Static_assert(STATS_EXIT_REASONS == EXIT_REASON_MAX, "a slot per basic exit reason");

/* The items of one log line; the prefix and the counters must fit in a log line (hv/log.c). */
#define STATS_LINE_MAX	160

struct stats_line {
	unsigned int vp_index;
	const char *what;
	char text[STATS_LINE_MAX];
	size_t len;
};

static void line_flush(struct stats_line *l)
{
	if (!l->len)
		return;
	log_info("stats: vcpu%u %s %s", l->vp_index, l->what, l->text);
	l->len = 0;
	l->text[0] = '\0';
}

/* Formats one item into item[ITEM_MAX]; its length, cut to what the buffer holds. */
#define ITEM_MAX	48

static size_t item_format(char *item, bool first, const char *name, uint64_t count)
{
	size_t n = (size_t)hv_snprintf(item, ITEM_MAX, "%s%s %llu", first ? "" : ", ", name,
				       (unsigned long long)count);

	return n < ITEM_MAX ? n : ITEM_MAX - 1;
}

/* Adds "<name> <count>" to the line, on a new line if it does not fit. */
static void line_add(struct stats_line *l, const char *name, uint64_t count)
{
	char item[ITEM_MAX];
	size_t n = item_format(item, !l->len, name, count);

	if (l->len + n >= sizeof(l->text)) {
		line_flush(l);
		n = item_format(item, true, name, count);
	}
	hv_memcpy(l->text + l->len, item, n + 1);
	l->len += n;
}

static void name_exit(char *buf, size_t size, uint32_t slot)
{
	const char *name = exit_reason_name(slot);

	if (!hv_strcmp(name, "UNKNOWN"))
		hv_snprintf(buf, size, "UNKNOWN_%u", slot);
	else
		hv_snprintf(buf, size, "%s", name);
}

static void name_hex8(char *buf, size_t size, uint32_t index)
{
	hv_snprintf(buf, size, "%08x", index);
}

static void name_hex4(char *buf, size_t size, uint32_t index)
{
	hv_snprintf(buf, size, "%04x", index);
}

/*
 * One family of counters: slots counters for indexes first, first + 1, ...;
 * the last is "other". All but the first (exits) count exits of one
 * reason.
 */
struct stats_family {
	const char *what;
	size_t offset;
	uint32_t slots;
	uint32_t first;
	void (*name)(char *buf, size_t size, uint32_t index);
	uint32_t reason;
};

static const struct stats_family families[] = {
	{ "exits", offsetof(struct vcpu_stats, exits), STATS_EXIT_REASONS, 0, name_exit, 0 },
	{ "cpuid", offsetof(struct vcpu_stats, cpuid), STATS_CPUID_LEAVES, STATS_CPUID_FIRST, name_hex8,
	  EXIT_REASON_CPUID },
	{ "rdmsr", offsetof(struct vcpu_stats, rdmsr), STATS_MSRS, STATS_MSR_FIRST, name_hex8, EXIT_REASON_MSR_READ },
	{ "wrmsr", offsetof(struct vcpu_stats, wrmsr), STATS_MSRS, STATS_MSR_FIRST, name_hex8, EXIT_REASON_MSR_WRITE },
	{ "hypercall", offsetof(struct vcpu_stats, hypercall), STATS_HCALL_CODES, 0, name_hex4, EXIT_REASON_VMCALL },
};

static const uint64_t *family_counts(const struct vcpu_stats *s, const struct stats_family *f)
{
	return (const uint64_t *)((const uint8_t *)s + f->offset);
}

static uint64_t family_sum(const struct vcpu_stats *s, const struct stats_family *f)
{
	const uint64_t *count = family_counts(s, f);
	uint64_t sum = 0;

	for (uint32_t i = 0; i <= f->slots; i++)
		sum += count[i];
	return sum;
}

uint64_t stats_exits(const struct vcpu_stats *s, uint32_t reason)
{
	uint32_t slot = stats_slot(reason, 0, STATS_EXIT_REASONS);
	uint64_t n = s->exits[slot];

	for (size_t f = 1; f < ARRAY_SIZE(families); f++)
		if (slot == families[f].reason)
			n += family_sum(s, &families[f]);
	return n;
}

uint64_t stats_total_exits(const struct vcpu_stats *s)
{
	uint64_t total = 0;

	for (size_t f = 0; f < ARRAY_SIZE(families); f++)
		total += family_sum(s, &families[f]);
	return total;
}

static void print_counts(const uint64_t *count, unsigned int vp_index, const struct stats_family *f)
{
	struct stats_line l = { .vp_index = vp_index, .what = f->what };
	char name[24];

	for (uint32_t i = 0; i <= f->slots; i++) {
		if (!count[i])
			continue;
		if (i == f->slots)
			hv_snprintf(name, sizeof(name), "other");
		else
			f->name(name, sizeof(name), f->first + i);
		line_add(&l, name, count[i]);
	}
	line_flush(&l);
}

/* The exits line shows each reason's exits with its family's. */
static void print_vcpu(const struct vcpu_stats *s, unsigned int vp_index)
{
	uint64_t exits[STATS_EXIT_REASONS + 1];

	log_info("stats: vcpu%u total %llu exits", vp_index, (unsigned long long)stats_total_exits(s));
	for (uint32_t i = 0; i <= STATS_EXIT_REASONS; i++)
		exits[i] = stats_exits(s, i);
	print_counts(exits, vp_index, &families[0]);
	for (size_t f = 1; f < ARRAY_SIZE(families); f++)
		print_counts(family_counts(s, &families[f]), vp_index, &families[f]);
}

/* What Vireo keeps for itself: every range it hides from the guest, its image and allocations. */
static void print_memory(const struct partition *p)
{
	uint64_t bytes = 0;

	for (unsigned int i = 0; i < p->nr_hv_mem && i < MAX_HV_RANGES; i++)
		bytes += p->hv_mem[i].size;
	log_info("stats: vireo memory %llu pages in %u ranges", (unsigned long long)(bytes / PAGE_SIZE),
		 p->nr_hv_mem);
}

void stats_print(const struct partition *p)
{
	print_memory(p);
	log_info("stats: guest-caused log lines dropped %llu",
		 (unsigned long long)__atomic_load_n(&log_guest_dropped, __ATOMIC_RELAXED));
	for (unsigned int i = 0; i < p->nr_vcpus && i < MAX_VCPUS; i++) {
		const struct vcpu *v = p->vcpu[i];

		if (!v)
			continue;
		print_vcpu(&v->stats, v->vp_index);
	}
}
