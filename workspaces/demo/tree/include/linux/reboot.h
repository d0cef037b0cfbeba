/* SPDX-License-Identifier: GPL-2.0 */
/* Powering off, halting and restarting the machine. */
#ifndef _LINUX_REBOOT_H
#define _LINUX_REBOOT_H

#include <linux/compiler.h>
#include <uapi/linux/reboot.h>

__noreturn void kernel_restart(const char *cmd);
__noreturn void kernel_halt(void);
__noreturn void kernel_power_off(void);
__noreturn void emergency_restart(void);

__noreturn void machine_restart(void);
__noreturn void machine_halt(void);
__noreturn void machine_power_off(void);

#endif
