// SPDX-License-Identifier: GPL-2.0
/* Process identity, uname, reboot and prctl. */
#include <linux/audit.h>
#include <linux/bug.h>
#include <linux/entry-common.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/reboot.h>
#include <linux/sched.h>
#include <linux/string.h>
#include <linux/syscalls.h>
#include <linux/uaccess.h>
#include <linux/utsname.h>
#include <uapi/linux/prctl.h>

SYSCALL_DEFINE0(getpid)
{
	return current->tgid;
}

SYSCALL_DEFINE0(getppid)
{
	return current->real_parent->tgid;
}

SYSCALL_DEFINE1(newuname, struct new_utsname __user *, name)
{
	if (copy_to_user(name, &init_uts_ns, sizeof(*name)))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE4(reboot, int, magic1, int, magic2, unsigned int, cmd, void __user *, arg)
{
	/* For safety, we require "magic" arguments. */
	if (magic1 != (int)LINUX_REBOOT_MAGIC1 ||
	    (magic2 != LINUX_REBOOT_MAGIC2 && magic2 != LINUX_REBOOT_MAGIC2A &&
	     magic2 != LINUX_REBOOT_MAGIC2B && magic2 != LINUX_REBOOT_MAGIC2C))
		return -EINVAL;

	switch (cmd) {
	case LINUX_REBOOT_CMD_RESTART:
		kernel_restart(NULL);
	case LINUX_REBOOT_CMD_HALT:
		kernel_halt();
	case LINUX_REBOOT_CMD_POWER_OFF:
		kernel_power_off();
	default:
		return -EINVAL;
	}
}

__noreturn void kernel_restart(const char *cmd)
{
	pr_emerg("reboot: Restarting system\n");
	machine_restart();
}

__noreturn void kernel_halt(void)
{
	pr_emerg("reboot: System halted\n");
	machine_halt();
}

__noreturn void kernel_power_off(void)
{
	pr_emerg("reboot: Power down\n");
	machine_power_off();
}

__noreturn void emergency_restart(void)
{
	machine_restart();
}

#define DEMO_SYSCALL_WORK_ALLOWED (SYSCALL_WORK_SYSCALL_TRACE | SYSCALL_WORK_SYSCALL_AUDIT)

static long prctl_set_syscall_work(unsigned long set, unsigned long clear)
{
	struct thread_info *ti = current_thread_info();

	if ((set | clear) & ~DEMO_SYSCALL_WORK_ALLOWED)
		return -EINVAL;
	if (!IS_ENABLED(CONFIG_AUDITSYSCALL) && ((set | clear) & SYSCALL_WORK_SYSCALL_AUDIT))
		return -EINVAL;

#ifdef CONFIG_AUDITSYSCALL
	/*
	 * Turning auditing off inside this syscall skips its exit hook (the exit path reads the
	 * work bits afresh): close its record here.
	 */
	if ((clear & SYSCALL_WORK_SYSCALL_AUDIT) && audit_context() && audit_context()->in_syscall)
		__audit_syscall_exit(1, 0);
#endif
	ti->syscall_work = (ti->syscall_work | set) & ~clear;
	return 0;
}

static long prctl_get_syscall_counts(struct demo_syscall_counts __user *ucounts)
{
	struct demo_syscall_counts counts = {
		.trace_entries	= current->trace_entries,
		.trace_exits	= current->trace_exits,
	};

#ifdef CONFIG_AUDITSYSCALL
	if (audit_context()) {
		counts.audit_entries = audit_context()->entries;
		counts.audit_exits = audit_context()->exits;
	}
#endif
	if (copy_to_user(ucounts, &counts, sizeof(counts)))
		return -EFAULT;
	return 0;
}

SYSCALL_DEFINE5(prctl, int, option, unsigned long, arg2, unsigned long, arg3,
		unsigned long, arg4, unsigned long, arg5)
{
	char comm[TASK_COMM_LEN];

	switch (option) {
	case PR_SET_NAME:
		if (strncpy_from_user(comm, (const char __user *)arg2, sizeof(comm)) < 0)
			return -EFAULT;
		comm[sizeof(comm) - 1] = '\0';
		strscpy(current->comm, comm, sizeof(current->comm));
		return 0;
	case PR_GET_NAME:
		if (copy_to_user((char __user *)arg2, current->comm, sizeof(current->comm)))
			return -EFAULT;
		return 0;
	case PR_DEMO_SET_SYSCALL_WORK:
		return prctl_set_syscall_work(arg2, arg3);
	case PR_DEMO_GET_SYSCALL_COUNTS:
		return prctl_get_syscall_counts((struct demo_syscall_counts __user *)arg2);
	default:
		return -EINVAL;
	}
}
