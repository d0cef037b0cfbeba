// 4-level paging through CR3 (machine option paging: 'paged'): translation with 4 KiB, 2 MiB and
// 1 GiB pages, U/S, R/W, NX, accessed/dirty bits, #PF error codes with RSVD, CR3 switches and INVLPG.
import { describe, expect, it } from 'vitest';
import { Machine } from '../../../emulator/index.js';
import { asm } from '../helpers/asm.js';

const P = 1n, RW = 2n, US = 4n, A = 0x20n, D = 0x40n, PS = 0x80n, NX = 1n << 63n;
const PML4 = 0x1000n, PDPT = 0x2000n, PD = 0x3000n, PT = 0x4000n;

/** Physical memory 0..4 MiB; page tables at 0x1000..0x4fff mapping what each test asks for. */
function pagedMachine(): Machine {
  const m = new Machine({ paging: 'paged' });
  m.memory.map(0n, 0x400000, 'rwx');
  m.memory.writeU64(PML4, PDPT | P | RW | US);
  m.memory.writeU64(PDPT, PD | P | RW | US);
  m.memory.writeU64(PD, PT | P | RW | US);
  m.set('cr3', PML4);
  return m;
}

function mapPage(m: Machine, virtIndex: number, phys: bigint, flags: bigint): void {
  m.memory.writeU64(PT + BigInt(virtIndex * 8), phys | flags);
}

describe('4-level paging', () => {
  it('translates 4 KiB pages and sets accessed and dirty bits', () => {
    const m = pagedMachine();
    mapPage(m, 0x10, 0x100000n, P | RW); // code at virtual 0x10000 -> physical 0x100000
    mapPage(m, 0x20, 0x200000n, P | RW); // data at virtual 0x20000 -> physical 0x200000
    m.memory.write(0x100000n, asm('mov 0x20008, %rax\nmovq $7, 0x20010\nhlt'));
    m.memory.writeU64(0x200008n, 0x1122334455667788n);
    m.set('rip', 0x10000n);
    expect(m.run().reason).toBe('hlt');
    expect(m.get('rax')).toBe(0x1122334455667788n);
    expect(m.memory.readU64(0x200010n)).toBe(7n);
    expect(m.memory.readU64(PT + 0x10n * 8n) & (A | D)).toBe(A); // code: accessed, not dirty
    expect(m.memory.readU64(PT + 0x20n * 8n) & (A | D)).toBe(A | D);
    expect(m.memory.readU64(PML4) & A).toBe(A);
  });

  it('translates 2 MiB pages (PS in the PD) and 1 GiB pages (PS in the PDPT)', () => {
    const m = pagedMachine();
    m.memory.writeU64(PD + 8n, 0x200000n | P | RW | PS); // virtual 2 MiB..4 MiB -> physical 2 MiB
    m.memory.writeU64(PDPT + 8n, 0n | P | RW | PS); // virtual 1 GiB.. -> physical 0
    mapPage(m, 0x10, 0x100000n, P);
    m.memory.write(0x100000n, asm('mov 0x234560, %rax\nmov 0x40000000 + 0x300000, %rbx\nhlt'));
    m.memory.writeU64(0x234560n, 42n);
    m.memory.writeU64(0x300000n, 43n);
    m.set('rip', 0x10000n);
    expect(m.run().reason).toBe('hlt');
    expect([m.get('rax'), m.get('rbx')]).toEqual([42n, 43n]);
  });

  it('faults with P, W, U, I and RSVD in the error code as the access and entries say', () => {
    const cases: [string, bigint, number][] = [
      ['mov 0x30000, %rax', 0n, 0x0], // not present, read, supervisor
      ['movq $1, 0x30000', P, 0x3], // present read-only, write (CR0.WP)
      ['mov 0x30000, %rax', P | RW | NX, 0x8 | 0x1], // NX without EFER.NXE: reserved bit
    ];
    for (const [code, flags, err] of cases) {
      const m = pagedMachine();
      mapPage(m, 0x10, 0x100000n, P);
      mapPage(m, 0x30, 0x300000n, flags);
      if (flags & NX) m.set('efer', m.get('efer') & ~(1n << 11n));
      m.memory.write(0x100000n, asm(`${code}\nhlt`));
      m.set('rip', 0x10000n);
      const stop = m.run();
      expect(stop.reason, code).toBe('exception');
      expect(stop.exception, code).toMatchObject({ vector: 14, errorCode: err, cr2: 0x30000n });
    }
  });

  it('enforces U/S at CPL 3 and NX on fetches', () => {
    const m = pagedMachine();
    mapPage(m, 0x10, 0x100000n, P | US);
    mapPage(m, 0x11, 0x110000n, P | US | NX);
    mapPage(m, 0x30, 0x300000n, P | RW); // supervisor only
    m.memory.write(0x100000n, asm('mov 0x30000, %rax'));
    m.setSegment('cs', { selector: 0x33, base: 0n, limit: 0xffffffff, type: 0xb, s: true, dpl: 3, present: true, long: true, granularity: true });
    m.set('rip', 0x10000n);
    expect(m.run().exception).toMatchObject({ vector: 14, errorCode: 0x5, cr2: 0x30000n });
    m.set('rip', 0x11000n);
    expect(m.run().exception).toMatchObject({ vector: 14, errorCode: 0x15, cr2: 0x11000n });
  });

  it('a CR3 write switches address spaces, and INVLPG makes a changed PTE take effect', () => {
    const m = pagedMachine();
    // A second PML4 at 0x5000 with its own tables: same code page, another data page.
    m.memory.writeU64(0x5000n, 0x6000n | P | RW);
    m.memory.writeU64(0x6000n, 0x7000n | P | RW);
    m.memory.writeU64(0x7000n, 0x9000n | P | RW);
    for (const pt of [PT, 0x9000n]) {
      m.memory.writeU64(pt + 0x10n * 8n, 0x100000n | P);
      m.memory.writeU64(pt + 0x4n * 8n, 0x9000n | P | RW); // the second PT itself, at virtual 0x4000
    }
    m.memory.writeU64(PT + 0x20n * 8n, 0x200000n | P | RW);
    m.memory.writeU64(0x9000n + 0x20n * 8n, 0x210000n | P | RW);
    m.memory.writeU64(0x200000n, 1n);
    m.memory.writeU64(0x210000n, 2n);
    m.memory.writeU64(0x230000n, 3n);
    m.memory.write(0x100000n, asm(`
      mov 0x20000, %rax
      mov $0x5000, %ecx
      mov %rcx, %cr3
      mov 0x20000, %rbx
      movq $0x230003, 0x4000 + 0x20 * 8
      invlpg 0x20000
      mov 0x20000, %rsi
      hlt
    `));
    m.set('rip', 0x10000n);
    expect(m.run().reason).toBe('hlt');
    expect([m.get('rax'), m.get('rbx'), m.get('rsi')]).toEqual([1n, 2n, 3n]);
  });
});
