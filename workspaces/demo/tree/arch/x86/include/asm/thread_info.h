/* SPDX-License-Identifier: GPL-2.0 */
/* The low-level flag words at the start of every task (THREAD_INFO_IN_TASK). */
#ifndef _ASM_X86_THREAD_INFO_H
#define _ASM_X86_THREAD_INFO_H

#include <asm/page_types.h>

#ifndef __ASSEMBLY__
#include <linux/types.h>

struct thread_info {
	unsigned long		flags;		/* low level flags: TIF_* */
	unsigned long		syscall_work;	/* SYSCALL_WORK_ flags */
	u32			status;		/* thread synchronous flags */
	u32			cpu;		/* current CPU */
};
#endif

#define TIF_NOTIFY_RESUME	1	/* callback before returning to user */
#define TIF_SIGPENDING		2	/* signal pending */
#define TIF_NEED_RESCHED	3	/* rescheduling necessary */

#define _TIF_NOTIFY_RESUME	(1 << TIF_NOTIFY_RESUME)
#define _TIF_SIGPENDING		(1 << TIF_SIGPENDING)
#define _TIF_NEED_RESCHED	(1 << TIF_NEED_RESCHED)

#define EXIT_TO_USER_MODE_WORK	(_TIF_SIGPENDING | _TIF_NOTIFY_RESUME | _TIF_NEED_RESCHED)

#endif
