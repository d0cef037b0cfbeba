/* SPDX-License-Identifier: GPL-2.0 */
/* Fixed-width integer types and bool, as the kernel spells them. */
#ifndef _LINUX_TYPES_H
#define _LINUX_TYPES_H

#ifndef __ASSEMBLY__
#include <stddef.h>
#include <stdbool.h>
#include <uapi/linux/types.h>

typedef __u8  u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s8  s8;
typedef __s16 s16;
typedef __s32 s32;
typedef __s64 s64;

typedef unsigned long uintptr_t;
typedef long ssize_t;
typedef unsigned long phys_addr_t;
typedef int pid_t;

#endif /* __ASSEMBLY__ */
#endif
