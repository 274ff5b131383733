/* SPDX-License-Identifier: MIT */
#ifndef HV_VERSION_H
#define HV_VERSION_H

#define VIREO_VERSION_MAJOR	0
#define VIREO_VERSION_MINOR	1
#define VIREO_VERSION_STRING	"0.1"

/*
 * Vireo's own CPUID leaves, at 0x40000000 when viridian is off and at
 * 0x40000100 when it is on (hyperv.md: Xen and QEMU move theirs the same way).
 *   base + 0: EAX = base + 1 (highest Vireo leaf), EBX ECX EDX = "VireoMicroHV"
 *   base + 1: EAX = version (major << 16 | minor), EBX = this vCPU's VP index
 */
#define VIREO_SIGNATURE_EBX	0x65726956	/* "Vire" */
#define VIREO_SIGNATURE_ECX	0x63694d6f	/* "oMic" */
#define VIREO_SIGNATURE_EDX	0x56486f72	/* "roHV" */

#endif
