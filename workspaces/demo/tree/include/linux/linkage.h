/* SPDX-License-Identifier: GPL-2.0 */
/* SYM_* annotations for assembly symbols, with the names Linux uses. */
#ifndef _LINUX_LINKAGE_H
#define _LINUX_LINKAGE_H

#include <linux/compiler.h>

#ifdef __ASSEMBLY__

#define SYM_L_GLOBAL(name)	.globl name
#define SYM_L_LOCAL(name)

#define SYM_FUNC_START(name)		\
	.globl name;			\
	.type name, @function;		\
	.balign 16;			\
	name:

#define SYM_FUNC_START_LOCAL(name)	\
	.type name, @function;		\
	.balign 16;			\
	name:

#define SYM_FUNC_END(name)		\
	.size name, . - name

#define SYM_CODE_START(name)		\
	.globl name;			\
	.type name, @function;		\
	.balign 16;			\
	name:

#define SYM_CODE_START_NOALIGN(name)	\
	.globl name;			\
	.type name, @function;		\
	name:

#define SYM_CODE_START_LOCAL(name)	\
	.type name, @function;		\
	.balign 16;			\
	name:

#define SYM_CODE_END(name)		\
	.size name, . - name

/* A label inside a function that other code (and the emulator harness) may name. */
#define SYM_INNER_LABEL(name, linkage)	\
	linkage(name);			\
	name:

#define SYM_DATA_START(name)		\
	.globl name;			\
	.type name, @object;		\
	name:

#define SYM_DATA_END(name)		\
	.size name, . - name

#define RET	ret

#endif /* __ASSEMBLY__ */
#endif
