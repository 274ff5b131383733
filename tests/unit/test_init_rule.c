/* SPDX-License-Identifier: MIT */
/* The INIT rule (hv/init_rule.c): each vCPU's measurement at launch and the partition's outcome. */
#include "hv/exit.h"
#include "hv/init_rule.h"
#include "hv/ipi.h"
#include "hv/partition.h"
#include "tests/unit/fake.h"
#include "tests/unit/test.h"

TEST_GLOBALS;

#define NR_VCPUS	3
#define INIT_ASSERT	(5u << 8 | ICR_LEVEL_ASSERT | ICR_TRIGGER_LEVEL)
#define TO(apic_id)	((uint64_t)(apic_id) << 32)

static struct partition part;
static struct vcpu vcpus[NR_VCPUS];
static struct guest_regs regs[NR_VCPUS];

static void reset_all(void)
{
	part = (struct partition){ .ram_top = FAKE_RAM_SIZE, .nr_vcpus = NR_VCPUS, .tsc_hz = 1000000000 };
	for (unsigned int i = 0; i < NR_VCPUS; i++) {
		vcpus[i] = (struct vcpu){ .regs = &regs[i], .part = &part, .vp_index = i, .apic_id = 2 * i,
					  .rip = 0x1000 };
		part.vcpu[i] = &vcpus[i];
		init_rule_start(&vcpus[i]);
	}
	fake_apic = (struct fake_apic){ .kick_exits = true };
	fake_guest = (struct fake_guest){ .unrestricted = true, .sipi_vector = -1 };
	fake_msr_reset();
	fake_log_clear();
}

static enum exit_action exit_on(unsigned int i, uint32_t reason)
{
	vcpus[i].exit_reason = reason;
	return exit_dispatch(&vcpus[i]);
}

/* What an SDM processor (and KVM) shows: the INIT held in VMX root operation, one INIT exit at the next entry. */
static void measure_consumed(unsigned int i)
{
	CHECK(init_rule_running(&vcpus[i]));
	CHECK_EQ(exit_on(i, EXIT_REASON_NMI_WINDOW), EXIT_RESUME);
	CHECK(init_rule_init_outstanding(&vcpus[i]));
	CHECK_EQ(exit_on(i, EXIT_REASON_INIT_SIGNAL), EXIT_RESUME);
	CHECK(!init_rule_init_outstanding(&vcpus[i]));
	CHECK(init_rule_running(&vcpus[i]));
	CHECK_EQ(exit_on(i, EXIT_REASON_NMI_WINDOW), EXIT_RESUME);
	CHECK(!init_rule_running(&vcpus[i]));
}

/* What Bochs 2.7 shows: the INIT sent in VMX root operation is dropped, the next exit is the NMI window again. */
static void measure_dropped(unsigned int i)
{
	CHECK_EQ(exit_on(i, EXIT_REASON_NMI_WINDOW), EXIT_RESUME);
	CHECK(init_rule_init_outstanding(&vcpus[i]));
	CHECK_EQ(exit_on(i, EXIT_REASON_NMI_WINDOW), EXIT_RESUME);
	CHECK(!init_rule_running(&vcpus[i]));
	CHECK(!init_rule_init_outstanding(&vcpus[i]));
}

static void every_vcpu_consumes_init_ipis_go_through(void)
{
	reset_all();
	for (unsigned int i = 1; i < NR_VCPUS; i++) {
		measure_consumed(i);
		CHECK(!init_rule_ipis_native(&part));
	}
	CHECK_EQ(fake_apic.passed_ipis, 0);
	measure_consumed(0);
	CHECK_EQ(fake_apic.inits_to_self, NR_VCPUS);
	CHECK(init_rule_ipis_native(&part));
	/* Every vCPU stops intercepting on its own processor: the others by a request, the last one itself. */
	CHECK_EQ(fake_apic.passed_ipis, (1u << NR_VCPUS) - 1);
	CHECK_EQ(fake_apic.kicks, NR_VCPUS - 1);
	CHECK(fake_log_contains("ipi: every processor consumes INIT with its VM exit"));
	CHECK(!fake_log_contains("not consumed"));

	/* The guest's INIT now goes to the local APIC as written: nothing posted, nobody kicked. */
	CHECK(!ipi_intercept(&vcpus[0], INIT_ASSERT | TO(2), true));
	CHECK(!ipi_init_pending(&vcpus[1]));
	CHECK_EQ(fake_apic.kicks, NR_VCPUS - 1);
}

static void one_vcpu_drops_init_ipis_stay_intercepted(void)
{
	reset_all();
	measure_consumed(1);
	measure_dropped(2);
	measure_consumed(0);
	CHECK(!init_rule_ipis_native(&part));
	CHECK_EQ(fake_apic.passed_ipis, 0);
	CHECK(fake_log_contains("ipi: INIT is not consumed by its VM exit here: 2 of 3 processor(s)"));
	CHECK(!fake_log_contains("every processor consumes"));
	CHECK(ipi_intercept(&vcpus[0], INIT_ASSERT | TO(2), true));
	CHECK(ipi_init_pending(&vcpus[1]));
}

static void no_decision_before_the_last_vcpu(void)
{
	reset_all();
	measure_dropped(1);
	measure_dropped(2);
	CHECK(!fake_log_contains("ipi:"));
	measure_dropped(0);
	CHECK(fake_log_contains("ipi: INIT is not consumed by its VM exit here: 0 of 3 processor(s)"));
	/* A vCPU that was never created does not count. */
	reset_all();
	part.vcpu[1] = NULL;
	measure_consumed(2);
	measure_consumed(0);
	CHECK(init_rule_ipis_native(&part));
	CHECK_EQ(fake_apic.passed_ipis, BIT(0) | BIT(2));
}

/* A processor that holds INIT in VMX root operation but does not consume it with the exit cannot run the guest. */
static void init_delivered_again_stops_the_vcpu(void)
{
	reset_all();
	CHECK_EQ(exit_on(1, EXIT_REASON_NMI_WINDOW), EXIT_RESUME);
	CHECK_EQ(exit_on(1, EXIT_REASON_INIT_SIGNAL), EXIT_RESUME);
	CHECK_EQ(exit_on(1, EXIT_REASON_INIT_SIGNAL), EXIT_STOP_VCPU);
	CHECK(fake_log_contains("vcpu1: the INIT it sent itself at load arrives again after its VM exit"));
	CHECK(!fake_guest.wait_for_sipi);
}

/* The measurement's own INIT never puts the guest in wait-for-SIPI; an INIT after it does. */
static void measurement_init_leaves_the_guest_running(void)
{
	reset_all();
	CHECK_EQ(exit_on(0, EXIT_REASON_NMI_WINDOW), EXIT_RESUME);
	CHECK_EQ(exit_on(0, EXIT_REASON_INIT_SIGNAL), EXIT_RESUME);
	CHECK(!fake_guest.wait_for_sipi);
	CHECK_EQ(fake_apic.init_resets, 0);
	CHECK_EQ(vcpus[0].startup.state, STARTUP_RUNNING);
	CHECK_EQ(exit_on(0, EXIT_REASON_NMI_WINDOW), EXIT_RESUME);
	CHECK_EQ(exit_on(0, EXIT_REASON_INIT_SIGNAL), EXIT_RESUME);
	CHECK(fake_guest.wait_for_sipi);
	CHECK_EQ(fake_apic.init_resets, 1);
	CHECK_EQ(vcpus[0].startup.state, STARTUP_WAIT_SIPI);
	/* Later NMI windows are the guest's. */
	CHECK_EQ(exit_on(0, EXIT_REASON_NMI_WINDOW), EXIT_RESUME);
	CHECK_EQ(fake_apic.inits_to_self, 1);
}

/*
 * Where IPIs go through, the guest's INIT and SIPI come as exits: INIT puts
 * the vCPU in wait-for-SIPI, discarding the NMI Vireo held for it; SIPI
 * starts it. A second INIT right after the SIPI (held while it waited) is
 * an INIT, not the Bochs redelivery.
 */
static void native_init_and_sipi_exits(void)
{
	reset_all();
	for (unsigned int i = 0; i < NR_VCPUS; i++)
		measure_consumed(i);
	vcpus[1].nmi_pending = true;
	CHECK_EQ(exit_on(1, EXIT_REASON_INIT_SIGNAL), EXIT_RESUME);
	CHECK(fake_guest.wait_for_sipi);
	CHECK(!vcpus[1].nmi_pending);
	CHECK_EQ(vcpus[1].startup.state, STARTUP_WAIT_SIPI);
	vcpus[1].exit_qual = 0x9f;
	CHECK_EQ(exit_on(1, EXIT_REASON_SIPI), EXIT_RESUME);
	CHECK_EQ(fake_guest.sipi_vector, 0x9f);
	CHECK_EQ(vcpus[1].startup.state, STARTUP_RUNNING);
	CHECK(fake_log_contains("vcpu1: started by SIPI at 0x9f000"));
	vcpus[1].rip = 0;
	CHECK_EQ(exit_on(1, EXIT_REASON_INIT_SIGNAL), EXIT_RESUME);
	CHECK(fake_guest.wait_for_sipi);
	CHECK(!fake_log_contains("arrives again"));
}

int main(void)
{
	RUN("init_rule", every_vcpu_consumes_init_ipis_go_through);
	RUN("init_rule", one_vcpu_drops_init_ipis_stay_intercepted);
	RUN("init_rule", no_decision_before_the_last_vcpu);
	RUN("init_rule", init_delivered_again_stops_the_vcpu);
	RUN("init_rule", measurement_init_leaves_the_guest_running);
	RUN("init_rule", native_init_and_sipi_exits);
	return test_suite_failures != 0;
}
