/* SPDX-License-Identifier: MIT */
/*
 * vireo.efi: started from the UEFI shell or a boot entry, it reads its
 * configuration, checks for VT-x, takes the processor into VMX root and
 * turns the running firmware into its guest, then returns to its caller,
 * which goes on running deprivileged. Anything that prevents that leaves the
 * machine as it was and returns an error: the boot continues without Vireo.
 */
#include "arch/x86/cpu.h"
#include "arch/x86/ept_setup.h"
#include "arch/x86/host.h"
#include "arch/x86/serial.h"
#include "arch/x86/vmx.h"
#include "boot/acpi.h"
#include "boot/cfgload.h"
#include "boot/clock.h"
#include "boot/console.h"
#include "boot/efi_lib.h"
#include "boot/mp.h"
#include "boot/platform.h"
#include "boot/platform_efi.h"
#include "boot/prompt.h"
#include "boot/relocate.h"
#include "boot/savestate_var.h"
#include "hv/errno.h"
#include "hv/log.h"
#include "hv/mgmt.h"
#include "hv/partition.h"
#include "hv/string.h"
#include "hv/version.h"

/* What the host uses lives in allocated runtime memory, reached through these. */
static struct partition *partition;
static struct vmx_caps *vmx_caps;
static EFI_HANDLE vireo_image;

/* Is Vireo already the hypervisor here? Its signature sits at 0x40000000 or 0x40000100. */
static bool vireo_already_running(void)
{
	static const uint32_t bases[] = { 0x40000000, 0x40000100 };
	struct cpuid_regs r;

	cpu_cpuid(1, 0, &r);
	if (!(r.ecx & CPUID_1_ECX_HYPERVISOR))
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(bases); i++) {
		cpu_cpuid(bases[i], 0, &r);
		if (r.ebx == VIREO_SIGNATURE_EBX && r.ecx == VIREO_SIGNATURE_ECX && r.edx == VIREO_SIGNATURE_EDX)
			return true;
	}
	return false;
}

static EFI_STATUS refuse(EFI_STATUS status, const char *what, const char *todo)
{
	console_printf("vireo: %s: %s; not loaded, boot continues without it\n", what, todo);
	return status;
}

static int prompt_getc(void *ctx)
{
	EFI_INPUT_KEY key;
	UINTN index;

	(void)ctx;
	for (;;) {
		uefi_call_wrapper(BS->WaitForEvent, 3, 1, &ST->ConIn->WaitForKey, &index);
		if (!EFI_ERROR(uefi_call_wrapper(ST->ConIn->ReadKeyStroke, 2, ST->ConIn, &key)) &&
		    key.UnicodeChar && key.UnicodeChar < 0x80)
			return key.UnicodeChar;
	}
}

static void prompt_write(void *ctx, const char *s, size_t len)
{
	(void)ctx;
	console_write(s, len);
}

static int prompt_save(void *ctx, const char *text, size_t len)
{
	(void)ctx;
	return cfgload_write_file(vireo_image, text, len);
}

/* Waits up to timeout seconds for a key on the console; true if one came (and was eaten). */
static bool key_pressed_within(unsigned int seconds)
{
	EFI_INPUT_KEY key;

	uefi_call_wrapper(ST->ConIn->Reset, 2, ST->ConIn, FALSE);
	for (unsigned int tick = 0; tick < seconds * 20; tick++) {
		if (!EFI_ERROR(uefi_call_wrapper(ST->ConIn->ReadKeyStroke, 2, ST->ConIn, &key)))
			return true;
		platform_stall_us(50000);
	}
	return false;
}

static void print_config(const struct vireo_config *cfg)
{
	static char text[CFG_TEXT_MAX];	/* holds any valid configuration */
	size_t n = cfg_format(cfg, text, sizeof(text));

	console_printf("vireo: configuration:\n");
	console_write(text, n < sizeof(text) ? n : sizeof(text) - 1);
}

/* The serial-console prompt: edits apply to this boot unless saved. */
static bool console_prompt(struct vireo_config *cfg)
{
	const struct prompt_io io = {
		.getc = prompt_getc,
		.write = prompt_write,
		.save = prompt_save,
	};

	print_config(cfg);
	if (!cfg->console_timeout)
		return true;
	console_printf("vireo: press a key within %u s for the prompt\n", cfg->console_timeout);
	if (!key_pressed_within(cfg->console_timeout))
		return true;
	return prompt_run(cfg, &io) == PROMPT_BOOT;
}

/* The management partition's part: set the partition parameters before the guest runs. */
static int configure_partition(const struct vireo_config *cfg)
{
	uint64_t unused;
	int64_t rc;

	partition->ram_top = platform_ram_top();
	partition->sleep_port = acpi_sleep_port();
	clock_measure(&partition->tsc_hz, &partition->apic_hz);
	vir_time_init(partition, cpu_rdtsc());
	log_guest_interval = partition->tsc_hz * LOG_GUEST_INTERVAL_S;
	if (cfg->viridian) {
		rc = mgmt_call(partition, CALLER_MGMT, MGMT_OP_SET_PARAM, PARAM_VIRIDIAN, cfg->viridian, &unused);
		if (rc) {
			console_printf("vireo: error: viridian mask %#llx refused (%s)\n",
				       (unsigned long long)cfg->viridian, hv_strerror((int)rc));
			return (int)rc;
		}
	}
	savestate_sync(partition);
	return 0;
}

static struct vmx_vcpu *vcpu_create(unsigned int vp_index)
{
	struct vmx_vcpu *vv = platform_alloc_pages(EFI_SIZE_TO_PAGES(sizeof(*vv)));

	if (!vv)
		return NULL;
	vv->caps = vmx_caps;
	vv->vcpu.part = partition;
	vv->vcpu.vp_index = vp_index;
	vv->vcpu.arch = vv;
	partition->vcpu[vp_index] = &vv->vcpu;
	partition->nr_vcpus = vp_index + 1;
	return vv;
}

/* The hypervisor below, by its CPUID signature (printable characters only). */
static void hypervisor_name(char name[13])
{
	struct cpuid_regs r;

	cpu_cpuid(0x40000000, 0, &r);
	for (int i = 0; i < 12; i++) {
		uint32_t word = i < 4 ? r.ebx : i < 8 ? r.ecx : r.edx;
		char c = (char)(word >> (8 * (i % 4)));

		name[i] = c >= 0x20 && c < 0x7f ? c : '.';
	}
	name[12] = '\0';
}

/* Refusals a user can act on, before anything is changed. */
static EFI_STATUS check_processor(void)
{
	char name[13];

	if (vireo_already_running())
		return refuse(EFI_ALREADY_STARTED, "Vireo is already running on this machine",
			      "nothing to do (reset to load another version)");
	switch (vmx_check_and_enable()) {
	case VMX_NO_CPU_SUPPORT:
		return refuse(EFI_UNSUPPORTED, "this processor has no VT-x (CPUID.1:ECX.VMX is clear)",
			      "run it on an Intel CPU with VT-x, or under a hypervisor that offers nested VMX");
	case VMX_NOT_NESTED:
		hypervisor_name(name);
		console_printf("vireo: running under another hypervisor (\"%s\") that does not offer VT-x: "
			       "enable nested virtualization there (KVM: kvm_intel nested=1, -cpu host,+vmx); "
			       "not loaded, boot continues without it\n", name);
		return EFI_UNSUPPORTED;
	case VMX_DISABLED_BY_FIRMWARE:
		return refuse(EFI_ACCESS_DENIED, "VT-x is disabled and locked by the firmware (IA32_FEATURE_CONTROL)",
			      "enable Intel Virtualization Technology in the firmware setup");
	case VMX_ENABLE_AND_LOCK:
	case VMX_SUPPORTED:
		break;
	}
	partition = platform_alloc_pages(EFI_SIZE_TO_PAGES(sizeof(*partition)));
	vmx_caps = platform_alloc_pages(EFI_SIZE_TO_PAGES(sizeof(*vmx_caps)));
	if (!partition || !vmx_caps)
		return refuse(EFI_OUT_OF_RESOURCES, "not enough memory", "free memory or add RAM");
	if (vmx_caps_init(vmx_caps))
		return refuse(EFI_UNSUPPORTED, "this processor's VT-x lacks a feature Vireo needs", "see the line above");
	if (vmx_has_vpid(vmx_caps))
		log_info("vmx: a VPID per vCPU: the guest's TLB outlives its exits");
	else
		log_info("vmx: no VPIDs (or no single-context INVVPID): every exit flushes the guest's TLB");
	return EFI_SUCCESS;
}

/* On each AP before any is launched: the same VT-x as the boot processor, enabled. */
static uint64_t ap_prepare(void *arg, const struct guest_resume *resume)
{
	struct vmx_vcpu *vv = arg;
	struct vmx_caps mine;

	(void)resume;
	vv->launch_status = vmx_check_and_enable() == VMX_SUPPORTED && !vmx_caps_init(&mine) &&
			    vmx_caps_equal(&mine, vv->caps) ? 0 : -HV_ENODEV;
	return 0;
}

#define AP_LAUNCHING	1

/* On each AP: launch. If this returns, the launch failed; if not, the AP resumed as the guest. */
static uint64_t ap_launch(void *arg, const struct guest_resume *resume)
{
	struct vmx_vcpu *vv = arg;

	vv->launch_status = AP_LAUNCHING;
	vv->launch_status = vmx_virtualize_this_cpu(vv, resume);
	return 0;
}

/* Runs fn on every AP in turn; the processor number of the first that fails, or -1. */
static int for_each_ap(const struct mp_cpus *cpus, const struct image_copy *copy, resume_fn_t fn, int want)
{
	const void *trampoline = image_loaded_addr(copy, (const void *)ap_call_with_resume);

	for (unsigned int cpu = 0; cpu < partition->nr_vcpus; cpu++) {
		struct vmx_vcpu *vv;

		if (cpu == cpus->bsp || !partition->vcpu[cpu])
			continue;
		vv = partition->vcpu[cpu]->arch;
		vv->launch_status = -HV_ENODEV;
		if (EFI_ERROR(mp_run_on(cpus, cpu, trampoline, (void *)fn, vv)) || vv->launch_status != want)
			return (int)cpu;
	}
	return -1;
}

/*
 * Everything Vireo will keep must fit in the firmware's free memory before
 * the first allocation for it; the partition and capabilities are already
 * allocated (check_processor). Each allocation is still checked.
 */
static EFI_STATUS check_memory(const struct mp_cpus *cpus)
{
	unsigned int ept_largest = 0, nr = 0, ept;
	struct footprint f;
	struct free_memory m = platform_free_memory();
	char what[256];

	for (uint32_t enabled = cpus->enabled; enabled; enabled &= enabled - 1)
		nr++;
	/* Ranges the EPT hides: the image copy, the partition, the capabilities, the host's tables and a vCPU each. */
	ept = vmx_has_ept(vmx_caps) ? ept_setup_pages(partition, vmx_caps, 3 + HOST_ALLOCATIONS + nr, &ept_largest) : 0;
	f = (struct footprint){
		.fixed = host_pages() + ept,
		.per_cpu = EFI_SIZE_TO_PAGES(sizeof(struct vmx_vcpu)),
	};
	f.largest = ept_largest > f.per_cpu ? ept_largest : f.per_cpu;
	if (footprint_fits(&f, nr, &m))
		return EFI_SUCCESS;
	hv_snprintf(what, sizeof(what), "too little memory: Vireo needs %llu KiB for %u processor(s) (%llu KiB each), "
		    "%llu KiB of it in one piece; the firmware has %llu KiB free, %llu KiB in its largest piece",
		    (unsigned long long)footprint_pages(&f, nr) * 4, nr, (unsigned long long)f.per_cpu * 4,
		    (unsigned long long)f.largest * 4, (unsigned long long)m.total * 4,
		    (unsigned long long)m.largest_run * 4);
	return refuse(EFI_OUT_OF_RESOURCES, what, "free memory or add RAM");
}

/*
 * A load that fails on one processor is undone on those already running as
 * the guest: each leaves VMX operation at the NMI that asks it to
 * (arch/x86/vmx_leave.c). Their task register still points into Vireo's
 * memory, so that memory stays reserved (host_running).
 */
static void undo_launched_aps(const struct mp_cpus *cpus)
{
	uint64_t deadline = cpu_rdtsc() + partition->tsc_hz;	/* a second */

	for (unsigned int cpu = 0; cpu < partition->nr_vcpus; cpu++) {
		struct vmx_vcpu *vv = partition->vcpu[cpu] ? partition->vcpu[cpu]->arch : NULL;

		if (cpu == cpus->bsp || !vv || vv->launch_status != AP_LAUNCHING)
			continue;
		vmx_request_leave(vv);
		while (!vmx_has_left(vv) && cpu_rdtsc() < deadline)
			cpu_relax();
		if (!vmx_has_left(vv))
			log_err("mp: processor %u did not leave VMX operation; it stays Vireo's guest", cpu);
	}
}

/*
 * Every processor, boot processor last. Does not return on success: the
 * boot processor resumes as the guest at resume, in the loaded image.
 */
static EFI_STATUS virtualize(struct image_copy *copy, const struct guest_resume *resume)
{
	struct mp_cpus cpus;
	EFI_STATUS status;
	int failed;

	mp_discover(&cpus);
	if (!vmx_has_ept(vmx_caps) && cpus.count > 1) {
		log_warn("mp: without EPT and unrestricted guest the OS could not start the other processors "
			 "under Vireo; virtualizing the boot processor only");
		cpus.enabled &= 1u << cpus.bsp;
	}
	status = check_memory(&cpus);
	if (EFI_ERROR(status))
		return status;
	if (host_init())
		return refuse(EFI_OUT_OF_RESOURCES, "not enough memory for the host", "free memory or add RAM");
	for (unsigned int cpu = 0; cpu < cpus.count; cpu++)
		if ((cpus.enabled & (1u << cpu)) && !vcpu_create(cpu))
			return refuse(EFI_OUT_OF_RESOURCES, "not enough memory for the vCPUs", "free memory or add RAM");
	if (platform_protect(partition, copy))
		return refuse(EFI_OUT_OF_RESOURCES, "too many memory ranges to protect", "report this as a bug");
	if (vmx_has_ept(vmx_caps) && ept_setup_alloc(partition, vmx_caps))
		return refuse(EFI_OUT_OF_RESOURCES, "not enough memory for the EPT", "free memory or add RAM");
	if (vmx_has_ept(vmx_caps) && ept_setup_map(partition))
		return refuse(EFI_OUT_OF_RESOURCES, "not enough memory for the EPT", "free memory or add RAM");

	/* From here on processors run Vireo's code outside the firmware's rules: log to COM1 only. */
	console_detach();
	failed = for_each_ap(&cpus, copy, ap_prepare, 0);
	if (failed >= 0) {
		console_attach();
		return refuse(EFI_UNSUPPORTED, "a processor lacks the boot processor's VT-x or cannot enable it",
			      "check the firmware's VT-x setting for every core");
	}
	copy->host_running = cpus.count > 1;
	failed = for_each_ap(&cpus, copy, ap_launch, AP_LAUNCHING);
	if (failed >= 0) {
		log_err("mp: processor %d failed to launch", failed);
		undo_launched_aps(&cpus);
		console_attach();
		return refuse(EFI_DEVICE_ERROR, "VM entry failed on an application processor; the load is undone",
			      "the log above says why");
	}
	copy->nr_vcpus = partition->nr_vcpus;
	copy->host_running = true;
	vmx_virtualize_this_cpu(partition->vcpu[cpus.bsp]->arch, resume);
	copy->nr_vcpus = 0;
	copy->host_running = cpus.count > 1;
	undo_launched_aps(&cpus);
	console_attach();
	return refuse(EFI_DEVICE_ERROR, "VM entry failed on the boot processor; the load is undone",
		      "the log above says why");
}

/* Runs in the copy of the image; see boot/relocate.h. */
static uint64_t vireo_main(void *arg, const struct guest_resume *resume)
{
	struct image_copy *copy = arg;
	struct vireo_config cfg;
	EFI_STATUS status;

	vireo_image = copy->image;
	console_init(ST);
	console_printf("Vireo %s: a microhypervisor for Intel VT-x\n", VIREO_VERSION_STRING);
	switch (cfgload(vireo_image, &cfg)) {
	case CFGLOAD_DONE:
		return EFI_SUCCESS;
	case CFGLOAD_ERROR:
		return refuse(EFI_INVALID_PARAMETER, "configuration error", "fix vireo.cfg or the command line");
	case CFGLOAD_OK:
		break;
	}
	serial_init(cfg.serial_port, cfg.serial_baud);
	log_threshold = cfg.log_level;

	if (!console_prompt(&cfg))
		return refuse(EFI_ABORTED, "aborted at the prompt", "boot goes on without Vireo");
	/* The prompt may have changed them. */
	serial_init(cfg.serial_port, cfg.serial_baud);
	log_threshold = cfg.log_level;
	status = check_processor();
	if (!EFI_ERROR(status) && configure_partition(&cfg))
		status = refuse(EFI_INVALID_PARAMETER, "partition configuration refused", "fix the configuration");
	if (!EFI_ERROR(status)) {
		hv_memcpy(copy->next, cfg.next, sizeof(copy->next));
		status = virtualize(copy, resume);
	}
	if (!copy->host_running)
		platform_free_all();
	return status;
}

/*
 * Starts the next loader from the volume Vireo was loaded from, as the guest.
 * If it cannot be started, Vireo still runs: the error goes to the caller,
 * which boots on as it would have.
 */
static EFI_STATUS chainload(EFI_HANDLE image, const char *next)
{
	EFI_LOADED_IMAGE *li;
	EFI_DEVICE_PATH *path;
	EFI_HANDLE loaded;
	CHAR16 wide[256];
	EFI_STATUS status;
	size_t i;

	for (i = 0; next[i] && i + 1 < ARRAY_SIZE(wide); i++)
		wide[i] = (CHAR16)(unsigned char)next[i];
	wide[i] = 0;
	status = uefi_call_wrapper(BS->HandleProtocol, 3, image, &efi_loaded_image_guid, (void **)&li);
	path = EFI_ERROR(status) ? NULL : efi_file_device_path(li->DeviceHandle, wide);
	status = path ? uefi_call_wrapper(BS->LoadImage, 6, FALSE, image, path, NULL, 0, &loaded) : EFI_NOT_FOUND;
	efi_pool_free(path);
	if (EFI_ERROR(status)) {
		console_printf("vireo: error: cannot load next = \"%s\" (EFI status %#llx); Vireo runs, boot goes on\n",
			       next, (unsigned long long)status);
		return status;
	}
	console_printf("vireo: starting %s\n", next);
	return uefi_call_wrapper(BS->StartImage, 3, loaded, NULL, NULL);
}

/* gnu-efi's crt0 calls this with the System V ABI (GNU_EFI_USE_MS_ABI): no EFIAPI here. */
EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st);
EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	struct image_copy copy = { 0 };
	EFI_STATUS status;

	efi_lib_init(st);
	status = image_run_relocated(image, vireo_main, &copy);
	if (!copy.nr_vcpus)
		return status;
	/* This is the guest now, in the image the firmware loaded. */
	console_init(st);
	console_printf("vireo: running; the firmware is now a guest on %u vCPU(s)\n", copy.nr_vcpus);
	return copy.next[0] ? chainload(image, copy.next) : EFI_SUCCESS;
}
