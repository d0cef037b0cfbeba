// The Machine API as the harness uses it: run loop and stops, syscall round trips, exceptions through
// the IDT, hooks, breakpoints, interrupt injection, snapshots, traces.
import { describe, expect, it } from 'vitest';
import { Machine } from '../../emulator/index.js';
import { asm } from './helpers/asm.js';
import { KDATA, SYSCALL_ENTRY, USTACK_TOP, UTEXT, enterUser, loggedEvents, testMachine } from './helpers/machine.js';

const PERCPU = KDATA + 0x20000n;

/** A kernel entry shaped like Linux's: swapgs, save user RSP, kernel stack, return by sysretq. */
const ENTRY = `
  swapgs
  mov %rsp, %gs:0x10
  mov %gs:0x8, %rsp
  push %rcx
  push %r11
  cmp $39, %eax
  jne 1f
  mov $1234, %eax
  jmp 2f
1:
  mov $-38, %rax
2:
  pop %r11
  pop %rcx
  mov %gs:0x10, %rsp
  swapgs
  sysretq
`;

function syscallMachine(user: string): Machine {
  const m = testMachine({ syscallEntry: ENTRY, user });
  m.set('kernel_gs_base', PERCPU);
  m.memory.writeU64(PERCPU + 8n, KDATA + 0x18000n);
  enterUser(m);
  return m;
}

describe('Machine.run', () => {
  it('runs a loop to HLT and counts instructions', () => {
    const m = new Machine();
    m.memory.load(0x1000n, asm('mov $10, %ecx\nxor %eax, %eax\n1: add %rcx, %rax\ndec %ecx\njnz 1b\nhlt'), 'rx');
    m.set('rip', 0x1000n);
    const stop = m.run();
    expect(stop.reason).toBe('hlt');
    expect(m.get('rax')).toBe(55n);
    expect(stop.instructions).toBe(2 + 30 + 1);
    expect(m.instructions).toBe(33);
  });

  it('stops at the instruction limit and resumes where it stopped', () => {
    const m = new Machine();
    m.memory.load(0x1000n, asm('1: inc %rax\njmp 1b'), 'rx');
    m.set('rip', 0x1000n);
    expect(m.run({ maxInstructions: 101 }).reason).toBe('limit');
    expect(m.get('rax')).toBe(51n);
    m.run({ maxInstructions: 100 });
    expect(m.get('rax')).toBe(101n);
  });

  it('reports an exception with no IDT: address, bytes, disassembly', () => {
    const m = new Machine();
    m.memory.load(0x1000n, asm('nop\nud2'), 'rx');
    m.set('rip', 0x1000n);
    const stop = m.run();
    expect(stop.reason).toBe('exception');
    expect(stop.rip).toBe(0x1001n);
    expect(stop.exception).toMatchObject({ vector: 6, bytes: '0f 0b', disassembly: 'ud2' });
    expect(stop.message).toContain('#UD invalid opcode');
    expect(stop.message).toContain('no IDT installed');
  });

  it('takes a 64-bit syscall round trip and stops back at CPL 3, saying which instruction returned', () => {
    const m = syscallMachine('mov $39, %eax\nmov $7, %rbx\nsyscall\nnop\nhlt');
    const stop = m.run({ stopAtCpl: 3 });
    expect(stop.reason).toBe('cpl');
    expect(stop.via?.instruction).toBe('sysretq');
    expect(m.cpl).toBe(3);
    expect(m.get('rax')).toBe(1234n);
    expect(m.get('rbx')).toBe(7n);
    expect(m.get('rcx')).toBe(UTEXT + 5n + 7n + 2n);
    expect(m.get('rip')).toBe(m.get('rcx'));
    expect(m.get('rsp')).toBe(USTACK_TOP - 0x100n);
    expect(m.getSegment('cs').selector).toBe(0x33);
    expect(m.getSegment('ss').selector).toBe(0x2b);
  });

  it('delivers a user-mode #UD through the IDT onto the TSS RSP0 stack', () => {
    const m = syscallMachine('nop\nud2');
    const stop = m.run({ stopAtCpl: 0 });
    expect(stop.reason).toBe('cpl');
    expect(stop.events).toHaveLength(1);
    expect(stop.events[0]).toMatchObject({ kind: 'exception', vector: 6, rip: UTEXT + 1n, cpl: 3, nested: false });
    m.run();
    const [ev] = loggedEvents(m);
    expect(ev).toMatchObject({ vector: 6, rip: UTEXT + 1n, cs: 0x33, ss: 0x2b, rsp: USTACK_TOP - 0x100n });
  });
});

describe('hooks and breakpoints', () => {
  it('counts calls and emulates a function by returning from it', () => {
    const m = new Machine();
    const code = asm(`
      mov $3, %ecx
    1: call f
      add %rax, %rbx
      loop 1b
      hlt
    f: mov $1, %eax
      ret
    `, 0x1000n);
    m.memory.load(0x1000n, code, 'rx');
    m.memory.map(0x8000n, 0x1000, 'rw');
    m.set('rsp', 0x9000n);
    m.set('rip', 0x1000n);
    const fAddr = 0x1000n + BigInt(code.length - 6);
    const hook = m.addHook(fAddr, (ctx) => ctx.returnFromFunction(ctx.hits * 10));
    expect(m.run().reason).toBe('hlt');
    expect(hook.hits).toBe(3);
    expect(m.get('rbx')).toBe(60n);
  });

  it('stops at a breakpoint before the instruction and resumes through it', () => {
    const m = new Machine();
    m.memory.load(0x1000n, asm('inc %rax\ninc %rax\ninc %rax\nhlt'), 'rx');
    m.set('rip', 0x1000n);
    const s1 = m.run({ breakpoints: [0x1003n] });
    expect(s1).toMatchObject({ reason: 'breakpoint', rip: 0x1003n, instructions: 1 });
    const s2 = m.run({ breakpoints: [0x1003n] });
    expect(s2.reason).toBe('hlt');
    expect(m.get('rax')).toBe(3n);
  });

  it('ends the run when a hook says stop', () => {
    const m = new Machine();
    m.memory.load(0x1000n, asm('inc %rax\ninc %rax\nhlt'), 'rx');
    m.set('rip', 0x1000n);
    m.addHook(0x1003n, () => 'stop');
    expect(m.run()).toMatchObject({ reason: 'hook', rip: 0x1003n });
    expect(m.get('rax')).toBe(1n);
  });
});

describe('interrupt injection and snapshots', () => {
  it('holds an interrupt while IF = 0 and delivers it after the STI shadow', () => {
    const m = testMachine();
    m.memory.write(0xffffffff81008000n, asm('nop\nnop\nsti\nnop\nnop\nhlt'));
    m.set('rip', 0xffffffff81008000n);
    m.set('rflags', 2n);
    const stop = m.run({ interrupts: [{ before: 0, vector: 0x20 }] });
    expect(stop.events).toHaveLength(1);
    // Delivered before the second nop after STI: STI (idx 2) + one shadowed nop (idx 3) retired.
    expect(stop.events[0]).toMatchObject({ kind: 'interrupt', vector: 0x20, rip: 0xffffffff81008004n, at: 4 });
  });

  it('restores a snapshot exactly, reverting only the dirtied pages', () => {
    const m = syscallMachine('mov $39, %eax\nsyscall\nmovq $5, (%rsp)\nhlt');
    const snap = m.snapshot();
    const before = m.registers();
    m.run({ stopAtCpl: 3 });
    m.run({ maxInstructions: 1 });
    expect(m.memory.readU64(USTACK_TOP - 0x100n)).toBe(5n);
    expect(m.memory.dirtyPages).toBeGreaterThan(0);
    m.restore(snap);
    expect(m.registers()).toEqual(before);
    expect(m.cpl).toBe(3);
    expect(m.memory.readU64(USTACK_TOP - 0x100n)).toBe(0n);
    expect(m.memory.dirtyPages).toBe(0);
    expect(m.run({ stopAtCpl: 3 }).reason).toBe('cpl');
    expect(m.get('rax')).toBe(1234n);
  });
});

describe('trace', () => {
  it('records steps with register deltas, writes and symbolized disassembly', () => {
    const m = syscallMachine('mov $39, %eax\nsyscall\nhlt');
    m.symbolizer = (a) => (a >= SYSCALL_ENTRY && a < SYSCALL_ENTRY + 0x100n ? `entry_SYSCALL_64+0x${(a - SYSCALL_ENTRY).toString(16)}` : undefined);
    m.enableTrace(64);
    m.run({ stopAtCpl: 3 });
    const lines = m.formatTrace();
    expect(lines[0]).toContain('mov    $0x27,%eax');
    expect(lines[0]).toContain('rax=0x27');
    expect(lines.some((l) => l.includes('<entry_SYSCALL_64+0x0>') && l.includes('swapgs'))).toBe(true);
    expect(lines.some((l) => l.includes('mov    %rsp,%gs:0x10') && l.includes(`[0x${(PERCPU + 0x10n).toString(16)}]=0x${(USTACK_TOP - 0x100n).toString(16)}`))).toBe(true);
    expect(lines[lines.length - 1]).toContain('sysretq');
  });
});

describe('never a JavaScript exception out of run()', () => {
  it('a hook that throws ends the run with internal-error naming the hook', () => {
    const m = new Machine();
    m.memory.load(0x1000n, asm('nop\nnop\nhlt'), 'rx');
    m.set('rip', 0x1000n);
    m.symbolizer = (a) => (a === 0x1001n ? 'my_stub' : undefined);
    m.addHook(0x1001n, () => {
      throw new Error('boom');
    });
    const stop = m.run();
    expect(stop.reason).toBe('internal-error');
    expect(stop.message).toContain('hook at 1001 <my_stub> threw: boom');
  });

  it('a device that throws ends the run with internal-error, with the address of the access', () => {
    const m = new Machine();
    m.memory.load(0x1000n, asm('mov $0xfee00000, %ebx\nmov (%rbx), %eax\nhlt'), 'rx');
    m.memory.mapDevice(0xfee00000n, 0x1000, { read: () => { throw new Error('device broke'); }, write: () => {} });
    m.set('rip', 0x1000n);
    const stop = m.run();
    expect(stop.reason).toBe('internal-error');
    expect(stop.message).toContain('device broke');
  });

  it('instructions the model lacks raise #UD (x87 arithmetic, RDRAND without the feature), RDPMC #GP', () => {
    for (const [code, vector] of [['fldz', 6], ['rdrand %eax', 6], ['xsave (%rsp)', 6], ['rdpmc', 13]] as const) {
      const m = new Machine();
      m.memory.load(0x1000n, asm(code), 'rx');
      m.memory.map(0x8000n, 0x1000, 'rw');
      m.set('rsp', 0x8800n);
      m.set('rip', 0x1000n);
      const stop = m.run();
      expect(stop.exception?.vector, code).toBe(vector);
      expect(stop.exception?.rip).toBe(0x1000n);
    }
  });
});

describe('resuming at a breakpoint that also has a hook', () => {
  it('runs the hook once when the run resumes through the breakpoint', () => {
    const m = new Machine();
    m.memory.load(0x1000n, asm('inc %rax\ninc %rax\nhlt'), 'rx');
    m.set('rip', 0x1000n);
    const hook = m.addHook(0x1003n, () => undefined);
    expect(m.run({ breakpoints: [0x1003n] }).reason).toBe('breakpoint');
    expect(hook.hits).toBe(0);
    expect(m.run({ breakpoints: [0x1003n] }).reason).toBe('hlt');
    expect(hook.hits).toBe(1);
  });
});
