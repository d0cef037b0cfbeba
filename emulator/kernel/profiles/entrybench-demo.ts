// Profile of the bundled demo kernel (workspaces/demo/tree): Linux 6.12's entry layout and names on a
// small freestanding kernel, with pids in task_struct, a static audit-context pool and no user signal
// handlers, no IA32 emulation, no APIC (a PIC's vectors from FIRST_EXTERNAL_VECTOR on).
import type { KernelProfile } from '../profile.js';

const off = (struct: string, member: string) => `offsetof(struct ${struct}, ${member})`;

export const entrybenchDemo: KernelProfile = {
  name: 'entrybench-demo',
  description: 'The Entrybench demo kernel: Linux 6.12 entry code layout, task_struct pids, audit_alloc(), PIC interrupts, no signal handlers.',
  mismatch(image) {
    if (!/^Linux version \S*-demo /.test(image.banner ?? '')) return 'its banner is not the demo kernel\'s';
    for (const s of ['entry_SYSCALL_64', 'do_syscall_64', 'init_task', 'init_stack', '__per_cpu_load', 'idt_table', 'def_idts', 'irq_entries_start']) {
      if (!image.symbols.find(s)) return `no symbol ${s}`;
    }
    if (!image.symbols.percpu.has('pcpu_hot') || !image.symbols.percpu.has('cpu_tss_rw')) return 'no per-CPU pcpu_hot / cpu_tss_rw';
    return null;
  },
  entry: { syscall64: 'entry_SYSCALL_64', syscallCompat: null, sysenterCompat: null },
  percpu: {
    hot: 'pcpu_hot',
    tss: 'cpu_tss_rw',
    gdt: 'gdt_page',
    thisCpuOff: 'this_cpu_off',
    entryStack: 'entry_stack_storage',
    exceptionStacks: 'exception_stacks',
    irqStack: null,
  },
  percpuLoad: '__per_cpu_load',
  cpuMasks: [],
  task: 'init_task',
  userMm: null,
  pid: { kind: 'task-fields', fields: ['TASK_pid', 'TASK_tgid'] },
  audit: { kind: 'alloc', fn: 'audit_alloc' },
  signalHandlers: false,
  policies: [],
  externalIrq: 'FIRST_EXTERNAL_VECTOR',
  initStack: 'init_stack',
  idtTables: ['def_idts'],
  irqEntries: 'irq_entries_start',
  spuriousEntries: null,
  probe: {
    includes: ['linux/sched.h', 'linux/audit.h', 'linux/entry-common.h', 'linux/thread_info.h', 'linux/errno.h', 'asm/processor.h', 'asm/segment.h', 'asm/trapnr.h', 'asm/page_types.h', 'asm/current.h', 'asm/desc.h', 'asm/sigcontext.h'],
    values: {
      KERNEL_CS: '__KERNEL_CS', KERNEL_DS: '__KERNEL_DS', USER_CS: '__USER_CS', USER_DS: '__USER_DS', USER32_CS: '__USER32_CS',
      GDT_ENTRY_TSS: 'GDT_ENTRY_TSS', GDT_ENTRIES: 'GDT_ENTRIES', THREAD_SIZE: 'THREAD_SIZE', EXCEPTION_STKSZ: 'EXCEPTION_STKSZ',
      TSS_ist: off('tss_struct', 'x86_tss.ist'), TSS_io_bitmap_base: off('tss_struct', 'x86_tss.io_bitmap_base'),
      TSS_size: 'sizeof(struct tss_struct)', IO_BITMAP_OFFSET_INVALID: 'IO_BITMAP_OFFSET_INVALID', TASK_SIZE_MAX: 'TASK_SIZE_MAX',
      FIRST_EXTERNAL_VECTOR: 'FIRST_EXTERNAL_VECTOR', IDT_ALIGN: 'IDT_ALIGN', X86_TRAP_PF: 'X86_TRAP_PF', X86_TRAP_UD: 'X86_TRAP_UD', X86_TRAP_BP: 'X86_TRAP_BP',
      X86_preempt_count: off('pcpu_hot', 'preempt_count'), X86_cpu_number: off('pcpu_hot', 'cpu_number'),
      TASK_pid: off('task_struct', 'pid'), TASK_tgid: off('task_struct', 'tgid'), TASK_comm: off('task_struct', 'comm'),
      TASK_audit_context: off('task_struct', 'audit_context'),
      TI_flags: off('thread_info', 'flags'), TI_syscall_work: off('thread_info', 'syscall_work'),
      SYSCALL_WORK_SECCOMP: 'SYSCALL_WORK_SECCOMP', SYSCALL_WORK_SYSCALL_TRACE: 'SYSCALL_WORK_SYSCALL_TRACE',
      SYSCALL_WORK_SYSCALL_EMU: 'SYSCALL_WORK_SYSCALL_EMU', SYSCALL_WORK_SYSCALL_AUDIT: 'SYSCALL_WORK_SYSCALL_AUDIT',
      ENOSYS: 'ENOSYS', EBADF: 'EBADF', EFAULT: 'EFAULT',
      UC_mcontext: off('ucontext', 'uc_mcontext'),
      ...Object.fromEntries(['r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'].map((r) => [`SC_${r}`, off('sigcontext_64', r)])),
      ...Object.fromEntries(([['rdi', 'di'], ['rsi', 'si'], ['rbp', 'bp'], ['rbx', 'bx'], ['rdx', 'dx'], ['rax', 'ax'], ['rcx', 'cx'], ['rsp', 'sp'], ['rip', 'ip'], ['eflags', 'flags']] as const).map(([k, f]) => [`SC_${k}`, off('sigcontext_64', f)])),
    },
  },
  // struct idt_data is private to the demo's idt.c: the layout is Linux's (vector, segment, bits, addr).
  fallback: {
    IDT_DATA_size: 24n, IDT_DATA_vector: 0n, IDT_DATA_segment: 4n, IDT_DATA_bits: 8n, IDT_DATA_addr: 16n,
    FIRST_SYSTEM_VECTOR: 256n, NR_VECTORS: 256n,
    ENOSYS: 38n, EBADF: 9n, EFAULT: 14n,
  },
  runtimeConstants: [],
  initCalls: [],
  hooks: ['syscall_trace_enter', '__audit_syscall_entry', '__audit_syscall_exit', 'syscall_exit_to_user_mode', 'do_syscall_64', 'irqentry_enter', 'irqentry_exit', 'force_sig_fault', 'force_sig', 'exc_nmi', 'fixup_exception'],
  fatal: ['panic', 'die', 'do_exit', 'do_group_exit', 'make_task_dead', 'exc_double_fault'],
};
