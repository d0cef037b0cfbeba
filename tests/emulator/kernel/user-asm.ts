// Assembles a scenario's user program with GNU as and ld at its load address, so the bytes and
// label offsets in the scenario files can be checked against (and regenerated from) their source.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { parseElf } from '../../../emulator/kernel/elf.js';

export interface Assembled {
  bytes: Uint8Array;
  labels: Record<string, number>;
}

export function assembleUser(mode: 64 | 32, base: bigint, lines: string[]): Assembled {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-uasm-'));
  try {
    const labels = new Set<string>();
    for (const l of lines) {
      const m = /^\s*([A-Za-z_][\w]*):/.exec(l);
      if (m) labels.add(m[1]);
    }
    const src = [`\t.code${mode}`, '\t.text', ...[...labels].map((l) => `\t.globl ${l}`), ...lines, ''].join('\n');
    fs.writeFileSync(path.join(dir, 'u.S'), src);
    execFileSync('as', [mode === 64 ? '--64' : '--32', '-o', path.join(dir, 'u.o'), path.join(dir, 'u.S')], { stdio: ['ignore', 'ignore', 'pipe'] });
    execFileSync('ld', [...(mode === 32 ? ['-m', 'elf_i386'] : []), '-nostdlib', '-static', `-Ttext=0x${base.toString(16)}`, '-e', '0', path.join(dir, 'u.o'), '-o', path.join(dir, 'u.elf')], { stdio: ['ignore', 'ignore', 'pipe'] });
    const elf = parseElf64or32(fs.readFileSync(path.join(dir, 'u.elf')));
    return elf;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** ld -m elf_i386 writes ELF32; convert through objcopy to keep one reader. */
function parseElf64or32(bytes: Buffer): Assembled {
  if (bytes[4] === 1) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-uasm32-'));
    try {
      fs.writeFileSync(path.join(dir, 'a.elf'), bytes);
      execFileSync('objcopy', ['-O', 'elf64-x86-64', path.join(dir, 'a.elf'), path.join(dir, 'b.elf')]);
      return parseElf64or32(fs.readFileSync(path.join(dir, 'b.elf')));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  const elf = parseElf(bytes);
  const text = elf.sections.find((s) => s.name === '.text');
  if (!text) throw new Error('no .text');
  const out = Uint8Array.from(elf.bytes.subarray(text.offset, text.offset + text.size));
  const labels: Record<string, number> = {};
  for (const s of elf.symbols) {
    if (s.value >= text.addr && s.value <= text.addr + BigInt(text.size) && !s.name.startsWith('.')) labels[s.name] = Number(s.value - text.addr);
  }
  return { bytes: out, labels };
}

export function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}
