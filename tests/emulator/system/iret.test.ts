// IRET in IA-32e mode against the SDM (vol. 2A, IRET): what it pops, what it checks (NT, CS/SS
// selectors and descriptors, canonical RIP), which RFLAGS bits each privilege level may load, the
// data segments nulled on a return to an outer level, and NMI unblocking.
import { describe, expect, it } from 'vitest';
import { GDT, KERNEL_CS, KERNEL_DS, KSTACK_TOP, USER32_CS, USER_CS, USER_DS, USTACK_TOP, UTEXT, kernelCode, KCODE, testMachine } from '../helpers/machine.js';
import type { Machine } from '../../../emulator/index.js';

/** Build an IRET frame on the kernel stack: [rip, cs, rflags, rsp, ss] (8 bytes each unless size 4). */
function frame(m: Machine, values: bigint[], size = 8): void {
  let sp = KSTACK_TOP - 0x100n;
  m.set('rsp', sp);
  for (const v of values) {
    if (size === 8) m.memory.writeU64(sp, v);
    else m.memory.writeU32(sp, Number(v & 0xffffffffn));
    sp += BigInt(size);
  }
}

function iretMachine(code = 'iretq'): Machine {
  const m = testMachine();
  kernelCode(m, code);
  return m;
}

describe('IRETQ', () => {
  it('returns to 64-bit user mode: pops RIP, CS, RFLAGS, RSP, SS', () => {
    const m = iretMachine();
    frame(m, [UTEXT, BigInt(USER_CS), 0x246n, USTACK_TOP - 8n, BigInt(USER_DS)]);
    const stop = m.run({ stopAtCpl: 3 });
    expect(stop).toMatchObject({ reason: 'cpl', via: { instruction: 'iretq' } });
    expect(m.get('rip')).toBe(UTEXT);
    expect(m.get('rsp')).toBe(USTACK_TOP - 8n);
    expect(m.get('rflags')).toBe(0x246n);
    expect(m.getSegment('cs')).toMatchObject({ selector: USER_CS, long: true, dpl: 3 });
    expect(m.getSegment('ss')).toMatchObject({ selector: USER_DS, dpl: 3 });
  });

  it('returns to compatibility mode with a 32-bit user CS', () => {
    const m = iretMachine();
    frame(m, [0xdead00000401000n, BigInt(USER32_CS), 0x202n, 0xffff0000007ff000n, BigInt(USER_DS)]);
    m.run({ stopAtCpl: 3 });
    expect(m.get('rip')).toBe(0x401000n);
    expect(m.get('rsp')).toBe(0x7ff000n);
    expect(m.getSegment('cs')).toMatchObject({ selector: USER32_CS, long: false, db: true });
  });

  it('at the same privilege level still pops SS:RSP in 64-bit mode and accepts a null SS at CPL 0', () => {
    const m = iretMachine();
    frame(m, [KCODE + 0x100n, BigInt(KERNEL_CS), 0x2n, 0xffffffff82005000n, 0n]);
    m.memory.write(KCODE + 0x100n, Uint8Array.of(0xf4));
    const stop = m.run();
    expect(stop.reason).toBe('hlt');
    expect(m.get('rsp')).toBe(0xffffffff82005000n);
    expect(m.getSegment('ss').selector).toBe(0);
    expect(m.cpl).toBe(0);
  });

  it('iretd in 64-bit mode pops 32-bit values, SS:ESP included', () => {
    const m = iretMachine('iretl');
    frame(m, [UTEXT, BigInt(USER_CS), 0x202n, 0x7ff000n, BigInt(USER_DS)], 4);
    m.run({ stopAtCpl: 3 });
    expect(m.get('rip')).toBe(UTEXT);
    expect(m.get('rsp')).toBe(0x7ff000n);
  });

  it('at CPL 0 loads IOPL and IF from the image; returning to CPL 3 the new RFLAGS are the image', () => {
    const m = iretMachine();
    frame(m, [UTEXT, BigInt(USER_CS), 0x3246n, USTACK_TOP, BigInt(USER_DS)]);
    m.run({ stopAtCpl: 3 });
    expect(m.get('rflags')).toBe(0x3246n);
  });

  it('at CPL 3 (same level) cannot change IOPL or IF, but can change the arithmetic flags', () => {
    const m = testMachine({ user: 'lea 1f(%rip), %rax\npushq $0x2b\npushq %rsp\naddq $8, (%rsp)\npushq $0x3cd5\npushq $0x33\npush %rax\niretq\n1: hlt' });
    m.setSegment('cs', { selector: USER_CS, base: 0n, limit: 0xffffffff, type: 0xb, s: true, dpl: 3, present: true, long: true, granularity: true });
    m.setSegment('ss', { selector: USER_DS, base: 0n, limit: 0xffffffff, type: 3, s: true, dpl: 3, present: true, db: true, granularity: true });
    m.set('rip', UTEXT);
    m.set('rsp', USTACK_TOP - 0x80n);
    m.set('rflags', 0x202n);
    m.run({ stopAtCpl: 0 });
    // The HLT at CPL 3 faults (#GP); the frame shows the flags IRET loaded.
    const image = m.memory.readU64(KSTACK_TOP - 8n * 3n);
    expect(image & 0x3fd5n).toBe(0x0cd5n | 0x200n); // IF stays 1, IOPL stays 0, CF..OF and DF from the image
  });

  it('raises #GP(0) with NT set', () => {
    const m = iretMachine();
    m.set('rflags', 0x4002n);
    frame(m, [UTEXT, BigInt(USER_CS), 0x202n, USTACK_TOP, BigInt(USER_DS)]);
    expect(m.run({ stopAtCpl: 3 }).events[0]).toMatchObject({ vector: 13, errorCode: 0, rip: KCODE });
  });

  it('raises #GP(selector) for a CS with RPL < CPL, or that is not a code segment', () => {
    const m = testMachine({ user: 'iretq' });
    m.setSegment('cs', { selector: USER_CS, base: 0n, limit: 0xffffffff, type: 0xb, s: true, dpl: 3, present: true, long: true, granularity: true });
    m.set('rip', UTEXT);
    m.set('rsp', USTACK_TOP - 0x100n);
    for (const [i, v] of [UTEXT, BigInt(KERNEL_CS), 0x202n, USTACK_TOP, BigInt(KERNEL_DS)].entries()) m.memory.writeU64(USTACK_TOP - 0x100n + BigInt(i * 8), v);
    expect(m.run({ stopAtCpl: 0 }).events[0]).toMatchObject({ vector: 13, errorCode: KERNEL_CS });

    const n = iretMachine();
    frame(n, [UTEXT, BigInt(USER_DS), 0x202n, USTACK_TOP, BigInt(USER_DS)]);
    expect(n.run({ stopAtCpl: 3 }).events[0]).toMatchObject({ vector: 13, errorCode: USER_DS & ~3 });
  });

  it('raises #NP(selector) for a non-present code segment', () => {
    const m = iretMachine();
    const d = m.memory.readU64(GDT + 6n * 8n);
    m.memory.writeU64(GDT + 6n * 8n, d & ~(1n << 47n));
    frame(m, [UTEXT, BigInt(USER_CS), 0x202n, USTACK_TOP, BigInt(USER_DS)]);
    expect(m.run({ stopAtCpl: 3 }).events[0]).toMatchObject({ vector: 11, errorCode: USER_CS & ~3 });
  });

  it('raises #GP(0) for a non-canonical RIP and #GP(SS) for an SS whose RPL differs from CS', () => {
    const m = iretMachine();
    frame(m, [0x0000900000000000n, BigInt(USER_CS), 0x202n, USTACK_TOP, BigInt(USER_DS)]);
    expect(m.run({ stopAtCpl: 3 }).events[0]).toMatchObject({ vector: 13, errorCode: 0 });
    const n = iretMachine();
    frame(n, [UTEXT, BigInt(USER_CS), 0x202n, USTACK_TOP, BigInt(KERNEL_DS)]);
    expect(n.run({ stopAtCpl: 3 }).events[0]).toMatchObject({ vector: 13, errorCode: KERNEL_DS });
  });

  it('nulls DS/ES/FS/GS holding ring-0 data segments on the way to CPL 3, keeping FS/GS bases', () => {
    const m = iretMachine();
    m.loadSegment('ds', KERNEL_DS);
    m.loadSegment('es', USER_DS);
    m.loadSegment('fs', KERNEL_DS);
    m.set('fs_base', 0x7f0000001000n);
    frame(m, [UTEXT, BigInt(USER_CS), 0x202n, USTACK_TOP, BigInt(USER_DS)]);
    m.run({ stopAtCpl: 3 });
    expect(m.getSegment('ds').selector).toBe(0);
    expect(m.getSegment('es').selector).toBe(USER_DS);
    expect(m.getSegment('fs').selector).toBe(0);
    expect(m.get('fs_base')).toBe(0x7f0000001000n);
  });

  it('unblocks NMIs: a second NMI waits for the first handler to IRET', () => {
    const m = testMachine();
    // NMI handler: IRETQ straight back.
    const handler = KCODE + 0x200n;
    m.memory.write(handler, Uint8Array.of(0x48, 0xcf));
    m.memory.writeU64(0xffffffff82002000n + 2n * 16n, (BigInt(KERNEL_CS) << 16n) | (handler & 0xffffn) | (0x8en << 40n) | (((handler >> 16n) & 0xffffn) << 48n));
    m.memory.writeU64(0xffffffff82002000n + 2n * 16n + 8n, handler >> 32n);
    kernelCode(m, 'nop\nnop\nnop\nnop\nhlt');
    const stop = m.run({ interrupts: [{ before: 1, nmi: true }, { before: 1, nmi: true }] });
    expect(stop.reason).toBe('hlt');
    const nmis = stop.events.filter((e) => e.kind === 'nmi');
    expect(nmis).toHaveLength(1); // NMIs do not queue: the second merges into the first pending one
    const s2 = testMachine();
    s2.memory.write(handler, Uint8Array.of(0x90, 0x48, 0xcf));
    s2.memory.writeU64(0xffffffff82002000n + 2n * 16n, (BigInt(KERNEL_CS) << 16n) | (handler & 0xffffn) | (0x8en << 40n) | (((handler >> 16n) & 0xffffn) << 48n));
    s2.memory.writeU64(0xffffffff82002000n + 2n * 16n + 8n, handler >> 32n);
    kernelCode(s2, 'nop\nnop\nnop\nnop\nhlt');
    // The second NMI is raised while the first handler runs (after its nop): delivered only after IRETQ.
    const st = s2.run({ interrupts: [{ before: 1, nmi: true }, { before: 2, nmi: true }] });
    const got = st.events.filter((e) => e.kind === 'nmi');
    expect(got).toHaveLength(2);
    expect(got[0].rip).toBe(KCODE + 1n);
    expect(got[1].rip).toBe(KCODE + 1n); // taken right after the IRET returned to the same place
    expect(got[1].at).toBe(got[0].at + 2); // nop + iretq in the handler
  });
});

describe('IRETQ to rings 1 and 2', () => {
  /** Ring-1 and ring-2 code/data descriptors at GDT slots 10..13 (selectors 0x51, 0x59, 0x62, 0x6a). */
  function ringMachine(): Machine {
    const m = iretMachine();
    const code = (dpl: bigint) => 0x00af9a000000ffffn | (dpl << 45n);
    const data = (dpl: bigint) => 0x00cf92000000ffffn | (dpl << 45n);
    [code(1n), data(1n), code(2n), data(2n)].forEach((d, i) => m.memory.writeU64(GDT + BigInt((10 + i) * 8), d));
    return m;
  }

  it('returns from ring 0 to ring 1, then from ring 1 to ring 2, and an exception at ring 2 switches to RSP0', () => {
    const m = ringMachine();
    const ring1 = KCODE + 0x100n, ring2 = KCODE + 0x200n;
    // ring 1: build a frame to ring 2 and IRETQ again; ring 2: ud2.
    m.memory.write(ring1, Uint8Array.of(0x6a, 0x6a, 0x54, 0x68, 0x02, 0x00, 0x00, 0x00, 0x6a, 0x62, 0x68, ...new Uint8Array(4), 0x48, 0xcf));
    // patch the pushed RIP (push imm32 at ring1+10) with ring2's low 32 bits: sign-extends to the kernel address
    m.memory.writeU32(ring1 + 11n, Number(ring2 & 0xffffffffn));
    m.memory.write(ring2, Uint8Array.of(0x0f, 0x0b));
    frame(m, [ring1, 0x51n, 0x2n, KSTACK_TOP - 0x800n, 0x59n]);
    const s1 = m.run({ stopAtCpl: 1 });
    expect(s1).toMatchObject({ reason: 'cpl', cpl: 1 });
    expect(m.getSegment('ss').selector).toBe(0x59);
    const s2 = m.run({ stopAtCpl: 2 });
    expect(s2).toMatchObject({ reason: 'cpl', cpl: 2, rip: ring2 });
    expect(m.getSegment('cs').selector).toBe(0x62);
    const s3 = m.run({ stopAtCpl: 0 });
    expect(s3.events[0]).toMatchObject({ vector: 6, cpl: 2, rip: ring2 });
    expect(m.get('rsp')).toBe(KSTACK_TOP - 40n); // RSP0
    expect(m.memory.readU64(m.get('rsp') + 8n)).toBe(0x62n);
  });

  it('an IRET from ring 1 to ring 0 (inner) raises #GP(selector)', () => {
    const m = ringMachine();
    const ring1 = KCODE + 0x100n;
    m.memory.write(ring1, Uint8Array.of(0x48, 0xcf));
    frame(m, [ring1, 0x51n, 0x2n, KSTACK_TOP - 0x800n, 0x59n]);
    m.run({ stopAtCpl: 1 });
    // the ring-1 stack now holds garbage: give it a frame back to ring 0
    for (const [i, v] of [KCODE, BigInt(KERNEL_CS), 0x2n, KSTACK_TOP, BigInt(KERNEL_DS)].entries()) m.memory.writeU64(KSTACK_TOP - 0x800n + BigInt(i * 8), v);
    expect(m.run({ stopAtCpl: 0 }).events[0]).toMatchObject({ vector: 13, errorCode: KERNEL_CS, cpl: 1 });
  });
});
