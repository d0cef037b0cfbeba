// Specialised handlers for the forms compiled kernel code executes most (register/immediate ALU
// ops, moves, base+displacement memory, push/pop, call/ret, jcc), chosen at decode time in place of
// the generic family handlers. Same semantics, fewer branches: each knows its size, operation and
// addressing form. The differential tests run through these as well.
import type { Cpu } from '../cpu/state.js';
import { PARITY } from '../cpu/flags.js';
import { MEM_BASE, type Exec, type Rec } from '../decode/record.js';
import { RSP } from '../cpu/registers.js';
import { ALU_ADC, ALU_ADD, ALU_AND, ALU_CMP, ALU_OR, ALU_SBB, ALU_SUB, ALU_TEST, ALU_XOR } from './alu.js';

// ---- flag producers (inlined copies of flags.ts for the hot forms) ---------------------------------------

function add64(c: Cpu, r: Rec, d: number, a: number, ah: number, b: number, bh: number, write: boolean): Rec {
  const rl = (a + b) | 0;
  const carry = ((a & b) | ((a | b) & ~rl)) >>> 31;
  const rh = (ah + bh + carry) | 0;
  const coLo = (a & b) | ((a | b) & ~rl);
  const coHi = (ah & bh) | ((ah | bh) & ~rh);
  c.fRes = rl;
  c.fResHi = rh;
  c.fAux = (coLo & 8) | ((coHi >>> 30) << 30);
  if (write) {
    c.lo[d] = rl;
    c.hi[d] = rh;
  }
  return r.next;
}

function sub64(c: Cpu, r: Rec, d: number, a: number, ah: number, b: number, bh: number, write: boolean): Rec {
  const rl = (a - b) | 0;
  const boLo = (~a & b) | (~(a ^ b) & rl);
  const rh = (ah - bh - (boLo >>> 31)) | 0;
  const boHi = (~ah & bh) | (~(ah ^ bh) & rh);
  c.fRes = rl;
  c.fResHi = rh;
  c.fAux = (boLo & 8) | ((boHi >>> 30) << 30);
  if (write) {
    c.lo[d] = rl;
    c.hi[d] = rh;
  }
  return r.next;
}

function add32(c: Cpu, r: Rec, d: number, a: number, b: number, write: boolean): Rec {
  const rl = (a + b) | 0;
  const co = (a & b) | ((a | b) & ~rl);
  c.fRes = rl;
  c.fResHi = rl >> 31;
  c.fAux = (co & 8) | ((co >>> 30) << 30);
  if (write) {
    c.lo[d] = rl;
    c.hi[d] = 0;
  }
  return r.next;
}

function sub32(c: Cpu, r: Rec, d: number, a: number, b: number, write: boolean): Rec {
  const rl = (a - b) | 0;
  const bo = (~a & b) | (~(a ^ b) & rl);
  c.fRes = rl;
  c.fResHi = rl >> 31;
  c.fAux = (bo & 8) | ((bo >>> 30) << 30);
  if (write) {
    c.lo[d] = rl;
    c.hi[d] = 0;
  }
  return r.next;
}

// ---- ALU register/register and register/immediate -----------------------------------------------------------

export const add64rr: Exec = (c, r) => add64(c, r, r.r0, c.lo[r.r0], c.hi[r.r0], c.lo[r.r1], c.hi[r.r1], true);
export const sub64rr: Exec = (c, r) => sub64(c, r, r.r0, c.lo[r.r0], c.hi[r.r0], c.lo[r.r1], c.hi[r.r1], true);
export const cmp64rr: Exec = (c, r) => sub64(c, r, r.r0, c.lo[r.r0], c.hi[r.r0], c.lo[r.r1], c.hi[r.r1], false);
export const add64ri: Exec = (c, r) => add64(c, r, r.r0, c.lo[r.r0], c.hi[r.r0], r.immLo, r.immHi, true);
export const sub64ri: Exec = (c, r) => sub64(c, r, r.r0, c.lo[r.r0], c.hi[r.r0], r.immLo, r.immHi, true);
export const cmp64ri: Exec = (c, r) => sub64(c, r, r.r0, c.lo[r.r0], c.hi[r.r0], r.immLo, r.immHi, false);
export const add32rr: Exec = (c, r) => add32(c, r, r.r0, c.lo[r.r0], c.lo[r.r1], true);
export const sub32rr: Exec = (c, r) => sub32(c, r, r.r0, c.lo[r.r0], c.lo[r.r1], true);
export const cmp32rr: Exec = (c, r) => sub32(c, r, r.r0, c.lo[r.r0], c.lo[r.r1], false);
export const add32ri: Exec = (c, r) => add32(c, r, r.r0, c.lo[r.r0], r.immLo, true);
export const sub32ri: Exec = (c, r) => sub32(c, r, r.r0, c.lo[r.r0], r.immLo, true);
export const cmp32ri: Exec = (c, r) => sub32(c, r, r.r0, c.lo[r.r0], r.immLo, false);

function logic64(c: Cpu, r: Rec, rl: number, rh: number, write: boolean): Rec {
  c.fRes = rl;
  c.fResHi = rh;
  c.fAux = 0;
  if (write) {
    c.lo[r.r0] = rl;
    c.hi[r.r0] = rh;
  }
  return r.next;
}

function logic32(c: Cpu, r: Rec, rl: number, write: boolean): Rec {
  c.fRes = rl;
  c.fResHi = rl >> 31;
  c.fAux = 0;
  if (write) {
    c.lo[r.r0] = rl;
    c.hi[r.r0] = 0;
  }
  return r.next;
}

export const and64rr: Exec = (c, r) => logic64(c, r, c.lo[r.r0] & c.lo[r.r1], c.hi[r.r0] & c.hi[r.r1], true);
export const or64rr: Exec = (c, r) => logic64(c, r, c.lo[r.r0] | c.lo[r.r1], c.hi[r.r0] | c.hi[r.r1], true);
export const xor64rr: Exec = (c, r) => logic64(c, r, c.lo[r.r0] ^ c.lo[r.r1], c.hi[r.r0] ^ c.hi[r.r1], true);
export const test64rr: Exec = (c, r) => logic64(c, r, c.lo[r.r0] & c.lo[r.r1], c.hi[r.r0] & c.hi[r.r1], false);
export const and64ri: Exec = (c, r) => logic64(c, r, c.lo[r.r0] & r.immLo, c.hi[r.r0] & r.immHi, true);
export const or64ri: Exec = (c, r) => logic64(c, r, c.lo[r.r0] | r.immLo, c.hi[r.r0] | r.immHi, true);
export const xor64ri: Exec = (c, r) => logic64(c, r, c.lo[r.r0] ^ r.immLo, c.hi[r.r0] ^ r.immHi, true);
export const test64ri: Exec = (c, r) => logic64(c, r, c.lo[r.r0] & r.immLo, c.hi[r.r0] & r.immHi, false);
export const and32rr: Exec = (c, r) => logic32(c, r, c.lo[r.r0] & c.lo[r.r1], true);
export const or32rr: Exec = (c, r) => logic32(c, r, c.lo[r.r0] | c.lo[r.r1], true);
export const xor32rr: Exec = (c, r) => logic32(c, r, c.lo[r.r0] ^ c.lo[r.r1], true);
export const test32rr: Exec = (c, r) => logic32(c, r, c.lo[r.r0] & c.lo[r.r1], false);
export const and32ri: Exec = (c, r) => logic32(c, r, c.lo[r.r0] & r.immLo, true);
export const or32ri: Exec = (c, r) => logic32(c, r, c.lo[r.r0] | r.immLo, true);
export const xor32ri: Exec = (c, r) => logic32(c, r, c.lo[r.r0] ^ r.immLo, true);
export const test32ri: Exec = (c, r) => logic32(c, r, c.lo[r.r0] & r.immLo, false);

/** xor r32, r32 with the same register: the zeroing idiom. */
export const zero32: Exec = (c, r) => {
  c.lo[r.r0] = 0;
  c.hi[r.r0] = 0;
  c.fRes = 0;
  c.fResHi = 0;
  c.fAux = 0;
  return r.next;
};

const RR64: Record<number, Exec> = { [ALU_ADD]: add64rr, [ALU_SUB]: sub64rr, [ALU_CMP]: cmp64rr, [ALU_AND]: and64rr, [ALU_OR]: or64rr, [ALU_XOR]: xor64rr, [ALU_TEST]: test64rr };
const RI64: Record<number, Exec> = { [ALU_ADD]: add64ri, [ALU_SUB]: sub64ri, [ALU_CMP]: cmp64ri, [ALU_AND]: and64ri, [ALU_OR]: or64ri, [ALU_XOR]: xor64ri, [ALU_TEST]: test64ri };
const RR32: Record<number, Exec> = { [ALU_ADD]: add32rr, [ALU_SUB]: sub32rr, [ALU_CMP]: cmp32rr, [ALU_AND]: and32rr, [ALU_OR]: or32rr, [ALU_XOR]: xor32rr, [ALU_TEST]: test32rr };
const RI32: Record<number, Exec> = { [ALU_ADD]: add32ri, [ALU_SUB]: sub32ri, [ALU_CMP]: cmp32ri, [ALU_AND]: and32ri, [ALU_OR]: or32ri, [ALU_XOR]: xor32ri, [ALU_TEST]: test32ri };

/** A specialised handler for an ALU register form, or undefined. */
export function fastAlu(op: number, size: number, rr: boolean, r: Rec): Exec | undefined {
  if (op === ALU_ADC || op === ALU_SBB || r.r0 >= 16 || (rr && r.r1 >= 16)) return undefined;
  if (size === 8) return (rr ? RR64 : RI64)[op];
  if (size === 4) {
    if (rr && op === ALU_XOR && r.r0 === r.r1) return zero32;
    return (rr ? RR32 : RI32)[op];
  }
  return undefined;
}

// ---- inc / dec --------------------------------------------------------------------------------------------------

export const inc64: Exec = (c, r) => {
  const d = r.r0;
  const a = c.lo[d], ah = c.hi[d];
  const rl = (a + 1) | 0;
  const rh = rl === 0 ? (ah + 1) | 0 : ah;
  const cf = c.fAux >>> 31;
  const of = ah === 0x7fffffff && a === -1 ? 1 : 0;
  c.lo[d] = rl;
  c.hi[d] = rh;
  c.fRes = rl;
  c.fResHi = rh;
  c.fAux = (cf << 31) | ((cf ^ of) << 30) | ((a & 0xf) === 0xf ? 8 : 0);
  return r.next;
};

export const dec64: Exec = (c, r) => {
  const d = r.r0;
  const a = c.lo[d], ah = c.hi[d];
  const rl = (a - 1) | 0;
  const rh = a === 0 ? (ah - 1) | 0 : ah;
  const cf = c.fAux >>> 31;
  const of = ah === -0x80000000 && a === 0 ? 1 : 0;
  c.lo[d] = rl;
  c.hi[d] = rh;
  c.fRes = rl;
  c.fResHi = rh;
  c.fAux = (cf << 31) | ((cf ^ of) << 30) | ((a & 0xf) === 0 ? 8 : 0);
  return r.next;
};

export const inc32: Exec = (c, r) => {
  const d = r.r0;
  const a = c.lo[d];
  const rl = (a + 1) | 0;
  const cf = c.fAux >>> 31;
  const of = a === 0x7fffffff ? 1 : 0;
  c.lo[d] = rl;
  c.hi[d] = 0;
  c.fRes = rl;
  c.fResHi = rl >> 31;
  c.fAux = (cf << 31) | ((cf ^ of) << 30) | ((a & 0xf) === 0xf ? 8 : 0);
  return r.next;
};

export const dec32: Exec = (c, r) => {
  const d = r.r0;
  const a = c.lo[d];
  const rl = (a - 1) | 0;
  const cf = c.fAux >>> 31;
  const of = a === -0x80000000 ? 1 : 0;
  c.lo[d] = rl;
  c.hi[d] = 0;
  c.fRes = rl;
  c.fResHi = rl >> 31;
  c.fAux = (cf << 31) | ((cf ^ of) << 30) | ((a & 0xf) === 0 ? 8 : 0);
  return r.next;
};

// ---- moves -------------------------------------------------------------------------------------------------------

export const mov64rr: Exec = (c, r) => {
  c.lo[r.r0] = c.lo[r.r1];
  c.hi[r.r0] = c.hi[r.r1];
  return r.next;
};

export const mov32rr: Exec = (c, r) => {
  c.lo[r.r0] = c.lo[r.r1];
  c.hi[r.r0] = 0;
  return r.next;
};

export const mov64ri: Exec = (c, r) => {
  c.lo[r.r0] = r.immLo;
  c.hi[r.r0] = r.immHi;
  return r.next;
};

export const mov32ri: Exec = (c, r) => {
  c.lo[r.r0] = r.immLo;
  c.hi[r.r0] = 0;
  return r.next;
};

/** True when r's memory operand is base + disp32 with no segment base and 64-bit addressing. */
export function simpleBase(r: Rec): boolean {
  return r.mKind === MEM_BASE && r.mSeg < 0 && !r.addr32;
}

/** mov r64, [base + disp] */
export const mov64rm: Exec = (c, r) => {
  const b = r.mBase;
  const s = (c.lo[b] >>> 0) + r.mDisp;
  const lo = s | 0;
  const hi = (c.hi[b] + (s > 4294967295 ? 1 : s < 0 ? -1 : 0)) | 0;
  const m = c.mmu;
  const v = m.read64(lo, hi);
  c.lo[r.r0] = v;
  c.hi[r.r0] = m.hi32;
  return r.next;
};

/** mov [base + disp], r64 */
export const mov64mr: Exec = (c, r) => {
  const b = r.mBase;
  const s = (c.lo[b] >>> 0) + r.mDisp;
  const lo = s | 0;
  const hi = (c.hi[b] + (s > 4294967295 ? 1 : s < 0 ? -1 : 0)) | 0;
  c.mmu.write64(lo, hi, c.lo[r.r1], c.hi[r.r1]);
  return r.next;
};

/** mov r32, [base + disp] */
export const mov32rm: Exec = (c, r) => {
  const b = r.mBase;
  const s = (c.lo[b] >>> 0) + r.mDisp;
  const v = c.mmu.read32(s | 0, (c.hi[b] + (s > 4294967295 ? 1 : s < 0 ? -1 : 0)) | 0);
  c.lo[r.r0] = v;
  c.hi[r.r0] = 0;
  return r.next;
};

/** mov [base + disp], r32 */
export const mov32mr: Exec = (c, r) => {
  const b = r.mBase;
  const s = (c.lo[b] >>> 0) + r.mDisp;
  c.mmu.write32(s | 0, (c.hi[b] + (s > 4294967295 ? 1 : s < 0 ? -1 : 0)) | 0, c.lo[r.r1]);
  return r.next;
};

/** movzbl [base + disp], r32 */
export const movzb32rm: Exec = (c, r) => {
  const b = r.mBase;
  const s = (c.lo[b] >>> 0) + r.mDisp;
  c.lo[r.r0] = c.mmu.read8(s | 0, (c.hi[b] + (s > 4294967295 ? 1 : s < 0 ? -1 : 0)) | 0);
  c.hi[r.r0] = 0;
  return r.next;
};

/** lea r64, [base + disp] */
export const lea64base: Exec = (c, r) => {
  const b = r.mBase;
  const s = (c.lo[b] >>> 0) + r.mDisp;
  c.lo[r.r0] = s | 0;
  c.hi[r.r0] = (c.hi[b] + (s > 4294967295 ? 1 : s < 0 ? -1 : 0)) | 0;
  return r.next;
};

// ---- stack and control ------------------------------------------------------------------------------------------------

export const push64r: Exec = (c, r) => {
  const s = (c.lo[RSP] >>> 0) - 8;
  const lo = s | 0;
  const hi = s < 0 ? (c.hi[RSP] - 1) | 0 : c.hi[RSP];
  if ((hi << 16) >> 16 !== hi) return pushSlow(c, r);
  c.mmu.write64(lo, hi, c.lo[r.r0], c.hi[r.r0]);
  c.lo[RSP] = lo;
  c.hi[RSP] = hi;
  return r.next;
};

export const pop64r: Exec = (c, r) => {
  const lo = c.lo[RSP], hi = c.hi[RSP];
  if ((hi << 16) >> 16 !== hi) return popSlow(c, r);
  const m = c.mmu;
  const v = m.read64(lo, hi);
  const vh = m.hi32;
  const s = (lo >>> 0) + 8;
  c.lo[RSP] = s | 0;
  if (s > 4294967295) c.hi[RSP] = (hi + 1) | 0;
  c.lo[r.r0] = v;
  c.hi[r.r0] = vh;
  return r.next;
};

export const call64rel: Exec = (c, r) => {
  const s = (c.lo[RSP] >>> 0) - 8;
  const lo = s | 0;
  const hi = s < 0 ? (c.hi[RSP] - 1) | 0 : c.hi[RSP];
  if ((hi << 16) >> 16 !== hi) return callSlow(c, r);
  c.mmu.write64(lo, hi, r.nextLo, r.nextHi);
  c.lo[RSP] = lo;
  c.hi[RSP] = hi;
  c.ripLo = r.targetLo;
  c.ripHi = r.targetHi;
  return r.target;
};

export const ret64: Exec = (c, r) => {
  const lo = c.lo[RSP], hi = c.hi[RSP];
  if ((hi << 16) >> 16 !== hi) return retSlow(c, r);
  const m = c.mmu;
  const tLo = m.read64(lo, hi);
  const tHi = m.hi32;
  if ((tHi << 16) >> 16 !== tHi) return retSlow(c, r);
  const s = (lo >>> 0) + 8;
  c.lo[RSP] = s | 0;
  if (s > 4294967295) c.hi[RSP] = (hi + 1) | 0;
  c.ripLo = tLo;
  c.ripHi = tHi;
  const t = r.target;
  if (t.ipLo === tLo && t.ipHi === tHi) return t;
  return linkTarget;
};

// Fallbacks (non-canonical stack or target): the generic handlers raise the right fault.
let pushSlow: Exec;
let popSlow: Exec;
let callSlow: Exec;
let retSlow: Exec;
let linkTarget: Rec;

export function bindFallbacks(push: Exec, pop: Exec, call: Exec, ret: Exec, link: Rec): void {
  pushSlow = push;
  popSlow = pop;
  callSlow = call;
  retSlow = ret;
  linkTarget = link;
}

// jcc specialised per condition on the lazy-flag fields.
function taken(c: Cpu, r: Rec): Rec {
  c.ripLo = r.targetLo;
  c.ripHi = r.targetHi;
  return r.target;
}

const zf = (c: Cpu) => (c.fRes | c.fResHi) === 0;
const sf = (c: Cpu) => ((c.fResHi >>> 31) ^ c.fAux) & 1;
const of = (c: Cpu) => ((c.fAux >>> 31) ^ (c.fAux >>> 30)) & 1;

export const JCC: Exec[] = [
  (c, r) => (of(c) ? taken(c, r) : r.next),
  (c, r) => (of(c) ? r.next : taken(c, r)),
  (c, r) => (c.fAux < 0 ? taken(c, r) : r.next),
  (c, r) => (c.fAux < 0 ? r.next : taken(c, r)),
  (c, r) => (zf(c) ? taken(c, r) : r.next),
  (c, r) => (zf(c) ? r.next : taken(c, r)),
  (c, r) => (c.fAux < 0 || zf(c) ? taken(c, r) : r.next),
  (c, r) => (c.fAux < 0 || zf(c) ? r.next : taken(c, r)),
  (c, r) => (sf(c) ? taken(c, r) : r.next),
  (c, r) => (sf(c) ? r.next : taken(c, r)),
  (c, r) => (PARITY[(c.fRes ^ (c.fAux >>> 8)) & 0xff] ? taken(c, r) : r.next),
  (c, r) => (PARITY[(c.fRes ^ (c.fAux >>> 8)) & 0xff] ? r.next : taken(c, r)),
  (c, r) => (sf(c) !== of(c) ? taken(c, r) : r.next),
  (c, r) => (sf(c) !== of(c) ? r.next : taken(c, r)),
  (c, r) => (zf(c) || sf(c) !== of(c) ? taken(c, r) : r.next),
  (c, r) => (zf(c) || sf(c) !== of(c) ? r.next : taken(c, r)),
];

// ---- more forms: memory operands, adc/sbb, byte ops, stores of immediates ------------------------------------

/** Linear address of a simple [base + disp] operand: returns the low half, the high half in c.eaHi. */
function eaBase(c: Cpu, r: Rec): number {
  const b = r.mBase;
  const s = (c.lo[b] >>> 0) + r.mDisp;
  c.eaHi = (c.hi[b] + (s > 4294967295 ? 1 : s < 0 ? -1 : 0)) | 0;
  return s | 0;
}

/** a op b on 64 bits (op constant at each call site, so the switch folds away when inlined). */
function op64(c: Cpu, r: Rec, op: number, a: number, ah: number, b: number, bh: number): number {
  switch (op) {
    case ALU_ADD:
      add64(c, r, 0, a, ah, b, bh, false);
      break;
    case ALU_ADC: {
      const cin = c.fAux >>> 31;
      const rl = (a + b + cin) | 0;
      const coLo = (a & b) | ((a | b) & ~rl);
      const rh = (ah + bh + (coLo >>> 31)) | 0;
      const coHi = (ah & bh) | ((ah | bh) & ~rh);
      c.fRes = rl;
      c.fResHi = rh;
      c.fAux = (coLo & 8) | ((coHi >>> 30) << 30);
      break;
    }
    case ALU_SBB: {
      const bin = c.fAux >>> 31;
      const rl = (a - b - bin) | 0;
      const boLo = (~a & b) | (~(a ^ b) & rl);
      const rh = (ah - bh - (boLo >>> 31)) | 0;
      const boHi = (~ah & bh) | (~(ah ^ bh) & rh);
      c.fRes = rl;
      c.fResHi = rh;
      c.fAux = (boLo & 8) | ((boHi >>> 30) << 30);
      break;
    }
    case ALU_SUB:
    case ALU_CMP:
      sub64(c, r, 0, a, ah, b, bh, false);
      break;
    case ALU_AND:
    case ALU_TEST:
      c.fRes = a & b;
      c.fResHi = ah & bh;
      c.fAux = 0;
      break;
    case ALU_OR:
      c.fRes = a | b;
      c.fResHi = ah | bh;
      c.fAux = 0;
      break;
    default:
      c.fRes = a ^ b;
      c.fResHi = ah ^ bh;
      c.fAux = 0;
  }
  return c.fRes;
}

/** a op b on 32 bits (the result is c.fRes; ADC/SBB read CF first). */
function op32(c: Cpu, r: Rec, op: number, a: number, b: number): void {
  switch (op) {
    case ALU_ADD:
      add32(c, r, 0, a, b, false);
      break;
    case ALU_ADC: {
      const rl = (a + b + (c.fAux >>> 31)) | 0;
      const co = (a & b) | ((a | b) & ~rl);
      c.fRes = rl;
      c.fResHi = rl >> 31;
      c.fAux = (co & 8) | ((co >>> 30) << 30);
      break;
    }
    case ALU_SBB: {
      const rl = (a - b - (c.fAux >>> 31)) | 0;
      const bo = (~a & b) | (~(a ^ b) & rl);
      c.fRes = rl;
      c.fResHi = rl >> 31;
      c.fAux = (bo & 8) | ((bo >>> 30) << 30);
      break;
    }
    case ALU_SUB:
    case ALU_CMP:
      sub32(c, r, 0, a, b, false);
      break;
    case ALU_AND:
    case ALU_TEST:
      c.fRes = a & b;
      c.fResHi = c.fRes >> 31;
      c.fAux = 0;
      break;
    case ALU_OR:
      c.fRes = a | b;
      c.fResHi = c.fRes >> 31;
      c.fAux = 0;
      break;
    default:
      c.fRes = a ^ b;
      c.fResHi = c.fRes >> 31;
      c.fAux = 0;
  }
}

/** 8-bit a op b with a, b in 0..255: the result sign-extended in c.fRes. */
function op8(c: Cpu, op: number, a: number, b: number): number {
  let res: number;
  let aux = 0;
  switch (op) {
    case ALU_ADD: {
      res = a + b;
      const co = (a & b) | ((a | b) & ~res);
      aux = (co & 8) | ((co >>> 6) << 30);
      break;
    }
    case ALU_SUB:
    case ALU_CMP: {
      res = a - b;
      const bo = (~a & b) | (~(a ^ b) & res);
      aux = (bo & 8) | ((bo >>> 6) << 30);
      break;
    }
    case ALU_AND:
    case ALU_TEST:
      res = a & b;
      break;
    case ALU_OR:
      res = a | b;
      break;
    default:
      res = a ^ b;
  }
  const sx = (res << 24) >> 24;
  c.fRes = sx;
  c.fResHi = sx >> 31;
  c.fAux = aux;
  return res & 0xff;
}

function rm64(op: number, write: boolean): Exec {
  return (c, r) => {
    const lo = eaBase(c, r);
    const m = c.mmu;
    const b = m.read64(lo, c.eaHi);
    const bh = m.hi32;
    const d = r.r0;
    op64(c, r, op, c.lo[d], c.hi[d], b, bh);
    if (write) {
      c.lo[d] = c.fRes;
      c.hi[d] = c.fResHi;
    }
    return r.next;
  };
}

function rm32(op: number, write: boolean): Exec {
  return (c, r) => {
    const lo = eaBase(c, r);
    const b = c.mmu.read32(lo, c.eaHi);
    const d = r.r0;
    op32(c, r, op, c.lo[d], b);
    if (write) {
      c.lo[d] = c.fRes;
      c.hi[d] = 0;
    }
    return r.next;
  };
}

/** op [base + disp], imm (cmp/test only read; the others read-modify-write). */
function mi64(op: number, write: boolean): Exec {
  return (c, r) => {
    const lo = eaBase(c, r);
    const hi = c.eaHi;
    const m = c.mmu;
    if (write) m.probeWrite(lo, hi, 8);
    const a = m.read64(lo, hi);
    op64(c, r, op, a, m.hi32, r.immLo, r.immHi);
    if (write) m.write64(lo, hi, c.fRes, c.fResHi);
    return r.next;
  };
}

function mi32(op: number, write: boolean): Exec {
  return (c, r) => {
    const lo = eaBase(c, r);
    const hi = c.eaHi;
    const m = c.mmu;
    if (write) m.probeWrite(lo, hi, 4);
    op32(c, r, op, m.read32(lo, hi), r.immLo);
    if (write) m.write32(lo, hi, c.fRes);
    return r.next;
  };
}

function mi8(op: number, write: boolean): Exec {
  return (c, r) => {
    const lo = eaBase(c, r);
    const hi = c.eaHi;
    const m = c.mmu;
    if (write) m.probeWrite(lo, hi, 1);
    const res = op8(c, op, m.read8(lo, hi), r.immLo & 0xff);
    if (write) m.write8(lo, hi, res);
    return r.next;
  };
}

/** op r8, imm8 / op r8, r8 on low bytes (no AH..BH). */
function ri8(op: number, write: boolean): Exec {
  return (c, r) => {
    const d = r.r0;
    const res = op8(c, op, c.lo[d] & 0xff, r.immLo & 0xff);
    if (write) c.lo[d] = (c.lo[d] & ~0xff) | res;
    return r.next;
  };
}

function rr8(op: number, write: boolean): Exec {
  return (c, r) => {
    const d = r.r0;
    const res = op8(c, op, c.lo[d] & 0xff, c.lo[r.r1] & 0xff);
    if (write) c.lo[d] = (c.lo[d] & ~0xff) | res;
    return r.next;
  };
}

/** op r64, r64 (bySource) or op r64, imm for the carry-using ops. */
function carryOp64(op: number, byRegister: boolean): Exec {
  return (c, r) => {
    const d = r.r0;
    if (byRegister) op64(c, r, op, c.lo[d], c.hi[d], c.lo[r.r1], c.hi[r.r1]);
    else op64(c, r, op, c.lo[d], c.hi[d], r.immLo, r.immHi);
    c.lo[d] = c.fRes;
    c.hi[d] = c.fResHi;
    return r.next;
  };
}
export const adc64rr = carryOp64(ALU_ADC, true);
export const adc64ri = carryOp64(ALU_ADC, false);
export const sbb64rr = carryOp64(ALU_SBB, true);

const OPS = [ALU_ADD, ALU_OR, ALU_ADC, ALU_SBB, ALU_AND, ALU_SUB, ALU_XOR, ALU_CMP, ALU_TEST];
const writes = (op: number) => op !== ALU_CMP && op !== ALU_TEST;
const RM64 = OPS.map((op) => rm64(op, writes(op)));
const RM32 = OPS.map((op) => rm32(op, writes(op)));
const MI64 = OPS.map((op) => mi64(op, writes(op)));
const MI32 = OPS.map((op) => mi32(op, writes(op)));
const MI8 = OPS.map((op) => (op === ALU_ADC || op === ALU_SBB ? undefined : mi8(op, writes(op))));
const RI8 = OPS.map((op) => (op === ALU_ADC || op === ALU_SBB ? undefined : ri8(op, writes(op))));
const RR8 = OPS.map((op) => (op === ALU_ADC || op === ALU_SBB ? undefined : rr8(op, writes(op))));

/** Specialised handlers for ALU forms with a [base + disp] operand or 8-bit registers (undefined: none). */
export function fastAluMore(op: number, size: number, form: 'rm' | 'mi' | 'ri8' | 'rr8', r: Rec): Exec | undefined {
  if (form === 'rm') return size === 8 ? RM64[op] : size === 4 ? RM32[op] : undefined;
  if (form === 'mi') return r.lock ? undefined : size === 8 ? MI64[op] : size === 4 ? MI32[op] : size === 1 ? MI8[op] : undefined;
  if (r.r0 >= 16 || (form === 'rr8' && r.r1 >= 16)) return undefined;
  return form === 'ri8' ? RI8[op] : RR8[op];
}

/** Stores of immediates to [base + disp]. */
export const mov64mi: Exec = (c, r) => {
  const lo = eaBase(c, r);
  c.mmu.write64(lo, c.eaHi, r.immLo, r.immHi);
  return r.next;
};
export const mov32mi: Exec = (c, r) => {
  const lo = eaBase(c, r);
  c.mmu.write32(lo, c.eaHi, r.immLo);
  return r.next;
};
export const mov8mi: Exec = (c, r) => {
  const lo = eaBase(c, r);
  c.mmu.write8(lo, c.eaHi, r.immLo);
  return r.next;
};
export const mov8rm: Exec = (c, r) => {
  const lo = eaBase(c, r);
  const d = r.r0;
  c.lo[d] = (c.lo[d] & ~0xff) | c.mmu.read8(lo, c.eaHi);
  return r.next;
};
export const mov8mr: Exec = (c, r) => {
  const lo = eaBase(c, r);
  c.mmu.write8(lo, c.eaHi, c.lo[r.r1]);
  return r.next;
};
export const movzw32rm: Exec = (c, r) => {
  const lo = eaBase(c, r);
  c.lo[r.r0] = c.mmu.read16(lo, c.eaHi);
  c.hi[r.r0] = 0;
  return r.next;
};
export const movzb32rr: Exec = (c, r) => {
  c.lo[r.r0] = c.lo[r.r1] & 0xff;
  c.hi[r.r0] = 0;
  return r.next;
};
export const movzw32rr: Exec = (c, r) => {
  c.lo[r.r0] = c.lo[r.r1] & 0xffff;
  c.hi[r.r0] = 0;
  return r.next;
};
export const movslq_rr: Exec = (c, r) => {
  const v = c.lo[r.r1];
  c.lo[r.r0] = v;
  c.hi[r.r0] = v >> 31;
  return r.next;
};
export const movslq_rm: Exec = (c, r) => {
  const lo = eaBase(c, r);
  const v = c.mmu.read32(lo, c.eaHi);
  c.lo[r.r0] = v;
  c.hi[r.r0] = v >> 31;
  return r.next;
};

// ---- hot-op ids: the run loop calls these handlers directly from a switch (no megamorphic call) ----

/** Handlers indexed by Rec.op (1-based; 0 means "call r.exec"). */
export const HOT: Exec[] = [
  add64rr, sub64rr, cmp64rr, add64ri, sub64ri, cmp64ri, add32rr, sub32rr, cmp32rr, add32ri, sub32ri, cmp32ri,
  and64rr, or64rr, xor64rr, test64rr, and64ri, or64ri, xor64ri, test64ri, and32rr, or32rr, xor32rr, test32rr,
  and32ri, or32ri, xor32ri, test32ri, zero32, inc64, dec64, inc32, dec32, mov64rr, mov32rr, mov64ri, mov32ri,
  mov64rm, mov64mr, mov32rm, mov32mr, movzb32rm, lea64base, push64r, pop64r, call64rel, ret64, ...JCC,
  adc64rr, adc64ri, sbb64rr, mov64mi, mov32mi, mov8mi, mov8rm, mov8mr, movzw32rm, movzb32rr, movzw32rr, movslq_rr, movslq_rm,
  ...RM64, ...RM32, ...MI64, ...MI32, ...(MI8.filter(Boolean) as Exec[]), ...(RI8.filter(Boolean) as Exec[]), ...(RR8.filter(Boolean) as Exec[]),
];

/** The op id for a handler (0 if it is not a hot one). */
export function hotOp(e: Exec): number {
  const i = HOT.indexOf(e);
  return i < 0 ? 0 : i + 1;
}
