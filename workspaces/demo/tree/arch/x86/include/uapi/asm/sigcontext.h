/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/* The 64-bit signal frame's register block, in Linux's layout (rt_sigreturn reads it). */
#ifndef _UAPI_ASM_X86_SIGCONTEXT_H
#define _UAPI_ASM_X86_SIGCONTEXT_H

#include <linux/types.h>

struct sigcontext_64 {
	__u64				r8;
	__u64				r9;
	__u64				r10;
	__u64				r11;
	__u64				r12;
	__u64				r13;
	__u64				r14;
	__u64				r15;
	__u64				di;
	__u64				si;
	__u64				bp;
	__u64				bx;
	__u64				dx;
	__u64				ax;
	__u64				cx;
	__u64				sp;
	__u64				ip;
	__u64				flags;
	__u16				cs;
	__u16				gs;
	__u16				fs;
	__u16				ss;
	__u64				err;
	__u64				trapno;
	__u64				oldmask;
	__u64				cr2;
	__u64				fpstate;	/* ignored by this kernel */
	__u64				reserved1[8];
};

struct demo_stack_t {
	__u64				ss_sp;
	__s32				ss_flags;
	__u32				pad;
	__u64				ss_size;
};

struct ucontext {
	__u64				uc_flags;
	__u64				uc_link;
	struct demo_stack_t		uc_stack;
	struct sigcontext_64		uc_mcontext;
	__u64				uc_sigmask;
};

/*
 * rt_sigreturn finds this frame at the user RSP minus 8: a signal handler's "ret" has popped
 * pretcode, so RSP points at uc.
 */
struct rt_sigframe {
	__u64				pretcode;
	struct ucontext			uc;
};

#endif
