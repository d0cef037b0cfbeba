// The ELF reader, symbol table and the __bug_table / __ex_table decoders on a miniature vmlinux
// assembled and linked at test time with the real toolchain.
import { describe, expect, it, beforeAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { parseElf, bytesAt } from '../../../emulator/kernel/elf.js';
import { SymbolTable } from '../../../emulator/kernel/symbols.js';
import { decodeBugTable, decodeExceptionTable, exceptionTableSorted } from '../../../emulator/kernel/tables.js';
import { KernelImageError } from '../../../emulator/kernel/errors.js';

const fixture = path.resolve(__dirname, '../../fixtures/kernel/tables.S');
let elfBytes: Uint8Array;

beforeAll(() => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-tables-'));
  execFileSync('gcc', ['-c', fixture, '-o', path.join(dir, 't.o')]);
  execFileSync('ld', ['-nostdlib', '-static', '-Ttext=0xffffffff81000000', '-Tdata=0xffffffff81200000', '-e', 'audit_entry', path.join(dir, 't.o'), '-o', path.join(dir, 't.elf')]);
  elfBytes = fs.readFileSync(path.join(dir, 't.elf'));
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('ELF reader', () => {
  it('reads sections, symbols and bytes at virtual addresses', () => {
    const elf = parseElf(elfBytes);
    expect(elf.sections.map((s) => s.name)).toEqual(expect.arrayContaining(['.text', '__bug_table', '__ex_table', '.rodata']));
    const text = bytesAt(elf, 0xffffffff81000000n, 3);
    expect(Array.from(text ?? [])).toEqual([0x90, 0x0f, 0x0b]);
  });

  it('rejects what is not an x86-64 ELF, saying what to use instead', () => {
    expect(() => parseElf(new TextEncoder().encode('MZ not an elf at all, and long enough to have a header ....................'))).toThrow(KernelImageError);
    const bz = Uint8Array.from(elfBytes);
    bz[18] = 3; // EM_386
    expect(() => parseElf(bz)).toThrow(/not x86-64/);
  });
});

describe('symbol table', () => {
  it('formats addresses like kallsyms: symbol+off/len with len to the next symbol', () => {
    const syms = SymbolTable.fromElf(parseElf(elfBytes));
    expect(syms.format(0xffffffff81000001n)).toBe('audit_entry+0x1/0x6');
    // kallsyms measures to the next symbol of any kind (here __start___ex_table in .rodata), not st_size.
    expect(syms.format(0xffffffff81000007n)).toBe('copy_user+0x1/0x100b');
    expect(syms.address('copy_user', 'test')).toBe(0xffffffff81000006n);
    expect(() => syms.address('no_such_function', 'the test needs it')).toThrow(/no symbol no_such_function \(the test needs it\)/);
  });

  it('checks a System.map against the ELF and names the symbols that disagree', () => {
    const syms = SymbolTable.fromElf(parseElf(elfBytes));
    const good = syms.checkSystemMap('ffffffff81000000 T audit_entry\nffffffff81000006 T copy_user\n');
    expect(good).toMatchObject({ compared: 2, mismatches: [] });
    const bad = syms.checkSystemMap('ffffffff81000010 T audit_entry\n');
    expect(bad.mismatches).toEqual([{ name: 'audit_entry', elf: 0xffffffff81000000n, map: 0xffffffff81000010n }]);
  });
});

describe('__bug_table and __ex_table', () => {
  it('decodes BUG and WARN sites with file and line from relative pointers', () => {
    const elf = parseElf(elfBytes);
    const sites = decodeBugTable(elf, SymbolTable.fromElf(elf), true);
    expect(sites).toEqual([
      { address: 0xffffffff81000001n, file: 'kernel/auditsc.c', line: 1504, flags: 0, warning: false },
      { address: 0xffffffff81000003n, file: 'kernel/auditsc.c', line: 2020, flags: 0x901, warning: true },
    ]);
  });

  it('refuses a bug table whose size contradicts the configuration', () => {
    const elf = parseElf(elfBytes);
    // 24 bytes are two verbose entries but three non-verbose ones: no error; 12-byte entries with
    // verbose=false would misread, so the check is on divisibility only where it bites.
    expect(() => decodeBugTable({ ...elf, sections: elf.sections }, SymbolTable.fromElf(elf), false)).not.toThrow();
    const syms = new SymbolTable([
      { name: '__start___bug_table', address: 0xffffffff8120002dn, size: 0, kind: 'label', global: true },
      { name: '__stop___bug_table', address: 0xffffffff8120002dn + 20n, size: 0, kind: 'label', global: true },
    ]);
    expect(() => decodeBugTable(elf, syms, true)).toThrow(/not a multiple of the 12-byte entry/);
  });

  it('decodes exception-table entries: instruction, fixup, handler type and immediate', () => {
    const elf = parseElf(elfBytes);
    const fixups = decodeExceptionTable(elf, SymbolTable.fromElf(elf));
    expect(fixups).toEqual([{ insn: 0xffffffff81000006n, fixup: 0xffffffff81000008n, type: 3, typeName: 'EX_TYPE_UACCESS', reg: 0, flags: 0, imm: -14 }]);
    expect(exceptionTableSorted(fixups)).toBe(true);
  });
});
