// Guest memory as the harness uses it: mapping and permissions, outside access, devices, accesses
// and instructions that straddle pages, code that changes under the decode cache, and copy-on-write
// snapshots that stay exact when the guest or the caller writes after them.
import { describe, expect, it } from 'vitest';
import { BadMapping, Machine } from '../../emulator/index.js';
import { asm } from './helpers/asm.js';

function machineWith(code: string, at = 0x1000n): Machine {
  const m = new Machine();
  m.memory.load(at, asm(code, at), 'rwx');
  m.set('rip', at);
  return m;
}

describe('memory map and outside access', () => {
  it('reads and writes typed values without permission checks, and refuses unmapped addresses', () => {
    const m = new Machine();
    m.memory.map(0xffffffff81000000n, 0x2000, 'rx');
    m.memory.writeU64(0xffffffff81000ffcn, 0x1122334455667788n); // straddles the two pages
    expect(m.memory.readU64(0xffffffff81000ffcn)).toBe(0x1122334455667788n);
    expect(m.memory.readU64Pair(0xffffffff81000ffcn)).toEqual([0x55667788, 0x11223344]);
    expect(m.memory.readU32(0xffffffff81001000n)).toBe(0x11223344);
    expect(() => m.memory.readU8(0x5000n)).toThrow(BadMapping);
    expect(() => m.memory.map(0xffffffff81001000n, 0x1000)).toThrow(/already mapped/);
    expect(() => m.memory.map(0x123n, 0x1000)).toThrow(/multiples of 4096/);
    expect(m.memory.isMapped(0xffffffff81001fffn)).toBe(true);
    expect(m.memory.isMapped(0xffffffff81001fffn, 2)).toBe(false);
  });

  it('guest accesses straddling a page boundary work, and fault on the unmapped half with its address', () => {
    const m = machineWith('mov 0x2ffc, %rax\nmov %rax, 0x2ff9\nmov 0x3ffc, %rbx\nhlt');
    m.memory.map(0x2000n, 0x2000, 'rw');
    m.memory.writeU64(0x2ffcn, 0xa1a2a3a4a5a6a7a8n);
    const stop = m.run();
    expect(m.get('rax')).toBe(0xa1a2a3a4a5a6a7a8n);
    expect(m.memory.readU64(0x2ff9n)).toBe(0xa1a2a3a4a5a6a7a8n);
    expect(stop.exception).toMatchObject({ vector: 14, cr2: 0x4000n, errorCode: 0 });
  });

  it('an instruction straddling into an unmapped page faults on the fetch of that page', () => {
    const m = new Machine();
    m.memory.map(0x1000n, 0x1000, 'rx');
    m.memory.write(0x1ffdn, Uint8Array.of(0x48, 0xc7, 0xc0)); // mov $imm32, %rax: 4 more bytes on the next page
    m.set('rip', 0x1ffdn);
    expect(m.run().exception).toMatchObject({ vector: 14, cr2: 0x2000n, errorCode: 0x10 });
  });

  it('memory-mapped devices see guest reads and writes at region offsets', () => {
    const m = machineWith('mov $0xfee00000, %ebx\nmovl $0xdeadbeef, 0xb0(%rbx)\nmov 0x20(%rbx), %eax\nhlt');
    const seen: string[] = [];
    m.memory.mapDevice(0xfee00000n, 0x1000, {
      read: (off, size) => (seen.push(`r${size}@${off.toString(16)}`), off === 0x20 ? 0x5000000n : 0n),
      write: (off, size, v) => void seen.push(`w${size}@${off.toString(16)}=${v.toString(16)}`),
    });
    expect(m.run().reason).toBe('hlt');
    expect(seen).toEqual(['w4@b0=deadbeef', 'r4@20']);
    expect(m.get('rax')).toBe(0x5000000n);
  });
});

describe('code that changes', () => {
  it('a guest store into its own code is seen by the next execution (self-modifying code)', () => {
    // Patch the imm32 of the mov at label 2 from 1 to 42, then run it.
    const m = machineWith('movl $42, 2f+3(%rip)\n2: mov $1, %rbx\nhlt');
    expect(m.run().reason).toBe('hlt');
    expect(m.get('rbx')).toBe(42n);
  });

  it('a caller write into decoded code (alternatives patching) replaces the decoded instruction', () => {
    const m = machineWith('1: mov $1, %eax\njmp 1b');
    m.run({ maxInstructions: 10 });
    expect(m.get('rax')).toBe(1n);
    m.memory.write(0x1001n, Uint8Array.of(7, 0, 0, 0));
    m.run({ maxInstructions: 10 });
    expect(m.get('rax')).toBe(7n);
  });

  it('protect() removing execute permission makes the next fetch fault', () => {
    const m = machineWith('1: inc %rax\njmp 1b');
    m.run({ maxInstructions: 10 });
    m.memory.protect(0x1000n, 0x1000, 'r');
    expect(m.run({ maxInstructions: 10 }).exception).toMatchObject({ vector: 14, cr2: 0x1000n, errorCode: 0x11 });
  });
});

describe('copy-on-write snapshots', () => {
  it('writes after a snapshot (guest or caller) do not leak into it, over many restores', () => {
    const m = machineWith('incq 0x8000\nmovq $5, 0x8008\nhlt');
    m.memory.map(0x8000n, 0x1000, 'rw');
    m.memory.writeU64(0x8000n, 100n);
    const snap = m.snapshot();
    for (let i = 0; i < 50; i++) {
      m.run();
      expect(m.memory.readU64(0x8000n)).toBe(101n);
      m.memory.writeU64(0x8010n, BigInt(i));
      m.restore(snap);
      expect(m.memory.readU64(0x8000n)).toBe(100n);
      expect(m.memory.readU64(0x8008n)).toBe(0n);
      expect(m.memory.readU64(0x8010n)).toBe(0n);
      expect(m.get('rip')).toBe(0x1000n);
    }
  });

  it('restores pages mapped or unmapped after the snapshot, and an older snapshot', () => {
    const m = new Machine();
    m.memory.map(0x1000n, 0x1000, 'rw');
    m.memory.writeU8(0x1000n, 1);
    const s1 = m.snapshot();
    m.memory.writeU8(0x1000n, 2);
    m.memory.map(0x5000n, 0x1000, 'rw');
    const s2 = m.snapshot();
    m.memory.unmap(0x1000n, 0x1000);
    m.restore(s2);
    expect(m.memory.readU8(0x1000n)).toBe(2);
    expect(m.memory.isMapped(0x5000n)).toBe(true);
    m.restore(s1);
    expect(m.memory.readU8(0x1000n)).toBe(1);
    expect(m.memory.isMapped(0x5000n)).toBe(false);
  });

  it('restores registers, flags, MSRs, pending events and the instruction count', () => {
    const m = machineWith('add $1, %rax\nhlt');
    m.set('rax', -1n);
    m.setMsr(0xc0000102, 0x1234n);
    m.injectInterrupt(0x30, 1_000_000);
    const snap = m.snapshot();
    m.run();
    m.setMsr(0xc0000102, 0n);
    m.clearPendingEvents();
    m.restore(snap);
    expect(m.get('rax')).toBe(0xffffffffffffffffn);
    expect(m.get('rflags')).toBe(2n);
    expect(m.getMsr(0xc0000102)).toBe(0x1234n);
    expect(m.pendingEvents.scheduled).toEqual([{ at: 1_000_000, nmi: false, vector: 0x30 }]);
    expect(m.instructions).toBe(0);
    m.run();
    expect(m.get('rflags') & 0x41n).toBe(0x41n); // CF and ZF from the add, as on the first run
  });
});
