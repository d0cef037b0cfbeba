// Profile of Linux 6.8 .. 6.12 x86_64 (pcpu_hot, int $0x80 through the IDT, generic entry code).
import type { KernelProfile } from '../profile.js';

const off = (struct: string, member: string) => `offsetof(struct ${struct}, ${member})`;

export const linux612: KernelProfile = {
  name: 'linux-6.12',
  description: 'Linux 6.8-6.12 x86_64: pcpu_hot holds current and top_of_stack, int $0x80 enters through asm_int80_emulation, syscalls go through the generic entry code.',
  mismatch(image) {
    for (const s of ['entry_SYSCALL_64', 'do_syscall_64', 'init_task', '__per_cpu_load', 'idt_table', 'init_struct_pid', 'boot_cpu_data', 'init_mm']) {
      if (!image.symbols.find(s)) return `no symbol ${s}`;
    }
    if (!image.symbols.percpu.has('pcpu_hot')) return 'no per-CPU pcpu_hot (an older or newer generation)';
    if (!image.symbols.percpu.has('cpu_tss_rw')) return 'no per-CPU cpu_tss_rw';
    if (!image.configured('SMP')) return 'CONFIG_SMP is off (the profile expects per-CPU data behind GS)';
    if (image.configured('X86_FRED')) return 'CONFIG_X86_FRED is on (FRED entry is not modelled)';
    if (image.configured('PARAVIRT_XXL')) return 'CONFIG_PARAVIRT_XXL is on (paravirt ops are not patched)';
    if (image.configured('MITIGATION_PAGE_TABLE_ISOLATION') && image.configured('CPU_MITIGATIONS')) {
      // PTI code stays behind X86_FEATURE_PTI alternatives, which are not applied: fine, but say so.
    }
    return null;
  },
  entry: { syscall64: 'entry_SYSCALL_64', syscallCompat: 'entry_SYSCALL_compat', sysenterCompat: 'entry_SYSENTER_compat' },
  percpu: {
    hot: 'pcpu_hot',
    tss: 'cpu_tss_rw',
    gdt: 'gdt_page',
    thisCpuOff: 'this_cpu_off',
    entryStack: 'entry_stack_storage',
    exceptionStacks: 'exception_stacks',
    irqStack: 'irq_stack_backing_store',
  },
  percpuLoad: '__per_cpu_load',
  cpuMasks: ['__cpu_possible_mask', '__cpu_present_mask', '__cpu_online_mask', '__cpu_active_mask'],
  task: 'init_task',
  userMm: 'init_mm',
  pid: { kind: 'struct-pid', structPid: 'init_struct_pid', pidNamespace: 'init_pid_ns' },
  audit: { kind: 'context' },
  signalHandlers: true,
  policies: ['iret-above-task-size'],
  externalIrq: 'IRQ_WORK_VECTOR',
  initStack: 'init_stack',
  idtTables: ['early_idts', 'early_pf_idts', 'def_idts', 'ia32_idt', 'apic_idts'],
  irqEntries: 'irq_entries_start',
  spuriousEntries: 'spurious_entries_start',

  probe: {
    includes: [
      'linux/sched.h', 'linux/sched/signal.h', 'linux/pid.h', 'linux/pid_namespace.h', 'linux/mm_types.h',
      'linux/seccomp.h', 'linux/audit.h', '"kernel/audit.h"', 'linux/signal_types.h', 'linux/entry-common.h',
      'linux/errno.h', 'asm/processor.h', 'asm/segment.h', 'asm/irq_vectors.h', 'asm/page_types.h',
      'asm/desc_defs.h', 'asm/idtentry.h', 'asm/vdso.h', 'asm/fpu/types.h', 'asm/current.h', 'asm/preempt.h',
      'asm/cpufeatures.h', 'asm/msr-index.h', 'asm/unistd.h', 'asm/ia32.h', 'asm/sigframe.h', 'asm/fpu/api.h',
      'asm/trapnr.h', 'asm/traps.h',
    ],
    values: {
      // Selectors and GDT layout (asm/segment.h).
      KERNEL_CS: '__KERNEL_CS', KERNEL_DS: '__KERNEL_DS', USER_CS: '__USER_CS', USER_DS: '__USER_DS',
      USER32_CS: '__USER32_CS', GDT_ENTRY_TSS: 'GDT_ENTRY_TSS', GDT_ENTRIES: 'GDT_ENTRIES',
      // Stacks.
      THREAD_SIZE: 'THREAD_SIZE', EXCEPTION_STKSZ: 'EXCEPTION_STKSZ', IRQ_STACK_SIZE: 'IRQ_STACK_SIZE',
      IST_INDEX_DF: 'IST_INDEX_DF', IST_INDEX_NMI: 'IST_INDEX_NMI', IST_INDEX_DB: 'IST_INDEX_DB', IST_INDEX_MCE: 'IST_INDEX_MCE',
      TSS_ist: off('tss_struct', 'x86_tss.ist'), TSS_io_bitmap_base: off('tss_struct', 'x86_tss.io_bitmap_base'),
      TSS_size: 'sizeof(struct tss_struct)', IO_BITMAP_OFFSET_INVALID: 'IO_BITMAP_OFFSET_INVALID',
      TASK_SIZE_MAX: 'TASK_SIZE_MAX',
      // Vectors.
      FIRST_EXTERNAL_VECTOR: 'FIRST_EXTERNAL_VECTOR', FIRST_SYSTEM_VECTOR: 'FIRST_SYSTEM_VECTOR', NR_VECTORS: 'NR_VECTORS',
      IDT_ALIGN: 'IDT_ALIGN', IA32_SYSCALL_VECTOR: 'IA32_SYSCALL_VECTOR', IRQ_WORK_VECTOR: 'IRQ_WORK_VECTOR',
      IDT_DATA_size: 'sizeof(struct idt_data)', IDT_DATA_vector: off('idt_data', 'vector'), IDT_DATA_segment: off('idt_data', 'segment'),
      IDT_DATA_bits: off('idt_data', 'bits'), IDT_DATA_addr: off('idt_data', 'addr'),
      // pcpu_hot.
      X86_preempt_count: off('pcpu_hot', 'preempt_count'), X86_cpu_number: off('pcpu_hot', 'cpu_number'),
      X86_hardirq_stack_ptr: off('pcpu_hot', 'hardirq_stack_ptr'), X86_hardirq_stack_inuse: off('pcpu_hot', 'hardirq_stack_inuse'),
      PREEMPT_ENABLED: 'PREEMPT_ENABLED',
      // task_struct and what hangs off it.
      TASK_stack: off('task_struct', 'stack'), TASK_mm: off('task_struct', 'mm'), TASK_active_mm: off('task_struct', 'active_mm'),
      TASK_audit_context: off('task_struct', 'audit_context'), TASK_seccomp_mode: off('task_struct', 'seccomp.mode'),
      TASK_sighand: off('task_struct', 'sighand'), TASK_signal: off('task_struct', 'signal'), TASK_ptrace: off('task_struct', 'ptrace'),
      TASK_comm: off('task_struct', 'comm'), TASK_fpu_fpstate: off('task_struct', 'thread.fpu.fpstate'),
      TASK_fpu___fpstate: off('task_struct', 'thread.fpu.__fpstate'),
      TI_flags: off('thread_info', 'flags'), TI_syscall_work: off('thread_info', 'syscall_work'), TI_status: off('thread_info', 'status'),
      PID_numbers_nr: off('pid', 'numbers[0].nr'), PID_numbers_ns: off('pid', 'numbers[0].ns'),
      // Work bits and states the slow path tests.
      SYSCALL_WORK_SECCOMP: 'SYSCALL_WORK_SECCOMP', SYSCALL_WORK_SYSCALL_TRACEPOINT: 'SYSCALL_WORK_SYSCALL_TRACEPOINT',
      SYSCALL_WORK_SYSCALL_TRACE: 'SYSCALL_WORK_SYSCALL_TRACE', SYSCALL_WORK_SYSCALL_EMU: 'SYSCALL_WORK_SYSCALL_EMU',
      SYSCALL_WORK_SYSCALL_AUDIT: 'SYSCALL_WORK_SYSCALL_AUDIT', SYSCALL_WORK_SYSCALL_EXIT_TRAP: 'SYSCALL_WORK_SYSCALL_EXIT_TRAP',
      SECCOMP_MODE_STRICT: 'SECCOMP_MODE_STRICT',
      AUDIT_STATE_BUILD: 'AUDIT_STATE_BUILD', AUDIT_CTX_UNUSED: 'AUDIT_CTX_UNUSED', AUDIT_CTX_SYSCALL: 'AUDIT_CTX_SYSCALL',
      AUDITCTX_dummy: off('audit_context', 'dummy'), AUDITCTX_context: off('audit_context', 'context'),
      AUDITCTX_state: off('audit_context', 'state'), AUDITCTX_major: off('audit_context', 'major'),
      AUDITCTX_return_code: off('audit_context', 'return_code'), AUDITCTX_size: 'sizeof(struct audit_context)',
      AUDIT_ON: 'AUDIT_ON',
      // Memory descriptor and the 32-bit vDSO the compat fast paths return through.
      MM_size: 'sizeof(struct mm_struct)', MM_context_vdso: off('mm_struct', 'context.vdso'),
      MM_context_vdso_image: off('mm_struct', 'context.vdso_image'),
      VDSO_IMAGE_data: off('vdso_image', 'data'), VDSO_IMAGE_size: off('vdso_image', 'size'),
      VDSO_IMAGE_sym_int80_landing_pad: off('vdso_image', 'sym_int80_landing_pad'),
      // CPU identity the kernel tests at run time (boot_cpu_data).
      CPUINFO_x86_vendor: off('cpuinfo_x86', 'x86_vendor'), CPUINFO_x86_capability: off('cpuinfo_x86', 'x86_capability'),
      X86_VENDOR_INTEL: 'X86_VENDOR_INTEL', X86_VENDOR_AMD: 'X86_VENDOR_AMD',
      // Signal delivery: current's handlers, and the user-visible frame the kernel builds (uapi ABI).
      SIGHAND_action: off('sighand_struct', 'action'), K_SIGACTION_size: 'sizeof(struct k_sigaction)',
      KSA_handler: off('k_sigaction', 'sa.sa_handler'), KSA_flags: off('k_sigaction', 'sa.sa_flags'),
      KSA_restorer: off('k_sigaction', 'sa.sa_restorer'), KSA_mask: off('k_sigaction', 'sa.sa_mask'),
      SA_SIGINFO: 'SA_SIGINFO', SA_RESTORER: 'SA_RESTORER',
      SIGILL: 'SIGILL', SIGTRAP: 'SIGTRAP', SIGSEGV: 'SIGSEGV', SIGBUS: 'SIGBUS', SIGFPE: 'SIGFPE',
      UC_mcontext: off('ucontext', 'uc_mcontext'),
      SC_r8: off('sigcontext_64', 'r8'), SC_rip: off('sigcontext_64', 'ip'), SC_eflags: off('sigcontext_64', 'flags'),
      SC_cs: off('sigcontext_64', 'cs'), SC_ss: off('sigcontext_64', 'ss'), SC_err: off('sigcontext_64', 'err'),
      SC_trapno: off('sigcontext_64', 'trapno'), SC_cr2: off('sigcontext_64', 'cr2'), SC_rsp: off('sigcontext_64', 'sp'),
      SC_rax: off('sigcontext_64', 'ax'), SC_rcx: off('sigcontext_64', 'cx'), SC_rdx: off('sigcontext_64', 'dx'),
      SC_rbx: off('sigcontext_64', 'bx'), SC_rbp: off('sigcontext_64', 'bp'), SC_rsi: off('sigcontext_64', 'si'),
      SC_rdi: off('sigcontext_64', 'di'), SC_r9: off('sigcontext_64', 'r9'), SC_r10: off('sigcontext_64', 'r10'),
      SC_r11: off('sigcontext_64', 'r11'), SC_r12: off('sigcontext_64', 'r12'), SC_r13: off('sigcontext_64', 'r13'),
      SC_r14: off('sigcontext_64', 'r14'), SC_r15: off('sigcontext_64', 'r15'),
      X86_TRAP_UD: 'X86_TRAP_UD', X86_TRAP_BP: 'X86_TRAP_BP', X86_TRAP_PF: 'X86_TRAP_PF', X86_TRAP_GP: 'X86_TRAP_GP',
      // FPU configuration boot leaves for a CPU without XSAVE (fpu__init_system_xstate_size_legacy()).
      FPU_CFG_max_size: off('fpu_state_config', 'max_size'), FPU_CFG_default_size: off('fpu_state_config', 'default_size'),
      FXREGS_size: 'sizeof(struct fxregs_state)', FPSTATE_size: off('fpstate', 'size'), FPSTATE_user_size: off('fpstate', 'user_size'),
      FPSTATE_regs: off('fpstate', 'regs'), TLB_STATE_cr4: off('tlb_state', 'cr4'),
      // Errors scenarios expect.
      ENOSYS: 'ENOSYS', EBADF: 'EBADF', EFAULT: 'EFAULT',
      // ABI: system call numbers (also read from the build's unistd_*.h when present).
      NR_syscalls: 'NR_syscalls',
    },
  },
  fallback: {
    KERNEL_CS: 0x10n, KERNEL_DS: 0x18n, USER_CS: 0x33n, USER_DS: 0x2bn, USER32_CS: 0x23n, GDT_ENTRY_TSS: 8n, GDT_ENTRIES: 16n,
    THREAD_SIZE: 0x4000n, EXCEPTION_STKSZ: 0x2000n, IRQ_STACK_SIZE: 0x4000n,
    IST_INDEX_DF: 0n, IST_INDEX_NMI: 1n, IST_INDEX_DB: 2n, IST_INDEX_MCE: 3n, TSS_ist: 36n, TSS_io_bitmap_base: 102n,
    TASK_SIZE_MAX: 0x7ffffffff000n,
    FIRST_EXTERNAL_VECTOR: 0x20n, FIRST_SYSTEM_VECTOR: 0xebn, NR_VECTORS: 256n, IDT_ALIGN: 8n, IA32_SYSCALL_VECTOR: 0x80n, IRQ_WORK_VECTOR: 0xf6n,
    IDT_DATA_size: 24n, IDT_DATA_vector: 0n, IDT_DATA_segment: 4n, IDT_DATA_bits: 8n, IDT_DATA_addr: 16n,
    PREEMPT_ENABLED: 0x80000000n,
    ENOSYS: 38n, EBADF: 9n, EFAULT: 14n,
    SA_SIGINFO: 4n, SA_RESTORER: 0x04000000n, SIGILL: 4n, SIGTRAP: 5n, SIGSEGV: 11n, SIGBUS: 7n, SIGFPE: 8n,
    UC_mcontext: 40n, SC_r8: 0n, SC_rip: 128n, SC_eflags: 136n, SC_cs: 144n, SC_ss: 150n, SC_err: 152n, SC_trapno: 160n, SC_cr2: 176n,
    SC_rsp: 120n, SC_rax: 104n, SC_rcx: 112n, SC_rdx: 96n, SC_rbx: 88n, SC_rbp: 80n, SC_rsi: 72n, SC_rdi: 64n,
    SC_r9: 8n, SC_r10: 16n, SC_r11: 24n, SC_r12: 32n, SC_r13: 40n, SC_r14: 48n, SC_r15: 56n,
    X86_TRAP_UD: 6n, X86_TRAP_BP: 3n, X86_TRAP_PF: 14n, X86_TRAP_GP: 13n,
  },
  runtimeConstants: [{ section: 'runtime_ptr_USER_PTR_MAX', kind: 'ptr', valueOf: 'TASK_SIZE_MAX', variable: 'USER_PTR_MAX' }],
  initCalls: ['fpu__init_system'],
  hooks: [
    'syscall_trace_enter', '__secure_computing', '__audit_syscall_entry', '__audit_syscall_exit',
    'syscall_exit_to_user_mode', 'do_syscall_64', 'do_int80_emulation', 'do_fast_syscall_32', 'do_SYSENTER_32',
    'irqentry_enter', 'irqentry_exit', 'force_sig_fault', 'force_sig', 'arch_do_signal_or_restart',
    'exc_nmi', 'fixup_exception',
  ],
  fatal: ['panic', 'nmi_panic', 'oops_begin', '__die', 'die', 'make_task_dead', 'do_exit', 'do_group_exit', 'page_fault_oops', 'handle_stack_overflow', 'exc_double_fault', 'machine_check_poll'],
};
