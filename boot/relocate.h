/* SPDX-License-Identifier: MIT */
#ifndef BOOT_RELOCATE_H
#define BOOT_RELOCATE_H

#include <efi.h>
#include "arch/x86/guest_resume.h"
#include "hv/compiler.h"

struct image_copy {
	void *base;		/* the copy the host runs from */
	size_t size;
	const void *loaded;	/* the image the firmware loaded */
	EFI_HANDLE image;
	unsigned int nr_vcpus;	/* set by the copy just before it launches the guest */
	bool host_running;	/* some processor runs the copy's host code: never free it */
	char next[256];		/* the loader to start once virtualized, "" for none */
};


/*
 * The UEFI loader put this image in EfiLoaderCode memory, which the OS
 * reclaims after ExitBootServices. The host must outlive that, so Vireo
 * copies itself into EfiRuntimeServicesCode pages, relocates the copy and
 * runs entry(copy, resume) there. entry either returns without launching
 * (copy->nr_vcpus is 0 and the copy is freed again), or launches the guest,
 * which resumes here and returns EFI_SUCCESS: from then on the
 * firmware-loaded image is guest code and the copy is the host's.
 */
EFI_STATUS image_run_relocated(EFI_HANDLE image, resume_fn_t entry, struct image_copy *copy);

/* The address of sym (a symbol of this image) in the firmware-loaded image. */
void *image_loaded_addr(const struct image_copy *copy, const void *sym);

#endif
