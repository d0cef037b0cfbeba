/* SPDX-License-Identifier: GPL-2.0 */
/* offsetof, NULL and friends for kernel code (the compiler's stddef.h supplies them). */
#ifndef _LINUX_STDDEF_H
#define _LINUX_STDDEF_H

#include <stddef.h>

#define sizeof_field(TYPE, MEMBER) sizeof((((TYPE *)0)->MEMBER))

#endif
