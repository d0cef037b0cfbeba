// SYSCALL / SYSRET / SYSENTER / SYSEXIT / SWAPGS against the Intel SDM (vol. 2B, 4.3): what is saved,
// what is loaded, which fault when, and the vendor differences (AMD: SYSCALL in compatibility mode,
// no SYSENTER in long mode, SYSRET to a non-canonical RIP).
import { describe, expect, it } from 'vitest';
import { KERNEL_CS, KERNEL_DS, KSTACK_TOP, SYSCALL_ENTRY, USER32_CS, USER_CS, USER_DS, USTACK_TOP, UTEXT, enterUser, kernelCode, KCODE, testMachine } from '../helpers/machine.js';

const CSTAR = 0xc0000083, EFER = 0xc0000080;
const SYSENTER_CS = 0x174, SYSENTER_ESP = 0x175, SYSENTER_EIP = 0x176;

describe('SYSCALL', () => {
  it('saves RIP in RCX and RFLAGS (RF clear) in R11, masks RFLAGS with FMASK, loads CS/SS from STAR and RIP from LSTAR', () => {
    const m = testMachine({ user: 'syscall', syscallEntry: 'hlt' });
    enterUser(m);
    m.set('rflags', 0x10000n | 0x200n | 0x100n | 0xcd5n); // RF, IF, TF and arithmetic flags
    m.set('rsp', 0x7ff123n);
    const stop = m.run({ stopAtCpl: 0 });
    expect(stop.reason).toBe('cpl');
    expect(stop.via?.instruction).toBe('syscall');
    expect(m.get('rip')).toBe(SYSCALL_ENTRY);
    expect(m.get('rcx')).toBe(UTEXT + 2n);
    expect(m.get('r11')).toBe(0x200n | 0x100n | 0xcd5n | 0x2n); // RF cleared in the saved copy
    // FMASK 0x47700 clears TF, IF, DF, IOPL, NT, AC; RF is cleared too
    expect(m.get('rflags')).toBe((0xcd5n | 0x2n) & ~0x47700n);
    expect(m.getSegment('cs')).toMatchObject({ selector: KERNEL_CS, dpl: 0, long: true, db: false, base: 0n, limit: 0xffffffff });
    expect(m.getSegment('ss')).toMatchObject({ selector: KERNEL_DS, dpl: 0, type: 3, db: true });
    expect(m.cpl).toBe(0);
    expect(m.get('rsp')).toBe(0x7ff123n); // SYSCALL does not switch stacks
  });

  it('raises #UD when EFER.SCE is clear', () => {
    const m = testMachine({ user: 'syscall' });
    m.setMsr(EFER, 0xd00n); // LME LMA NXE, no SCE
    enterUser(m);
    const stop = m.run({ stopAtCpl: 0 });
    expect(stop.events[0]).toMatchObject({ vector: 6, rip: UTEXT });
  });

  it('in compatibility mode raises #UD on Intel and enters through CSTAR on AMD', () => {
    const intel = testMachine({ user32: 'syscall' });
    enterUser(intel, true);
    expect(intel.run({ stopAtCpl: 0 }).events[0]).toMatchObject({ vector: 6, rip: UTEXT });

    const amd = testMachine({ user32: 'syscall', cpuid: { vendor: 'amd' } });
    amd.setMsr(CSTAR, SYSCALL_ENTRY + 0x40n);
    enterUser(amd, true);
    const stop = amd.run({ stopAtCpl: 0 });
    expect(stop.events).toEqual([]);
    expect(amd.get('rip')).toBe(SYSCALL_ENTRY + 0x40n);
    expect(amd.get('rcx')).toBe(UTEXT + 2n);
    expect(amd.getSegment('cs')).toMatchObject({ selector: KERNEL_CS, long: true });
  });
});

describe('SYSRET', () => {
  it('sysretq: RIP = RCX, RFLAGS = (R11 & 0x3c7fd7) | 2, CS = STAR[63:48] + 16 | 3 (64-bit), SS = STAR[63:48] + 8 | 3', () => {
    const m = testMachine();
    kernelCode(m, 'sysretq');
    m.set('rcx', UTEXT + 0x10n);
    m.set('r11', 0xffffffffn);
    m.set('rsp', 0x12345n);
    const stop = m.run({ stopAtCpl: 3 });
    expect(stop.reason).toBe('cpl');
    expect(stop.via?.instruction).toBe('sysretq');
    expect(m.get('rip')).toBe(UTEXT + 0x10n);
    expect(m.get('rflags')).toBe(0x3c7fd7n | 2n);
    expect(m.getSegment('cs')).toMatchObject({ selector: USER_CS, dpl: 3, long: true, db: false });
    expect(m.getSegment('ss')).toMatchObject({ selector: USER_DS, dpl: 3, type: 3 });
    expect(m.get('rsp')).toBe(0x12345n);
  });

  it('sysretl returns to compatibility mode: CS = STAR[63:48] | 3, RIP = ECX', () => {
    const m = testMachine();
    kernelCode(m, 'sysretl');
    m.set('rcx', 0xabcdef0000401000n);
    m.set('r11', 0x202n);
    m.run({ stopAtCpl: 3 });
    expect(m.get('rip')).toBe(0x401000n);
    expect(m.getSegment('cs')).toMatchObject({ selector: USER32_CS, dpl: 3, long: false, db: true });
    expect(m.getSegment('ss').selector).toBe(USER_DS);
  });

  it('with a non-canonical RCX raises #GP(0) at CPL 0 on Intel, still on the kernel stack', () => {
    const m = testMachine();
    kernelCode(m, 'sysretq');
    m.set('rcx', 0x0000800000000000n);
    m.set('r11', 0x202n);
    const stop = m.run({ stopAtCpl: 3 });
    expect(stop.reason).not.toBe('cpl');
    expect(stop.events[0]).toMatchObject({ vector: 13, errorCode: 0, rip: KCODE, cpl: 0 });
  });

  it('with a non-canonical RCX on AMD loads it and faults at CPL 3 on the fetch', () => {
    const m = testMachine({ cpuid: { vendor: 'amd' } });
    kernelCode(m, 'sysretq');
    m.set('rcx', 0x0000800000000000n);
    m.set('r11', 0x202n);
    const stop = m.run({ maxInstructions: 5 });
    expect(stop.events[0]).toMatchObject({ vector: 13, errorCode: 0, rip: 0x0000800000000000n, cpl: 3 });
  });

  it('raises #GP(0) at CPL 3, and #UD with EFER.SCE clear', () => {
    const m = testMachine({ user: 'sysretq' });
    enterUser(m);
    expect(m.run({ stopAtCpl: 0 }).events[0]).toMatchObject({ vector: 13, errorCode: 0, rip: UTEXT });
    const n = testMachine();
    n.setMsr(EFER, 0xd00n);
    kernelCode(n, 'sysretq');
    expect(n.run({ maxInstructions: 3 }).events[0]).toMatchObject({ vector: 6, rip: KCODE });
  });
});

describe('SYSENTER / SYSEXIT', () => {
  it('sysenter from compatibility mode (Intel): CS = SYSENTER_CS (64-bit), SS = +8, RSP/RIP from the MSRs, IF/VM/RF cleared', () => {
    const m = testMachine({ user32: 'sysenter' });
    m.setMsr(SYSENTER_CS, BigInt(KERNEL_CS));
    m.setMsr(SYSENTER_ESP, KSTACK_TOP - 0x100n);
    m.setMsr(SYSENTER_EIP, SYSCALL_ENTRY + 0x80n);
    enterUser(m, true);
    m.set('rflags', 0x10000n | 0x200n | 0x100n | 0x1n);
    const stop = m.run({ stopAtCpl: 0 });
    expect(stop.via?.instruction).toBe('sysenter');
    expect(m.get('rip')).toBe(SYSCALL_ENTRY + 0x80n);
    expect(m.get('rsp')).toBe(KSTACK_TOP - 0x100n);
    expect(m.get('rflags')).toBe(0x100n | 0x1n | 0x2n); // TF kept, IF and RF cleared
    expect(m.getSegment('cs')).toMatchObject({ selector: KERNEL_CS, long: true, dpl: 0 });
    expect(m.getSegment('ss').selector).toBe(KERNEL_DS);
  });

  it('raises #GP(0) when SYSENTER_CS is 0, and #UD on AMD in long mode', () => {
    const m = testMachine({ user32: 'sysenter' });
    enterUser(m, true);
    expect(m.run({ stopAtCpl: 0 }).events[0]).toMatchObject({ vector: 13, errorCode: 0 });
    const amd = testMachine({ user32: 'sysenter', cpuid: { vendor: 'amd' } });
    amd.setMsr(SYSENTER_CS, BigInt(KERNEL_CS));
    enterUser(amd, true);
    expect(amd.run({ stopAtCpl: 0 }).events[0]).toMatchObject({ vector: 6 });
  });

  it('sysexit returns to 32-bit code (SYSENTER_CS + 16 | 3) and sysexitq to 64-bit code (+ 32 | 3), RIP = RDX, RSP = RCX', () => {
    const m = testMachine();
    m.setMsr(SYSENTER_CS, 0x10n); // +16 = 0x20|3 = 0x23 (USER32_CS), +24 = 0x28|3 = 0x2b
    kernelCode(m, 'sysexit');
    m.set('rdx', 0xffff000000401234n);
    m.set('rcx', 0xffff000000007000n);
    m.run({ stopAtCpl: 3 });
    expect(m.get('rip')).toBe(0x401234n);
    expect(m.get('rsp')).toBe(0x7000n);
    expect(m.getSegment('cs')).toMatchObject({ selector: 0x23, long: false, db: true, dpl: 3 });
    expect(m.getSegment('ss').selector).toBe(0x2b);

    const q = testMachine();
    q.setMsr(SYSENTER_CS, 0x8n); // +32 = 0x28|3, +40 = 0x30|3
    kernelCode(q, 'sysexitq');
    q.set('rdx', UTEXT);
    q.set('rcx', USTACK_TOP - 8n);
    q.run({ stopAtCpl: 3 });
    expect(q.getSegment('cs')).toMatchObject({ selector: 0x2b, long: true });
    expect(q.getSegment('ss').selector).toBe(0x33);
    expect(q.get('rip')).toBe(UTEXT);
  });

  it('sysexit at CPL 3 raises #GP(0)', () => {
    const m = testMachine({ user: 'sysexit' });
    m.setMsr(SYSENTER_CS, BigInt(KERNEL_CS));
    enterUser(m);
    expect(m.run({ stopAtCpl: 0 }).events[0]).toMatchObject({ vector: 13, errorCode: 0, rip: UTEXT });
  });
});

describe('SWAPGS', () => {
  it('exchanges GS base and KERNEL_GS_BASE at CPL 0, #GP(0) at CPL 3', () => {
    const m = testMachine();
    kernelCode(m, 'swapgs\nhlt');
    m.set('gs_base', 0x1111n);
    m.set('kernel_gs_base', 0xffff888000002222n);
    m.run();
    expect(m.get('gs_base')).toBe(0xffff888000002222n);
    expect(m.get('kernel_gs_base')).toBe(0x1111n);
    expect(m.getMsr(0xc0000101)).toBe(0xffff888000002222n);

    const u = testMachine({ user: 'swapgs' });
    enterUser(u);
    expect(u.run({ stopAtCpl: 0 }).events[0]).toMatchObject({ vector: 13, errorCode: 0 });
  });

  it('reads and writes MSRs with bit 31 set (GS base through rdmsr, as paranoid_entry does)', () => {
    const m = testMachine();
    kernelCode(m, 'mov $0xc0000101, %ecx\nrdmsr\nmov %rax, %r8\nmov %rdx, %r9\nmov $0xc0000102, %ecx\nmov $0x1234, %eax\nmov $0xffff8880, %edx\nwrmsr\nhlt');
    m.set('gs_base', 0xffffffff818b2000n);
    expect(m.run().reason).toBe('hlt');
    expect(m.get('r9')).toBe(0xffffffffn);
    expect(m.get('r8')).toBe(0x818b2000n);
    expect(m.get('kernel_gs_base')).toBe(0xffff888000001234n);
  });
});

