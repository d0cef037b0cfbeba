/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/* The error numbers past ERANGE that this kernel returns, with Linux's values. */
#ifndef _ASM_GENERIC_ERRNO_H
#define _ASM_GENERIC_ERRNO_H

#include "errno-base.h"

#define	ENAMETOOLONG	36	/* File name too long */
#define	ENOSYS		38	/* Invalid system call number */

#endif
