// A small, strict command-line parser: declared options only, so a typo is an error, not a silent default.

export interface OptionSpec {
  /** Long name without dashes: "tree" for --tree. */
  name: string;
  /** One-letter alias without dash: "o" for -o. */
  short?: string;
  /** "flag" takes no value; "string" takes one; "list" may repeat. */
  type: 'flag' | 'string' | 'list';
  /** Placeholder shown in help: DIR, REV, FILE. */
  value?: string;
  help: string;
}

export interface CommandSpec {
  name: string;
  summary: string;
  /** Usage line after "entrybench NAME". */
  usage: string;
  options: OptionSpec[];
  /** Extra help text: examples, notes. */
  details?: string;
  run(args: ParsedArgs, io: CommandIO): Promise<number>;
}

export interface CommandIO {
  out(text: string): void;
  err(text: string): void;
  /** Standard input as bytes, for commands that accept "-". */
  stdin(): Promise<Buffer>;
}

export interface ParsedArgs {
  flags: Set<string>;
  values: Map<string, string>;
  lists: Map<string, string[]>;
  positionals: string[];
}

export class UsageError extends Error {}

export function flag(a: ParsedArgs, name: string): boolean {
  return a.flags.has(name);
}
export function value(a: ParsedArgs, name: string): string | undefined {
  return a.values.get(name);
}
export function list(a: ParsedArgs, name: string): string[] {
  return a.lists.get(name) ?? [];
}

const HELP: OptionSpec = { name: 'help', short: 'h', type: 'flag', help: 'show this help' };

export function parseArgs(argv: string[], spec: CommandSpec): ParsedArgs {
  const options = [...spec.options, HELP];
  const byLong = new Map(options.map((o) => [o.name, o]));
  const byShort = new Map(options.filter((o) => o.short).map((o) => [o.short as string, o]));
  const out: ParsedArgs = { flags: new Set(), values: new Map(), lists: new Map(), positionals: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      out.positionals.push(...argv.slice(i + 1));
      break;
    }
    let opt: OptionSpec | undefined;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
      opt = byLong.get(name);
      if (!opt) throw new UsageError(`unknown option --${name} for "${spec.name}"`);
    } else if (arg.startsWith('-') && arg.length === 2 && arg !== '-') {
      opt = byShort.get(arg.slice(1));
      if (!opt) throw new UsageError(`unknown option ${arg} for "${spec.name}"`);
    } else {
      out.positionals.push(arg);
      continue;
    }
    if (opt.type === 'flag') {
      if (inline !== undefined) throw new UsageError(`--${opt.name} takes no value`);
      out.flags.add(opt.name);
      continue;
    }
    const v = inline ?? argv[++i];
    if (v === undefined) throw new UsageError(`--${opt.name} needs a value (${opt.value ?? 'VALUE'})`);
    if (opt.type === 'string') out.values.set(opt.name, v);
    else out.lists.set(opt.name, [...(out.lists.get(opt.name) ?? []), v]);
  }
  return out;
}

export function formatHelp(spec: CommandSpec): string {
  const lines = [`entrybench ${spec.name} ${spec.usage}`.trimEnd(), '', spec.summary, '', 'Options:'];
  for (const o of [...spec.options, HELP]) {
    const names = `${o.short ? `-${o.short}, ` : '    '}--${o.name}${o.type === 'flag' ? '' : ` ${o.value ?? 'VALUE'}`}`;
    lines.push(`  ${names.padEnd(30)} ${o.help}${o.type === 'list' ? ' (repeatable)' : ''}`);
  }
  if (spec.details) lines.push('', spec.details.trimEnd());
  return lines.join('\n') + '\n';
}
