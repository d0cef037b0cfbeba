// Everything the harness knows about one build, in one place: the image, its profile, the values the
// probe read from the build's headers (or the profile's fallbacks), and how scenario values resolve.
import { ProfileMismatch, ScenarioError } from './errors.js';
import type { KernelProfile } from './profile.js';
import { probeBuild, type ProbeResult } from './struct-probe.js';
import type { KernelImage } from './vmlinux.js';

export interface FactsOptions {
  /** Where probe results are cached across runs (optional). */
  probeCacheDir?: string;
}

export class KernelFacts {
  private constructor(
    readonly image: KernelImage,
    readonly profile: KernelProfile,
    readonly probe: ProbeResult,
  ) {}

  static async gather(image: KernelImage, profile: KernelProfile, opts: FactsOptions = {}): Promise<KernelFacts> {
    const why = profile.mismatch(image);
    if (why) {
      throw new ProfileMismatch(`The ${profile.name} profile does not fit this kernel: ${why}.`, 'Check a build of a supported kernel generation with the entry config fragments (entrybench build --config entry-compat).');
    }
    const probe = await probeBuild(image.buildDir, profile.probe, opts.probeCacheDir);
    return new KernelFacts(image, profile, probe);
  }

  /** A probed value, or the profile's fallback, or undefined. */
  maybe(name: string): bigint | undefined {
    return this.probe.values.get(name) ?? this.profile.fallback[name];
  }

  /** A value the caller cannot do without; the error says what was needed and why it is missing. */
  value(name: string, why: string): bigint {
    const v = this.maybe(name);
    if (v !== undefined) return v;
    const reason = this.probe.unavailable ?? (this.probe.missing.includes(name) ? `this kernel has no ${this.profile.probe.values[name] ?? name}` : `the profile does not ask for ${name}`);
    throw new ProfileMismatch(`The harness needs ${name} (${why}) but cannot read it from the build: ${reason}.`, 'Keep the source tree the build was made from next to its build directory (the build\'s `source` link), with gcc installed, so the harness can read struct offsets from its headers.');
  }

  num(name: string, why: string): number {
    return Number(this.value(name, why));
  }

  symbol(name: string, why: string): bigint {
    return this.image.symbols.address(name, why);
  }

  percpu(name: string, why: string): bigint {
    return this.image.symbols.percpuOffset(name, why);
  }

  syscallNumber(name: string, bits: 64 | 32): number {
    const n = this.image.syscalls[bits].get(name);
    if (n === undefined) {
      throw new ScenarioError(`The build has no ${bits === 64 ? 'x86_64' : 'i386'} system call named ${name}.`, 'Use a name from the build\'s arch/x86/include/generated/uapi/asm/unistd_' + bits + '.h.');
    }
    return n;
  }
}

/** What a scenario value can refer to besides the build: the task's pid and the program's labels. */
export interface ValueContext {
  facts: KernelFacts;
  bits: 64 | 32;
  pid: number;
  labels: Record<string, bigint>;
}

/**
 * Resolve a scenario value: "0x..." or decimal; "nr:NAME" (system call number); "-EFOO" (negative
 * errno from the build's headers); "pid"; "@label" (user address).
 */
export function resolveValue(text: string, ctx: ValueContext): bigint {
  const t = text.trim();
  if (/^-?(0x[0-9a-fA-F]+|\d+)$/.test(t)) return BigInt.asUintN(64, t.startsWith('-') ? -BigInt(t.slice(1)) : BigInt(t));
  if (t.startsWith('nr:')) return BigInt(ctx.facts.syscallNumber(t.slice(3), ctx.bits));
  if (/^-E[A-Z0-9]+$/.test(t)) return BigInt.asUintN(64, -ctx.facts.value(t.slice(1), `the error a scenario expects`));
  if (t === 'pid') return BigInt(ctx.pid);
  if (t.startsWith('@')) {
    const a = ctx.labels[t.slice(1)];
    if (a === undefined) throw new ScenarioError(`The scenario refers to label ${t.slice(1)}, which its program does not have.`, 'Add the label to user.asm or fix the reference.');
    return a;
  }
  const v = ctx.facts.maybe(t);
  if (v !== undefined) return BigInt.asUintN(64, v);
  throw new ScenarioError(`The scenario value "${text}" means nothing to the harness.`, 'Use a number, nr:NAME, -ERRNO, pid, @label or a constant the profile probes.');
}
