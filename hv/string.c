/* SPDX-License-Identifier: MIT */
/*
 * Byte-wise memory and string helpers with the C library's semantics:
 * comparisons order by unsigned char, as memcmp() and strcmp() do.
 */
#include "hv/string.h"

void *hv_memcpy(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	while (n--)
		*d++ = *s++;
	return dst;
}

void *hv_memset(void *dst, int c, size_t n)
{
	uint8_t *d = dst;

	while (n--)
		*d++ = (uint8_t)c;
	return dst;
}

int hv_memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

size_t hv_strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

int hv_strcmp(const char *a, const char *b)
{
	return hv_strncmp(a, b, SIZE_MAX);
}

int hv_strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		unsigned char x = (unsigned char)*a, y = (unsigned char)*b;

		if (x != y)
			return x - y;
		if (!x)
			break;
	}
	return 0;
}

#ifndef HOSTED
/*
 * GCC may emit calls to memcpy, memmove, memset and memcmp even in
 * freestanding code, for struct copies and initialisers (GCC manual, "C
 * Language Standards"). libefi defines memcpy and memset; these are the other
 * two.
 */
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);

void *memmove(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	if (d <= s || d >= s + n)
		return hv_memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	return hv_memcmp(a, b, n);
}
#endif
