// The demo series with real git, make and QEMU: series.mbox is exactly what the generator makes
// from series/ and the tree; its patches apply with `git am -3` one by one onto the tree as a git
// repository; every step builds; the boots show the break at 03, the repair at 06, and the TAP
// lines the failure report quotes.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runGit } from '../../../workspaces/tree/git.js';
import { DEMO_SERIES_MBOX, DEMO_PATCHES_DIR } from '../../../workspaces/demo/paths.js';
import { createDemoRepository, reproducibleGitEnv } from '../../../workspaces/demo/repository.js';
import { buildDemoSeries, exportPatches, parsePatchFile } from '../../../workspaces/demo/series.js';
import { BREAKS_AT, FIXED_AT, MIRA, PATCHES, REPLIES } from '../../../workspaces/demo/series-spec.js';
import { bootDemo, failedTap, killLeftoverQemu, makeDemo, removeTmpDirs, tmpDir, JOBS, type BootRun } from './helpers.js';

interface Step {
  index: number;
  subject: string | null;
  applied: boolean;
  amOutput: string;
  built: boolean;
  buildSeconds: number;
  boot: BootRun | null;
}

/** The reviewer applying the series: the committer; git am takes the authors from the mail. */
const REVIEWER = Object.fromEntries(
  Object.entries(reproducibleGitEnv({ name: 'Ada Reviewer', email: 'ada@example.org', date: '2024-11-21T10:00:00+00:00' })).filter(([k]) => !k.startsWith('GIT_AUTHOR_')),
);

/** The messages of series.mbox as git mailsplit writes them, with their unfolded subjects. */
async function splitSeries(dir: string): Promise<{ file: string; subject: string }[]> {
  fs.mkdirSync(dir, { recursive: true });
  await runGit(['mailsplit', '--mboxrd', `-o${dir}`, DEMO_SERIES_MBOX], { cwd: dir });
  return fs
    .readdirSync(dir)
    .sort()
    .map((name) => {
      const text = fs.readFileSync(path.join(dir, name), 'utf8');
      const head = text.slice(0, text.indexOf('\n\n')).replace(/\n[ \t]+/g, ' ');
      return { file: path.join(dir, name), subject: /^Subject: (.*)$/m.exec(head)?.[1] ?? '' };
    });
}

describe('the demo series', () => {
  let work: string;
  let baseCommit: string;
  const steps: Step[] = [];

  beforeAll(async () => {
    work = tmpDir('series');
    const repo = path.join(work, 'repo');
    const build = path.join(work, 'build');
    baseCommit = (await createDemoRepository(repo)).baseCommit;
    const patches = (await splitSeries(path.join(work, 'mail'))).filter((m) => /^\[PATCH (0[1-9]|10)\/10\]/.test(m.subject));

    for (let i = 0; i <= patches.length; i++) {
      const step: Step = { index: i, subject: i ? patches[i - 1].subject : null, applied: true, amOutput: '', built: false, buildSeconds: 0, boot: null };
      steps.push(step);
      if (i > 0) {
        const am = await runGit(['am', '-3', patches[i - 1].file], { cwd: repo, env: REVIEWER, okExitCodes: [1, 128] });
        step.amOutput = am.stdout + am.stderr;
        step.applied = am.exitCode === 0;
        if (!step.applied) break;
      } else {
        expect((await makeDemo(repo, build, ['tinyconfig'])).code).toBe(0);
      }
      const made = await makeDemo(repo, build, [`-j${JOBS}`]);
      step.built = made.code === 0;
      step.buildSeconds = made.seconds;
      if (!step.built) break;
      step.boot = await bootDemo(path.join(build, 'arch/x86/boot/bzImage'));
    }

    console.log('step  build(s)  TAP(s)  failing');
    for (const s of steps) {
      const failing = s.boot ? failedTap(s.boot.console).map((l) => l.replace(/^not ok (\d+) - .*/, '$1')).join(',') || '-' : '?';
      console.log(`${String(s.index).padStart(4)}  ${s.buildSeconds.toFixed(2).padStart(8)}  ${(s.boot?.toTap ?? NaN).toFixed(2).padStart(6)}  ${failing}`);
    }
  });

  afterEach(() => {
    expect(killLeftoverQemu()).toBe(0);
  });

  afterAll(() => {
    killLeftoverQemu();
    removeTmpDirs();
  });

  it('is exactly what make-series.ts generates from series/ and the tree, and series/ is what git says', async () => {
    const built = await buildDemoSeries({ workDir: tmpDir('regenerate') });
    expect(built.mbox).toBe(fs.readFileSync(DEMO_SERIES_MBOX, 'utf8'));
    expect(built.baseCommit).toBe(baseCommit);
    expect(built.commits).toHaveLength(PATCHES.length);

    // Exporting the commits again gives the patch files byte for byte (no stale line numbers).
    const exported = tmpDir('export');
    await exportPatches(built.repo, exported);
    for (const spec of PATCHES) {
      expect(fs.readFileSync(path.join(exported, spec.file), 'utf8'), spec.file).toBe(fs.readFileSync(path.join(DEMO_PATCHES_DIR, spec.file), 'utf8'));
    }
  });

  it("names the demo repository's base commit in the cover letter", () => {
    expect(fs.readFileSync(DEMO_SERIES_MBOX, 'utf8')).toContain(`\nbase-commit: ${baseCommit}\n`);
  });

  it('applies with git am -3 one patch at a time, and every step builds', () => {
    expect(steps).toHaveLength(PATCHES.length + 1);
    for (const s of steps) {
      expect(s.applied, `step ${s.index}: ${s.amOutput}`).toBe(true);
      expect(s.built, `step ${s.index} does not build`).toBe(true);
    }
    // The commits carry the patches' subjects, in order.
    for (const [i, spec] of PATCHES.entries()) {
      const { subject } = parsePatchFile(fs.readFileSync(path.join(DEMO_PATCHES_DIR, spec.file), 'utf8'));
      expect(steps[i + 1].subject).toContain(subject);
    }
  });

  it(`breaks the ABI at ${BREAKS_AT}/10 (RBX clobbered on the SYSRET path) and is fixed again at ${FIXED_AT}/10`, () => {
    for (const s of steps) {
      const failing = failedTap(s.boot!.console);
      const b = s.boot!;
      expect(b.console.includes('# Totals:'), `step ${s.index} (exit ${b.exitCode}${b.timedOut ? ', timed out' : ''}):\n${b.console.slice(-1500)}`).toBe(true);
      if (s.index >= BREAKS_AT && s.index < FIXED_AT) {
        expect(failing[0], `step ${s.index}`).toBe('not ok 3 - rbx preserved across syscall');
        expect(failing.slice(1), `step ${s.index}`).toEqual([expect.stringMatching(/^not ok \d+ - slow path: registers preserved/)]);
      } else {
        expect(failing, `step ${s.index}`).toEqual([]);
      }
    }
  });

  it('quotes in the failure report exactly what the bad step prints', () => {
    const report = REPLIES.find((r) => r.key === 'failure-03')!;
    expect(report.from).toBe(MIRA);
    expect(report.toPatch).toBe(BREAKS_AT);
    const printed = steps[BREAKS_AT].boot!.console.split('\n');
    const quoted = report.body
      .split('\n')
      .filter((l) => /^ {2}(TAP|1\.\.|ok |not ok |# )/.test(l))
      .map((l) => l.slice(2));
    expect(quoted.length).toBeGreaterThan(8);
    for (const line of quoted) {
      // The address in the register diagnostics depends on how this machine's gcc laid out /init.
      const pattern = new RegExp(`^${line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/0x0000000000[0-9a-f]{6}/g, '0x[0-9a-f]{16}')}$`);
      expect(printed.some((p) => pattern.test(p)), line).toBe(true);
    }
  });
});
