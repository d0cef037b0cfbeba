// SPDX-License-Identifier: GPL-2.0
/*
 * Executing /init: load the built-in static ELF into fresh user pages, build the initial stack
 * (argc, argv, envp, auxv) the way Linux's binfmt_elf does, and point pt_regs at its entry.
 */
#include <linux/elf.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <asm/sections.h>

#define STACK_PAGES	8

static int load_segment(const Elf64_Ehdr *eh, const Elf64_Phdr *ph)
{
	const char *src = (const char *)eh + ph->p_offset;
	int ret;

	if (ph->p_filesz > ph->p_memsz || ph->p_vaddr + ph->p_memsz > TASK_SIZE_MAX)
		return -ENOEXEC;
	ret = map_user_pages(ph->p_vaddr, ph->p_memsz, ph->p_flags & PF_W);
	if (ret)
		return ret;
	/* Copy through the kernel's view of each page: read-only pages are read-only to us too. */
	for (u64 i = 0; i < ph->p_filesz; i++) {
		char *dst = user_addr_to_kernel(ph->p_vaddr + i);

		if (!dst)
			return -EFAULT;
		*dst = src[i];
	}
	return 0;
}

static unsigned long push_string(unsigned long sp, const char *s)
{
	size_t len = strlen(s) + 1;

	sp -= len;
	if (copy_to_user((void __user *)sp, s, len))
		return 0;
	return sp;
}

static int push_word(unsigned long *sp, unsigned long value)
{
	*sp -= sizeof(value);
	return copy_to_user((void __user *)*sp, &value, sizeof(value)) ? -EFAULT : 0;
}

/* The System V initial stack: argc, argv[], NULL, envp[], NULL, auxv pairs, AT_NULL. */
static int create_elf_tables(unsigned long *spp, const Elf64_Ehdr *eh,
			     const char *const *argv, const char *const *envp)
{
	unsigned long argv_ptrs[16], envp_ptrs[16];
	unsigned long sp = *spp;
	int argc = 0, envc = 0, words;

	while (argv[argc] && argc < 16) {
		sp = push_string(sp, argv[argc]);
		if (!sp)
			return -EFAULT;
		argv_ptrs[argc++] = sp;
	}
	while (envp[envc] && envc < 16) {
		sp = push_string(sp, envp[envc]);
		if (!sp)
			return -EFAULT;
		envp_ptrs[envc++] = sp;
	}

	/* The ABI wants RSP 16-byte aligned at the entry point, pointing at argc. */
	words = 1 + argc + 1 + envc + 1 + 2 * 3;
	sp &= ~15UL;
	if (words & 1)
		sp -= 8;

	if (push_word(&sp, 0) || push_word(&sp, AT_NULL) ||
	    push_word(&sp, eh->e_entry) || push_word(&sp, AT_ENTRY) ||
	    push_word(&sp, PAGE_SIZE) || push_word(&sp, AT_PAGESZ))
		return -EFAULT;
	if (push_word(&sp, 0))
		return -EFAULT;
	for (int i = envc - 1; i >= 0; i--)
		if (push_word(&sp, envp_ptrs[i]))
			return -EFAULT;
	if (push_word(&sp, 0))
		return -EFAULT;
	for (int i = argc - 1; i >= 0; i--)
		if (push_word(&sp, argv_ptrs[i]))
			return -EFAULT;
	if (push_word(&sp, argc))
		return -EFAULT;

	*spp = sp;
	return 0;
}

/* There is one executable: the built-in /init. */
int kernel_execve(const char *filename, const char *const *argv, const char *const *envp)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)__init_elf_start;
	const Elf64_Phdr *ph;
	unsigned long sp = STACK_TOP;
	int ret;

	if (strcmp(filename, "/init"))
		return -ENOENT;
	if ((unsigned long)(__init_elf_end - __init_elf_start) < sizeof(*eh) ||
	    memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[4] != ELFCLASS64 ||
	    eh->e_type != ET_EXEC || eh->e_machine != EM_X86_64 ||
	    eh->e_phentsize != sizeof(Elf64_Phdr))
		return -ENOEXEC;

	ph = (const Elf64_Phdr *)((const char *)eh + eh->e_phoff);
	for (int i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		ret = load_segment(eh, &ph[i]);
		if (ret)
			return ret;
	}

	ret = map_user_pages(STACK_TOP - STACK_PAGES * PAGE_SIZE, STACK_PAGES * PAGE_SIZE, true);
	if (ret)
		return ret;
	ret = create_elf_tables(&sp, eh, argv, envp);
	if (ret)
		return ret;

	strscpy(current->comm, "init", sizeof(current->comm));
	current->flags &= ~PF_KTHREAD;
	start_thread(current_pt_regs(), eh->e_entry, sp);
	return 0;
}
