// Kernel .config handling: parse, merge fragments onto a base, and check what survived Kconfig.
import fs from 'node:fs';

/** CONFIG_FOO -> "y" | "m" | "\"string\"" | "123" | null (explicitly "is not set"). */
export type ConfigValues = Map<string, string | null>;

const SET = /^(CONFIG_[A-Za-z0-9_]+)=(.*)$/;
const UNSET = /^# (CONFIG_[A-Za-z0-9_]+) is not set$/;

export function parseConfig(text: string): ConfigValues {
  const out: ConfigValues = new Map();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const set = SET.exec(line);
    if (set) {
      out.set(set[1], set[2]);
      continue;
    }
    const unset = UNSET.exec(line);
    if (unset) out.set(unset[1], null);
  }
  return out;
}

export function readConfig(file: string): ConfigValues {
  return parseConfig(fs.readFileSync(file, 'utf8'));
}

/** Later fragments win, like scripts/kconfig/merge_config.sh. */
export function mergeValues(base: ConfigValues, ...fragments: ConfigValues[]): ConfigValues {
  const out: ConfigValues = new Map(base);
  for (const f of fragments) for (const [k, v] of f) out.set(k, v);
  return out;
}

export function formatConfig(values: ConfigValues): string {
  const lines: string[] = [];
  for (const [k, v] of values) lines.push(v === null ? `# ${k} is not set` : `${k}=${v}`);
  return lines.join('\n') + '\n';
}

export interface DroppedOption {
  option: string;
  wanted: string | null;
  /** What Kconfig left after olddefconfig (null: not set). */
  got: string | null;
}

/** Requested values that Kconfig changed, usually because a dependency is missing. */
export function droppedOptions(requested: ConfigValues, final: ConfigValues): DroppedOption[] {
  const dropped: DroppedOption[] = [];
  for (const [option, wanted] of requested) {
    const got = final.has(option) ? (final.get(option) ?? null) : null;
    const same = wanted === null ? got === null || got === 'n' : got === wanted;
    if (!same) dropped.push({ option, wanted, got });
  }
  return dropped;
}
