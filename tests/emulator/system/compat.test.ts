// Compatibility mode (CS.L = 0, D = 1) user code, as the IA32_EMULATION scenarios run it: 32-bit
// decoding, stack and addressing, int $0x80 into the 64-bit kernel and IRETQ back, SYSENTER, and
// AMD's SYSCALL from 32-bit code with SYSRETL back.
import { describe, expect, it } from 'vitest';
import { KSTACK_TOP, SYSCALL_ENTRY, USER32_CS, USER_DS, USTACK_TOP, UTEXT, enterUser, testMachine } from '../helpers/machine.js';

describe('compatibility mode', () => {
  it('runs 32-bit code: 32-bit push/pop/call/ret, ESP-relative addressing, EIP wrap-free', () => {
    const m = testMachine({ user32: 'mov $5, %ecx\nxor %eax, %eax\n1: push %ecx\ncall 2f\npop %ecx\nloop 1b\nud2\n2: add 4(%esp), %eax\nret' });
    enterUser(m, true);
    m.set('rsp', USTACK_TOP - 0x100n);
    const stop = m.run({ stopAtCpl: 0 });
    expect(stop.events[0]).toMatchObject({ vector: 6, cpl: 3 });
    expect(m.memory.readU64(m.get('rsp') + 8n)).toBe(BigInt(USER32_CS)); // frame CS
    // 5+4+3+2+1 accumulated in EAX by the callee: read it from the logged frame's stack? EAX is live.
    expect(m.get('rax')).toBe(15n);
  });

  it('int $0x80 from 32-bit code enters the 64-bit kernel on RSP0 and IRETQ returns to compat mode', () => {
    const m = testMachine({ user32: 'mov $20, %eax\nint $0x80\nmov %eax, %ebx\nud2', userGates: [0x80] });
    // Replace the logging stub of vector 0x80 with: mov $123, %eax ; iretq
    m.memory.write(0xffffffff81002800n, Uint8Array.of(0xb8, 123, 0, 0, 0, 0x48, 0xcf));
    enterUser(m, true);
    const s1 = m.run({ stopAtCpl: 0 });
    expect(s1.events[0]).toMatchObject({ kind: 'software', vector: 0x80, rip: UTEXT + 7n, cpl: 3 });
    expect(m.get('rsp')).toBe(KSTACK_TOP - 40n);
    expect(m.getSegment('cs').long).toBe(true);
    const s2 = m.run({ stopAtCpl: 3 });
    expect(s2.via?.instruction).toBe('iretq');
    expect(m.getSegment('cs')).toMatchObject({ selector: USER32_CS, long: false, db: true });
    m.run({ stopAtCpl: 0 });
    expect(m.get('rbx')).toBe(123n);
  });

  it('SYSCALL from 32-bit code on AMD goes through CSTAR and SYSRETL returns to it', () => {
    const m = testMachine({ user32: 'mov $20, %eax\nsyscall\nmov %eax, %ebx\nud2', cpuid: { vendor: 'amd' }, syscallEntry: 'mov $77, %eax\nsysretl' });
    m.setMsr(0xc0000083, SYSCALL_ENTRY);
    enterUser(m, true);
    m.run({ stopAtCpl: 0 });
    expect(m.get('rcx')).toBe(UTEXT + 7n);
    const s = m.run({ stopAtCpl: 3 });
    expect(s.via?.instruction).toBe('sysretl');
    expect(m.getSegment('cs')).toMatchObject({ selector: USER32_CS, long: false });
    expect(m.getSegment('ss').selector).toBe(USER_DS);
    m.run({ stopAtCpl: 0 });
    expect(m.get('rbx')).toBe(77n);
  });
});
