/* SPDX-License-Identifier: GPL-2.0 */
/* BUG_ON(), WARN_ON() and the report_bug() interface used by the #UD handler. */
#ifndef _LINUX_BUG_H
#define _LINUX_BUG_H

#include <asm/bug.h>

#ifndef __ASSEMBLY__

struct pt_regs;

enum bug_trap_type {
	BUG_TRAP_TYPE_NONE = 0,
	BUG_TRAP_TYPE_WARN = 1,
	BUG_TRAP_TYPE_BUG = 2,
};

#define BUG_ON(condition)	do { if (unlikely(condition)) BUG(); } while (0)

#define __WARN()		__WARN_FLAGS(BUGFLAG_TAINT(TAINT_WARN))

#define WARN_ON(condition) ({						\
	int __ret_warn_on = !!(condition);				\
	if (unlikely(__ret_warn_on))					\
		__WARN();						\
	unlikely(__ret_warn_on);					\
})

#define WARN_ON_ONCE(condition) ({					\
	int __ret_warn_on = !!(condition);				\
	if (unlikely(__ret_warn_on))					\
		__WARN_FLAGS(BUGFLAG_ONCE | BUGFLAG_TAINT(TAINT_WARN));	\
	unlikely(__ret_warn_on);					\
})

#define BUILD_BUG_ON(condition)	_Static_assert(!(condition), "BUILD_BUG_ON(" #condition ")")

#ifdef CONFIG_GENERIC_BUG
struct bug_entry *find_bug(unsigned long bugaddr);
enum bug_trap_type report_bug(unsigned long bug_addr, struct pt_regs *regs);
int is_valid_bugaddr(unsigned long addr);
#else
static inline enum bug_trap_type report_bug(unsigned long bug_addr, struct pt_regs *regs)
{
	return BUG_TRAP_TYPE_BUG;
}
#endif

#endif /* __ASSEMBLY__ */
#endif
