// Privileged instructions at CPL 3 raise #GP(0) (or #UD where the SDM says so), the instructions
// CR4 bits gate (UMIP, TSD, FSGSBASE, OSXSAVE), and what the CPL-0 versions do: CR/DR/MSR access,
// descriptor tables, LTR busy bit, VERW/LSL, CPUID model, deterministic TSC, port I/O and IOPL.
import { describe, expect, it } from 'vitest';
import { CpuidModel } from '../../../emulator/index.js';
import { GDT, KERNEL_DS, TSS_SEL, USER_DS, UTEXT, enterUser, kernelCode, testMachine } from '../helpers/machine.js';

const GP_AT_CPL3 = [
  'hlt', 'cli', 'sti', 'rdmsr', 'wrmsr', 'mov %cr0, %rax', 'mov %rax, %cr3', 'mov %cr4, %rax', 'mov %dr7, %rax', 'mov %rax, %dr0',
  'lgdt (%rsp)', 'lidt (%rsp)', 'ltr %ax', 'lldt %ax', 'invlpg (%rsp)', 'wbinvd', 'invd', 'swapgs', 'sysretq', 'sysexit', 'clts',
  'in $0x60, %al', 'out %al, $0x80', 'in %dx, %eax', 'lmsw %ax', 'iretq',
];

describe('privileged instructions at CPL 3', () => {
  for (const insn of GP_AT_CPL3) {
    it(`${insn}: #GP(0)`, () => {
      const m = testMachine({ user: insn });
      enterUser(m);
      m.set('rflags', 0x202n); // IOPL 0
      m.set('rax', 0x8n);
      expect(m.run({ stopAtCpl: 0 }).events[0], insn).toMatchObject({ vector: 13, errorCode: 0, rip: UTEXT });
    });
  }

  it('clac/stac raise #UD at CPL 3', () => {
    for (const insn of ['clac', 'stac']) {
      const m = testMachine({ user: insn });
      enterUser(m);
      expect(m.run({ stopAtCpl: 0 }).events[0]).toMatchObject({ vector: 6 });
    }
  });

  it('sgdt/sidt/str/smsw work at CPL 3 unless CR4.UMIP', () => {
    for (const umip of [false, true]) {
      const m = testMachine({ user: 'sgdt -16(%rsp)\nsidt -32(%rsp)\nstr %eax\nsmsw %ebx\nud2' });
      if (umip) m.set('cr4', m.get('cr4') | (1n << 11n));
      enterUser(m);
      const [ev] = m.run({ stopAtCpl: 0 }).events;
      if (umip) expect(ev).toMatchObject({ vector: 13, rip: UTEXT });
      else {
        expect(ev.vector).toBe(6);
        expect(m.get('rax')).toBe(BigInt(TSS_SEL));
        expect(m.get('rbx') & 1n).toBe(1n); // CR0.PE
      }
    }
  });

  it('rdtsc at CPL 3 raises #GP only with CR4.TSD; the TSC is deterministic (retired instructions)', () => {
    const m = testMachine({ user: 'nop\nnop\nrdtsc\nud2' });
    enterUser(m);
    m.tsc = 1000n;
    const before = m.instructions;
    m.run({ stopAtCpl: 0 });
    expect((m.get('rdx') << 32n) | m.get('rax')).toBe(1000n + 2n);
    expect(m.instructions - before).toBe(3);
    const n = testMachine({ user: 'rdtsc' });
    n.set('cr4', n.get('cr4') | 4n);
    enterUser(n);
    expect(n.run({ stopAtCpl: 0 }).events[0]).toMatchObject({ vector: 13 });
  });

  it('rd/wrfsbase: #UD without CR4.FSGSBASE, work with it', () => {
    const m = testMachine({ user: 'mov $0x7f0000001000, %rax\nwrfsbase %rax\nrdfsbase %rbx\nud2' });
    enterUser(m);
    expect(m.run({ stopAtCpl: 0 }).events[0]).toMatchObject({ vector: 6, rip: UTEXT + 10n });
    const n = testMachine({ user: 'mov $0x7f0000001000, %rax\nwrfsbase %rax\nrdfsbase %rbx\nud2' });
    n.set('cr4', n.get('cr4') | (1n << 16n));
    enterUser(n);
    n.run({ stopAtCpl: 0 });
    expect(n.get('fs_base')).toBe(0x7f0000001000n);
    expect(n.get('rbx')).toBe(0x7f0000001000n);
  });

  it('in/out are allowed at CPL 3 with IOPL 3 and reach the port handlers', () => {
    const m = testMachine({ user: 'mov $0x61, %dx\nin %dx, %al\nmov %al, %bl\nmov $0x5a, %al\nout %al, $0x80\nud2' });
    const outs: [number, number, number][] = [];
    m.onPortIn = (port, size) => (port === 0x61 && size === 1 ? 0x30 : 0xff);
    m.onPortOut = (port, size, value) => outs.push([port, size, value]);
    enterUser(m);
    m.set('rflags', 0x3202n);
    m.run({ stopAtCpl: 0 });
    expect(m.get('rbx') & 0xffn).toBe(0x30n);
    expect(outs).toEqual([[0x80, 1, 0x5a]]);
  });
});

describe('CPL 0 system state', () => {
  it('mov to CR4 with reserved bits raises #GP(0); CR0/CR3/CR4 read back', () => {
    const m = testMachine();
    kernelCode(m, 'mov %cr4, %rax\nor $0x10000, %rax\nmov %rax, %cr4\nmov %cr4, %rbx\nmov $0x1000, %ecx\nmov %rcx, %cr3\nmov %cr3, %rdx\nmov $1, %esi\nshl $40, %rsi\nmov %rsi, %cr4');
    const stop = m.run({ onEvent: () => 'stop' });
    expect(m.get('rbx') & 0x10000n).toBe(0x10000n);
    expect(m.get('rdx')).toBe(0x1000n);
    expect(stop.events[0]).toMatchObject({ vector: 13, errorCode: 0 });
  });

  it('WRMSR of a non-canonical LSTAR raises #GP(0); EFER reserved bits too', () => {
    for (const [msr, hi, lo] of [[0xc0000082, 0x00008000, 0], [0xc0000080, 0, 0x100000]]) {
      const m = testMachine();
      kernelCode(m, `mov $${msr}, %ecx\nmov $${hi}, %edx\nmov $${lo}, %eax\nwrmsr\nhlt`);
      expect(m.run().events[0], `msr ${msr.toString(16)}`).toMatchObject({ vector: 13, errorCode: 0 });
    }
  });

  it('LTR marks the TSS descriptor busy; loading it again raises #GP(selector)', () => {
    const m = testMachine();
    const d = m.memory.readU64(GDT + 8n * 8n);
    m.memory.writeU64(GDT + 8n * 8n, d & ~(2n << 40n)); // available (type 9)
    kernelCode(m, `mov $${TSS_SEL}, %eax\nltr %ax\nltr %ax\nhlt`);
    const stop = m.run();
    expect((m.memory.readU64(GDT + 8n * 8n) >> 40n) & 0xfn).toBe(0xbn);
    expect(stop.events[0]).toMatchObject({ vector: 13, errorCode: TSS_SEL });
  });

  it('lgdt/lidt then sgdt/sidt round-trip a 64-bit base', () => {
    const m = testMachine();
    kernelCode(m, 'sub $32, %rsp\nmovw $0x1234, (%rsp)\nmovabs $0xffff888012345000, %rax\nmov %rax, 2(%rsp)\nlidt (%rsp)\nsidt 16(%rsp)\nmov 18(%rsp), %rbx\nmovzwl 16(%rsp), %ecx\nhlt');
    m.run();
    expect(m.getTable('idtr')).toEqual({ base: 0xffff888012345000n, limit: 0x1234 });
    expect(m.get('rbx')).toBe(0xffff888012345000n);
    expect(m.get('rcx')).toBe(0x1234n);
  });

  it('verw sets ZF for a writable data segment at CPL 0 and clears it for code; lsl gives the limit', () => {
    const m = testMachine();
    kernelCode(m, `mov $${KERNEL_DS}, %eax\nverw %ax\nsetz %bl\nmov $0x10, %eax\nverw %ax\nsetz %cl\nmov $${USER_DS}, %edx\nlsl %edx, %esi\nsetz %dil\nhlt`);
    m.run();
    expect([m.get('rbx') & 1n, m.get('rcx') & 1n, m.get('rdi') & 1n, m.get('rsi')]).toEqual([1n, 0n, 1n, 0xffffffffn]);
  });

  it('cpuid answers from the caller-chosen model', () => {
    const cpuid = new CpuidModel({ vendor: 'amd' });
    cpuid.setFeature('smap', false);
    cpuid.set(0x40000000, undefined, [0x1234, 0, 0, 0]);
    const m = testMachine({ cpuid });
    kernelCode(m, 'xor %eax, %eax\ncpuid\nmov %ebx, %r8d\nmov $7, %eax\nxor %ecx, %ecx\ncpuid\nmov %ebx, %r9d\nmov $0x40000000, %eax\ncpuid\nhlt');
    m.run();
    expect(Buffer.from(new Uint32Array([Number(m.get('r8'))]).buffer).toString()).toBe('Auth');
    expect(m.get('r9') & (1n << 20n)).toBe(0n);
    expect(m.get('r9') & (1n << 7n)).toBe(1n << 7n); // SMEP still advertised
    expect(m.get('rax')).toBe(0x1234n);
  });
});

describe('more instruction rules', () => {
  it('popf at CPL 3 (IOPL 0) keeps IF and IOPL; at CPL 0 it loads them', () => {
    const u = testMachine({ user: 'pushq $0x3cd7\npopfq\npushfq\npop %rbx\nud2' });
    enterUser(u);
    u.set('rflags', 0x202n);
    u.run({ stopAtCpl: 0 });
    expect(u.get('rbx') & 0x3fffn).toBe(0x0cd7n | 0x200n | 0x2n);
    const k = testMachine();
    kernelCode(k, 'pushq $0x3cd7\npopfq\npushfq\npop %rbx\nhlt');
    k.set('rflags', 0x202n);
    k.run({ maxInstructions: 4 });
    expect(k.get('rbx') & 0x3fffn).toBe(0x3cd7n);
  });

  it('rdtscp returns TSC_AUX in ECX and rdpid returns it in a register, when CPUID says they exist', () => {
    const cpuid = new CpuidModel();
    cpuid.setFeature('rdtscp', true);
    cpuid.setFeature('rdpid', true);
    const m = testMachine({ cpuid });
    m.setMsr(0xc0000103, 7n);
    kernelCode(m, 'rdtscp\nmov %ecx, %r8d\nrdpid %r9\nhlt');
    m.run();
    expect([m.get('r8'), m.get('r9')]).toEqual([7n, 7n]);
    const n = testMachine();
    kernelCode(n, 'rdtscp');
    expect(n.run().events[0]).toMatchObject({ vector: 6 });
  });

  it('xgetbv needs CR4.OSXSAVE and reads XCR0', () => {
    const m = testMachine();
    kernelCode(m, 'xor %ecx, %ecx\nxgetbv\nhlt');
    expect(m.run().events[0]).toMatchObject({ vector: 6 });
    const n = testMachine();
    n.set('cr4', n.get('cr4') | (1n << 18n));
    kernelCode(n, 'xor %ecx, %ecx\nxgetbv\nhlt');
    expect(n.run().reason).toBe('hlt');
    expect([n.get('rax'), n.get('rdx')]).toEqual([1n, 0n]);
  });

  it('cmpxchg16b on a misaligned operand raises #GP(0)', () => {
    const m = testMachine();
    kernelCode(m, 'lea -24(%rsp), %rdi\nlock cmpxchg16b (%rdi)\nhlt');
    expect(m.run().events[0]).toMatchObject({ vector: 13, errorCode: 0 });
  });
});
