/* SPDX-License-Identifier: GPL-2.0 */
/* Error numbers for kernel code, and the ERR_PTR helpers. */
#ifndef _LINUX_ERRNO_H
#define _LINUX_ERRNO_H

#include <linux/compiler.h>
#include <uapi/asm-generic/errno.h>

#define MAX_ERRNO	4095

#ifndef __ASSEMBLY__
#define IS_ERR_VALUE(x) unlikely((unsigned long)(void *)(x) >= (unsigned long)-MAX_ERRNO)
static inline void *ERR_PTR(long error) { return (void *)error; }
static inline long PTR_ERR(const void *ptr) { return (long)ptr; }
static inline int IS_ERR(const void *ptr) { return IS_ERR_VALUE((unsigned long)ptr); }
#endif

#endif
