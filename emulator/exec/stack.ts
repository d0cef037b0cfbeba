// Stack instructions: push/pop (register, memory, immediate), pushf/popf with the privilege rules,
// enter/leave, and the push/pop helpers the control and system families use.
import type { Cpu } from '../cpu/state.js';
import { RFLAGS_VALID } from '../cpu/state.js';
import { ATTENTION, type Rec } from '../decode/record.js';
import { AC, ARITH_FLAGS, DF, ID, IF, IOPL_MASK, NT, RBP, RF, RSP, TF, VIF, VIP, VM } from '../cpu/registers.js';
import { ea, getReg, readMem, setReg, writeMem } from './operands.js';

/** Push size bytes (2, 4 or 8) of (lo, hi) with the current stack-address size. */
export function push(c: Cpu, size: number, lo: number, hi: number): void {
  if (c.code64) {
    const s = (c.lo[RSP] >>> 0) - size;
    const nlo = s | 0;
    const nhi = s < 0 ? (c.hi[RSP] - 1) | 0 : c.hi[RSP];
    if (size === 8) c.mmu.writeStack64(nlo, nhi, lo, hi);
    else if (size === 4) c.mmu.write32(nlo, nhi, lo);
    else c.mmu.write16(nlo, nhi, lo);
    c.lo[RSP] = nlo;
    c.hi[RSP] = nhi;
    return;
  }
  // Compatibility mode: 32-bit stack pointer (SS.B = 1), SS base applied.
  const esp = (c.lo[RSP] - size) | 0;
  const lin = stackLinear32(c, esp);
  if (size === 4) c.mmu.write32(lin, 0, lo);
  else if (size === 2) c.mmu.write16(lin, 0, lo);
  else c.mmu.write64(lin, 0, lo, hi);
  c.lo[RSP] = esp;
  c.hi[RSP] = 0;
}

/** Pop size bytes; returns the low half (high half in c.tHi) and updates RSP. */
export function pop(c: Cpu, size: number): number {
  const v = peek(c, size, 0);
  const h = c.tHi;
  adjustSp(c, size);
  c.tHi = h;
  return v;
}

/** Read size bytes at RSP + offset without moving RSP. */
export function peek(c: Cpu, size: number, offset: number): number {
  if (c.code64) {
    const s = (c.lo[RSP] >>> 0) + offset;
    const lo = s | 0;
    const hi = s > 4294967295 ? (c.hi[RSP] + 1) | 0 : c.hi[RSP];
    if (size === 8) {
      const v = c.mmu.readStack64(lo, hi);
      c.tHi = c.mmu.hi32;
      return v;
    }
    c.tHi = 0;
    return size === 4 ? c.mmu.read32(lo, hi) : c.mmu.read16(lo, hi);
  }
  const lin = stackLinear32(c, (c.lo[RSP] + offset) | 0);
  c.tHi = 0;
  if (size === 8) {
    const v = c.mmu.read64(lin, 0);
    c.tHi = c.mmu.hi32;
    return v;
  }
  return size === 4 ? c.mmu.read32(lin, 0) : c.mmu.read16(lin, 0);
}

export function adjustSp(c: Cpu, delta: number): void {
  if (c.code64) {
    const s = (c.lo[RSP] >>> 0) + delta;
    c.lo[RSP] = s | 0;
    if (s > 4294967295) c.hi[RSP] = (c.hi[RSP] + 1) | 0;
    else if (s < 0) c.hi[RSP] = (c.hi[RSP] - 1) | 0;
  } else {
    c.lo[RSP] = (c.lo[RSP] + delta) | 0;
    c.hi[RSP] = 0;
  }
}

function stackLinear32(c: Cpu, esp: number): number {
  return (esp + c.segBaseLo[2]) | 0;
}

export function pushR(c: Cpu, r: Rec): Rec {
  const v = getReg(c, r.r0, r.size);
  push(c, r.size, v, c.tHi);
  return r.next;
}

export function popR(c: Cpu, r: Rec): Rec {
  const v = pop(c, r.size);
  setReg(c, r.r0, r.size, v, c.tHi);
  return r.next;
}

export function pushI(c: Cpu, r: Rec): Rec {
  push(c, r.size, r.immLo, r.immHi);
  return r.next;
}

export function pushM(c: Cpu, r: Rec): Rec {
  ea(c, r);
  const v = readMem(c, r.size);
  push(c, r.size, v, c.tHi);
  return r.next;
}

/** pop m: the EA is computed after RSP is incremented; a faulting store leaves RSP unchanged. */
export function popM(c: Cpu, r: Rec): Rec {
  const oldLo = c.lo[RSP], oldHi = c.hi[RSP];
  const v = pop(c, r.size);
  const vh = c.tHi;
  try {
    ea(c, r);
    writeMem(c, r.size, v, vh);
  } catch (e) {
    c.lo[RSP] = oldLo;
    c.hi[RSP] = oldHi;
    throw e;
  }
  return r.next;
}

export function pushf(c: Cpu, r: Rec): Rec {
  const f = c.getRflags() & ~(RF | VM);
  push(c, r.size, f, 0);
  return r.next;
}

/** The RFLAGS value POPF (or IRET within a privilege level) may load, from the SDM's rules. */
export function popfValue(c: Cpu, v: number, size: number): number {
  const old = c.getRflags();
  let changeable = ARITH_FLAGS | TF | DF | NT | AC | ID | IF | IOPL_MASK;
  if (c.cpl > 0) changeable &= ~IOPL_MASK;
  if (c.cpl > c.iopl) changeable &= ~IF;
  if (size === 2) changeable &= 0xffff;
  let nv = (old & ~changeable) | (v & changeable);
  nv &= ~(RF | VM) & RFLAGS_VALID;
  nv |= old & (VIF | VIP);
  return nv | 2;
}

/** popf: changes IF/TF/AC, so the run loop must look at the machine afterwards. */
export function popf(c: Cpu, r: Rec): Rec {
  const v = pop(c, r.size);
  c.setRflags(popfValue(c, v, r.size));
  c.ripLo = r.nextLo;
  c.ripHi = r.nextHi;
  return ATTENTION;
}

export function leave(c: Cpu, r: Rec): Rec {
  const size = r.size;
  const saveLo = c.lo[RSP], saveHi = c.hi[RSP];
  if (c.code64) {
    c.lo[RSP] = c.lo[RBP];
    c.hi[RSP] = c.hi[RBP];
  } else c.lo[RSP] = c.lo[RBP];
  try {
    const v = pop(c, size);
    setReg(c, RBP, size, v, c.tHi);
  } catch (e) {
    c.lo[RSP] = saveLo;
    c.hi[RSP] = saveHi;
    throw e;
  }
  return r.next;
}

/** enter imm16, imm8. */
export function enter(c: Cpu, r: Rec): Rec {
  const size = r.size;
  const alloc = r.immLo & 0xffff;
  const level = r.imm2 & 31;
  const saveLo = c.lo[RSP], saveHi = c.hi[RSP], saveBpLo = c.lo[RBP], saveBpHi = c.hi[RBP];
  try {
    push(c, size, c.lo[RBP], c.hi[RBP]);
    const frameLo = c.lo[RSP], frameHi = c.hi[RSP];
    if (level > 0) {
      let bpLo = saveBpLo, bpHi = saveBpHi;
      for (let i = 1; i < level; i++) {
        const s = (bpLo >>> 0) - size;
        bpLo = s | 0;
        if (s < 0) bpHi = (bpHi - 1) | 0;
        const v = c.code64 ? (size === 8 ? c.mmu.read64(bpLo, bpHi) : c.mmu.read16(bpLo, bpHi)) : size === 4 ? c.mmu.read32(bpLo, 0) : c.mmu.read16(bpLo, 0);
        push(c, size, v, size === 8 ? c.mmu.hi32 : 0);
      }
      push(c, size, frameLo, frameHi);
    }
    setReg(c, RBP, size === 2 ? 2 : c.code64 ? 8 : 4, frameLo, frameHi);
    adjustSp(c, -alloc);
  } catch (e) {
    c.lo[RSP] = saveLo;
    c.hi[RSP] = saveHi;
    c.lo[RBP] = saveBpLo;
    c.hi[RBP] = saveBpHi;
    throw e;
  }
  return r.next;
}
