// SPDX-License-Identifier: GPL-2.0
/* strncpy_from_user(), built on the faulting-safe copy_user_generic(). */
#include <linux/errno.h>
#include <linux/uaccess.h>

/*
 * Copy a NUL-terminated string from user space: returns its length (without the NUL), count if
 * no NUL was found in count bytes, or -EFAULT. Byte by byte: file names here are short.
 */
long strncpy_from_user(char *dst, const char __user *src, long count)
{
	long i;

	for (i = 0; i < count; i++) {
		if (copy_from_user(dst + i, src + i, 1))
			return -EFAULT;
		if (!dst[i])
			return i;
	}
	return count;
}
