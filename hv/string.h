/* SPDX-License-Identifier: MIT */
#ifndef HV_STRING_H
#define HV_STRING_H

/* The C library's memory and string functions, for code that has no C library. */

#include "hv/compiler.h"

void *hv_memcpy(void *dst, const void *src, size_t n);
void *hv_memset(void *dst, int c, size_t n);
int hv_memcmp(const void *a, const void *b, size_t n);
size_t hv_strlen(const char *s);
int hv_strcmp(const char *a, const char *b);
int hv_strncmp(const char *a, const char *b, size_t n);

#endif
