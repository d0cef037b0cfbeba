/* SPDX-License-Identifier: GPL-2.0 */
/* The system's name and version (init/version.c). */
#ifndef _LINUX_UTSNAME_H
#define _LINUX_UTSNAME_H

#include <uapi/linux/utsname.h>

extern struct new_utsname init_uts_ns;
extern const char linux_banner[];

#endif
