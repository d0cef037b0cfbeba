// The ALU group (add or adc sbb and sub xor cmp, plus test) and the one-operand arithmetic and
// logic instructions (inc dec neg not), for every operand size and form.
import type { Cpu } from '../cpu/state.js';
import { flagsAdd, flagsAdd64, flagsLogic, flagsLogic64, flagsResult, flagsResult64, flagsSub, flagsSub64, getCF, signExtend } from '../cpu/flags.js';
import type { Rec } from '../decode/record.js';
import { ea, getReg, readMem, setReg, writeMem } from './operands.js';

export const ALU_ADD = 0, ALU_OR = 1, ALU_ADC = 2, ALU_SBB = 3, ALU_AND = 4, ALU_SUB = 5, ALU_XOR = 6, ALU_CMP = 7, ALU_TEST = 8;

/** Whether the operation writes its destination. */
export function aluWrites(op: number): boolean {
  return op !== ALU_CMP && op !== ALU_TEST;
}

/** a op b for 8/16/32-bit operands (zero-extended int32s); sets the flags, returns the result. */
export function aluNarrow(c: Cpu, op: number, size: number, a: number, b: number): number {
  const bits = size * 8;
  const m = size === 4 ? -1 : (1 << bits) - 1;
  a &= m;
  b &= m;
  let r: number;
  switch (op) {
    case ALU_ADD:
      r = (a + b) | 0;
      flagsAdd(c, a, b, r, bits);
      break;
    case ALU_ADC:
      r = (a + b + getCF(c)) | 0;
      flagsAdd(c, a, b, r, bits);
      break;
    case ALU_SUB:
    case ALU_CMP:
      r = (a - b) | 0;
      flagsSub(c, a, b, r, bits);
      break;
    case ALU_SBB:
      r = (a - b - getCF(c)) | 0;
      flagsSub(c, a, b, r, bits);
      break;
    case ALU_OR:
      r = a | b;
      flagsLogic(c, r, bits);
      break;
    case ALU_XOR:
      r = a ^ b;
      flagsLogic(c, r, bits);
      break;
    default: // and, test
      r = a & b;
      flagsLogic(c, r, bits);
      break;
  }
  return r & m;
}

/** 64-bit a op b on halves; returns the low half, leaves the high half in c.tHi. */
export function alu64(c: Cpu, op: number, a: number, ah: number, b: number, bh: number): number {
  let r: number;
  let rh: number;
  switch (op) {
    case ALU_ADD:
    case ALU_ADC: {
      r = (a + b + (op === ALU_ADC ? getCF(c) : 0)) | 0;
      const carry = ((a & b) | ((a | b) & ~r)) >>> 31;
      rh = (ah + bh + carry) | 0;
      flagsAdd64(c, a, b, r, ah, bh, rh);
      break;
    }
    case ALU_SUB:
    case ALU_CMP:
    case ALU_SBB: {
      r = (a - b - (op === ALU_SBB ? getCF(c) : 0)) | 0;
      const borrow = ((~a & b) | (~(a ^ b) & r)) >>> 31;
      rh = (ah - bh - borrow) | 0;
      flagsSub64(c, a, b, r, ah, bh, rh);
      break;
    }
    case ALU_OR:
      r = a | b;
      rh = ah | bh;
      flagsLogic64(c, r, rh);
      break;
    case ALU_XOR:
      r = a ^ b;
      rh = ah ^ bh;
      flagsLogic64(c, r, rh);
      break;
    default:
      r = a & b;
      rh = ah & bh;
      flagsLogic64(c, r, rh);
      break;
  }
  c.tHi = rh;
  return r;
}

function alu(c: Cpu, op: number, size: number, a: number, ah: number, b: number, bh: number): number {
  if (size === 8) return alu64(c, op, a, ah, b, bh);
  return aluNarrow(c, op, size, a, b);
}

// Forms. RR: reg op= reg; RM: reg op= mem; MR: mem op= reg; RI: reg op= imm; MI: mem op= imm.

export function aluRR(c: Cpu, r: Rec): Rec {
  const size = r.size;
  const op = r.aux;
  const b = getReg(c, r.r1, size);
  const bh = c.tHi;
  const a = getReg(c, r.r0, size);
  const res = alu(c, op, size, a, c.tHi, b, bh);
  if (op !== ALU_CMP && op !== ALU_TEST) setReg(c, r.r0, size, res, c.tHi);
  return r.next;
}

export function aluRM(c: Cpu, r: Rec): Rec {
  const size = r.size;
  const op = r.aux;
  ea(c, r);
  const b = readMem(c, size);
  const bh = c.tHi;
  const a = getReg(c, r.r0, size);
  const res = alu(c, op, size, a, c.tHi, b, bh);
  if (op !== ALU_CMP && op !== ALU_TEST) setReg(c, r.r0, size, res, c.tHi);
  return r.next;
}

export function aluMR(c: Cpu, r: Rec): Rec {
  const size = r.size;
  const op = r.aux;
  ea(c, r);
  const writes = op !== ALU_CMP && op !== ALU_TEST;
  if (writes) c.mmu.probeWrite(c.eaLo, c.eaHi, size);
  const a = readMem(c, size);
  const ah = c.tHi;
  const b = getReg(c, r.r1, size);
  const res = alu(c, op, size, a, ah, b, c.tHi);
  if (writes) writeMem(c, size, res, c.tHi);
  return r.next;
}

export function aluRI(c: Cpu, r: Rec): Rec {
  const size = r.size;
  const op = r.aux;
  const a = getReg(c, r.r0, size);
  const res = alu(c, op, size, a, c.tHi, r.immLo, r.immHi);
  if (op !== ALU_CMP && op !== ALU_TEST) setReg(c, r.r0, size, res, c.tHi);
  return r.next;
}

export function aluMI(c: Cpu, r: Rec): Rec {
  const size = r.size;
  const op = r.aux;
  ea(c, r);
  const writes = op !== ALU_CMP && op !== ALU_TEST;
  if (writes) c.mmu.probeWrite(c.eaLo, c.eaHi, size);
  const a = readMem(c, size);
  const res = alu(c, op, size, a, c.tHi, r.immLo, r.immHi);
  if (writes) writeMem(c, size, res, c.tHi);
  return r.next;
}

// ---- inc / dec / neg / not ---------------------------------------------------------------------------

/** inc (aux 0) or dec (aux 1): CF is preserved. */
function incDec(c: Cpu, dec: boolean, size: number, a: number, ah: number): number {
  const cf = getCF(c);
  if (size === 8) {
    const r = (dec ? a - 1 : a + 1) | 0;
    const rh = dec ? (a === 0 ? (ah - 1) | 0 : ah) : r === 0 ? (ah + 1) | 0 : ah;
    const of = dec ? (ah === (0x80000000 | 0) && a === 0 ? 1 : 0) : ah === 0x7fffffff && a === -1 ? 1 : 0;
    const af = dec ? ((a & 0xf) === 0 ? 1 : 0) : (a & 0xf) === 0xf ? 1 : 0;
    flagsResult64(c, r, rh, cf, of, af);
    c.tHi = rh;
    return r;
  }
  const bits = size * 8;
  const m = size === 4 ? -1 : (1 << bits) - 1;
  a &= m;
  const r = (dec ? a - 1 : a + 1) & m;
  const sa = signExtend(a, bits);
  const of = dec ? (sa === -(2 ** (bits - 1)) ? 1 : 0) : sa === 2 ** (bits - 1) - 1 ? 1 : 0;
  const af = dec ? ((a & 0xf) === 0 ? 1 : 0) : (a & 0xf) === 0xf ? 1 : 0;
  flagsResult(c, r, bits, cf, of, af);
  return r;
}

export function incDecR(c: Cpu, r: Rec): Rec {
  const size = r.size;
  const a = getReg(c, r.r0, size);
  const res = incDec(c, r.aux === 1, size, a, c.tHi);
  setReg(c, r.r0, size, res, c.tHi);
  return r.next;
}

export function incDecM(c: Cpu, r: Rec): Rec {
  const size = r.size;
  ea(c, r);
  c.mmu.probeWrite(c.eaLo, c.eaHi, size);
  const a = readMem(c, size);
  const res = incDec(c, r.aux === 1, size, a, c.tHi);
  writeMem(c, size, res, c.tHi);
  return r.next;
}

function neg(c: Cpu, size: number, a: number, ah: number): number {
  if (size === 8) return alu64(c, ALU_SUB, 0, 0, a, ah);
  return aluNarrow(c, ALU_SUB, size, 0, a);
}

export function negR(c: Cpu, r: Rec): Rec {
  const size = r.size;
  const a = getReg(c, r.r0, size);
  const res = neg(c, size, a, c.tHi);
  setReg(c, r.r0, size, res, c.tHi);
  return r.next;
}

export function negM(c: Cpu, r: Rec): Rec {
  const size = r.size;
  ea(c, r);
  c.mmu.probeWrite(c.eaLo, c.eaHi, size);
  const a = readMem(c, size);
  const res = neg(c, size, a, c.tHi);
  writeMem(c, size, res, c.tHi);
  return r.next;
}

export function notR(c: Cpu, r: Rec): Rec {
  const size = r.size;
  const a = getReg(c, r.r0, size);
  setReg(c, r.r0, size, ~a, ~c.tHi);
  return r.next;
}

export function notM(c: Cpu, r: Rec): Rec {
  const size = r.size;
  ea(c, r);
  c.mmu.probeWrite(c.eaLo, c.eaHi, size);
  const a = readMem(c, size);
  writeMem(c, size, ~a, ~c.tHi);
  return r.next;
}
