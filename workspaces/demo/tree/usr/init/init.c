// SPDX-License-Identifier: GPL-2.0
/*
 * /init of the demo kernel: run the syscall ABI checks, print kselftest TAP on the console (and
 * only the TAP on ttyS1 when QEMU has a second serial port), then offer a prompt.
 *
 * Arguments (kernel command line after "--"): "poweroff" powers off after the checks instead.
 */
#include <asm-generic/errno.h>
#include "init.h"

int main(int argc, char **argv)
{
	bool poweroff_after = false;
	int tap_fd, failed;

	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "poweroff"))
			poweroff_after = true;

	tap_fd = syscall3(__NR_open, (long)"/dev/ttyS1", 1 /* O_WRONLY */, 0);
	if (tap_fd < 0)
		tap_fd = -1;

	failed = run_abi_tests(tap_fd);
	printf("syscall ABI: %d of %d checks %s.\n", failed ? failed : abi_test_count, abi_test_count,
	       failed ? "FAILED" : "passed");

	if (poweroff_after)
		power_off();
	shell(tap_fd);
	return 0;
}
