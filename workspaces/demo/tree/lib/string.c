// SPDX-License-Identifier: GPL-2.0
/*
 * Memory and string helpers. Built twice: into the kernel, and into the user program (usr/init),
 * so both sides use one implementation.
 */
#include <stddef.h>

typedef long ssize_t;

void *memcpy(void *dest, const void *src, size_t count)
{
	/* rep movsb: short, and what the compiler's own struct copies would call anyway. */
	void *ret = dest;

	asm volatile("rep movsb" : "+D" (dest), "+S" (src), "+c" (count) : : "memory");
	return ret;
}

void *memmove(void *dest, const void *src, size_t count)
{
	unsigned char *d = dest;
	const unsigned char *s = src;

	if (d <= s || d >= s + count)
		return memcpy(dest, src, count);
	while (count--)
		d[count] = s[count];
	return dest;
}

void *memset(void *s, int c, size_t count)
{
	void *ret = s;

	asm volatile("rep stosb" : "+D" (s), "+c" (count) : "a" (c) : "memory");
	return ret;
}

int memcmp(const void *cs, const void *ct, size_t count)
{
	const unsigned char *a = cs, *b = ct;

	for (; count; count--, a++, b++)
		if (*a != *b)
			return *a < *b ? -1 : 1;
	return 0;
}

size_t strlen(const char *s)
{
	const char *sc = s;

	while (*sc)
		sc++;
	return sc - s;
}

size_t strnlen(const char *s, size_t count)
{
	const char *sc = s;

	while (count-- && *sc)
		sc++;
	return sc - s;
}

int strcmp(const char *cs, const char *ct)
{
	unsigned char c1, c2;

	do {
		c1 = *cs++;
		c2 = *ct++;
		if (c1 != c2)
			return c1 < c2 ? -1 : 1;
	} while (c1);
	return 0;
}

int strncmp(const char *cs, const char *ct, size_t count)
{
	unsigned char c1, c2;

	while (count--) {
		c1 = *cs++;
		c2 = *ct++;
		if (c1 != c2)
			return c1 < c2 ? -1 : 1;
		if (!c1)
			break;
	}
	return 0;
}

char *strchr(const char *s, int c)
{
	for (; *s != (char)c; ++s)
		if (*s == '\0')
			return NULL;
	return (char *)s;
}

/* Copy a NUL-terminated string into a buffer of count bytes; -7 (-E2BIG) if it was truncated. */
ssize_t strscpy(char *dest, const char *src, size_t count)
{
	size_t i;

	if (count == 0)
		return -7;
	for (i = 0; i < count; i++) {
		dest[i] = src[i];
		if (!src[i])
			return i;
	}
	dest[count - 1] = '\0';
	return -7;
}
