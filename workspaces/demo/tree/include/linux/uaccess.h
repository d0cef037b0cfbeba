/* SPDX-License-Identifier: GPL-2.0 */
/* User-memory access, from the architecture. */
#ifndef __LINUX_UACCESS_H__
#define __LINUX_UACCESS_H__

#include <asm/uaccess.h>

#endif
