/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/* The __u32-style types shared by the kernel and the user program. */
#ifndef _UAPI_LINUX_TYPES_H
#define _UAPI_LINUX_TYPES_H

#ifndef __ASSEMBLY__
typedef unsigned char		__u8;
typedef unsigned short		__u16;
typedef unsigned int		__u32;
typedef unsigned long long	__u64;
typedef signed char		__s8;
typedef short			__s16;
typedef int			__s32;
typedef long long		__s64;
#endif

#endif
