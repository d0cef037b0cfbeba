// SPDX-License-Identifier: GPL-2.0
/* Power off and restart on a PC (QEMU's i440FX or Q35). */
#include <linux/kernel.h>
#include <linux/reboot.h>
#include <asm/desc.h>
#include <asm/io.h>
#include <asm/irqflags.h>
#include <asm/processor.h>

/* ACPI PM1a control: SLP_EN with sleep type S5. SeaBIOS puts the PM block at 0x600 on both. */
#define ACPI_PM1A_CNT_QEMU	0x604
#define ACPI_PM1A_CNT_BOCHS	0xb004
#define ACPI_SLP_EN_S5		0x2000

__noreturn void machine_halt_forever(void)
{
	for (;;) {
		local_irq_disable();
		native_halt();
	}
}

__noreturn void machine_power_off(void)
{
	local_irq_disable();
	outw(ACPI_SLP_EN_S5, ACPI_PM1A_CNT_QEMU);
	outw(ACPI_SLP_EN_S5, ACPI_PM1A_CNT_BOCHS);
	machine_halt_forever();
}

__noreturn void machine_restart(void)
{
	struct desc_ptr no_idt = { .size = 0, .address = 0 };

	local_irq_disable();
	/* Pulse the reset line through the keyboard controller ... */
	for (int i = 0; i < 10; i++) {
		outb(0xfe, 0x64);
		io_delay();
	}
	/* ... and if that did not work, triple fault. With QEMU's -no-reboot either one exits. */
	native_load_idt(&no_idt);
	asm volatile("int3");
	machine_halt_forever();
}

__noreturn void machine_halt(void)
{
	machine_halt_forever();
}
