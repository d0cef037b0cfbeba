// Text files of a kernel build the harness reads: include/generated/asm-offsets.h and .config.

/** `#define NAME VALUE` lines of asm-offsets.h, with the C expression kbuild wrote in the comment. */
export interface AsmOffset {
  value: number;
  expression: string;
}

export function parseAsmOffsets(text: string): Map<string, AsmOffset> {
  const out = new Map<string, AsmOffset>();
  for (const line of text.split('\n')) {
    const m = /^#define\s+(\w+)\s+(-?(?:0x[0-9a-fA-F]+|\d+))\s*(?:\/\*\s*(.*?)\s*\*\/)?\s*$/.exec(line);
    if (!m) continue;
    out.set(m[1], { value: Number(m[2]), expression: m[3] ?? '' });
  }
  return out;
}

/** CONFIG_* values of a .config: "y", "m", a number or string; "is not set" lines are absent. */
export type KernelConfig = Map<string, string>;

export function parseKernelConfig(text: string): KernelConfig {
  const out: KernelConfig = new Map();
  for (const line of text.split('\n')) {
    const m = /^(CONFIG_\w+)=(.*)$/.exec(line.trim());
    if (!m) continue;
    let v = m[2];
    if (v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1).replace(/\\(.)/g, '$1');
    out.set(m[1], v);
  }
  return out;
}

export function configEnabled(config: KernelConfig, name: string): boolean {
  const v = config.get(name.startsWith('CONFIG_') ? name : `CONFIG_${name}`);
  return v === 'y' || v === 'm';
}

/** `#define __NR_name N` lines of the build's generated uapi unistd_64.h / unistd_32.h. */
export function parseUnistd(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of text.matchAll(/^#define\s+__NR_(\w+)\s+(\d+)\s*$/gm)) out.set(m[1], Number(m[2]));
  return out;
}
