// Instruction forms for the differential tests, grouped by family. Each form is a line of AT&T
// assembly run on random registers, memory and input flags; RSI/RDI point into the state's 256-byte
// memory block (RSI at +64, RDI at +128) so memory operands stay inside it.
import { ARITH, DF, type Form, type Rng, type Vector, memAddress } from './harness.js';

type Size = 'b' | 'w' | 'l' | 'q';
const SIZES: Size[] = ['b', 'w', 'l', 'q'];
const A: Record<Size, string> = { b: 'al', w: 'ax', l: 'eax', q: 'rax' };
const B: Record<Size, string> = { b: 'bl', w: 'bx', l: 'ebx', q: 'rbx' };
const C: Record<Size, string> = { b: 'cl', w: 'cx', l: 'ecx', q: 'rcx' };
const BITS: Record<Size, number> = { b: 8, w: 16, l: 32, q: 64 };

const IMM8 = [0x7f, -0x80, 1, -1, 0x35];
const IMM32 = [0x7fffffff, -0x80000000, 0x12345678, -2];

function set(v: Vector, reg: number, value: bigint): void {
  v.regs[reg] = BigInt.asUintN(64, value);
}

// ---- ALU group -----------------------------------------------------------------------------------------

export function aluForms(): Form[] {
  const forms: Form[] = [];
  const ops = ['add', 'adc', 'sub', 'sbb', 'cmp', 'and', 'or', 'xor', 'test'];
  for (const op of ops) {
    const writes = op !== 'cmp' && op !== 'test';
    for (const s of SIZES) {
      forms.push({ name: `${op}${s} r,r`, asm: `${op}${s} %${B[s]}, %${A[s]}` });
      forms.push({ name: `${op}${s} r,r same`, asm: `${op}${s} %${A[s]}, %${A[s]}`, count: 40 });
      if (op !== 'test') forms.push({ name: `${op}${s} m,r`, asm: `${op}${s} 3(%rsi), %${A[s]}` });
      forms.push({ name: `${op}${s} r,m`, asm: `${op}${s} %${B[s]}, 5(%rsi)` });
      if (writes && op !== 'test') forms.push({ name: `lock ${op}${s} r,m`, asm: `lock ${op}${s} %${B[s]}, (%rsi)`, count: 60 });
      const imms = s === 'b' ? IMM8 : [...IMM8, ...IMM32];
      for (const imm of imms) {
        if (s === 'w' && (imm > 0x7fff || imm < -0x8000)) continue;
        forms.push({ name: `${op}${s} $${imm},acc`, asm: `${op}${s} $${imm}, %${A[s]}`, count: 50 });
        forms.push({ name: `${op}${s} $${imm},r`, asm: `${op}${s} $${imm}, %${B[s]}`, count: 50 });
        forms.push({ name: `${op}${s} $${imm},m`, asm: `${op}${s} $${imm}, 7(%rsi)`, count: 40 });
      }
    }
    forms.push({ name: `${op}b high bytes`, asm: `${op}b %ah, %bh` });
    forms.push({ name: `${op}b rex bytes`, asm: `${op}b %r9b, %sil` });
  }
  for (const op of ['inc', 'dec', 'neg', 'not']) {
    for (const s of SIZES) {
      forms.push({ name: `${op}${s} r`, asm: `${op}${s} %${A[s]}`, count: 200 });
      forms.push({ name: `${op}${s} m`, asm: `${op}${s} 9(%rsi)`, count: 100 });
      if (op !== 'not') forms.push({ name: `lock ${op}${s} m`, asm: `lock ${op}${s} (%rsi)`, count: 50 });
    }
    forms.push({ name: `${op}b ah`, asm: `${op}b %ah`, count: 100 });
  }
  return forms;
}

// ---- shifts and rotates ---------------------------------------------------------------------------------

function smallCount(rng: Rng): bigint {
  const pick = rng.int(4);
  const base = pick === 0 ? rng.int(8) : pick === 1 ? rng.pick([0, 1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65]) : rng.int(256);
  return BigInt(base) | (rng.u64() & ~0xffn);
}

export function shiftForms(): Form[] {
  const forms: Form[] = [];
  for (const op of ['rol', 'ror', 'rcl', 'rcr', 'shl', 'shr', 'sar']) {
    for (const s of SIZES) {
      const bits = BITS[s];
      forms.push({ name: `${op}${s} 1,r`, asm: `${op}${s} %${A[s]}`, count: 200 });
      forms.push({ name: `${op}${s} cl,r`, asm: `${op}${s} %cl, %${A[s]}`, count: 400, setup: (rng, v) => set(v, 1, smallCount(rng)) });
      forms.push({ name: `${op}${s} cl,m`, asm: `${op}${s} %cl, 3(%rsi)`, count: 150, setup: (rng, v) => set(v, 1, smallCount(rng)) });
      forms.push({ name: `${op}${s} 1,m`, asm: `${op}${s} 11(%rsi)`, count: 80 });
      for (const n of [0, 2, bits - 1, bits, bits + 1, 31, 63]) {
        forms.push({ name: `${op}${s} $${n},r`, asm: `${op}${s} $${n}, %${A[s]}`, count: 60 });
      }
    }
  }
  for (const op of ['shld', 'shrd']) {
    for (const s of ['w', 'l', 'q'] as Size[]) {
      forms.push({ name: `${op}${s} cl,r,r`, asm: `${op}${s} %cl, %${B[s]}, %${A[s]}`, count: 400, setup: (rng, v) => set(v, 1, smallCount(rng)) });
      forms.push({ name: `${op}${s} cl,r,m`, asm: `${op}${s} %cl, %${B[s]}, 2(%rsi)`, count: 150, setup: (rng, v) => set(v, 1, smallCount(rng)) });
      for (const n of [1, 3, BITS[s] - 1, 16, 31]) forms.push({ name: `${op}${s} $${n},r,r`, asm: `${op}${s} $${n}, %${B[s]}, %${A[s]}`, count: 80 });
    }
  }
  for (const op of ['shlx', 'shrx', 'sarx']) {
    for (const s of ['l', 'q'] as Size[]) {
      forms.push({ name: `${op}${s} r,r,r`, asm: `${op} %${C[s]}, %${B[s]}, %${A[s]}`, count: 150, requires: 'bmi2' });
      forms.push({ name: `${op}${s} r,m,r`, asm: `${op} %${C[s]}, (%rsi), %${A[s]}`, count: 80, requires: 'bmi2' });
    }
  }
  for (const s of ['l', 'q'] as Size[]) for (const n of [0, 1, 5, BITS[s] - 1]) forms.push({ name: `rorx${s} $${n}`, asm: `rorx $${n}, %${B[s]}, %${A[s]}`, count: 60, requires: 'bmi2' });
  return forms;
}

// ---- multiply and divide ----------------------------------------------------------------------------------

function divisible(rng: Rng, v: Vector, s: Size): void {
  // Mostly quotients that fit; sometimes not, and sometimes a zero divisor.
  const bits = BITS[s];
  const r = rng.int(10);
  if (r === 0) set(v, 3, 0n);
  else if (r < 7) {
    const hiMask = bits === 64 ? (1n << 63n) - 1n : (1n << BigInt(bits - 1)) - 1n;
    set(v, 2, rng.u64() & (r < 4 ? 0n : hiMask >> BigInt(rng.int(bits))));
    if (s === 'b') set(v, 0, (v.regs[0] & ~0xff00n) | (BigInt(rng.int(256)) << 8n & (r < 4 ? 0n : 0xff00n)));
  }
}

export function muldivForms(): Form[] {
  const forms: Form[] = [];
  // MUL/IMUL leave SF ZF AF PF undefined: compared, since this CPU's behaviour is what we match.
  for (const s of SIZES) {
    forms.push({ name: `mul${s} r`, asm: `mul${s} %${B[s]}`, count: 300 });
    forms.push({ name: `mul${s} m`, asm: `mul${s} 8(%rsi)`, count: 100 });
    forms.push({ name: `imul${s} r`, asm: `imul${s} %${B[s]}`, count: 300 });
    forms.push({ name: `imul${s} m`, asm: `imul${s} 8(%rsi)`, count: 100 });
    forms.push({ name: `div${s} r`, asm: `div${s} %${B[s]}`, count: 300, setup: (rng, v) => divisible(rng, v, s) });
    forms.push({ name: `div${s} m`, asm: `div${s} (%rsi)`, count: 100, setup: (rng, v) => divisible(rng, v, s) });
    forms.push({ name: `idiv${s} r`, asm: `idiv${s} %${B[s]}`, count: 300, setup: (rng, v) => divisible(rng, v, s) });
    forms.push({ name: `idiv${s} m`, asm: `idiv${s} (%rsi)`, count: 100, setup: (rng, v) => divisible(rng, v, s) });
  }
  for (const s of ['w', 'l', 'q'] as Size[]) {
    forms.push({ name: `imul${s} r,r`, asm: `imul${s} %${B[s]}, %${A[s]}`, count: 300 });
    forms.push({ name: `imul${s} m,r`, asm: `imul${s} 4(%rsi), %${A[s]}`, count: 100 });
    for (const imm of [3, -1, 0x7f, -0x80, 0x12345, -0x7654321]) {
      if (s === 'w' && Math.abs(imm) > 0x7fff) continue;
      forms.push({ name: `imul${s} $${imm},r,r`, asm: `imul${s} $${imm}, %${B[s]}, %${A[s]}`, count: 80 });
    }
    forms.push({ name: `imul${s} $imm,m,r`, asm: `imul${s} $-3, 6(%rsi), %${A[s]}`, count: 80 });
  }
  return forms;
}

// ---- bit instructions ------------------------------------------------------------------------------------------

export function bitForms(): Form[] {
  const forms: Form[] = [];
  for (const op of ['bt', 'bts', 'btr', 'btc']) {
    for (const s of ['w', 'l', 'q'] as Size[]) {
      const bits = BITS[s];
      forms.push({ name: `${op}${s} r,r`, asm: `${op}${s} %${B[s]}, %${A[s]}`, count: 200 });
      forms.push({ name: `${op}${s} $imm,r`, asm: `${op}${s} $${bits - 3}, %${A[s]}`, count: 80 });
      forms.push({ name: `${op}${s} $imm,m`, asm: `${op}${s} $${bits + 5}, 16(%rsi)`, count: 80 });
      // Bit-string offsets reach memory around the operand: keep them within the state's 256 bytes.
      forms.push({
        name: `${op}${s} r,m (bit string)`, asm: `${op}${s} %${B[s]}, 64(%rsi)`, count: 300,
        setup: (rng, v) => set(v, 3, BigInt(rng.int(1024) - 512) | (s === 'q' ? 0n : rng.u64() & (s === 'l' ? 0xffffffff00000000n : 0xffffffffffff0000n))),
      });
    }
  }
  for (const op of ['bsf', 'bsr', 'tzcnt', 'lzcnt', 'popcnt']) {
    for (const s of ['w', 'l', 'q'] as Size[]) {
      const zero = (rng: Rng, v: Vector) => {
        if (rng.int(5) === 0) set(v, 3, rng.u64() & ~((1n << BigInt(BITS[s])) - 1n));
      };
      const requires = op === 'tzcnt' ? 'bmi1' : op === 'lzcnt' ? 'abm' : op === 'popcnt' ? 'popcnt' : undefined;
      forms.push({ name: `${op}${s} r,r`, asm: `${op}${s} %${B[s]}, %${A[s]}`, count: 300, setup: zero, requires });
      forms.push({ name: `${op}${s} m,r`, asm: `${op}${s} 24(%rsi), %${A[s]}`, count: 100, requires });
    }
  }
  forms.push({ name: 'bswapl', asm: 'bswap %eax', count: 100 });
  forms.push({ name: 'bswapq', asm: 'bswap %rax', count: 100 });
  forms.push({ name: 'bswapq r12', asm: 'bswap %r12', count: 50 });
  for (const s of ['l', 'q'] as Size[]) {
    forms.push({ name: `andn${s}`, asm: `andn %${C[s]}, %${B[s]}, %${A[s]}`, count: 150, requires: 'bmi1' });
    forms.push({ name: `bextr${s}`, asm: `bextr %${C[s]}, %${B[s]}, %${A[s]}`, count: 300, setup: (rng, v) => set(v, 1, BigInt(rng.int(0x10000)) | (rng.u64() & ~0xffffn)), requires: 'bmi1' });
    forms.push({ name: `bzhi${s}`, asm: `bzhi %${C[s]}, %${B[s]}, %${A[s]}`, count: 300, setup: (rng, v) => set(v, 1, smallCount(rng)), requires: 'bmi2' });
    for (const op of ['blsi', 'blsmsk', 'blsr']) forms.push({ name: `${op}${s}`, asm: `${op} %${B[s]}, %${A[s]}`, count: 150, requires: 'bmi1' });
    forms.push({ name: `pdep${s}`, asm: `pdep %${C[s]}, %${B[s]}, %${A[s]}`, count: 100, requires: 'bmi2' });
    forms.push({ name: `pext${s}`, asm: `pext %${C[s]}, %${B[s]}, %${A[s]}`, count: 100, requires: 'bmi2' });
  }
  return forms;
}

// ---- data movement -----------------------------------------------------------------------------------------------

const CCS = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g'];

export function moveForms(): Form[] {
  const forms: Form[] = [];
  for (const s of SIZES) {
    forms.push({ name: `mov${s} r,r`, asm: `mov${s} %${B[s]}, %${A[s]}`, count: 40 });
    forms.push({ name: `mov${s} m,r`, asm: `mov${s} 1(%rsi), %${A[s]}`, count: 40 });
    forms.push({ name: `mov${s} r,m`, asm: `mov${s} %${B[s]}, 13(%rsi)`, count: 40 });
    forms.push({ name: `mov${s} imm,r`, asm: `mov${s} $-7, %${A[s]}`, count: 20 });
    forms.push({ name: `mov${s} imm,m`, asm: `mov${s} $0x5a, 2(%rsi)`, count: 20 });
    forms.push({ name: `xchg${s} r,r`, asm: `xchg${s} %${B[s]}, %${A[s]}`, count: 40 });
    forms.push({ name: `xchg${s} r,m`, asm: `xchg${s} %${B[s]}, 4(%rsi)`, count: 40 });
    forms.push({ name: `xadd${s} r,r`, asm: `xadd${s} %${B[s]}, %${A[s]}`, count: 150 });
    forms.push({ name: `lock xadd${s} r,m`, asm: `lock xadd${s} %${B[s]}, (%rsi)`, count: 150 });
    const eq = (rng: Rng, v: Vector) => {
      if (rng.int(2) === 0) set(v, 0, v.regs[1]);
    };
    forms.push({ name: `cmpxchg${s} r,r`, asm: `cmpxchg${s} %${B[s]}, %${C[s]}`, count: 200, setup: eq });
    forms.push({
      name: `lock cmpxchg${s} r,m`, asm: `lock cmpxchg${s} %${B[s]}, (%rsi)`, count: 200,
      setup: (rng, v) => {
        if (rng.int(2) === 0) v.regs[0] = BigInt.asUintN(64, v.regs[0] & ~0xffffffffffffffffn) | [...v.mem.subarray(64, 72)].reduce((a, b, i) => a | (BigInt(b) << BigInt(i * 8)), 0n);
      },
    });
  }
  forms.push({ name: 'movabs', asm: 'movabs $0x123456789abcdef0, %r11', count: 10 });
  forms.push({ name: 'movl imm zero-extends', asm: 'movl $0xfedcba98, %r10d', count: 10 });
  for (const [from, to] of [['b', 'w'], ['b', 'l'], ['b', 'q'], ['w', 'l'], ['w', 'q']] as [Size, Size][]) {
    forms.push({ name: `movz${from}${to} r`, asm: `movz${from}${to} %${B[from]}, %${A[to]}`, count: 40 });
    forms.push({ name: `movz${from}${to} m`, asm: `movz${from}${to} 3(%rsi), %${A[to]}`, count: 40 });
    forms.push({ name: `movs${from}${to} r`, asm: `movs${from}${to} %${B[from]}, %${A[to]}`, count: 60 });
    forms.push({ name: `movs${from}${to} m`, asm: `movs${from}${to} 3(%rsi), %${A[to]}`, count: 40 });
  }
  forms.push({ name: 'movzbl ah', asm: 'movzbl %ah, %ecx', count: 40 });
  forms.push({ name: 'movslq r', asm: 'movslq %ebx, %rax', count: 60 });
  forms.push({ name: 'movslq m', asm: 'movslq 5(%rsi), %rax', count: 60 });
  for (const op of ['cbtw', 'cwtl', 'cltq', 'cwtd', 'cltd', 'cqto']) forms.push({ name: op, asm: op, count: 80 });
  for (const cc of CCS) {
    forms.push({ name: `set${cc} r`, asm: `set${cc} %al`, count: 64 });
    forms.push({ name: `set${cc} m`, asm: `set${cc} 6(%rsi)`, count: 20 });
    for (const s of ['w', 'l', 'q'] as Size[]) {
      forms.push({ name: `cmov${cc}${s} r,r`, asm: `cmov${cc}${s} %${B[s]}, %${A[s]}`, count: 40 });
      forms.push({ name: `cmov${cc}${s} m,r`, asm: `cmov${cc}${s} 10(%rsi), %${A[s]}`, count: 20 });
    }
  }
  forms.push({ name: 'lahf', asm: 'lahf', count: 100 });
  forms.push({ name: 'sahf', asm: 'sahf', count: 200 });
  for (const op of ['clc', 'stc', 'cmc']) forms.push({ name: op, asm: op, count: 30 });
  forms.push({ name: 'std', asm: 'std', count: 10 });
  forms.push({ name: 'cld', asm: 'cld', count: 10, inputFlags: ARITH | DF });
  // Addressing: lea computes with every base/index/scale/size combination.
  forms.push({ name: 'lea b+i*1+d8', asm: 'lea 0x7f(%rbx,%rcx,1), %rax', count: 60 });
  forms.push({ name: 'lea b+i*8-d32', asm: 'lea -0x12345678(%rbx,%rcx,8), %rax', count: 60 });
  forms.push({ name: 'lea i*4+d32', asm: 'lea 0x40000000(,%rcx,4), %rax', count: 60 });
  forms.push({ name: 'lea r13+r12*2', asm: 'lea (%r13,%r12,2), %r14', count: 60 });
  forms.push({ name: 'lea 32-bit address', asm: 'lea 0x10(%ebx,%ecx,4), %rax', count: 60 });
  forms.push({ name: 'lea 32-bit operand', asm: 'lea 0x10(%rbx,%rcx,2), %eax', count: 60 });
  forms.push({ name: 'lea 16-bit operand', asm: 'lea -1(%rbx,%rcx,2), %ax', count: 60 });
  forms.push({ name: 'lea rip', asm: 'lea 0x100(%rip), %rax', count: 5 });
  forms.push({ name: 'mov b+i*2 load', asm: 'mov 8(%rsi,%rcx,2), %rax', count: 60, setup: (rng, v) => set(v, 1, BigInt(rng.int(40))) });
  forms.push({ name: 'mov negative index', asm: 'mov 0x40(%rsi,%rcx,8), %eax', count: 60, setup: (rng, v) => set(v, 1, BigInt(-rng.int(16))) });
  for (const s of ['w', 'l', 'q'] as Size[]) {
    forms.push({ name: `movbe${s} m,r`, asm: `movbe 3(%rsi), %${A[s]}`, count: 30, requires: 'movbe' });
    forms.push({ name: `movbe${s} r,m`, asm: `movbe %${B[s]}, 3(%rsi)`, count: 30, requires: 'movbe' });
  }
  forms.push({
    name: 'cmpxchg8b', asm: 'lock cmpxchg8b (%rsi)', count: 150,
    setup: (rng, v) => {
      if (rng.int(2) === 0) {
        const m = v.mem.subarray(64, 72);
        v.regs[0] = BigInt(m[0] | (m[1] << 8) | (m[2] << 16)) | (BigInt(m[3]) << 24n) | (rng.u64() & 0xffffffff00000000n);
        v.regs[2] = BigInt(m[4] | (m[5] << 8) | (m[6] << 16)) | (BigInt(m[7]) << 24n);
      }
    },
  });
  forms.push({
    name: 'cmpxchg16b', asm: 'lock cmpxchg16b (%rsi)', count: 150, requires: 'cx16',
    setup: (rng, v, stateAddr) => {
      set(v, 6, memAddress(stateAddr, 64));
      if (rng.int(2) === 0) {
        const q = (o: number) => [...v.mem.subarray(o, o + 8)].reduce((a, b, i) => a | (BigInt(b) << BigInt(i * 8)), 0n);
        v.regs[0] = q(64);
        v.regs[2] = q(72);
      }
    },
  });
  return forms;
}

// ---- strings --------------------------------------------------------------------------------------------------------

export function stringForms(): Form[] {
  const forms: Form[] = [];
  const setup = (rng: Rng, v: Vector, stateAddr: bigint) => {
    set(v, 6, memAddress(stateAddr, 96 + rng.int(64)));
    set(v, 7, memAddress(stateAddr, 96 + rng.int(64)));
    set(v, 1, BigInt(rng.int(9)) | (rng.int(4) === 0 ? 0n : 0n));
    // Make repe/repne comparisons end early sometimes: copy a run of source bytes to the destination.
    if (rng.int(2) === 0) {
      const n = rng.int(40);
      const so = Number(v.regs[6] - memAddress(stateAddr, 0));
      const d = Number(v.regs[7] - memAddress(stateAddr, 0));
      for (let i = -20; i < n; i++) if (so + i >= 0 && so + i < 256 && d + i >= 0 && d + i < 256) v.mem[d + i] = v.mem[so + i];
    }
  };
  for (const s of SIZES) {
    for (const op of ['movs', 'stos', 'lods', 'cmps', 'scas']) {
      const base = `${op}${s}`;
      forms.push({ name: base, asm: base, count: 80, setup, inputFlags: ARITH | DF });
      const reps = op === 'cmps' || op === 'scas' ? ['repe', 'repne'] : ['rep'];
      for (const rep of reps) forms.push({ name: `${rep} ${base}`, asm: `${rep} ${base}`, count: 250, setup, inputFlags: ARITH | DF });
    }
  }
  forms.push({ name: 'rep movsb 32-bit address', asm: 'addr32 rep movsb', count: 60, setup: (rng, v, a) => { setup(rng, v, a); set(v, 6, v.regs[6] | 0xffffffff00000000n); set(v, 7, v.regs[7] | 0xabcd00000000n); }, inputFlags: ARITH });
  return forms;
}

// ---- control flow and stack ------------------------------------------------------------------------------------------------

export function controlForms(): Form[] {
  const forms: Form[] = [];
  for (const cc of CCS) {
    forms.push({ name: `j${cc} short`, asm: `j${cc} 1f\nmov $1, %r8\n1:`, count: 64 });
    forms.push({ name: `j${cc} near`, asm: `j${cc} 1f\nmov $1, %r8\n.fill 200, 1, 0x90\n1:`, count: 32 });
  }
  const loopSetup = (rng: Rng, v: Vector) => set(v, 1, BigInt(rng.int(4)) | (rng.int(3) === 0 ? 0x100000000n : 0n));
  for (const op of ['loop', 'loope', 'loopne']) {
    forms.push({ name: op, asm: `${op} 1f\nmov $1, %r8\n1:`, count: 120, setup: loopSetup });
    forms.push({ name: `${op} ecx`, asm: `addr32 ${op} 1f\nmov $1, %r8\n1:`, count: 60, setup: loopSetup });
  }
  forms.push({ name: 'jrcxz', asm: 'jrcxz 1f\nmov $1, %r8\n1:', count: 60, setup: loopSetup });
  forms.push({ name: 'jecxz', asm: 'jecxz 1f\nmov $1, %r8\n1:', count: 60, setup: loopSetup });
  forms.push({ name: 'call/ret', asm: 'call 1f\njmp 2f\n1: mov (%rsp), %rax\nlea 2f(%rip), %rbx\nsub %rbx, %rax\nret\n2:', count: 10 });
  forms.push({ name: 'ret imm16', asm: 'push %rbx\ncall 1f\njmp 2f\n1: ret $8\n2:', count: 10 });
  forms.push({ name: 'jmp *reg', asm: 'lea 1f(%rip), %rax\njmp *%rax\nmov $1, %r8\n1:', count: 5 });
  forms.push({ name: 'call *mem', asm: 'lea 1f(%rip), %rax\nmov %rax, (%rsi)\ncall *(%rsi)\njmp 2f\n1: ret\n2:', count: 5 });
  forms.push({ name: 'push/pop r', asm: 'push %rbx\npop %rax', count: 20 });
  forms.push({ name: 'push/pop m', asm: 'pushq 8(%rsi)\npopq 16(%rsi)', count: 20 });
  forms.push({ name: 'push imm8', asm: 'push $-5\npop %rax', count: 5 });
  forms.push({ name: 'push imm32', asm: 'push $0x12345678\npop %rax', count: 5 });
  forms.push({ name: 'pushw/popw', asm: 'pushw %bx\npopw %ax', count: 20 });
  forms.push({ name: 'push rsp', asm: 'push %rsp\npop %rax\nsub %rsp, %rax', count: 5 });
  forms.push({ name: 'pushf', asm: 'pushfq\npop %rax', count: 50, inputFlags: ARITH | DF });
  forms.push({ name: 'popf', asm: 'push %rbx\npopfq', count: 100, compareFlags: ARITH | DF, setup: (rng, v) => set(v, 3, rng.u64() & BigInt(ARITH | DF)) });
  forms.push({ name: 'enter/leave', asm: 'mov %rsp, %r9\nenter $0x20, $0\nmov %rsp, %rax\nmov %rbp, %rbx\nleave\nsub %r9, %rax\nsub %r9, %rbx\nxor %r9d, %r9d', count: 10 });
  return forms;
}

