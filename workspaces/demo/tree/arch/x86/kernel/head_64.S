/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The first instructions: a multiboot header so QEMU's -kernel loads the image, 32-bit startup into
 * long mode on static page tables, then the jump to the kernel's link address (startup_64).
 */
#include <linux/linkage.h>
#include <asm/multiboot.h>
#include <asm/page_types.h>
#include <asm/pgtable_types.h>
#include <asm/processor-flags.h>
#include <asm/msr-index.h>
#include <asm/segment.h>
#include <generated/asm-offsets.h>

/* The physical address of a kernel symbol: the image is linked at __START_KERNEL_map + phys. */
#define phys(sym)	((sym) - __START_KERNEL_map)

#define MB_FLAGS	(MULTIBOOT_PAGE_ALIGN | MULTIBOOT_MEMORY_INFO | MULTIBOOT_AOUT_KLUDGE)

	.section .head.text, "ax"
	.code32

/*
 * With the a.out kludge the loader takes the load addresses from here, not from an ELF header:
 * bzImage is a flat copy of the image starting at _text, loaded at its physical address.
 */
	.balign 4
SYM_DATA_START(multiboot_header)
	.long	MULTIBOOT_HEADER_MAGIC
	.long	MB_FLAGS
	.long	-(MULTIBOOT_HEADER_MAGIC + MB_FLAGS)
	.long	phys(multiboot_header)		/* header_addr */
	.long	phys(_text)			/* load_addr */
	.long	0				/* load_end_addr: the whole file */
	.long	phys(_end)			/* bss_end_addr: the loader zeroes .bss */
	.long	phys(startup_32)		/* entry_addr */
SYM_DATA_END(multiboot_header)

/*
 * Entered in 32-bit protected mode with paging off: %eax = multiboot magic, %ebx = physical
 * address of struct multiboot_info.
 */
SYM_CODE_START(startup_32)
	cli
	cld
	movl	%eax, %edi
	movl	%ebx, %esi
	movl	$phys(init_stack + THREAD_SIZE - PTREGS_SIZE), %esp

	cmpl	$MULTIBOOT_BOOTLOADER_MAGIC, %edi
	jne	.Lno_multiboot

	/* PAE paging with the static tables: identity map and kernel map of the first 1 GiB. */
	movl	%cr4, %eax
	orl	$X86_CR4_PAE, %eax
	movl	%eax, %cr4
	movl	$phys(early_top_pgt), %eax
	movl	%eax, %cr3

	/* Long mode, and SYSCALL/SYSRET for later. */
	movl	$MSR_EFER, %ecx
	rdmsr
	orl	$(EFER_LME | EFER_SCE), %eax
	wrmsr

	movl	%cr0, %eax
	orl	$(X86_CR0_PG | X86_CR0_WP | X86_CR0_PE), %eax
	movl	%eax, %cr0

	/* Long mode is active; a far jump to a 64-bit code segment leaves compatibility mode. */
	lgdt	phys(early_gdt_descr32)
	ljmp	$__KERNEL_CS, $phys(.Lstartup_64_identity)

.Lno_multiboot:
	/* Not loaded by a multiboot loader: say so on COM1 and stop. */
	movl	$phys(.Lno_multiboot_msg), %esi
	movw	$0x3f8, %dx
1:	lodsb
	testb	%al, %al
	jz	2f
	outb	%al, %dx
	jmp	1b
2:	hlt
	jmp	2b
SYM_CODE_END(startup_32)

	.code64
.Lstartup_64_identity:
	/* Still running from the identity map: continue at the kernel's own address. */
	movabsq	$startup_64, %rax
	jmp	*%rax

SYM_CODE_START(startup_64)
	lgdt	early_gdt_descr(%rip)
	movl	$__KERNEL_DS, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	xorl	%eax, %eax
	movl	%eax, %fs
	movl	%eax, %gs

	leaq	(init_stack + THREAD_SIZE - PTREGS_SIZE)(%rip), %rsp

	/* Reload CS from the new GDT with a far return. */
	pushq	$__KERNEL_CS
	leaq	.Lon_kernel_cs(%rip), %rax
	pushq	%rax
	lretq

.Lon_kernel_cs:
	/* The boot CPU runs on the load copy of the per-CPU area: %gs:0 is its first byte. */
	movl	$MSR_GS_BASE, %ecx
	leaq	__per_cpu_load(%rip), %rdx
	movl	%edx, %eax
	shrq	$32, %rdx
	wrmsr

	/* Upper halves of registers written in 32-bit mode are undefined: zero-extend. */
	movl	%esi, %edi
	xorl	%ebp, %ebp
	call	x86_64_start_kernel
	ud2
SYM_CODE_END(startup_64)

	.section .rodata, "a"
.Lno_multiboot_msg:
	.asciz	"This image must be booted by a multiboot loader (qemu-system-x86_64 -kernel).\r\n"

	.section .data, "aw"
	.balign 16
/* Boot GDT with Linux's selector numbers; cpu_init() switches to the per-CPU gdt_page. */
SYM_DATA_START(early_gdt)
	.quad	0
	.quad	0x00cf9b000000ffff	/* __KERNEL32_CS */
	.quad	0x00af9b000000ffff	/* __KERNEL_CS */
	.quad	0x00cf93000000ffff	/* __KERNEL_DS */
SYM_DATA_END(early_gdt)
.Learly_gdt_end:

early_gdt_descr32:
	.word	.Learly_gdt_end - early_gdt - 1
	.long	phys(early_gdt)
early_gdt_descr:
	.word	.Learly_gdt_end - early_gdt - 1
	.quad	early_gdt

/*
 * Static page tables. early_top_pgt[0] identity-maps the first GiB for the switch to long mode and
 * is dropped in setup_arch(); early_top_pgt[511] maps the same GiB at __START_KERNEL_map with 2 MiB
 * pages. User mappings are added below it later.
 */
	.section .data..page_aligned, "aw"
	.balign	PAGE_SIZE
SYM_DATA_START(early_top_pgt)
	.quad	phys(level3_ident_pgt) + _KERNPG_TABLE
	.fill	510, 8, 0
	.quad	phys(level3_kernel_pgt) + _KERNPG_TABLE
SYM_DATA_END(early_top_pgt)

	.balign	PAGE_SIZE
SYM_DATA_START(level3_ident_pgt)
	.quad	phys(level2_kernel_pgt) + _KERNPG_TABLE
	.fill	511, 8, 0
SYM_DATA_END(level3_ident_pgt)

	.balign	PAGE_SIZE
SYM_DATA_START(level3_kernel_pgt)
	.fill	510, 8, 0
	.quad	phys(level2_kernel_pgt) + _KERNPG_TABLE
	.quad	0
SYM_DATA_END(level3_kernel_pgt)

	.balign	PAGE_SIZE
SYM_DATA_START(level2_kernel_pgt)
	i = 0
	.rept	512
	.quad	(i << PMD_SHIFT) + __PAGE_KERNEL_LARGE_EXEC
	i = i + 1
	.endr
SYM_DATA_END(level2_kernel_pgt)
