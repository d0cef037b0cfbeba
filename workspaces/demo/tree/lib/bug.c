// SPDX-License-Identifier: GPL-2.0
/*
 * BUG() and WARN() reporting: find the ud2's __bug_table entry, print "kernel BUG at FILE:LINE!"
 * or a WARNING with registers, and tell the #UD handler which it was.
 */
#include <linux/bug.h>
#include <linux/kernel.h>
#include <asm/sections.h>

#define CUT_HERE "------------[ cut here ]------------\n"

static inline unsigned long bug_addr(const struct bug_entry *bug)
{
	return (unsigned long)&bug->bug_addr_disp + bug->bug_addr_disp;
}

struct bug_entry *find_bug(unsigned long bugaddr)
{
	for (struct bug_entry *bug = __start___bug_table; bug < __stop___bug_table; ++bug)
		if (bugaddr == bug_addr(bug))
			return bug;
	return NULL;
}

static void bug_get_file_line(struct bug_entry *bug, const char **file, unsigned int *line)
{
#ifdef CONFIG_DEBUG_BUGVERBOSE
	*file = (const char *)&bug->file_disp + bug->file_disp;
	*line = bug->line;
#else
	*file = NULL;
	*line = 0;
#endif
}

enum bug_trap_type report_bug(unsigned long bugaddr, struct pt_regs *regs)
{
	struct bug_entry *bug = find_bug(bugaddr);
	const char *file;
	unsigned int line;
	bool warning, once, done, no_cut;

	if (!bug)
		return BUG_TRAP_TYPE_NONE;

	bug_get_file_line(bug, &file, &line);

	warning = bug->flags & BUGFLAG_WARNING;
	once = bug->flags & BUGFLAG_ONCE;
	done = bug->flags & BUGFLAG_DONE;
	no_cut = bug->flags & BUGFLAG_NO_CUT_HERE;

	if (warning && once) {
		if (done)
			return BUG_TRAP_TYPE_WARN;
		/* Since this is the only store, concurrency is not an issue. */
		bug->flags |= BUGFLAG_DONE;
	}

	if (!no_cut)
		printk(CUT_HERE);

	if (warning) {
		__warn(file, line, (void *)bugaddr, BUG_GET_TAINT(bug), regs);
		return BUG_TRAP_TYPE_WARN;
	}

	if (file)
		pr_crit("kernel BUG at %s:%u!\n", file, line);
	else
		pr_crit("Kernel BUG at %pS [verbose debug info unavailable]\n", (void *)bugaddr);

	return BUG_TRAP_TYPE_BUG;
}
