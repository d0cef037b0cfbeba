// Exception and interrupt delivery in IA-32e mode against the SDM (vol. 3A ch. 6): gates and their
// checks, the stack switch (RSP0 / IST), the frame, error codes (EXT, IDT bits), CR2 and #PF error
// codes, #DF escalation and triple faults, external interrupts, NMI, the STI/MOV SS shadows, TF.
import { describe, expect, it } from 'vitest';
import { Machine } from '../../../emulator/index.js';
import { asm } from '../helpers/asm.js';
import {
  HANDLERS, IDT, IST1_TOP, KCODE, KDATA, KSTACK_TOP, TSS, USER_CS, USER_DS, USTACK_TOP, UTEXT, enterUser, kernelCode, loggedEvents, testMachine,
} from '../helpers/machine.js';

describe('software interrupts', () => {
  it('int $0x80 through a DPL-3 gate switches to RSP0 and pushes SS, RSP, RFLAGS, CS, RIP of the next instruction', () => {
    const m = testMachine({ user: 'nop\nint $0x80', userGates: [0x80] });
    enterUser(m);
    m.set('rflags', 0x10246n & ~0x10000n);
    const stop = m.run({ stopAtCpl: 0 });
    expect(stop.events[0]).toMatchObject({ kind: 'software', vector: 0x80, rip: UTEXT + 3n, cpl: 3, handler: HANDLERS + 0x800n });
    expect(m.get('rsp')).toBe(KSTACK_TOP - 40n);
    expect([0n, 8n, 16n, 24n, 32n].map((o) => m.memory.readU64(m.get('rsp') + o))).toEqual([UTEXT + 3n, BigInt(USER_CS), 0x246n, USTACK_TOP - 0x100n, BigInt(USER_DS)]);
    expect(m.getSegment('ss').selector).toBe(0); // NULL SS with RPL 0 after a privilege change
    expect(m.get('rflags') & 0x200n).toBe(0n); // interrupt gate clears IF
  });

  it('int n through a DPL-0 gate from CPL 3 raises #GP with error code vector*8+2', () => {
    const m = testMachine({ user: 'int $0x81' });
    enterUser(m);
    const [ev] = m.run({ stopAtCpl: 0 }).events;
    expect(ev).toMatchObject({ vector: 13, errorCode: 0x81 * 8 + 2, rip: UTEXT + 3n - 3n, nested: true, chain: [{ vector: 0x81 }] });
  });

  it('int3 is a trap (RIP after it) and a trap gate keeps IF set', () => {
    const m = testMachine({ user: 'nop\nint3', userGates: [3], trapGates: [3] });
    enterUser(m);
    const stop = m.run({ stopAtCpl: 0 });
    expect(stop.events[0]).toMatchObject({ kind: 'software', vector: 3, rip: UTEXT + 2n });
    expect(m.get('rflags') & 0x200n).toBe(0x200n);
  });

  it('ud2 is a fault: the frame RIP is the ud2, and RF is set in the pushed RFLAGS', () => {
    const m = testMachine({ user: 'nop\nud2' });
    enterUser(m);
    m.run({ stopAtCpl: 0 });
    expect(m.memory.readU64(m.get('rsp'))).toBe(UTEXT + 1n);
    expect(m.memory.readU64(m.get('rsp') + 16n) & 0x10000n).toBe(0x10000n);
  });
});

describe('page faults', () => {
  const cases: [string, string, number, bigint][] = [
    ['user read of an unmapped page', 'mov 0x900000, %rax', 0x4, 0x900000n],
    ['user write of an unmapped page', 'movq $1, 0x900008', 0x6, 0x900008n],
    ['user write to a read-only user page', 'movb $1, (%rip)', 0x7, UTEXT + 7n],
    ['user read of a supervisor page', `movabs ${KDATA}, %rax\nmov (%rax), %rax`, 0x5, KDATA],
    ['user fetch from a non-executable page', `mov $${USTACK_TOP - 0x1000n}, %rax\njmp *%rax`, 0x15, USTACK_TOP - 0x1000n],
  ];
  for (const [what, code, error, cr2] of cases) {
    it(`${what}: error code 0x${error.toString(16)}, CR2 = the address`, () => {
      const m = testMachine({ user: code });
      enterUser(m);
      const stop = m.run({ stopAtCpl: 0 });
      expect(stop.events[0]).toMatchObject({ vector: 14, errorCode: error, cr2 });
      expect(m.get('cr2')).toBe(cr2);
      expect(m.memory.readU64(m.get('rsp'))).toBe(BigInt(error)); // the error code is pushed
    });
  }

  it('supervisor writes to read-only pages fault only with CR0.WP', () => {
    const m = testMachine();
    kernelCode(m, `movabs $${UTEXT}, %rax\nmovb $1, (%rax)\nhlt`);
    expect(m.run().events[0]).toMatchObject({ vector: 14, errorCode: 0x3 });
    const n = testMachine();
    n.set('cr0', n.get('cr0') & ~(1n << 16n));
    kernelCode(n, `movabs $${UTEXT}, %rax\nmovb $1, (%rax)\nhlt`);
    expect(n.run().reason).toBe('hlt');
    expect(n.memory.readU8(UTEXT)).toBe(1);
  });

  it('SMAP blocks supervisor data accesses to user pages unless RFLAGS.AC (stac/clac); SMEP blocks fetches', () => {
    const m = testMachine();
    m.set('cr4', m.get('cr4') | (1n << 21n) | (1n << 20n));
    kernelCode(m, `movabs $${USTACK_TOP - 8n}, %rbx\nstac\nmov (%rbx), %rax\nclac\nmov (%rbx), %rax\nhlt`);
    expect(m.run().events[0]).toMatchObject({ vector: 14, errorCode: 0x1, rip: KCODE + 10n + 3n + 3n + 3n });
    const n = testMachine();
    n.set('cr4', n.get('cr4') | (1n << 20n));
    kernelCode(n, `movabs $${UTEXT}, %rax\njmp *%rax`);
    expect(n.run().events[0]).toMatchObject({ vector: 14, errorCode: 0x11, cr2: UTEXT });
  });

  it('non-canonical addresses raise #GP(0), not #PF', () => {
    const m = testMachine();
    kernelCode(m, 'movabs $0x0000800000000000, %rax\nmov (%rax), %rbx\nhlt');
    expect(m.run().events[0]).toMatchObject({ vector: 13, errorCode: 0 });
  });
});

describe('gates and IDT checks', () => {
  it('a vector beyond the IDT limit raises #GP(vector*8 + 2), with EXT for hardware events', () => {
    const m = testMachine();
    m.setTable('idtr', { base: IDT, limit: 14 * 16 - 1 }); // vectors 0..13 only
    kernelCode(m, 'int $0x20');
    const [ev] = m.run({ onEvent: () => 'stop' }).events;
    expect(ev).toMatchObject({ vector: 13, errorCode: 0x20 * 8 + 2, nested: true, chain: [{ vector: 0x20 }] });
    const n = testMachine();
    n.setTable('idtr', { base: IDT, limit: 14 * 16 - 1 });
    kernelCode(n, 'nop\nnop');
    n.set('rflags', 0x202n);
    const [e2] = n.run({ interrupts: [{ before: 1, vector: 0x40 }], onEvent: () => 'stop' }).events;
    expect(e2).toMatchObject({ vector: 13, errorCode: 0x40 * 8 + 3, chain: [{ vector: 0x40 }] });
  });

  it('a not-present gate raises #NP(vector*8 + 2 + EXT)', () => {
    const m = testMachine({ user: 'ud2' });
    const w = m.memory.readU64(IDT + 6n * 16n);
    m.memory.writeU64(IDT + 6n * 16n, w & ~(1n << 47n));
    enterUser(m);
    const [ev] = m.run({ stopAtCpl: 0 }).events;
    expect(ev).toMatchObject({ vector: 11, errorCode: 6 * 8 + 3, chain: [{ vector: 6 }] });
  });

  it('uses the IST stack named by the gate', () => {
    const m = testMachine({ user: 'ud2', ist: { 6: 1 } });
    enterUser(m);
    m.run({ stopAtCpl: 0 });
    expect(m.get('rsp')).toBe(IST1_TOP - 40n);
  });

  it('aligns the new stack to 16 bytes when delivering at the same privilege level', () => {
    const m = testMachine();
    kernelCode(m, 'ud2');
    m.set('rsp', KSTACK_TOP - 0x108n);
    m.run({ onEvent: () => 'stop' });
    expect(m.get('rsp')).toBe(KSTACK_TOP - 0x110n - 40n);
    expect(m.memory.readU64(m.get('rsp') + 24n)).toBe(KSTACK_TOP - 0x108n); // the old RSP
  });
});

describe('double and triple faults', () => {
  it('a #PF while pushing the #PF frame escalates to #DF (error code 0) on its IST stack', () => {
    const m = testMachine({ user: 'mov 0x900000, %rax', ist: { 8: 1 } });
    m.memory.writeU64(TSS + 4n, 0xffffffff83000000n); // RSP0 points at unmapped memory
    enterUser(m);
    const stop = m.run({ stopAtCpl: 0 });
    expect(stop.events).toHaveLength(1);
    expect(stop.events[0]).toMatchObject({ vector: 8, errorCode: 0, nested: true, chain: [{ vector: 14, errorCode: 4 }, { vector: 14, errorCode: 2 }] });
    expect(m.get('cr2')).toBe(0xffffffff83000000n - 8n); // CR2 of the second #PF: the frame push
    expect(m.get('rsp')).toBe(IST1_TOP - 48n);
    m.run();
    expect(loggedEvents(m)[0]).toMatchObject({ vector: 8, errorCode: 0n });
  });

  it('a #GP while delivering a #GP escalates to #DF; a fault delivering #DF is a triple fault', () => {
    const m = testMachine({ user: 'sti', ist: { 8: 1 } });
    m.memory.writeU64(TSS + 4n, 0xffffffff83000000n);
    m.memory.writeU64(TSS + 0x24n, 0xffffffff83000000n); // IST1 unmapped as well
    enterUser(m);
    m.set('rflags', 0x2n);
    const stop = m.run({ maxInstructions: 10 });
    expect(stop.reason).toBe('triple-fault');
    // #GP's frame push faults (#PF, delivered serially), whose push faults again (#DF), whose push faults.
    expect(stop.message).toMatch(/triple fault \(#GP -> #PF -> #PF -> #DF -> #PF\)/);
    expect(stop.exception?.rip).toBe(UTEXT);
    expect(stop.exception?.disassembly).toBe('sti');
  });

  it('with no IDT the run stops with the exception, address, bytes and disassembly', () => {
    const m = new Machine();
    m.memory.load(0xffffffff81000000n, asm('xor %eax, %eax\ndivl %eax'), 'rx');
    m.set('rip', 0xffffffff81000000n);
    const stop = m.run();
    expect(stop.reason).toBe('exception');
    expect(stop.exception).toMatchObject({ vector: 0, rip: 0xffffffff81000002n, bytes: 'f7 f0', disassembly: 'div    %eax' });
  });
});

describe('external interrupts and NMI', () => {
  it('an interrupt raised while IF = 0 waits; HLT with IF = 1 wakes up for it', () => {
    const m = testMachine();
    kernelCode(m, 'nop\nnop\nsti\nhlt\nnop');
    m.set('rflags', 2n);
    m.injectInterrupt(0x30);
    const stop = m.run({ maxInstructions: 3 });
    expect(stop.events).toEqual([]);
    expect(m.pendingEvents.interrupts).toEqual([0x30]);
    const stop2 = m.run();
    // sti; hlt: the shadow covers the hlt, then the interrupt wakes it, with RIP after the hlt.
    expect(stop2.events[0]).toMatchObject({ kind: 'interrupt', vector: 0x30, rip: KCODE + 4n });
  });

  it('MOV SS blocks interrupts and NMIs for one instruction', () => {
    const m = testMachine();
    kernelCode(m, 'mov $0x18, %eax\nmov %eax, %ss\nnop\nnop\nhlt');
    m.set('rflags', 0x202n);
    const stop = m.run({ interrupts: [{ before: 2, nmi: true }] });
    expect(stop.events[0]).toMatchObject({ kind: 'nmi', rip: KCODE + 5n + 2n + 1n });
  });

  it('an NMI is taken with IF = 0', () => {
    const m = testMachine();
    kernelCode(m, 'nop\nnop\nhlt');
    m.set('rflags', 2n);
    const stop = m.run({ interrupts: [{ before: 1, nmi: true }] });
    expect(stop.events[0]).toMatchObject({ kind: 'nmi', vector: 2, rip: KCODE + 1n, at: 1 });
  });
});

describe('TF single-step', () => {
  it('traps (#DB, DR6.BS) after each instruction that began with TF = 1', () => {
    const m = testMachine();
    kernelCode(m, 'nop\nnop');
    m.set('rflags', 0x102n);
    const stop = m.run({ maxInstructions: 1 });
    void stop;
    const s2 = m.run({ maxInstructions: 3 });
    expect([stop, s2].flatMap((s) => s.events).map((e) => [e.kind, e.vector, e.rip])).toEqual([['debug-trap', 1, KCODE + 1n]]);
    expect(m.get('dr6') & 0x4000n).toBe(0x4000n);
  });

  it('does not trap after SYSCALL (FMASK clears TF); after SYSRET sets TF the trap follows the first user instruction', () => {
    const m = testMachine({ user: 'syscall\nnop\nnop', syscallEntry: 'mov %r11, %r11\nsysretq' });
    enterUser(m);
    m.set('rflags', 0x302n);
    const stop = m.run({ maxInstructions: 4 });
    expect(stop.events.map((e) => [e.kind, e.vector, e.rip])).toEqual([['debug-trap', 1, UTEXT + 3n]]);
  });
});


