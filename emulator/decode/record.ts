// The decoded form of one instruction: a plain JS record with every field the handlers need, so
// execution never touches iced-x86 objects. All records share one shape (one hidden class).
import type { Cpu } from '../cpu/state.js';

/** Executes one instruction and returns the record to run next (or a sentinel, see below). */
export type Exec = (c: Cpu, r: Rec) => Rec;

/** Record flag bits. Any non-zero flags send the run loop to its slow path. */
export const F_LINK_NEXT = 1; // sentinel: fall-through link not resolved yet
export const F_LINK_TARGET = 2; // sentinel: direct branch target not resolved yet
export const F_BY_RIP = 4; // sentinel: continue at c.rip (indirect branch)
export const F_ATTENTION = 8; // sentinel: continue at c.rip after the run loop looks at the machine state
export const F_DEAD = 16; // this record's bytes changed: decode again
export const F_HOOK = 32; // an address hook is registered here
export const F_BREAK = 64; // a breakpoint is set here

/** Memory operand kinds. */
export const MEM_NONE = 0, MEM_ABS = 1, MEM_BASE = 2, MEM_BASE_INDEX = 3, MEM_INDEX = 4;

export interface CodePageRef {
  readonly dead: boolean;
  /** Bytes of the instruction at offset..offset+len (for traces and reports). */
  bytesAt(offset: number, len: number): Uint8Array;
}

export class Rec {
  exec: Exec;
  /** Hot-path id handled inline by the run loop's switch (0: call exec). */
  op = 0;
  ipLo = 0;
  ipHi = 0;
  nextLo = 0;
  nextHi = 0;
  len = 0;
  next: Rec;
  target: Rec;
  targetLo = 0;
  targetHi = 0;
  flags = 0;
  page: CodePageRef | null = null;
  /** iced-x86 Code and Mnemonic, for diagnostics. */
  code = 0;
  mnemonic = 0;
  /** Operand size in bytes. */
  size = 0;
  /** Register operands: GPR 0..15, 16..19 for AH/CH/DH/BH, -1 when absent. */
  r0 = -1;
  r1 = -1;
  r2 = -1;
  /** Immediate, sign- or zero-extended as the instruction defines, as halves. */
  immLo = 0;
  immHi = 0;
  imm2 = 0;
  /** Memory operand. */
  mKind = MEM_NONE;
  /** Segment whose base is added (-1: none). */
  mSeg = -1;
  /** Architectural segment of the access (for reports and compat mode). */
  mSegReg = 3;
  mBase = -1;
  mIndex = -1;
  mShift = 0;
  /** Signed 32-bit displacement; for MEM_ABS the absolute address as (mDisp, mDispHi). */
  mDisp = 0;
  mDispHi = 0;
  addr32 = false;
  cc = 0;
  /** 0 none, 1 REP/REPE, 2 REPNE. */
  rep = 0;
  lock = false;
  /** Family-specific sub-operation (ALU op, shift kind, ...). */
  aux = 0;
  /** Operand size of the stack / branch target (8 in 64-bit mode, 4 in compatibility mode). */
  stackSize = 8;
  /** 64 or 32: the code size this record was decoded for. */
  bitness = 64;
  /** The machine's hooks at this address, cached with the hook generation it was looked up in. */
  hookGen = -1;
  hookList: unknown = null;

  constructor(exec: Exec, flags = 0) {
    this.exec = exec;
    this.flags = flags;
    this.next = this;
    this.target = this;
  }
}

function sentinelExec(_c: Cpu, r: Rec): Rec {
  return r;
}

export const LINK_NEXT = new Rec(sentinelExec, F_LINK_NEXT);
export const LINK_TARGET = new Rec(sentinelExec, F_LINK_TARGET);
export const BY_RIP = new Rec(sentinelExec, F_BY_RIP);
export const ATTENTION = new Rec(sentinelExec, F_ATTENTION);

export function isSentinel(r: Rec): boolean {
  return r === LINK_NEXT || r === LINK_TARGET || r === BY_RIP || r === ATTENTION;
}

/** A fresh record with unresolved links. */
export function newRec(exec: Exec): Rec {
  const r = new Rec(exec);
  r.next = LINK_NEXT;
  r.target = LINK_TARGET;
  return r;
}
