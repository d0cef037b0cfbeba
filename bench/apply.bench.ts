// Benchmark: a 30-patch series applied to Linux 6.12, `entrybench apply` against the plain
// `git worktree add` + `git am -3` a reviewer would run by hand, on the same base in the same run.
// Prints medians and ratios (ours / plain); --json prints the same as JSON. Not a pass/fail test.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { ensureLinuxRepo, linuxUnavailable } from '../tests/helpers/linux.js';
import { commitPatches, entrySeries, formatPatches } from '../tests/workspaces/tree/linux-series.js';
import { WorkspaceStore } from '../workspaces/store/workspace.js';
import { TreeService } from '../workspaces/tree/service.js';
import { loadMail } from '../workspaces/series/index.js';
import { pickSeries, seriesToApply } from '../workspaces/tree/from-series.js';

const args = process.argv.slice(2);
const json = args.includes('--json');
const repsAt = args.indexOf('--runs');
const runs = repsAt >= 0 ? Number(args[repsAt + 1]) : 3;
const PATCHES = 30;
const LIMIT_PCT = 15;

const say = (line: string) => {
  if (!json) process.stderr.write(line + '\n');
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

function git(cwd: string, gitArgs: string[]): void {
  execFileSync('git', gitArgs, { cwd, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LC_ALL: 'C', GIT_AUTHOR_NAME: 'Bench', GIT_AUTHOR_EMAIL: 'bench@example.org', GIT_COMMITTER_NAME: 'Bench', GIT_COMMITTER_EMAIL: 'bench@example.org' } });
}

interface Sample {
  worktreeMs: number;
  patchesMs: number;
  totalMs: number;
}

/** What a reviewer does by hand: a worktree at the base, then git am -3 of the whole mbox. */
function plainRun(repo: string, base: string, mboxFile: string, scratch: string, n: number): Sample {
  const dir = path.join(scratch, `plain-${n}`);
  const t0 = performance.now();
  git(repo, ['worktree', 'add', '--quiet', '--detach', dir, base]);
  const t1 = performance.now();
  git(dir, ['am', '--quiet', '-3', '--patch-format=mboxrd', mboxFile]);
  const t2 = performance.now();
  git(repo, ['worktree', 'remove', '--force', dir]);
  return { worktreeMs: t1 - t0, patchesMs: t2 - t1, totalMs: t2 - t0 };
}

async function main(): Promise<void> {
  const unavailable = linuxUnavailable();
  if (unavailable) {
    process.stderr.write(`apply bench: ${unavailable}\n`);
    process.exitCode = 1;
    return;
  }
  say('apply bench: preparing the Linux repository (the first time unpacks and commits linux-source-6.12)');
  const repo = await ensureLinuxRepo();
  const base = execFileSync('git', ['rev-parse', 'master'], { cwd: repo, encoding: 'utf8' }).trim();
  const tip = commitPatches(repo, base, entrySeries(PATCHES));
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'entrybench-apply-bench-'));
  const mboxFile = path.join(scratch, 'series.mbox');
  fs.writeFileSync(mboxFile, formatPatches(repo, base, tip));
  const store = new WorkspaceStore(path.join(scratch, 'data'));
  const service = new TreeService(store);

  const ours: (Sample & { mailMs: number; prepareMs: number; gitAmMs: number })[] = [];
  const plain: Sample[] = [];
  try {
    say('apply bench: warming the page cache with one plain run (not counted)');
    plainRun(repo, base, mboxFile, scratch, 0);
    for (let n = 1; n <= runs; n++) {
      // Alternate who goes first, so neither always gets the warmer cache.
      const order = n % 2 === 1 ? ['ours', 'plain'] : ['plain', 'ours'];
      for (const who of order) {
        if (who === 'plain') {
          const s = plainRun(repo, base, mboxFile, scratch, n);
          plain.push(s);
          say(`  plain git am  run ${n}: ${seconds(s.totalMs)} (worktree ${seconds(s.worktreeMs)}, am ${seconds(s.patchesMs)})`);
          continue;
        }
        const t0 = performance.now();
        const workspace = store.create([{ path: mboxFile }]);
        const load = await loadMail(workspace.mailPaths());
        const series = { ...seriesToApply(load, pickSeries(load)), slug: `apply-bench-${process.pid}-${n}` };
        const t1 = performance.now();
        const r = await service.apply({ workspace, series, tree: repo });
        const t2 = performance.now();
        if (r.summary.applied !== PATCHES) throw new Error(`only ${r.summary.applied} of ${PATCHES} patches applied: ${JSON.stringify(r.summary)}`);
        ours.push({ mailMs: t1 - t0, prepareMs: r.timings.prepareMs, gitAmMs: r.timings.gitAmMs, worktreeMs: r.timings.worktreeMs, patchesMs: r.timings.applyMs, totalMs: t2 - t1 });
        say(`  entrybench    run ${n}: ${seconds(t2 - t1)} (worktree ${seconds(r.timings.worktreeMs)}, am and records ${seconds(r.timings.applyMs)}, checks and base ${seconds(r.timings.prepareMs)})`);
        await service.remove(repo, r.branch, true);
      }
    }
  } finally {
    for (const r of await service.reviews(repo)) await service.remove(repo, r.branch, true).catch(() => {});
    fs.rmSync(scratch, { recursive: true, force: true });
    execFileSync('git', ['worktree', 'prune'], { cwd: repo });
  }

  const med = (xs: Sample[], k: keyof Sample) => median(xs.map((x) => x[k]));
  const figures = {
    patches: PATCHES,
    runs,
    tree: 'Debian linux-source-6.12 (cached repository), series against arch/x86/entry/',
    ours: {
      worktreeMs: med(ours, 'worktreeMs'),
      patchesMs: med(ours, 'patchesMs'),
      totalMs: med(ours, 'totalMs'),
      prepareMs: median(ours.map((o) => o.prepareMs)),
      /** Time in the patches phase spent outside git am (patch-ids, Link trailers, records): our own cost. */
      bookkeepingMs: median(ours.map((o) => o.patchesMs - o.gitAmMs)),
      mailMs: median(ours.map((o) => o.mailMs)),
    },
    plain: { worktreeMs: med(plain, 'worktreeMs'), patchesMs: med(plain, 'patchesMs'), totalMs: med(plain, 'totalMs') },
    ratios: { worktree: 0, patches: 0, total: 0 },
    overheadPct: 0,
    limitPct: LIMIT_PCT,
    withinLimit: false,
    samples: { ours, plain },
  };
  figures.ratios = {
    worktree: figures.ours.worktreeMs / figures.plain.worktreeMs,
    patches: figures.ours.patchesMs / figures.plain.patchesMs,
    total: figures.ours.totalMs / figures.plain.totalMs,
  };
  figures.overheadPct = (figures.ratios.total - 1) * 100;
  figures.withinLimit = figures.overheadPct <= LIMIT_PCT;

  if (json) {
    process.stdout.write(JSON.stringify(figures, null, 2) + '\n');
    return;
  }
  const row = (name: string, a: number, b: number) => `  ${name.padEnd(22)} ${seconds(a).padStart(9)} ${seconds(b).padStart(9)}   ${(a / b).toFixed(2)}`;
  process.stdout.write(
    [
      `apply: ${PATCHES} patches on ${figures.tree}; medians of ${runs} runs each`,
      `  ${''.padEnd(22)} ${'entrybench'.padStart(9)} ${'git am'.padStart(9)}   ratio`,
      row('worktree checkout', figures.ours.worktreeMs, figures.plain.worktreeMs),
      row('patches (am, records)', figures.ours.patchesMs, figures.plain.patchesMs),
      row('total', figures.ours.totalMs, figures.plain.totalMs),
      `  overhead ${figures.overheadPct >= 0 ? '+' : ''}${figures.overheadPct.toFixed(1)}% (limit ${LIMIT_PCT}%): ${figures.withinLimit ? 'within' : 'OVER'}`,
      `  entrybench's own work: ${seconds(figures.ours.prepareMs)} path checks and base choice, ${seconds(figures.ours.bookkeepingMs)} outside git am in the patches phase`,
      `  (both inside total; reading the mail took ${seconds(figures.ours.mailMs)}, outside total). The machine's load moves the`,
      '  worktree checkout, the same git command on both sides, by far more than that: compare the samples with --json.',
      '',
    ].join('\n'),
  );
}

await main();
