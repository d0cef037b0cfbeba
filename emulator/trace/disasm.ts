// Disassembly that reads like `objdump -d`: iced-x86's GAS (AT&T) formatter with objdump's
// spacing, lowercase hex, and branch targets / absolute memory operands named by a symbolizer.
import { Decoder, DecoderOptions, FlowControl, Formatter, FormatterSyntax, Instruction, OpKind } from 'iced-x86';

/** Names an address, e.g. "entry_SYSCALL_64+0x3"; undefined when unknown. */
export type Symbolizer = (address: bigint) => string | undefined;

export interface DisassembledInstruction {
  address: bigint;
  length: number;
  bytes: Uint8Array;
  /** e.g. "mov    %rsp,%gs:0x6014" */
  text: string;
}

let shared: { formatter: Formatter; ins: Instruction } | null = null;

function tools(): { formatter: Formatter; ins: Instruction } {
  if (shared === null) {
    const f = new Formatter(FormatterSyntax.Gas);
    f.uppercaseHex = false;
    f.firstOperandCharIndex = 7;
    f.spaceAfterOperandSeparator = false;
    f.showZeroDisplacements = true;
    f.alwaysShowScale = true;
    f.branchLeadingZeros = false;
    f.hexPrefix = '0x';
    f.hexSuffix = '';
    f.leadingZeros = false;
    f.ripRelativeAddresses = false;
    f.smallHexNumbersInDecimal = false;
    shared = { formatter: f, ins: new Instruction() };
  }
  return shared;
}

/** Disassemble one instruction from bytes at address. */
export function disassembleOne(bytes: Uint8Array, address: bigint, bitness: 64 | 32 = 64, symbolize?: Symbolizer): DisassembledInstruction {
  const { formatter, ins } = tools();
  const decoder = new Decoder(bitness, bytes, DecoderOptions.None);
  try {
    decoder.ip = BigInt.asUintN(64, address);
    decoder.decodeOut(ins);
    if (ins.isInvalid) return { address, length: 1, bytes: bytes.subarray(0, 1), text: '(bad)' };
    const length = ins.length;
    // alwaysShowScale gives "(%rsp,)" when there is no index; objdump prints "(%rsp)".
    let text = formatter.format(ins).replace(/,\)/g, ')').replace(/^(push|pop)q /, '$1  ');
    const flow = ins.flowControl;
    const k0 = ins.opCount > 0 ? ins.opKind(0) : -1;
    const direct = k0 === OpKind.NearBranch64 || k0 === OpKind.NearBranch32 || k0 === OpKind.NearBranch16;
    if (direct && (flow === FlowControl.UnconditionalBranch || flow === FlowControl.ConditionalBranch || flow === FlowControl.Call)) {
      // objdump: "call   ffffffff81223118 <do_syscall_64>"
      const target = BigInt.asUintN(64, ins.nearBranchTarget);
      const mnemonic = text.split(/\s+/)[0];
      const sym = symbolize?.(target);
      text = `${mnemonic.padEnd(6)} ${target.toString(16)}${sym ? ` <${sym}>` : ''}`;
    } else if (symbolize && (ins.isIpRelMemoryOperand || hasAbsoluteMemory(ins))) {
      const target = BigInt.asUintN(64, ins.isIpRelMemoryOperand ? ins.ipRelMemoryAddress : ins.memoryDisplacement);
      const sym = symbolize(target);
      if (sym) text += `        # ${target.toString(16)} <${sym}>`;
    }
    return { address, length, bytes: bytes.slice(0, length), text };
  } finally {
    decoder.free();
  }
}

function hasAbsoluteMemory(ins: Instruction): boolean {
  for (let k = 0; k < ins.opCount; k++) {
    if (ins.opKind(k) === OpKind.Memory) return ins.memoryBase === 0 && ins.memoryIndex === 0;
  }
  return false;
}

/** Bytes as objdump prints them: "65 48 89 24 25 14 60 00 00". */
export function hexBytes(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** "ffffffff81400043" or "ffffffff81400043 <entry_SYSCALL_64+0x3>". */
export function addressWithSymbol(address: bigint, symbolize?: Symbolizer): string {
  const a = BigInt.asUintN(64, address);
  const sym = symbolize?.(a);
  return sym ? `${a.toString(16)} <${sym}>` : a.toString(16);
}
