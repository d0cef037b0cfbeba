// SPDX-License-Identifier: GPL-2.0
/* The kernel's name and version, for the boot banner and uname(2). */
#include <generated/compile.h>
#include <linux/utsname.h>

struct new_utsname init_uts_ns = {
	.sysname	= "Linux",
	.nodename	= "(none)",
	.release	= UTS_RELEASE,
	.version	= UTS_VERSION,
	.machine	= "x86_64",
	.domainname	= "(none)",
};

const char linux_banner[] =
	"Linux version " UTS_RELEASE " (" LINUX_COMPILE_BY "@" LINUX_COMPILE_HOST ") ("
	LINUX_COMPILER ") " UTS_VERSION "\n";
