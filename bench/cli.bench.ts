// Benchmark: CLI start-up, the prebuilt bundle (out/cli) against the sources through tsx (the
// reference, measured in the same run, with a warm and with an empty transform cache):
// `entrybench --version` and `entrybench open` on a 1,000-message mbox. Prints medians of wall and CPU
// time and the ratios tsx / bundle; --json prints the same as JSON. Not a pass/fail test.
//   npm run bench:cli -- [--json] [--runs N]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const json = args.includes('--json');
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 5;
const MESSAGES = 1000;
const TIME = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

const say = (line: string) => {
  if (!json) process.stderr.write(line + '\n');
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** One message again as copy `copy`: new Message-ID, In-Reply-To and References, the date `copy` days on. */
function repost(message: string, copy: number): string {
  const end = message.indexOf('\n\n');
  let header = '';
  let field = '';
  for (const line of message.slice(0, end).split('\n')) {
    if (!/^\s/.test(line)) field = line.slice(0, line.indexOf(':')).toLowerCase();
    let l = line;
    if (field === 'message-id' || field === 'in-reply-to' || field === 'references') l = l.replace(/<([^<>@\s]+)@/g, `<$1.r${copy}@`);
    if (field === 'date' && copy) l = `Date: ${new Date(Date.parse(line.slice(5)) + copy * 86_400_000).toUTCString()}`;
    header += `${l}\n`;
  }
  return header + message.slice(end + 1);
}

/**
 * 1,000 messages of real series mail: the demo series (cover, patches, replies) posted again and
 * again, each copy with its own Message-IDs and dates, so that threading and series assembly run on
 * every message.
 */
function makeMbox(file: string): void {
  const demo = fs.readFileSync(path.join(root, 'workspaces', 'demo', 'series.mbox'), 'utf8');
  const messages = demo.split(/^(?=From mboxrd@z )/m).filter((m) => m.trim());
  const out: string[] = [];
  for (let copy = 0; out.length < MESSAGES; copy++) {
    for (const m of messages) if (out.length < MESSAGES) out.push(repost(m, copy));
  }
  fs.writeFileSync(file, out.join(''));
}

interface Run {
  wallMs: number;
  cpuMs: number | null;
  code: number;
}

function runCli(mode: 'tsx' | 'bundle', cliArgs: string[], extraEnv: Record<string, string> = {}): Run {
  const argv = [process.execPath, path.join(root, 'bin', 'entrybench.mjs'), ...cliArgs];
  const [cmd, ...rest] = TIME ? [TIME, '-f', 'cpu %U %S', ...argv] : argv;
  const t0 = performance.now();
  const r = spawnSync(cmd, rest, { cwd: root, env: { ...process.env, ENTRYBENCH_CLI: mode, ...extraEnv }, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const wallMs = performance.now() - t0;
  const cpu = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr ?? '');
  return { wallMs, cpuMs: cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : null, code: r.status ?? 1 };
}

function buildBundle(): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'build-cli.mjs'), '--quiet'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error('npm run build:cli failed');
  return performance.now() - t0;
}

/** A run of the bundle; rebuilt first when a source changed meanwhile (others may be editing the tree). */
function runBundle(cliArgs: string[]): Run {
  const r = runCli('bundle', cliArgs);
  if (r.code !== 2) return r;
  buildBundle();
  return runCli('bundle', cliArgs);
}

interface Figure {
  command: string;
  /** tsx with an empty transform cache: the first run after a checkout or an edit. */
  tsxCold: { wallMs: number; cpuMs: number | null };
  tsx: { wallMs: number; cpuMs: number | null };
  bundle: { wallMs: number; cpuMs: number | null };
  wallRatio: number;
  cpuRatio: number | null;
}

function measure(command: string, cliArgs: string[]): Figure {
  // One run of each first: tsx then has its transform cache warm, as on a developer's machine.
  runCli('tsx', cliArgs);
  runBundle(cliArgs);
  const tsx: Run[] = [];
  const bundle: Run[] = [];
  const cold: Run[] = [];
  for (let i = 0; i < runs; i++) {
    tsx.push(runCli('tsx', cliArgs));
    bundle.push(runBundle(cliArgs));
    // tsx keeps its cache under TMPDIR: a fresh one is an empty cache.
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-tsx-cold-'));
    cold.push(runCli('tsx', cliArgs, { TMPDIR: tmp }));
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  for (const r of [...tsx, ...bundle, ...cold]) if (r.code !== 0) throw new Error(`entrybench ${cliArgs.join(' ')} exited with ${r.code}`);
  const med = (rs: Run[]) => ({ wallMs: median(rs.map((r) => r.wallMs)), cpuMs: rs[0].cpuMs === null ? null : median(rs.map((r) => r.cpuMs ?? 0)) });
  const t = med(tsx);
  const b = med(bundle);
  return { command, tsxCold: med(cold), tsx: t, bundle: b, wallRatio: t.wallMs / b.wallMs, cpuRatio: t.cpuMs !== null && b.cpuMs ? t.cpuMs / b.cpuMs : null };
}

function main(): void {
  const dir = path.join(os.tmpdir(), 'entrybench-cli-bench');
  fs.mkdirSync(dir, { recursive: true });
  const mbox = path.join(dir, `demo-series-${MESSAGES}.mbox`);
  makeMbox(mbox);
  say(`cli bench: ${MESSAGES} messages in ${mbox} (${(fs.statSync(mbox).size / 1e6).toFixed(1)} MB); ${runs} runs each, alternating; load average ${os.loadavg()[0].toFixed(2)} on ${os.cpus().length} cores`);
  const buildMs = buildBundle();
  say(`  npm run build:cli: ${(buildMs / 1000).toFixed(2)} s`);
  const figures = [measure('entrybench --version', ['--version']), measure(`entrybench open (${MESSAGES} messages)`, ['open', mbox])];
  const ms = (x: number | null) => (x === null ? '   n/a' : `${x.toFixed(0).padStart(5)} ms`);
  for (const f of figures) {
    say(`  ${f.command}`);
    say(`    tsx, cold cache  wall ${ms(f.tsxCold.wallMs)}  CPU ${ms(f.tsxCold.cpuMs)}`);
    say(`    tsx (reference)  wall ${ms(f.tsx.wallMs)}  CPU ${ms(f.tsx.cpuMs)}`);
    say(`    bundle           wall ${ms(f.bundle.wallMs)}  CPU ${ms(f.bundle.cpuMs)}`);
    say(`    tsx / bundle     wall ${f.wallRatio.toFixed(2)}x  CPU ${f.cpuRatio === null ? 'n/a' : `${f.cpuRatio.toFixed(2)}x`} (warm tsx cache)`);
  }
  if (json) process.stdout.write(JSON.stringify({ messages: MESSAGES, runs, buildMs, loadAverage: os.loadavg()[0], figures }, null, 2) + '\n');
}

main();
