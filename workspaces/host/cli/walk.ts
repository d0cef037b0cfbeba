// `entrybench walk` and `entrybench bisect`: which patch breaks what, and does a later patch fix it?
import fs from 'node:fs';
import type { CommandIO, CommandSpec, ParsedArgs } from './args.js';
import { flag, value, UsageError } from './args.js';
import type { BisectReport, WalkReport, WalkStep } from '../api/walk.js';
import { defaultDataDir } from '../paths.js';
import { WorkspaceStore, sha256File } from '../../store/workspace.js';
import { TreeService } from '../../tree/service.js';
import { applyMail } from '../../tree/from-series.js';
import { ReviewExists } from '../../tree/errors.js';
import { WalkService } from '../../bisect/service.js';
import { defaultCheckers } from '../../bisect/checkers.js';
import type { WalkProgress } from '../../bisect/walk.js';

const common = [
  { name: 'tree', type: 'string', value: 'DIR', help: 'the kernel tree to apply the series to (with FILE...)' },
  { name: 'workspace', type: 'string', value: 'ID|DIR', help: 'walk a workspace that is already applied, instead of FILE...' },
  { name: 'branch', type: 'string', value: 'BRANCH', help: "the workspace's review branch (default: its newest)" },
  { name: 'config', type: 'string', value: 'NAME|FILE', help: 'entry-compat (default), entry-min, entry-debug, or a .config' },
  { name: 'boot', type: 'flag', help: 'also boot each step in QEMU and run the x86 selftests' },
  { name: 'data', type: 'string', value: 'DIR', help: 'data directory (default: ~/.local/share/entrybench)' },
  { name: 'json', type: 'flag', help: 'print the report as JSON' },
] as const;

/** The workspace to walk: named, or the one applying FILE... makes (or made before, for the same mail). */
async function resolveWorkspace(args: ParsedArgs, store: WorkspaceStore, io: CommandIO, json: boolean): Promise<string> {
  const named = value(args, 'workspace');
  if (named) {
    if (args.positionals.length) throw new UsageError('give either --workspace or FILE..., not both');
    return store.get(named).id;
  }
  const tree = value(args, 'tree');
  if (!tree || args.positionals.length === 0) throw new UsageError('give --tree DIR and the series FILE..., or --workspace ID');
  const treeService = new TreeService(store);
  try {
    const r = await applyMail(treeService, store, { tree, files: args.positionals });
    if (!json) io.err(`applied ${r.summary.applied + r.summary.applied3way}/${r.steps.length} patches on ${r.branch}\n`);
    return r.workspace;
  } catch (err) {
    if (!(err instanceof ReviewExists)) throw err;
    // Walking the same mail again: reuse its review (and so every cached step).
    const digests = args.positionals.map((f) => (fs.statSync(f).isFile() ? sha256File(f) : null));
    const same = treeService.find(tree).find(({ workspace }) => {
      const stored = workspace.meta.sources.map((x) => x.sha256);
      return digests.every((d) => d !== null && stored.includes(d)) && stored.length === digests.length;
    });
    if (!same) throw err;
    if (!json) io.err(`reusing ${same.record.branch} (workspace ${same.workspace.id}) applied from the same mail\n`);
    return same.workspace.id;
  }
}

function progressPrinter(io: CommandIO, json: boolean): (p: WalkProgress) => void {
  let last = '';
  return (p) => {
    if (json) return;
    const eta = p.etaMs ? `, ~${Math.ceil(p.etaMs / 1000)} s left` : '';
    const line = `[${p.step}/${p.total}] ${p.phase}${p.phase === 'build' ? '' : `: ${p.message}`}${eta}`;
    if (line !== last) io.err(line + '\n');
    last = line;
  };
}

const MARK: Record<string, string> = { pass: 'ok', regressed: 'BAD', 'fails-on-base': 'base', fixed: 'fixed', error: 'err', skip: '-' };

function cell(step: WalkStep, check: string): string {
  const r = step.results.find((x) => x.check === check);
  return r ? MARK[r.relative] : '';
}

/** A compact patch × check matrix and the one-line verdict. */
export function formatWalk(r: WalkReport): string {
  const w = String(r.total).length < 2 ? 2 : String(r.total).length;
  const emulator = r.checks.filter((c) => c.startsWith('emulator:'));
  const other = r.checks.filter((c) => !c.startsWith('emulator:') && !c.startsWith('selftest:'));
  const selftests = r.checks.filter((c) => c.startsWith('selftest:'));
  const head = ['step', ...other, ...(emulator.length ? ['emulator'] : []), ...(selftests.length ? ['selftests'] : [])];
  const rows = r.steps.map((s) => {
    const bad = (list: string[]) => list.filter((c) => s.results.find((x) => x.check === c)?.relative === 'regressed');
    const group = (list: string[]) => {
      if (!list.length) return [];
      const ran = list.filter((c) => s.results.some((x) => x.check === c && x.status !== 'skip'));
      if (!ran.length) return ['-'];
      const b = bad(list);
      return [b.length ? `BAD ${b.length}/${ran.length}` : `ok ${ran.length}`];
    };
    return [s.index === 0 ? 'base' : `${String(s.index).padStart(w, '0')}/${String(r.total).padStart(w, '0')}`, ...other.map((c) => cell(s, c)), ...group(emulator), ...group(selftests)];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const fmt = (row: string[]) => row.map((c, i) => (c ?? '').padEnd(widths[i])).join('  ');
  const lines = [fmt(head).trimEnd(), ...rows.map((row, i) => `${fmt(row)}  ${r.steps[i].index === 0 ? '' : r.steps[i].subject}`.trimEnd())];
  lines.push('');
  const label = (i: number) => `[PATCH ${String(i).padStart(w, '0')}/${String(r.total).padStart(w, '0')}] ${r.steps.find((s) => s.index === i)?.subject ?? ''}`;
  if (r.firstBad === null) lines.push('no regression against the base.');
  else {
    const step = r.steps.find((s) => s.index === r.firstBad)!;
    const [first, ...more] = r.firstBadChecks;
    const why = `${first.replace(/^emulator:/, '')}: ${step.results.find((x) => x.check === first)?.summary ?? ''}`;
    lines.push(`first bad: ${label(step.index)} -- ${why}${more.length ? ` (and ${more.length} more check${more.length > 1 ? 's' : ''})` : ''}`);
    if (r.fixedAt !== null) lines.push(`fixed again at ${label(r.fixedAt)}`);
  }
  // One line per distinct break/fix pattern, so a broken ABI that fails every scenario reads as one fact.
  const groups = new Map<string, string[]>();
  for (const b of r.breakages) {
    const key = `${b.breaksAt}:${b.fixedAt}`;
    groups.set(key, [...(groups.get(key) ?? []), b.check]);
  }
  for (const [key, checks] of groups) {
    const [at, fixed] = key.split(':');
    const n = (i: string) => `${i.padStart(w, '0')}/${String(r.total).padStart(w, '0')}`;
    const names = checks.length > 3 ? `${checks.slice(0, 3).join(', ')} and ${checks.length - 3} more` : checks.join(', ');
    lines.push(`  ${names}: breaks at ${n(at)}${fixed === 'null' ? '' : `, fixed again at ${n(fixed)}`}`);
  }
  const cached = r.steps.filter((s) => s.cached).length;
  lines.push(`walked ${r.steps.length} steps in ${r.seconds.toFixed(1)} s (${cached} from the cache), config ${r.config}`);
  return lines.join('\n') + '\n';
}

/** The walk JSON: the full report, plus per-step applies/builds/emulator/boot fields for scripts. */
export function walkJson(r: WalkReport): unknown {
  return {
    ...r,
    steps: r.steps.map((s) => {
      const get = (c: string) => s.results.find((x) => x.check === c);
      const emu = s.results.filter((x) => x.check.startsWith('emulator:'));
      const boot = get('boot');
      return {
        ...s,
        applies: s.index === 0 ? true : get('applies')?.status === 'pass',
        builds: get('builds') ? get('builds')!.status === 'pass' : null,
        emulator: {
          pass: emu.filter((x) => x.status === 'pass').length,
          fail: emu.filter((x) => x.status === 'fail').length,
          failed: emu.filter((x) => x.status === 'fail').map((x) => x.check.replace(/^emulator:/, '')),
        },
        boot: boot ? { status: boot.status, summary: boot.summary } : null,
      };
    }),
  };
}

export const walkCommand: CommandSpec = {
  name: 'walk',
  summary: 'Build and check every step of a series (applies, style, builds, emulator, boot) and show the matrix.',
  usage: '(--tree DIR FILE... | --workspace ID) [--config NAME] [--boot] [--json]',
  options: [...common],
  details: 'Results are cached by base commit, the exact content of each step (tree, author, message) and config: walking again, or walking v2, reuses every unchanged prefix.',
  async run(args, io) {
    const json = flag(args, 'json');
    const store = new WorkspaceStore(value(args, 'data') ?? defaultDataDir());
    const workspace = await resolveWorkspace(args, store, io, json);
    const service = new WalkService(store, defaultCheckers);
    const report = await service.walk({
      workspace,
      branch: value(args, 'branch'),
      config: value(args, 'config'),
      boot: flag(args, 'boot'),
      onProgress: progressPrinter(io, json),
    });
    io.out(json ? JSON.stringify(walkJson(report), null, 2) + '\n' : formatWalk(report));
    return 0;
  },
};

export function formatBisect(r: BisectReport): string {
  const lines = [];
  if (r.firstBad) lines.push(`first bad: ${r.firstBad.subject} -- ${r.firstBad.check.replace(/^emulator:/, '')}: ${r.firstBad.summary}`);
  else lines.push(`no bad step for ${r.check}.`);
  if (r.note) lines.push(r.note);
  lines.push(`tested steps ${r.tested.join(', ') || '(all from the cache)'}; ${r.stepsBuilt} built`);
  return lines.join('\n') + '\n';
}

export const bisectCommand: CommandSpec = {
  name: 'bisect',
  summary: 'Binary-search the series for the first step where a check regresses, like git bisect run.',
  usage: '(--tree DIR FILE... | --workspace ID) [--check NAME] [--config NAME] [--json]',
  options: [...common, { name: 'check', type: 'string', value: 'NAME', help: 'builds, boot, emulator (any scenario, default), emulator:<scenario>, selftest:<name>' }],
  async run(args, io) {
    const json = flag(args, 'json');
    const store = new WorkspaceStore(value(args, 'data') ?? defaultDataDir());
    const workspace = await resolveWorkspace(args, store, io, json);
    const service = new WalkService(store, defaultCheckers);
    const report = await service.bisect({
      workspace,
      branch: value(args, 'branch'),
      config: value(args, 'config'),
      boot: flag(args, 'boot'),
      check: value(args, 'check'),
      onProgress: progressPrinter(io, json),
    });
    io.out(json ? JSON.stringify(report, null, 2) + '\n' : formatBisect(report));
    return 0;
  },
};
