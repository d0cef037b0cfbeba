// `entrybench boot`: boot a step in QEMU. On a terminal without --json it is interactive (the
// guest's console is this terminal); with --json (or without a terminal) it boots, runs the x86
// selftests, prints the verdict and exits.
import fs from 'node:fs';
import crypto from 'node:crypto';
import type { CommandIO, CommandSpec, ParsedArgs } from './args.js';
import { flag, value, UsageError } from './args.js';
import type { BootVerdict } from '../api/guest.js';
import { defaultDataDir } from '../paths.js';
import { GuestService, type StartOptions } from '../../guest/service.js';
import { WorkspaceStore } from '../../store/workspace.js';
import { TreeService } from '../../tree/service.js';
import { applyMail } from '../../tree/from-series.js';
import { ReviewExists } from '../../tree/errors.js';
import { runGit } from '../../tree/git.js';
import { buildKernel, defaultBuildDir } from '../../build/kernel-build.js';
import { resolveConfig } from '../../build/fragments.js';
import { NotFound } from '../../errors.js';

function intOption(args: ParsedArgs, name: string, min: number, max: number): number | undefined {
  const text = value(args, name);
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got ${text}`);
  return n;
}

function seconds(ms: number | null): string {
  return ms === null ? '-' : `${(ms / 1000).toFixed(1)} s`;
}

/** The readable verdict: headline, then what a reviewer checks next. */
export function formatVerdict(v: BootVerdict): string {
  const lines = [v.headline];
  if (v.kernelVersion) lines.push(`  kernel    ${v.kernelVersion.replace(/^Linux version /, '')}`);
  lines.push(`  accel     ${v.accel.reason}`);
  const t = v.timings;
  lines.push(`  timings   kernel ${seconds(t.toKernelMs)}, user space ${seconds(t.toInitMs)}, selftests done ${seconds(t.toSummaryMs)}, prompt ${seconds(t.toPromptMs)}, total ${seconds(t.totalMs)} (prepare ${seconds(t.prepareMs)})`);
  for (const f of v.findings) {
    lines.push(`  ${f.kind.padEnd(12)} ${f.title}${f.rip && !f.title.includes(f.rip) ? ` at RIP ${f.rip}` : ''}${f.during ? ` (during ${f.during})` : ''}`);
    for (const l of f.lines.slice(1, 6)) lines.push(`               | ${l}`);
  }
  const failed = v.selftests.results.filter((r) => r.status === 'fail' || r.status === 'timeout');
  for (const r of failed) lines.push(`  FAIL      ${r.name}: ${r.failLines[0] ?? r.directive ?? r.status}`);
  lines.push(`  console   ${v.logs.console}`);
  lines.push(`  ended     ${v.ended}`);
  return lines.join('\n') + '\n';
}

/** `--tree DIR --step N SERIES...`: apply the series (or reuse its review), build step N, return the build directory. */
async function buildStep(args: ParsedArgs, io: CommandIO, json: boolean): Promise<{ buildDir: string; tree: string; workspace: string; restore: () => Promise<void> }> {
  const tree = value(args, 'tree') as string;
  const step = intOption(args, 'step', 0, 10_000) as number;
  if (args.positionals.length === 0) throw new UsageError('--tree DIR --step N needs the series FILE...');
  const store = new WorkspaceStore(value(args, 'data') ?? defaultDataDir());
  const trees = new TreeService(store);
  let workspace: string;
  try {
    const applied = await applyMail(trees, store, { tree, files: args.positionals });
    workspace = applied.workspace;
    if (!json) io.err(`applied ${applied.summary.applied + applied.summary.applied3way}/${applied.steps.length} patches on ${applied.branch}\n`);
  } catch (err) {
    if (!(err instanceof ReviewExists)) throw err;
    const digests = args.positionals.map((f) => (fs.statSync(f).isFile() ? crypto.createHash('sha256').update(fs.readFileSync(f)).digest('hex') : null));
    const same = trees.find(tree).find(({ workspace: ws }) => {
      const stored = ws.meta.sources.map((x) => x.sha256);
      return stored.length === digests.length && digests.every((d) => d !== null && stored.includes(d));
    });
    if (!same) throw err;
    workspace = same.workspace.id;
  }
  const record = trees.find(tree).find((r) => r.workspace.id === workspace)?.record;
  const result = record?.result;
  if (!record || !result) throw new NotFound(`The review of ${tree} has no apply record.`, 'Apply the series again with entrybench apply.');
  const commit = step === 0 ? result.base : result.steps.find((s) => s.index === step)?.commit;
  if (!commit) {
    const have = result.steps.filter((s) => s.commit).map((s) => s.index);
    throw new NotFound(`Step ${step} is not applied on ${result.branch}.`, `Applied steps: 0 (base)${have.length ? `, ${have.join(', ')}` : ''}.`);
  }
  const config = value(args, 'config') ?? 'entry-compat';
  const buildDir = defaultBuildDir(result.worktree, resolveConfig(config).name);
  if (!json) io.err(`step ${step}: ${commit.slice(0, 12)} on ${result.branch}; building in ${buildDir}\n`);
  // The worktree holds step N while it builds and while its selftests go into the image.
  const restore = () => runGit(['checkout', '-q', '-f', result.branch], { cwd: result.worktree }).then(() => undefined, () => undefined);
  await runGit(['checkout', '-q', '--detach', '-f', commit], { cwd: result.worktree });
  try {
    await buildKernel({ tree: result.worktree, config, buildDir });
    return { buildDir, tree: result.worktree, workspace, restore };
  } catch (err) {
    await restore();
    throw err;
  }
}

/** Progress lines on stderr; the compile counter overwrites itself on a terminal and is thinned out elsewhere. */
function progressPrinter(io: CommandIO): (message: string) => void {
  const tty = process.stderr.isTTY;
  let counting = false;
  return (m) => {
    const count = /compiled (\d+)\/(\d+)/.exec(m);
    if (count) {
      if (tty) io.err(`\r\x1b[K${m}`);
      else if (Number(count[1]) % 10 === 0 || count[1] === count[2]) io.err(`${m}\n`);
      counting = true;
      return;
    }
    if (counting && tty) io.err('\n');
    counting = false;
    io.err(`${m}\n`);
  };
}

async function interactive(service: GuestService, o: StartOptions, io: CommandIO): Promise<BootVerdict> {
  const stdin = process.stdin;
  const stdout = process.stdout;
  const guest = await service.start({ ...o, cols: stdout.columns, rows: stdout.rows });
  io.err(`guest ${guest.id}: ${guest.spec.accel.reason}\nconsole log ${guest.logs.console}\nCtrl-A x quits QEMU, Ctrl-A c is its monitor; poweroff in the guest ends it too.\n\n`);
  const source = guest.consoleSource();
  source.onData((d) => stdout.write(d));
  const onInput = (d: Buffer) => source.write(d);
  const onResize = () => source.resize(stdout.columns, stdout.rows);
  const onSignal = () => void guest.stop('interrupted');
  stdin.setRawMode(true);
  stdin.resume();
  stdin.on('data', onInput);
  stdout.on('resize', onResize);
  process.once('SIGTERM', onSignal);
  process.once('SIGHUP', onSignal);
  try {
    return await guest.exited;
  } finally {
    stdin.off('data', onInput);
    stdout.off('resize', onResize);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
    stdin.setRawMode(false);
    stdin.pause();
    io.err('\r\n');
  }
}

export const bootCommand: CommandSpec = {
  name: 'boot',
  summary: 'Boot a build in QEMU with the x86 selftests: interactive on a terminal, or a verdict with --json.',
  usage: '[--json] [OPTIONS] BUILD_DIR | --tree DIR --step N [--config NAME] SERIES...',
  options: [
    { name: 'json', type: 'flag', help: 'boot, run the selftests, power off and print the verdict as JSON' },
    { name: 'tree', type: 'string', value: 'DIR', help: 'the kernel tree (with --step: apply SERIES to it; else: the tree BUILD_DIR was built from)' },
    { name: 'step', type: 'string', value: 'N', help: 'boot step N of SERIES (0 = the base), built in the review worktree' },
    { name: 'config', type: 'string', value: 'NAME|FILE', help: 'with --step: entry-compat (default), entry-min, entry-debug, or a .config' },
    { name: 'no-selftests', type: 'flag', help: 'do not run the selftests at boot (they stay in /selftests)' },
    { name: 'only', type: 'list', value: 'NAME', help: 'run only this selftest program, e.g. sysret_rip_64' },
    { name: 'test-timeout', type: 'string', value: 'SEC', help: 'seconds each selftest may run (default 60)' },
    { name: 'timeout', type: 'string', value: 'SEC', help: 'with --json: seconds for the whole run (default: boot + every test timeout + 60)' },
    { name: 'accel', type: 'string', value: 'auto|kvm|tcg', help: 'auto (default) probes KVM with a tiny guest and falls back to TCG' },
    { name: 'memory', type: 'string', value: 'MB', help: 'guest memory (default 512)' },
    { name: 'cpus', type: 'string', value: 'N', help: 'virtual CPUs (default 1)' },
    { name: 'append', type: 'string', value: 'ARGS', help: 'extra kernel command line' },
    { name: 'workspace', type: 'string', value: 'ID|DIR', help: "keep the console log in this workspace's logs/" },
    { name: 'log-dir', type: 'string', value: 'DIR', help: 'keep the console log here (default: DATA/logs/guest)' },
    { name: 'data', type: 'string', value: 'DIR', help: 'data directory (default: ~/.local/share/entrybench)' },
  ],
  details: [
    'The guest: the build\'s bzImage, and an initramfs with static busybox and the tree\'s',
    'tools/testing/selftests/x86 built statically (cached per selftest sources and toolchain).',
    'Console on ttyS0, kselftest TAP on ttyS1, the window size on ttyS2, QMP for control.',
    'Exit status with --json: 0 when the kernel booted without panic, BUG, oops or hang, 1 otherwise.',
    '',
    'Examples:',
    '  entrybench boot ~/.cache/entrybench/builds/linux-...-entry-compat',
    '  entrybench boot --json --only sysret_rip_64 --only ldt_gdt_64 BUILD_DIR',
    '  entrybench boot --tree ~/linux --step 7 series.mbox',
  ].join('\n'),
  async run(args, io) {
    const json = flag(args, 'json');
    const stepMode = value(args, 'step') !== undefined;
    const accel = value(args, 'accel') ?? 'auto';
    if (accel !== 'auto' && accel !== 'kvm' && accel !== 'tcg') throw new UsageError(`--accel must be auto, kvm or tcg, got ${accel}`);
    let buildDir: string;
    let tree = value(args, 'tree');
    let workspace = value(args, 'workspace');
    let restore: () => Promise<void> = async () => {};
    if (stepMode) {
      if (!tree) throw new UsageError('--step needs --tree DIR and the series FILE...');
      const built = await buildStep(args, io, json);
      ({ buildDir, tree, restore } = built);
      workspace ??= built.workspace;
    } else {
      if (args.positionals.length !== 1) throw new UsageError('give one BUILD_DIR (or --tree DIR --step N SERIES...)');
      buildDir = args.positionals[0];
    }
    const service = new GuestService({ dataDir: value(args, 'data') ?? defaultDataDir() });
    const options: StartOptions = {
      buildDir,
      tree,
      workspace,
      logDir: value(args, 'log-dir'),
      selftests: !flag(args, 'no-selftests'),
      only: args.lists.get('only'),
      testTimeoutSec: intOption(args, 'test-timeout', 1, 3600),
      timeoutSec: intOption(args, 'timeout', 10, 24 * 3600),
      accel,
      memoryMb: intOption(args, 'memory', 64, 16384),
      cpus: intOption(args, 'cpus', 1, 16),
      append: value(args, 'append'),
      onProgress: json ? undefined : progressPrinter(io),
    };
    const onTerminal = !json && process.stdin.isTTY && process.stdout.isTTY;
    let verdict: BootVerdict;
    try {
      if (onTerminal) {
        verdict = await interactive(service, options, io);
      } else {
        const stop = () => void service.stopAll(undefined, 'interrupted');
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        try {
          verdict = await service.run(options);
        } finally {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
        }
      }
    } finally {
      await restore();
    }
    if (json) io.out(JSON.stringify(verdict, null, 2) + '\n');
    else (onTerminal ? io.err : io.out)(formatVerdict(verdict));
    return verdict.outcome === 'booted' || verdict.outcome === 'WARN' ? 0 : 1;
  },
};
