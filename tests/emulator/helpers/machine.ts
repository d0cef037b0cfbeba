// A small long-mode machine for tests, laid out like Linux: GDT with the kernel and user selectors
// Linux uses, a TSS with RSP0 and IST1, an IDT whose handlers record the vector and frame, SYSCALL
// MSRs, kernel code at 0xffffffff81000000 and user code at 0x400000.
import { Machine, type MachineOptions } from '../../../emulator/index.js';
import { asm } from './asm.js';

export const KERNEL_CS = 0x10, KERNEL_DS = 0x18, USER32_CS = 0x23, USER_DS = 0x2b, USER_CS = 0x33, TSS_SEL = 0x40, KERNEL32_CS = 0x08;
export const KTEXT = 0xffffffff81000000n;
export const KDATA = 0xffffffff82000000n;
export const GDT = KDATA + 0x1000n;
export const IDT = KDATA + 0x2000n;
export const TSS = KDATA + 0x3000n;
/** Top of the ring-0 stack (TSS RSP0) and of the IST1 stack. */
export const KSTACK_TOP = KDATA + 0x10000n;
export const IST1_TOP = KDATA + 0x20000n;
/** Where handlers record what they saw: [vector, error code, rip, cs, rflags, rsp, ss] per entry. */
export const LOG = KDATA + 0x30000n;
export const UTEXT = 0x400000n;
export const USTACK_TOP = 0x800000n;
/** Kernel entry points inside KTEXT. */
export const SYSCALL_ENTRY = KTEXT + 0x1000n;
export const HANDLERS = KTEXT + 0x2000n;

function descriptor(base: number, limit: number, access: number, flags: number): bigint {
  const lo = ((base & 0xffff) << 16) | (limit & 0xffff);
  const hi = (base & 0xff000000) | ((flags & 0xf) << 20) | (limit & 0xf0000) | ((access & 0xff) << 8) | ((base >>> 16) & 0xff);
  return (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
}

export interface TestMachineOptions extends MachineOptions {
  /** Kernel code placed at SYSCALL_ENTRY (LSTAR). */
  syscallEntry?: string;
  /** User code at UTEXT. */
  user?: string;
  /** 32-bit user code at UTEXT (compatibility mode). */
  user32?: string;
  /** IST slot for these vectors (e.g. { 8: 1, 2: 1 }). */
  ist?: Record<number, number>;
  /** Gate DPL 3 for these vectors (INT n from user mode). */
  userGates?: number[];
  /** Vectors whose gates are trap gates (IF stays set). */
  trapGates?: number[];
  /** Leave the IDT empty (limit 0). */
  noIdt?: boolean;
}

/**
 * Every IDT vector points at a stub that logs [vector, error code (or -1), then the 5-qword frame]
 * at LOG - 8 + 64 * n (n = the count kept at LOG - 8) and HLTs with the frame still on the stack.
 */
export function testMachine(o: TestMachineOptions = {}): Machine {
  const m = new Machine(o);
  m.memory.map(KTEXT, 0x10000, 'rx');
  m.memory.map(KDATA, 0x40000, 'rw');
  m.memory.map(UTEXT, 0x10000, 'rxu');
  m.memory.map(USTACK_TOP - 0x10000n, 0x10000, 'rwu');

  // GDT: the Linux layout.
  const gdt: bigint[] = new Array(16).fill(0n);
  gdt[1] = descriptor(0, 0xfffff, 0x9b, 0xc); // KERNEL32_CS
  gdt[2] = descriptor(0, 0xfffff, 0x9b, 0xa); // KERNEL_CS (L)
  gdt[3] = descriptor(0, 0xfffff, 0x93, 0xc); // KERNEL_DS
  gdt[4] = descriptor(0, 0xfffff, 0xfb, 0xc); // USER32_CS
  gdt[5] = descriptor(0, 0xfffff, 0xf3, 0xc); // USER_DS
  gdt[6] = descriptor(0, 0xfffff, 0xfb, 0xa); // USER_CS (L)
  const tssLo = Number(TSS & 0xffffffffn);
  gdt[8] = descriptor(tssLo, 0x67, 0x89, 0);
  gdt[9] = TSS >> 32n;
  gdt.forEach((d, i) => m.memory.writeU64(GDT + BigInt(i * 8), d));
  m.setTable('gdtr', { base: GDT, limit: gdt.length * 8 - 1 });

  // TSS: RSP0 and IST1.
  m.memory.writeU64(TSS + 4n, KSTACK_TOP);
  m.memory.writeU64(TSS + 0x24n, IST1_TOP);
  m.memory.writeU16(TSS + 0x66n, 0x68); // no I/O bitmap

  // IDT: one stub per vector (16 bytes apart) pushing the vector, then a common logger.
  if (!o.noIdt) {
    const stubs: string[] = [];
    for (let v = 0; v < 256; v++) {
      const hasErr = [8, 10, 11, 12, 13, 14, 17, 21].includes(v);
      stubs.push(`.org ${v * 16}\n${hasErr ? '' : 'pushq $-1\n'}pushq $${v}\njmp common`);
    }
    const code = asm(`
      ${stubs.join('\n')}
      .org 4096
    common:
      push %rax
      push %rbx
      movabs $${LOG - 8n}, %rbx
      mov (%rbx), %rax
      inc %rax
      mov %rax, (%rbx)
      shl $6, %rax
      add %rbx, %rax
      mov 16(%rsp), %rbx; mov %rbx, (%rax)
      mov 24(%rsp), %rbx; mov %rbx, 8(%rax)
      mov 32(%rsp), %rbx; mov %rbx, 16(%rax)
      mov 40(%rsp), %rbx; mov %rbx, 24(%rax)
      mov 48(%rsp), %rbx; mov %rbx, 32(%rax)
      mov 56(%rsp), %rbx; mov %rbx, 40(%rax)
      mov 64(%rsp), %rbx; mov %rbx, 48(%rax)
      pop %rbx
      pop %rax
      hlt
    `, HANDLERS);
    m.memory.write(HANDLERS, code);
    for (let v = 0; v < 256; v++) {
      const handler = HANDLERS + BigInt(v * 16);
      const ist = o.ist?.[v] ?? 0;
      const dpl = o.userGates?.includes(v) ? 3 : 0;
      const type = o.trapGates?.includes(v) ? 0xf : 0xe;
      const lo = (BigInt(KERNEL_CS) << 16n) | (handler & 0xffffn) | (BigInt(ist) << 32n) | (BigInt(0x80 | (dpl << 5) | type) << 40n) | (((handler >> 16n) & 0xffffn) << 48n);
      m.memory.writeU64(IDT + BigInt(v * 16), lo);
      m.memory.writeU64(IDT + BigInt(v * 16 + 8), handler >> 32n);
    }
    m.setTable('idtr', { base: IDT, limit: 256 * 16 - 1 });
  }

  // Kernel state.
  m.loadCodeSegment(KERNEL_CS);
  m.loadSegment('ss', KERNEL_DS);
  m.loadSegment('ds', 0);
  m.loadSegment('es', 0);
  m.setSegment('tr', { selector: TSS_SEL, base: TSS, limit: 0x67, type: 0xb, s: false, dpl: 0, present: true });
  m.set('rsp', KSTACK_TOP);
  m.setMsr(0xc0000081, (BigInt(USER32_CS) << 48n) | (BigInt(KERNEL_CS) << 32n)); // STAR
  m.setMsr(0xc0000082, SYSCALL_ENTRY); // LSTAR
  m.setMsr(0xc0000084, 0x47700n); // SFMASK: TF DF IF IOPL AC NT (like Linux)
  if (o.syscallEntry) m.memory.write(SYSCALL_ENTRY, asm(o.syscallEntry, SYSCALL_ENTRY));
  if (o.user) m.memory.write(UTEXT, asm(o.user, UTEXT));
  if (o.user32) m.memory.write(UTEXT, asm(`.code32\n${o.user32}`, UTEXT));
  return m;
}

/** Where kernelCode() puts code. */
export const KCODE = KTEXT + 0x8000n;

/** Write kernel code at KCODE and point RIP at it (CPL stays whatever it is). */
export function kernelCode(m: Machine, source: string): void {
  m.memory.write(KCODE, asm(source, KCODE));
  m.set('rip', KCODE);
}

/** Switch the machine to CPL 3 at UTEXT (64-bit, or compatibility mode), as if after an IRET. */
export function enterUser(m: Machine, compat = false): void {
  m.setSegment('cs', { selector: compat ? USER32_CS : USER_CS, base: 0n, limit: 0xffffffff, type: 0xb, s: true, dpl: 3, present: true, long: !compat, db: compat, granularity: true });
  m.setSegment('ss', { selector: USER_DS, base: 0n, limit: 0xffffffff, type: 3, s: true, dpl: 3, present: true, db: true, granularity: true });
  m.set('rip', UTEXT);
  m.set('rsp', USTACK_TOP - 0x100n);
  m.set('rflags', 0x202n);
}

export interface LoggedEvent {
  vector: number;
  errorCode: bigint;
  rip: bigint;
  cs: number;
  rflags: bigint;
  rsp: bigint;
  ss: number;
}

/** What the IDT stubs recorded, in order. */
export function loggedEvents(m: Machine): LoggedEvent[] {
  const n = Number(m.memory.readU64(LOG - 8n));
  const out: LoggedEvent[] = [];
  for (let i = 1; i <= n; i++) {
    const a = LOG - 8n + BigInt(i * 64);
    const q = (k: number) => m.memory.readU64(a + BigInt(k * 8));
    out.push({ vector: Number(q(0)), errorCode: q(1), rip: q(2), cs: Number(q(3)), rflags: q(4), rsp: q(5), ss: Number(q(6)) });
  }
  return out;
}
