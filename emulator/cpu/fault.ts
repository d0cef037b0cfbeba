// The guest-visible exception an instruction raises: thrown inside the CPU, caught by the run loop,
// and delivered through the IDT (or reported). Never escapes the emulator.

export const DE = 0, DB = 1, NMI = 2, BP = 3, OVF = 4, BR = 5, UD = 6, NM = 7, DF = 8, TS = 10, NP = 11, SS_FAULT = 12, GP = 13, PF = 14, MF = 16, AC_FAULT = 17, MC = 18, XM = 19, VE = 20, CP = 21;

export const VECTOR_NAMES: Record<number, string> = {
  0: '#DE divide error', 1: '#DB debug', 2: 'NMI', 3: '#BP breakpoint', 4: '#OF overflow', 5: '#BR bound range',
  6: '#UD invalid opcode', 7: '#NM device not available', 8: '#DF double fault', 10: '#TS invalid TSS',
  11: '#NP segment not present', 12: '#SS stack fault', 13: '#GP general protection', 14: '#PF page fault',
  16: '#MF x87 error', 17: '#AC alignment check', 18: '#MC machine check', 19: '#XM SIMD exception',
  20: '#VE virtualization', 21: '#CP control protection',
};

export function vectorName(vector: number): string {
  return VECTOR_NAMES[vector] ?? (vector >= 32 ? `interrupt 0x${vector.toString(16)}` : `vector ${vector}`);
}

/** Exceptions that push an error code in protected/long mode. */
export function hasErrorCode(vector: number): boolean {
  return vector === DF || vector === TS || vector === NP || vector === SS_FAULT || vector === GP || vector === PF || vector === AC_FAULT || vector === CP;
}

/** A fault or trap raised by an instruction. Not an Error subclass: no stack capture on the hot path. */
export class CpuException {
  constructor(
    readonly vector: number,
    readonly errorCode: number,
    /** Faulting linear address for #PF (CR2), as two 32-bit halves. */
    readonly addrLo = 0,
    readonly addrHi = 0,
    /** Why, in words, for reports when nothing handles it (e.g. "write to read-only page"). */
    readonly detail = '',
    /** How it arose (EV_* in exceptions.ts); 0 = fault: RIP is rewound to the faulting instruction. */
    readonly kind = 0,
  ) {}
}

export function fault(vector: number, errorCode = 0, detail = ''): CpuException {
  return new CpuException(vector, errorCode, 0, 0, detail);
}

/** Page-fault error code bits. */
export const PF_P = 1, PF_W = 2, PF_U = 4, PF_RSVD = 8, PF_I = 16, PF_PK = 32;
