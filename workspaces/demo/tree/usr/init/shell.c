// SPDX-License-Identifier: GPL-2.0
/* A small interactive prompt on the console, for poking at the kernel from the workbench. */
#include <asm-generic/errno.h>
#include <linux/prctl.h>
#include <linux/reboot.h>
#include <linux/utsname.h>
#include "init.h"

#define MAX_ARGS 16

void power_off(void)
{
	syscall4(__NR_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_POWER_OFF, 0);
}

void restart(void)
{
	syscall4(__NR_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_RESTART, 0);
}

static void cmd_help(void)
{
	printf("Commands:\n"
	       "  help               this list\n"
	       "  echo [WORD...]     print the words\n"
	       "  tests              run the syscall ABI checks again (TAP)\n"
	       "  uname [-a]         the kernel's name (and release, version, machine)\n"
	       "  slowpath on|off    send this shell's syscalls through the slow path (trace+audit)\n"
	       "  slowpath           show the slow-path hook counts\n"
	       "  poweroff, reboot   stop or restart the machine\n");
}

static void cmd_uname(int argc, char **argv)
{
	struct new_utsname uts;

	if (syscall1(__NR_uname, (long)&uts)) {
		printf("uname: failed\n");
		return;
	}
	if (argc > 1 && !strcmp(argv[1], "-a"))
		printf("%s %s %s %s %s\n", uts.sysname, uts.nodename, uts.release, uts.version, uts.machine);
	else
		printf("%s\n", uts.sysname);
}

static void cmd_slowpath(int argc, char **argv)
{
	const unsigned long all = DEMO_SYSCALL_WORK_SYSCALL_TRACE | DEMO_SYSCALL_WORK_SYSCALL_AUDIT;
	struct demo_syscall_counts c;
	long r;

	if (argc > 1 && !strcmp(argv[1], "on")) {
		r = syscall3(__NR_prctl, PR_DEMO_SET_SYSCALL_WORK, all, 0);
		if (r == -EINVAL)
			r = syscall3(__NR_prctl, PR_DEMO_SET_SYSCALL_WORK, DEMO_SYSCALL_WORK_SYSCALL_TRACE, 0);
		printf(r ? "slowpath: prctl failed (%ld)\n" : "slowpath: on\n", r);
		return;
	}
	if (argc > 1 && !strcmp(argv[1], "off")) {
		r = syscall3(__NR_prctl, PR_DEMO_SET_SYSCALL_WORK, 0, all);
		printf(r ? "slowpath: prctl failed (%ld)\n" : "slowpath: off\n", r);
		return;
	}
	if (syscall2(__NR_prctl, PR_DEMO_GET_SYSCALL_COUNTS, (long)&c)) {
		printf("slowpath: prctl failed\n");
		return;
	}
	printf("trace: %lu entries, %lu exits; audit: %lu entries, %lu exits\n",
	       c.trace_entries, c.trace_exits, c.audit_entries, c.audit_exits);
}

static int split_words(char *line, char **argv)
{
	int argc = 0;

	while (*line && argc < MAX_ARGS) {
		while (*line == ' ' || *line == '\t' || *line == '\n')
			*line++ = '\0';
		if (!*line)
			break;
		argv[argc++] = line;
		while (*line && *line != ' ' && *line != '\t' && *line != '\n')
			line++;
	}
	return argc;
}

void shell(int tap_fd)
{
	char line[256];
	char *argv[MAX_ARGS];

	int read_errors = 0;

	printf("Type 'help' for commands.\n");
	for (;;) {
		long n;
		int argc;

		printf("/ # ");
		n = sys_read(0, line, sizeof(line) - 1);
		if (n < 0) {
			printf("sh: read: error %ld\n", n);
			/* A kernel that cannot read the console would have us print forever. */
			if (++read_errors == 10) {
				printf("sh: the console keeps failing; powering off\n");
				power_off();
			}
			continue;
		}
		read_errors = 0;
		if (n == 0) {
			/* ^D: init has nowhere to exit to. */
			printf("\n(init cannot exit: use poweroff)\n");
			continue;
		}
		line[n] = '\0';
		argc = split_words(line, argv);
		if (!argc)
			continue;

		if (!strcmp(argv[0], "help")) {
			cmd_help();
		} else if (!strcmp(argv[0], "echo")) {
			for (int i = 1; i < argc; i++)
				printf(i + 1 < argc ? "%s " : "%s", argv[i]);
			printf("\n");
		} else if (!strcmp(argv[0], "tests")) {
			run_abi_tests(tap_fd);
		} else if (!strcmp(argv[0], "uname")) {
			cmd_uname(argc, argv);
		} else if (!strcmp(argv[0], "slowpath")) {
			cmd_slowpath(argc, argv);
		} else if (!strcmp(argv[0], "stty")) {
			/* The workbench sets the terminal size this way; a serial line has no size. */
		} else if (!strcmp(argv[0], "poweroff") || !strcmp(argv[0], "halt")) {
			power_off();
		} else if (!strcmp(argv[0], "reboot")) {
			restart();
		} else if (!strcmp(argv[0], "exit")) {
			printf("init cannot exit: use poweroff\n");
		} else {
			printf("sh: %s: not found\n", argv[0]);
		}
	}
}
