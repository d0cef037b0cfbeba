// asm-offsets.h, .config and the pt_regs layout derived from them.
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { parseAsmOffsets, parseKernelConfig, configEnabled } from '../../../emulator/kernel/build-files.js';
import { ptRegsLayout } from '../../../emulator/kernel/vmlinux.js';
import { ProfileMismatch } from '../../../emulator/kernel/errors.js';

const real = fs.readFileSync(path.resolve(__dirname, '../../fixtures/kernel/asm-offsets-6.12.h'), 'utf8');

describe('asm-offsets.h', () => {
  it('reads every define with its value and the expression kbuild noted', () => {
    const o = parseAsmOffsets(real);
    expect(o.get('pt_regs_bx')).toEqual({ value: 40, expression: 'offsetof(struct pt_regs, bx)' });
    expect(o.get('MASK_entry_stack')?.value).toBe(-4096);
    expect(o.get('TSS_sp2')?.value).toBe(20);
  });

  it('derives the pt_regs slots asm-offsets.h leaves out from the struct order', () => {
    const layout = ptRegsLayout(parseAsmOffsets(real));
    expect(layout).toMatchObject({ r15: 0, bx: 40, ax: 80, cx: 88, di: 112, orig_ax: 120, ip: 128, cs: 136, flags: 144, sp: 152, ss: 160, size: 168 });
    expect(layout.derived.sort()).toEqual(['ax', 'cs', 'ip', 'orig_ax', 'ss']);
  });

  it('follows a reordered struct where the header says so, and refuses an impossible one', () => {
    // A header claiming two slots at one offset cannot be a pt_regs.
    const broken = real.replace('#define pt_regs_si 104', '#define pt_regs_si 112');
    expect(() => ptRegsLayout(parseAsmOffsets(broken))).toThrow(ProfileMismatch);
    expect(() => ptRegsLayout(new Map())).toThrow(/no pt_regs_\* offsets/);
  });
});

describe('.config', () => {
  it('reads y/m/strings and leaves "is not set" out', () => {
    const c = parseKernelConfig('CONFIG_AUDIT=y\n# CONFIG_SECCOMP is not set\nCONFIG_LOCALVERSION="-eb \\"x\\""\nCONFIG_HZ=250\n');
    expect(configEnabled(c, 'AUDIT')).toBe(true);
    expect(configEnabled(c, 'CONFIG_SECCOMP')).toBe(false);
    expect(c.get('CONFIG_LOCALVERSION')).toBe('-eb "x"');
    expect(c.get('CONFIG_HZ')).toBe('250');
  });
});
