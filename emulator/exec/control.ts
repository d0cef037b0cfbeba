// Near control transfer: jmp, jcc, call, ret (with imm16), loop/loope/loopne, jrcxz/jecxz.
// Handlers set c.rip to the target and return the cached target record, so a taken branch costs
// one compare; indirect branches keep the last target as an inline cache in r.target.
import type { Cpu } from '../cpu/state.js';
import { condition } from '../cpu/flags.js';
import { LINK_TARGET, type Rec } from '../decode/record.js';
import { RCX, RSP } from '../cpu/registers.js';
import { checkCanonicalTarget, ea, getReg, readMem } from './operands.js';
import { pop, push } from './stack.js';

export function jmpRel(c: Cpu, r: Rec): Rec {
  c.ripLo = r.targetLo;
  c.ripHi = r.targetHi;
  return r.target;
}

export function jcc(c: Cpu, r: Rec): Rec {
  if (!condition(c, r.cc)) return r.next;
  c.ripLo = r.targetLo;
  c.ripHi = r.targetHi;
  return r.target;
}

/** Continue at (lo, hi) through the inline cache in r.target. */
function indirect(c: Cpu, r: Rec, lo: number, hi: number): Rec {
  c.ripLo = lo;
  c.ripHi = hi;
  const t = r.target;
  if (t.ipLo === lo && t.ipHi === hi && t !== LINK_TARGET) return t;
  return LINK_TARGET;
}

/** Read the target of an indirect near branch (register or memory), sized for the mode. */
function branchTarget(c: Cpu, r: Rec): number {
  const size = r.stackSize;
  let lo: number;
  if (r.mKind === 0) lo = getReg(c, r.r0, size === 8 ? 8 : 4);
  else {
    ea(c, r);
    lo = readMem(c, size);
  }
  if (size !== 8) {
    c.tHi = 0;
    if (size === 2) lo &= 0xffff;
  }
  return lo;
}

export function jmpIndirect(c: Cpu, r: Rec): Rec {
  const lo = branchTarget(c, r);
  const hi = c.tHi;
  checkCanonicalTarget(lo, hi);
  return indirect(c, r, lo, hi);
}

export function callRel(c: Cpu, r: Rec): Rec {
  push(c, r.stackSize, r.nextLo, r.nextHi);
  c.ripLo = r.targetLo;
  c.ripHi = r.targetHi;
  return r.target;
}

export function callIndirect(c: Cpu, r: Rec): Rec {
  const lo = branchTarget(c, r);
  const hi = c.tHi;
  checkCanonicalTarget(lo, hi);
  push(c, r.stackSize, r.nextLo, r.nextHi);
  return indirect(c, r, lo, hi);
}

/** ret / ret imm16 (r.immLo = bytes to release after popping). */
export function retNear(c: Cpu, r: Rec): Rec {
  const size = r.stackSize;
  const saveLo = c.lo[RSP], saveHi = c.hi[RSP];
  const lo = pop(c, size);
  const hi = size === 8 ? c.tHi : 0;
  if ((hi << 16) >> 16 !== hi) {
    c.lo[RSP] = saveLo;
    c.hi[RSP] = saveHi;
    checkCanonicalTarget(lo, hi);
  }
  if (r.immLo !== 0) {
    const s = (c.lo[RSP] >>> 0) + r.immLo;
    c.lo[RSP] = s | 0;
    if (c.code64 && s > 4294967295) c.hi[RSP] = (c.hi[RSP] + 1) | 0;
  }
  return indirect(c, r, size === 2 ? lo & 0xffff : lo, hi);
}

/** loop (aux 0), loope (aux 1), loopne (aux 2): decrement RCX/ECX, branch if non-zero (and ZF). */
export function loop(c: Cpu, r: Rec): Rec {
  let zero: boolean;
  if (r.addr32) {
    const v = (c.lo[RCX] - 1) | 0;
    c.lo[RCX] = v;
    c.hi[RCX] = 0;
    zero = v === 0;
  } else {
    const v = (c.lo[RCX] - 1) | 0;
    if (v === -1) c.hi[RCX] = (c.hi[RCX] - 1) | 0;
    c.lo[RCX] = v;
    zero = v === 0 && c.hi[RCX] === 0;
  }
  let take = !zero;
  if (take && r.aux === 1) take = (c.fRes | c.fResHi) === 0;
  else if (take && r.aux === 2) take = (c.fRes | c.fResHi) !== 0;
  if (!take) return r.next;
  c.ripLo = r.targetLo;
  c.ripHi = r.targetHi;
  return r.target;
}

export function jrcxz(c: Cpu, r: Rec): Rec {
  const zero = r.addr32 ? c.lo[RCX] === 0 : c.lo[RCX] === 0 && c.hi[RCX] === 0;
  if (!zero) return r.next;
  c.ripLo = r.targetLo;
  c.ripHi = r.targetHi;
  return r.target;
}
