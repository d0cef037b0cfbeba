// Binds a decoded iced-x86 instruction to its handler: extracts every operand field once into the
// record (registers, memory operand, immediates, branch target) and picks the family function by
// mnemonic and operand form. Anything not listed raises #UD, like hardware without the feature.
import { Code, MemorySize, MemorySizeExt, Mnemonic, OpKind, Register, type Instruction } from 'iced-x86';
import type { CpuidModel } from '../cpu/cpuid.js';
import { DS as SEG_DS, FS as SEG_FS, GS as SEG_GS, RCX, RDX } from '../cpu/registers.js';
import { MEM_ABS, MEM_BASE, MEM_BASE_INDEX, MEM_INDEX, type Exec, type Rec } from './record.js';
import * as alu from '../exec/alu.js';
import * as muldiv from '../exec/muldiv.js';
import * as shift from '../exec/shift.js';
import * as bit from '../exec/bit.js';
import * as move from '../exec/move.js';
import * as stack from '../exec/stack.js';
import * as control from '../exec/control.js';
import * as str from '../exec/string.js';
import * as sys from '../exec/system.js';
import * as misc from '../exec/misc.js';
import * as fpu from '../exec/fpu.js';
import * as fast from '../exec/fast.js';
import { LINK_TARGET } from './record.js';

fast.bindFallbacks(stack.pushR, stack.popR, control.callRel, control.retNear, LINK_TARGET);

/** GPR index for an iced register (16..19 for AH..BH), or -1. */
export function gprIndex(reg: number): number {
  if (reg >= Register.AL && reg <= Register.BL) return reg - Register.AL;
  if (reg >= Register.AH && reg <= Register.BH) return 16 + reg - Register.AH;
  if (reg >= Register.SPL && reg <= Register.R15L) return 4 + reg - Register.SPL;
  if (reg >= Register.AX && reg <= Register.R15W) return reg - Register.AX;
  if (reg >= Register.EAX && reg <= Register.R15D) return reg - Register.EAX;
  if (reg >= Register.RAX && reg <= Register.R15) return reg - Register.RAX;
  return -1;
}

/** Operand size in bytes of a GPR, 0 if not a GPR. */
export function gprSize(reg: number): number {
  if (reg >= Register.AL && reg <= Register.R15L) return 1;
  if (reg >= Register.AX && reg <= Register.R15W) return 2;
  if (reg >= Register.EAX && reg <= Register.R15D) return 4;
  if (reg >= Register.RAX && reg <= Register.R15) return 8;
  return 0;
}

function segIndex(reg: number): number {
  return reg >= Register.ES && reg <= Register.GS ? reg - Register.ES : -1;
}

const ALU_OPS: Partial<Record<number, number>> = {
  [Mnemonic.Add]: alu.ALU_ADD, [Mnemonic.Or]: alu.ALU_OR, [Mnemonic.Adc]: alu.ALU_ADC, [Mnemonic.Sbb]: alu.ALU_SBB,
  [Mnemonic.And]: alu.ALU_AND, [Mnemonic.Sub]: alu.ALU_SUB, [Mnemonic.Xor]: alu.ALU_XOR, [Mnemonic.Cmp]: alu.ALU_CMP, [Mnemonic.Test]: alu.ALU_TEST,
};

const SHIFT_OPS: Partial<Record<number, number>> = {
  [Mnemonic.Rol]: shift.SH_ROL, [Mnemonic.Ror]: shift.SH_ROR, [Mnemonic.Rcl]: shift.SH_RCL, [Mnemonic.Rcr]: shift.SH_RCR,
  [Mnemonic.Shl]: shift.SH_SHL, [Mnemonic.Sal]: shift.SH_SAL, [Mnemonic.Shr]: shift.SH_SHR, [Mnemonic.Sar]: shift.SH_SAR,
};

const STRING_OPS: Partial<Record<number, [number, number]>> = {
  [Mnemonic.Movsb]: [str.STR_MOVS, 1], [Mnemonic.Movsw]: [str.STR_MOVS, 2], [Mnemonic.Movsd]: [str.STR_MOVS, 4], [Mnemonic.Movsq]: [str.STR_MOVS, 8],
  [Mnemonic.Stosb]: [str.STR_STOS, 1], [Mnemonic.Stosw]: [str.STR_STOS, 2], [Mnemonic.Stosd]: [str.STR_STOS, 4], [Mnemonic.Stosq]: [str.STR_STOS, 8],
  [Mnemonic.Lodsb]: [str.STR_LODS, 1], [Mnemonic.Lodsw]: [str.STR_LODS, 2], [Mnemonic.Lodsd]: [str.STR_LODS, 4], [Mnemonic.Lodsq]: [str.STR_LODS, 8],
  [Mnemonic.Cmpsb]: [str.STR_CMPS, 1], [Mnemonic.Cmpsw]: [str.STR_CMPS, 2], [Mnemonic.Cmpsd]: [str.STR_CMPS, 4], [Mnemonic.Cmpsq]: [str.STR_CMPS, 8],
  [Mnemonic.Scasb]: [str.STR_SCAS, 1], [Mnemonic.Scasw]: [str.STR_SCAS, 2], [Mnemonic.Scasd]: [str.STR_SCAS, 4], [Mnemonic.Scasq]: [str.STR_SCAS, 8],
  [Mnemonic.Insb]: [str.STR_INS, 1], [Mnemonic.Insw]: [str.STR_INS, 2], [Mnemonic.Insd]: [str.STR_INS, 4],
  [Mnemonic.Outsb]: [str.STR_OUTS, 1], [Mnemonic.Outsw]: [str.STR_OUTS, 2], [Mnemonic.Outsd]: [str.STR_OUTS, 4],
};

const NOPS = new Set<number>([
  Mnemonic.Nop, Mnemonic.Pause, Mnemonic.Endbr64, Mnemonic.Endbr32, Mnemonic.Lfence, Mnemonic.Mfence, Mnemonic.Sfence,
  Mnemonic.Serialize, Mnemonic.Rdsspq, Mnemonic.Rdsspd,
]);
const TOUCHES = new Set<number>([
  Mnemonic.Prefetcht0, Mnemonic.Prefetcht1, Mnemonic.Prefetcht2, Mnemonic.Prefetchnta, Mnemonic.Prefetchw, Mnemonic.Prefetch,
  Mnemonic.Clflush, Mnemonic.Clflushopt, Mnemonic.Clwb, Mnemonic.Cldemote,
]);

interface Ctx {
  bitness: number;
  cpuid: CpuidModel;
}

function isImmediate(kind: number): boolean {
  return kind >= OpKind.Immediate8 && kind <= OpKind.Immediate32to64;
}

function immediateOf(ins: Instruction, k: number, r: Rec): void {
  const v = BigInt.asUintN(64, ins.immediate(k));
  r.immLo = Number(v & 0xffffffffn) | 0;
  r.immHi = Number(v >> 32n) | 0;
}

function memorySizeBytes(ins: Instruction): number {
  const bytes = MemorySizeExt.size(ins.memorySize);
  return bytes === 1 || bytes === 2 || bytes === 4 || bytes === 8 ? bytes : 0;
}

/** Fill r's memory-operand fields from ins (which must have a Memory operand). */
function bindMemory(ins: Instruction, r: Rec, ctx: Ctx, ignoreSegment: boolean): void {
  const base = ins.memoryBase;
  const index = ins.memoryIndex;
  const segReg = segIndex(ins.memorySegment);
  r.mSegReg = segReg;
  let addrSize: number;
  if (base !== Register.None) addrSize = base === Register.RIP ? 8 : base === Register.EIP ? 4 : gprSize(base);
  else if (index !== Register.None) addrSize = gprSize(index);
  else addrSize = ins.memoryDisplSize === 8 ? 8 : ins.memoryDisplSize === 4 && ctx.bitness === 64 ? 4 : ctx.bitness === 64 ? 8 : 4;
  r.addr32 = addrSize === 4;
  if (base === Register.RIP || base === Register.EIP || (base === Register.None && index === Register.None)) {
    const a = BigInt.asUintN(addrSize === 4 ? 32 : 64, ins.memoryDisplacement);
    r.mKind = MEM_ABS;
    r.mDisp = Number(a & 0xffffffffn) | 0;
    r.mDispHi = Number(a >> 32n) | 0;
  } else {
    r.mDisp = Number(BigInt.asIntN(32, ins.memoryDisplacement));
    r.mBase = base !== Register.None ? gprIndex(base) : -1;
    r.mIndex = index !== Register.None ? gprIndex(index) : -1;
    r.mShift = [0, 0, 1, 0, 2, 0, 0, 0, 3][ins.memoryIndexScale];
    r.mKind = r.mIndex < 0 ? MEM_BASE : r.mBase < 0 ? MEM_INDEX : MEM_BASE_INDEX;
  }
  // 64-bit mode applies only FS/GS bases; compatibility mode applies the effective segment's base.
  if (ignoreSegment) r.mSeg = -1;
  else if (ctx.bitness === 64) r.mSeg = segReg === SEG_FS || segReg === SEG_GS ? segReg : -1;
  else r.mSeg = segReg;
}

/**
 * Bind ins into r. Returns false when the instruction is not supported (r.exec raises #UD).
 * Layout: r.r0/r.r1/r.r2 = GPR of operands 0/1/2 (or -1), memory fields for the memory operand,
 * immLo/immHi for the immediate, targetLo/targetHi for a near branch, r.size = operand size.
 */
export function bindInstruction(r: Rec, ins: Instruction, ctx: Ctx): boolean {
  const ok = bindGeneric(r, ins, ctx);
  if (ok) specialize(r);
  return ok;
}

/** Replace the generic handler with a specialised one for the hottest forms (exec/fast.ts). */
function specialize(r: Rec): void {
  const e = r.exec;
  const size = r.size;
  const wide = size === 8 || size === 4;
  let f: Exec | undefined;
  const base = r.mKind !== 0 && fast.simpleBase(r);
  if (e === alu.aluRR || e === alu.aluRI) {
    f = fast.fastAlu(r.aux, size, e === alu.aluRR, r);
    if (!f && size === 8 && r.r0 < 16) f = r.aux === alu.ALU_ADC ? (e === alu.aluRR ? fast.adc64rr : fast.adc64ri) : r.aux === alu.ALU_SBB && e === alu.aluRR ? fast.sbb64rr : undefined;
    if (!f && size === 1) f = fast.fastAluMore(r.aux, 1, e === alu.aluRR ? 'rr8' : 'ri8', r);
  } else if (e === alu.aluRM && base && r.r0 < 16) f = fast.fastAluMore(r.aux, size, 'rm', r);
  else if (e === alu.aluMI && base) f = fast.fastAluMore(r.aux, size, 'mi', r);
  else if (e === move.movMI && base) f = size === 8 ? fast.mov64mi : size === 4 ? fast.mov32mi : size === 1 ? fast.mov8mi : undefined;
  else if (e === move.movRM && size === 1 && base && r.r0 < 16) f = fast.mov8rm;
  else if (e === move.movMR && size === 1 && base && r.r1 < 16) f = fast.mov8mr;
  else if (e === move.movExtend && r.aux === 2 && size === 4 && base) f = fast.movzw32rm;
  else if (e === move.movExtend && r.aux === 1 && size === 4 && r.mKind === 0 && r.r1 < 16) f = fast.movzb32rr;
  else if (e === move.movExtend && r.aux === 2 && size === 4 && r.mKind === 0) f = fast.movzw32rr;
  else if (e === move.movExtend && r.aux === (4 | 8) && size === 8) f = r.mKind === 0 ? fast.movslq_rr : base ? fast.movslq_rm : undefined;
  if (f) {
    r.exec = f;
    r.op = fast.hotOp(f);
    return;
  }
  if (e === alu.incDecR && wide) f = r.aux === 0 ? (size === 8 ? fast.inc64 : fast.inc32) : size === 8 ? fast.dec64 : fast.dec32;
  else if (e === move.movRR && wide) f = size === 8 ? fast.mov64rr : fast.mov32rr;
  else if (e === move.movRI && wide) f = size === 8 ? fast.mov64ri : fast.mov32ri;
  else if (e === move.movRM && wide && fast.simpleBase(r)) f = size === 8 ? fast.mov64rm : fast.mov32rm;
  else if (e === move.movMR && wide && fast.simpleBase(r)) f = size === 8 ? fast.mov64mr : fast.mov32mr;
  else if (e === move.movExtend && r.aux === 1 && size === 4 && r.mKind !== 0 && fast.simpleBase(r)) f = fast.movzb32rm;
  else if (e === move.lea && size === 8 && fast.simpleBase(r)) f = fast.lea64base;
  else if (r.bitness === 64 && size === 8 && e === stack.pushR) f = fast.push64r;
  else if (r.bitness === 64 && size === 8 && e === stack.popR) f = fast.pop64r;
  else if (r.bitness === 64 && e === control.callRel) f = fast.call64rel;
  else if (r.bitness === 64 && e === control.retNear && r.immLo === 0) f = fast.ret64;
  else if (e === control.jcc) f = fast.JCC[r.cc];
  if (f) {
    r.exec = f;
    r.op = fast.hotOp(f);
  }
}

function bindGeneric(r: Rec, ins: Instruction, ctx: Ctx): boolean {
  const mn = ins.mnemonic;
  r.code = ins.code;
  r.mnemonic = mn;
  r.bitness = ctx.bitness;
  r.stackSize = ctx.bitness === 64 ? 8 : 4;
  r.lock = ins.hasLockPrefix;
  r.rep = ins.hasRepnePrefix ? 2 : ins.hasRepePrefix || ins.hasRepPrefix ? 1 : 0;
  const n = ins.opCount;
  const kinds: number[] = [];
  const regs: number[] = [];
  let memOp = -1;
  let immOp = -1;
  for (let k = 0; k < n; k++) {
    const kind = ins.opKind(k);
    kinds.push(kind);
    if (kind === OpKind.Register) {
      const reg = ins.opRegister(k);
      regs.push(reg);
      const g = gprIndex(reg);
      if (k === 0) r.r0 = g;
      else if (k === 1) r.r1 = g;
      else if (k === 2) r.r2 = g;
    } else {
      regs.push(Register.None);
      if (kind === OpKind.Memory) memOp = k;
      else if (isImmediate(kind)) {
        if (immOp < 0) {
          immOp = k;
          immediateOf(ins, k, r);
        } else r.imm2 = Number(BigInt.asUintN(32, ins.immediate(k)));
      } else if (kind === OpKind.NearBranch64 || kind === OpKind.NearBranch32 || kind === OpKind.NearBranch16) {
        const t = BigInt.asUintN(64, ins.nearBranchTarget);
        r.targetLo = Number(t & 0xffffffffn) | 0;
        r.targetHi = Number(t >> 32n) | 0;
      }
    }
  }
  const regSize0 = n > 0 && kinds[0] === OpKind.Register ? gprSize(regs[0]) : 0;
  const memSize = memOp >= 0 ? memorySizeBytes(ins) : 0;
  const size = regSize0 || memSize || (n > 1 && kinds[1] === OpKind.Register ? gprSize(regs[1]) : 0);
  r.size = size;
  if (memOp >= 0) bindMemory(ins, r, ctx, mn === Mnemonic.Lea || mn === Mnemonic.Nop);
  const mem0 = memOp === 0;
  const set = (exec: Exec, aux = r.aux): true => {
    r.exec = exec;
    r.aux = aux;
    return true;
  };

  const aluOp = ALU_OPS[mn];
  if (aluOp !== undefined) {
    if (n !== 2) return false;
    if (mem0) return set(kinds[1] === OpKind.Register ? alu.aluMR : alu.aluMI, aluOp);
    if (memOp === 1) return set(alu.aluRM, aluOp);
    return set(kinds[1] === OpKind.Register ? alu.aluRR : alu.aluRI, aluOp);
  }
  const shiftOp = SHIFT_OPS[mn];
  if (shiftOp !== undefined) {
    // by 1: iced gives an Immediate8 of 1; by CL: op1 is CL (r.r1 = RCX).
    if (kinds[1] === OpKind.Register && regs[1] !== Register.CL) return false;
    if (kinds[1] !== OpKind.Register) r.r1 = -1;
    return set(mem0 ? shift.shiftM : shift.shiftR, shiftOp);
  }
  const strOp = STRING_OPS[mn];
  if (strOp !== undefined) {
    r.size = strOp[1];
    // The source segment is whatever iced reports for the DS:rSI operand (overridable).
    let srcSeg = SEG_DS;
    for (let k = 0; k < n; k++) {
      const kind = kinds[k];
      if (kind === OpKind.MemorySegRSI || kind === OpKind.MemorySegESI || kind === OpKind.MemorySegSI) srcSeg = segIndex(ins.memorySegment);
      if (kind === OpKind.MemorySegESI || kind === OpKind.MemoryESEDI || kind === OpKind.MemorySegEDI) r.addr32 = true;
      if (kind === OpKind.MemorySegSI || kind === OpKind.MemoryESDI || kind === OpKind.MemorySegDI) return false;
    }
    if (ctx.bitness === 32) r.addr32 = true;
    r.mSegReg = srcSeg;
    r.mSeg = ctx.bitness === 64 ? (srcSeg === SEG_FS || srcSeg === SEG_GS ? srcSeg : -1) : srcSeg;
    return set(str.stringOp, strOp[0]);
  }
  if (NOPS.has(mn)) return set(misc.nop);
  if (TOUCHES.has(mn)) return set(memOp >= 0 ? misc.touchAddress : misc.nop);

  switch (mn) {
    // ---- moves ----
    case Mnemonic.Mov: {
      const s0 = segIndex(regs[0]);
      const s1 = segIndex(regs[1]);
      if (s0 >= 0) return set(sys.movToSreg, s0);
      if (s1 >= 0) {
        r.size = mem0 ? 2 : gprSize(regs[0]);
        return set(sys.movFromSreg, s1);
      }
      if (regs[0] >= Register.CR0 && regs[0] <= Register.CR15) {
        r.r0 = r.r1;
        r.imm2 = 0;
        return set(sys.movCr, regs[0] - Register.CR0);
      }
      if (regs[1] >= Register.CR0 && regs[1] <= Register.CR15) {
        r.imm2 = 1;
        return set(sys.movCr, regs[1] - Register.CR0);
      }
      if (regs[0] >= Register.DR0 && regs[0] <= Register.DR15) {
        r.r0 = r.r1;
        r.imm2 = 0;
        return set(sys.movDr, regs[0] - Register.DR0);
      }
      if (regs[1] >= Register.DR0 && regs[1] <= Register.DR15) {
        r.imm2 = 1;
        return set(sys.movDr, regs[1] - Register.DR0);
      }
      if (mem0) return set(kinds[1] === OpKind.Register ? move.movMR : move.movMI);
      if (memOp === 1) return set(move.movRM);
      return set(kinds[1] === OpKind.Register ? move.movRR : move.movRI);
    }
    case Mnemonic.Movnti:
      return set(move.movMR);
    case Mnemonic.Movzx:
    case Mnemonic.Movsx: {
      const from = memOp === 1 ? memSize : gprSize(regs[1]);
      return set(move.movExtend, from | (mn === Mnemonic.Movsx ? 8 : 0));
    }
    case Mnemonic.Movsxd: {
      const from = memOp === 1 ? memSize : gprSize(regs[1]);
      return set(move.movExtend, from === 4 && r.size === 8 ? 4 | 8 : from);
    }
    case Mnemonic.Lea:
      if (memOp !== 1) return false;
      return set(move.lea);
    case Mnemonic.Xchg:
      if (mem0) {
        r.r1 = gprIndex(regs[1]);
        return set(move.xchgMR);
      }
      if (memOp === 1) {
        r.r1 = r.r0;
        return set(move.xchgMR);
      }
      return set(move.xchgRR);
    case Mnemonic.Cmpxchg:
      return set(move.cmpxchg);
    case Mnemonic.Cmpxchg8b:
      r.size = 4;
      return set(move.cmpxchgWide);
    case Mnemonic.Cmpxchg16b:
      if (!ctx.cpuid.has('cx16')) return false;
      r.size = 8;
      return set(move.cmpxchgWide);
    case Mnemonic.Xadd:
      return set(move.xadd);
    case Mnemonic.Seto: case Mnemonic.Setno: case Mnemonic.Setb: case Mnemonic.Setae: case Mnemonic.Sete: case Mnemonic.Setne:
    case Mnemonic.Setbe: case Mnemonic.Seta: case Mnemonic.Sets: case Mnemonic.Setns: case Mnemonic.Setp: case Mnemonic.Setnp:
    case Mnemonic.Setl: case Mnemonic.Setge: case Mnemonic.Setle: case Mnemonic.Setg:
      r.cc = ins.conditionCode - 1;
      return set(move.setcc);
    case Mnemonic.Cmovo: case Mnemonic.Cmovno: case Mnemonic.Cmovb: case Mnemonic.Cmovae: case Mnemonic.Cmove: case Mnemonic.Cmovne:
    case Mnemonic.Cmovbe: case Mnemonic.Cmova: case Mnemonic.Cmovs: case Mnemonic.Cmovns: case Mnemonic.Cmovp: case Mnemonic.Cmovnp:
    case Mnemonic.Cmovl: case Mnemonic.Cmovge: case Mnemonic.Cmovle: case Mnemonic.Cmovg:
      r.cc = ins.conditionCode - 1;
      return set(move.cmovcc);
    case Mnemonic.Cbw: r.size = 2; return set(move.signExtendAcc);
    case Mnemonic.Cwde: r.size = 4; return set(move.signExtendAcc);
    case Mnemonic.Cdqe: r.size = 8; return set(move.signExtendAcc);
    case Mnemonic.Cwd: r.size = 2; return set(move.signExtendDx);
    case Mnemonic.Cdq: r.size = 4; return set(move.signExtendDx);
    case Mnemonic.Cqo: r.size = 8; return set(move.signExtendDx);
    case Mnemonic.Lahf: return ctx.bitness === 64 && !ctx.cpuid.has('lahf_lm') ? false : set(move.lahf);
    case Mnemonic.Sahf: return ctx.bitness === 64 && !ctx.cpuid.has('lahf_lm') ? false : set(move.sahf);
    case Mnemonic.Clc: return set(move.flagOp, 0);
    case Mnemonic.Stc: return set(move.flagOp, 1);
    case Mnemonic.Cmc: return set(move.flagOp, 2);
    case Mnemonic.Cld: return set(move.flagOp, 3);
    case Mnemonic.Std: return set(move.flagOp, 4);
    case Mnemonic.Movbe:
      if (!ctx.cpuid.has('movbe')) return false;
      if (mem0) {
        r.size = gprSize(regs[1]);
        return set(move.movbe, 1);
      }
      return set(move.movbe, 0);

    // ---- arithmetic ----
    case Mnemonic.Inc: return set(mem0 ? alu.incDecM : alu.incDecR, 0);
    case Mnemonic.Dec: return set(mem0 ? alu.incDecM : alu.incDecR, 1);
    case Mnemonic.Neg: return set(mem0 ? alu.negM : alu.negR);
    case Mnemonic.Not: return set(mem0 ? alu.notM : alu.notR);
    case Mnemonic.Mul: return set(muldiv.mul1);
    case Mnemonic.Div: return set(muldiv.div1);
    case Mnemonic.Idiv: return set(muldiv.idiv1);
    case Mnemonic.Imul:
      if (n === 1) return set(muldiv.imul1);
      if (n === 2) return set(muldiv.imul2);
      return set(muldiv.imul3);

    // ---- bits ----
    case Mnemonic.Bt: case Mnemonic.Bts: case Mnemonic.Btr: case Mnemonic.Btc: {
      const op = mn === Mnemonic.Bt ? bit.BT : mn === Mnemonic.Bts ? bit.BTS : mn === Mnemonic.Btr ? bit.BTR : bit.BTC;
      if (kinds[1] !== OpKind.Register) r.r1 = -1;
      return set(mem0 ? bit.btM : bit.btR, op);
    }
    case Mnemonic.Bsf: return set(bit.bsfBsr, 0);
    case Mnemonic.Bsr: return set(bit.bsfBsr, 1);
    case Mnemonic.Tzcnt: return set(ctx.cpuid.has('bmi1') ? bit.tzLzcnt : bit.bsfBsr, 0);
    case Mnemonic.Lzcnt: return ctx.cpuid.has('abm') ? set(bit.tzLzcnt, 1) : set(bit.bsfBsr, 1);
    case Mnemonic.Popcnt: return ctx.cpuid.has('popcnt') ? set(bit.popcnt) : false;
    case Mnemonic.Bswap: return set(bit.bswap);
    case Mnemonic.Andn: case Mnemonic.Pdep: case Mnemonic.Pext:
      if (!ctx.cpuid.has(mn === Mnemonic.Andn ? 'bmi1' : 'bmi2')) return false;
      return set(bit.bmi, mn === Mnemonic.Andn ? bit.BMI_ANDN : mn === Mnemonic.Pdep ? bit.BMI_PDEP : bit.BMI_PEXT);
    case Mnemonic.Bextr: case Mnemonic.Bzhi:
      if (!ctx.cpuid.has(mn === Mnemonic.Bextr ? 'bmi1' : 'bmi2')) return false;
      return set(bit.bmi, mn === Mnemonic.Bextr ? bit.BMI_BEXTR : bit.BMI_BZHI);
    case Mnemonic.Blsi: case Mnemonic.Blsmsk: case Mnemonic.Blsr:
      if (!ctx.cpuid.has('bmi1')) return false;
      // operand 0 is the vvvv destination, operand 1 the source
      return set(bit.bmi, mn === Mnemonic.Blsi ? bit.BMI_BLSI : mn === Mnemonic.Blsmsk ? bit.BMI_BLSMSK : bit.BMI_BLSR);
    case Mnemonic.Shlx: case Mnemonic.Shrx: case Mnemonic.Sarx: case Mnemonic.Rorx:
      if (!ctx.cpuid.has('bmi2')) return false;
      if (mn === Mnemonic.Rorx) r.r2 = -1;
      return set(shift.bmiShift, mn === Mnemonic.Shlx ? shift.SH_SHL : mn === Mnemonic.Shrx ? shift.SH_SHR : mn === Mnemonic.Sarx ? shift.SH_SAR : shift.SH_ROR);
    case Mnemonic.Shld: case Mnemonic.Shrd:
      if (kinds[2] === OpKind.Register && regs[2] !== Register.CL) return false;
      if (kinds[2] !== OpKind.Register) r.r2 = -1;
      else r.r2 = RCX;
      return set(shift.doubleShiftRm, mn === Mnemonic.Shld ? 0 : 1);

    // ---- stack ----
    case Mnemonic.Push: {
      const s0 = segIndex(regs[0]);
      if (s0 >= 0) {
        r.size = ctx.bitness === 64 ? 8 : 4;
        return set(sys.pushSreg, s0);
      }
      if (kinds[0] === OpKind.Register) return set(stack.pushR);
      if (mem0) return set(stack.pushM);
      // push imm: operand size is the stack size unless 66h gives 16 bits
      r.size = ins.code === Code.Push_imm16 || ins.code === Code.Pushw_imm8 ? 2 : ctx.bitness === 64 ? 8 : 4;
      if (r.size === 4) r.immHi = 0;
      return set(stack.pushI);
    }
    case Mnemonic.Pop: {
      const s0 = segIndex(regs[0]);
      if (s0 >= 0) {
        r.size = ctx.bitness === 64 ? 8 : 4;
        return set(sys.popSreg, s0);
      }
      return set(mem0 ? stack.popM : stack.popR);
    }
    case Mnemonic.Pushf: r.size = 2; return set(stack.pushf);
    case Mnemonic.Pushfd: r.size = 4; return set(stack.pushf);
    case Mnemonic.Pushfq: r.size = 8; return set(stack.pushf);
    case Mnemonic.Popf: r.size = 2; return set(stack.popf);
    case Mnemonic.Popfd: r.size = 4; return set(stack.popf);
    case Mnemonic.Popfq: r.size = 8; return set(stack.popf);
    case Mnemonic.Leave: r.size = ins.code === Code.Leavew ? 2 : ctx.bitness === 64 ? 8 : 4; return set(stack.leave);
    case Mnemonic.Enter: r.size = ins.code === Code.Enterw_imm16_imm8 ? 2 : ctx.bitness === 64 ? 8 : 4; return set(stack.enter);

    // ---- control transfer ----
    case Mnemonic.Jmp:
      if (kinds[0] === OpKind.NearBranch64 || kinds[0] === OpKind.NearBranch32) return set(control.jmpRel);
      if (kinds[0] === OpKind.Register || mem0) {
        if (ins.isJmpFarIndirect) {
          r.size = farOffsetSize(ins);
          return set(sys.farIndirect, 0);
        }
        return set(control.jmpIndirect);
      }
      return false;
    case Mnemonic.Call:
      if (kinds[0] === OpKind.NearBranch64 || kinds[0] === OpKind.NearBranch32) return set(control.callRel);
      if (kinds[0] === OpKind.Register || mem0) {
        if (ins.isCallFarIndirect) {
          r.size = farOffsetSize(ins);
          return set(sys.farIndirect, 1);
        }
        return set(control.callIndirect);
      }
      return false;
    case Mnemonic.Ret:
      r.immLo = immOp >= 0 ? r.immLo & 0xffff : 0;
      return set(control.retNear);
    case Mnemonic.Retf:
      r.immLo = immOp >= 0 ? r.immLo & 0xffff : 0;
      r.size = retfSize(ins);
      return set(sys.farRet);
    case Mnemonic.Jo: case Mnemonic.Jno: case Mnemonic.Jb: case Mnemonic.Jae: case Mnemonic.Je: case Mnemonic.Jne:
    case Mnemonic.Jbe: case Mnemonic.Ja: case Mnemonic.Js: case Mnemonic.Jns: case Mnemonic.Jp: case Mnemonic.Jnp:
    case Mnemonic.Jl: case Mnemonic.Jge: case Mnemonic.Jle: case Mnemonic.Jg:
      r.cc = ins.conditionCode - 1;
      return set(control.jcc);
    case Mnemonic.Loop: r.addr32 = loopAddr32(ins, ctx); return set(control.loop, 0);
    case Mnemonic.Loope: r.addr32 = loopAddr32(ins, ctx); return set(control.loop, 1);
    case Mnemonic.Loopne: r.addr32 = loopAddr32(ins, ctx); return set(control.loop, 2);
    case Mnemonic.Jrcxz: r.addr32 = false; return set(control.jrcxz);
    case Mnemonic.Jecxz: r.addr32 = true; return set(control.jrcxz);

    // ---- system ----
    case Mnemonic.Syscall: return set(sys.syscall);
    case Mnemonic.Sysret: r.size = 4; return set(sys.sysret);
    case Mnemonic.Sysretq: r.size = 8; return set(sys.sysret);
    case Mnemonic.Sysenter: return set(sys.sysenter);
    case Mnemonic.Sysexit: r.size = 4; return set(sys.sysexit);
    case Mnemonic.Sysexitq: r.size = 8; return set(sys.sysexit);
    case Mnemonic.Swapgs: return set(sys.swapgs);
    case Mnemonic.Iret: r.size = 2; return set(sys.iret);
    case Mnemonic.Iretd: r.size = 4; return set(sys.iret);
    case Mnemonic.Iretq: r.size = 8; return set(sys.iret);
    case Mnemonic.Int: return set(sys.intN);
    case Mnemonic.Int3: return set(sys.int3);
    case Mnemonic.Int1: return set(sys.int1);
    case Mnemonic.Into: return set(sys.into);
    case Mnemonic.Cli: return set(sys.cli);
    case Mnemonic.Sti: return set(sys.sti);
    case Mnemonic.Hlt: return set(sys.hlt);
    case Mnemonic.Rdmsr: return set(sys.rdmsr);
    case Mnemonic.Wrmsr: return set(sys.wrmsr);
    case Mnemonic.Rdtsc: return set(sys.rdtsc, 0);
    case Mnemonic.Rdtscp: return ctx.cpuid.has('rdtscp') ? set(sys.rdtsc, 1) : false;
    case Mnemonic.Rdpid: return ctx.cpuid.has('rdpid') ? set(sys.rdpid) : false;
    case Mnemonic.Cpuid: return set(sys.cpuid);
    case Mnemonic.Rdpmc: return set(sys.rdpmc);
    case Mnemonic.Xgetbv: return set(sys.xgetbv);
    case Mnemonic.Xsetbv: return set(sys.xsetbv);
    case Mnemonic.Lgdt: return set(sys.loadTable, 0);
    case Mnemonic.Lidt: return set(sys.loadTable, 1);
    case Mnemonic.Sgdt: return set(sys.storeTable, 0);
    case Mnemonic.Sidt: return set(sys.storeTable, 1);
    case Mnemonic.Ltr: return set(sys.loadSystemSegment, 0);
    case Mnemonic.Lldt: return set(sys.loadSystemSegment, 1);
    case Mnemonic.Str: if (!mem0) r.size = gprSize(regs[0]); return set(sys.storeSystemSegment, 0);
    case Mnemonic.Sldt: if (!mem0) r.size = gprSize(regs[0]); return set(sys.storeSystemSegment, 1);
    case Mnemonic.Smsw: return set(sys.smsw);
    case Mnemonic.Lmsw: return set(sys.lmsw);
    case Mnemonic.Clts: return set(sys.clts);
    case Mnemonic.Invlpg: return set(sys.flushOp, 0);
    case Mnemonic.Invpcid: case Mnemonic.Wbinvd: case Mnemonic.Invd: case Mnemonic.Wbnoinvd: return set(sys.flushOp, 1);
    case Mnemonic.Clac: return set(sys.clacStac, 0);
    case Mnemonic.Stac: return set(sys.clacStac, 1);
    case Mnemonic.Verr: return set(sys.verify, 0);
    case Mnemonic.Verw: return set(sys.verify, 1);
    case Mnemonic.Lar: return set(sys.larLsl, 0);
    case Mnemonic.Lsl: return set(sys.larLsl, 1);
    case Mnemonic.Rdfsbase: return set(sys.fsgsBase, 0);
    case Mnemonic.Rdgsbase: return set(sys.fsgsBase, 1);
    case Mnemonic.Wrfsbase: return set(sys.fsgsBase, 2);
    case Mnemonic.Wrgsbase: return set(sys.fsgsBase, 3);
    case Mnemonic.In:
      r.size = gprSize(regs[0]);
      r.r1 = kinds[1] === OpKind.Register ? RDX : -1;
      return set(sys.inPort);
    case Mnemonic.Out:
      r.size = gprSize(regs[1]);
      r.r0 = kinds[0] === OpKind.Register ? RDX : -1;
      return set(sys.outPort);
    case Mnemonic.Wait: return set(misc.wait);
    case Mnemonic.Fxsave: case Mnemonic.Fxsave64: return memOp >= 0 ? set(fpu.fxsaveRstor, 0) : false;
    case Mnemonic.Fxrstor: case Mnemonic.Fxrstor64: return memOp >= 0 ? set(fpu.fxsaveRstor, 1) : false;
    case Mnemonic.Ldmxcsr: return set(fpu.mxcsr, 0);
    case Mnemonic.Stmxcsr: return set(fpu.mxcsr, 1);
    case Mnemonic.Fninit: case Mnemonic.Finit: return set(fpu.x87Control, 0);
    case Mnemonic.Fnclex: case Mnemonic.Fclex: return set(fpu.x87Control, 1);
    case Mnemonic.Fnstcw: case Mnemonic.Fstcw: return set(fpu.x87Control, 2);
    case Mnemonic.Fldcw: return set(fpu.x87Control, 3);
    case Mnemonic.Fnstsw: case Mnemonic.Fstsw: return set(fpu.x87Control, 4);
    default:
      return false;
  }
}

/** Offset size of a far pointer operand m16:16 / m16:32 / m16:64. */
function farOffsetSize(ins: Instruction): number {
  const ms = ins.memorySize;
  if (ms === MemorySize.SegPtr64) return 8;
  if (ms === MemorySize.SegPtr16) return 2;
  return 4;
}

function retfSize(ins: Instruction): number {
  const code = ins.code;
  if (code === Code.Retfw || code === Code.Retfw_imm16) return 2;
  if (code === Code.Retfq || code === Code.Retfq_imm16) return 8;
  return 4;
}

const LOOP_ECX = new Set<number>([
  Code.Loop_rel8_16_ECX, Code.Loop_rel8_32_ECX, Code.Loop_rel8_64_ECX, Code.Loope_rel8_16_ECX, Code.Loope_rel8_32_ECX,
  Code.Loope_rel8_64_ECX, Code.Loopne_rel8_16_ECX, Code.Loopne_rel8_32_ECX, Code.Loopne_rel8_64_ECX,
]);

function loopAddr32(ins: Instruction, ctx: Ctx): boolean {
  return ctx.bitness === 32 || LOOP_ECX.has(ins.code);
}
