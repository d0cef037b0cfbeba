/* SPDX-License-Identifier: GPL-2.0 */
/* struct bug_entry and the flag bits, laid out exactly as in Linux 6.12. */
#ifndef _ASM_GENERIC_BUG_H
#define _ASM_GENERIC_BUG_H

#define BUGFLAG_WARNING		(1 << 0)
#define BUGFLAG_ONCE		(1 << 1)
#define BUGFLAG_DONE		(1 << 2)
#define BUGFLAG_NO_CUT_HERE	(1 << 3)	/* CUT_HERE already sent */
#define BUGFLAG_TAINT(taint)	((taint) << 8)
#define BUG_GET_TAINT(bug)	((bug)->flags >> 8)

#define TAINT_WARN		9

#ifndef __ASSEMBLY__
#ifdef CONFIG_GENERIC_BUG
/* With GENERIC_BUG_RELATIVE_POINTERS: 12 bytes verbose, 8 bytes without file and line. */
struct bug_entry {
	signed int	bug_addr_disp;	/* ud2, relative to this field */
#ifdef CONFIG_DEBUG_BUGVERBOSE
	signed int	file_disp;	/* file name string, relative to this field */
	unsigned short	line;
#endif
	unsigned short	flags;
};
#endif
#endif /* __ASSEMBLY__ */

#endif
