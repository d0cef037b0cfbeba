/* SPDX-License-Identifier: GPL-2.0 */
/* Copies to and from user memory: range-checked, and allowed to fault through __ex_table. */
#ifndef _ASM_X86_UACCESS_H
#define _ASM_X86_UACCESS_H

#include <linux/types.h>
#include <asm/page_types.h>

/* Is [ptr, ptr + size) entirely below TASK_SIZE_MAX (and not wrapping)? */
static inline bool __access_ok(const void __user *ptr, unsigned long size)
{
	unsigned long addr = (unsigned long)ptr;

	return size <= TASK_SIZE_MAX && addr <= TASK_SIZE_MAX - size;
}
#define access_ok(addr, size)	likely(__access_ok(addr, size))

/* rep movsb with an __ex_table fixup; returns the number of bytes NOT copied. */
unsigned long copy_user_generic(void *to, const void *from, unsigned long len);

static inline unsigned long copy_from_user(void *to, const void __user *from, unsigned long n)
{
	if (!access_ok(from, n))
		return n;
	return copy_user_generic(to, (const void __force *)from, n);
}

static inline unsigned long copy_to_user(void __user *to, const void *from, unsigned long n)
{
	if (!access_ok(to, n))
		return n;
	return copy_user_generic((void __force *)to, from, n);
}

long strncpy_from_user(char *dst, const char __user *src, long count);

#endif
