// Linux 6.12 builds with one deliberately broken patch to arch/x86/entry/, for the harness tests.
// One worktree and one build directory in the cache directory serve every variant (incremental
// between them); the files the harness reads are kept per variant, keyed by the base commit, the
// patch and the config fragments, so reruns (and CI with a warm cache) build nothing.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { cacheRoot, ensureLinuxRepo } from '../../helpers/linux.js';
import { withDirLock } from '../../../workspaces/build/lock.js';
import { buildKernel } from '../../../workspaces/build/kernel-build.js';
import { resolveConfig } from '../../../workspaces/build/fragments.js';

export const PATCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/kernel/patches');
const FORMAT = 2;
const CONFIG = 'entry-compat';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, GIT_TERMINAL_PROMPT: '0' } }).trim();
}

/** Copy what the harness reads from a build directory (and the probe needs), nothing else. */
function keepResult(buildDir: string, worktree: string, out: string): void {
  const tmp = `${out}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  for (const f of ['vmlinux', 'System.map', '.config', '.entrybench-build.json']) fs.copyFileSync(path.join(buildDir, f), path.join(tmp, f));
  for (const d of ['include', 'arch/x86/include/generated']) fs.cpSync(path.join(buildDir, d), path.join(tmp, d), { recursive: true });
  fs.mkdirSync(path.join(tmp, 'arch/x86/kernel'), { recursive: true });
  fs.copyFileSync(path.join(buildDir, 'arch/x86/kernel/.asm-offsets.s.cmd'), path.join(tmp, 'arch/x86/kernel/.asm-offsets.s.cmd'));
  fs.symlinkSync(worktree, path.join(tmp, 'source'));
  fs.writeFileSync(path.join(tmp, '.entrybench-variant'), new Date().toISOString() + '\n');
  fs.rmSync(out, { recursive: true, force: true });
  fs.renameSync(tmp, out);
}

/**
 * The build directory of the base tree with `patch` (a file in tests/fixtures/kernel/patches, or null
 * for the unmodified base) applied. Builds it on first use; returns the kept result afterwards.
 */
export async function variantBuild(patch: string | null): Promise<string> {
  const repo = await ensureLinuxRepo();
  const root = path.join(cacheRoot(), 'harness-variants');
  fs.mkdirSync(root, { recursive: true });
  const base = git(repo, 'rev-parse', 'HEAD');
  const patchText = patch ? fs.readFileSync(path.join(PATCH_DIR, patch), 'utf8') : '';
  const h = crypto.createHash('sha256').update(JSON.stringify({ FORMAT, base, patchText, CONFIG }));
  for (const f of resolveConfig(CONFIG).fragments) h.update(fs.readFileSync(f));
  const name = patch ? path.basename(patch, '.patch') : 'base';
  const result = path.join(root, 'results', `${name}-${h.digest('hex').slice(0, 16)}`);
  if (fs.existsSync(path.join(result, '.entrybench-variant'))) return result;

  return withDirLock(root, async () => {
    if (fs.existsSync(path.join(result, '.entrybench-variant'))) return result;
    const worktree = path.join(root, 'worktree');
    if (!fs.existsSync(path.join(worktree, '.git'))) {
      fs.rmSync(worktree, { recursive: true, force: true });
      git(repo, 'worktree', 'prune');
      git(repo, 'worktree', 'add', '--detach', worktree, base);
    }
    // Back to the base for arch/x86/entry (an earlier variant, or an interrupted run, changed it).
    git(worktree, 'checkout', '--force', base, '--', 'arch/x86/entry');
    try {
      if (patch) git(worktree, 'apply', path.join(PATCH_DIR, patch));
      const built = await buildKernel({ tree: worktree, config: CONFIG, buildDir: path.join(root, 'build') });
      fs.mkdirSync(path.dirname(result), { recursive: true });
      keepResult(built.buildDir, worktree, result);
    } finally {
      git(worktree, 'checkout', '--force', base, '--', 'arch/x86/entry');
    }
    return result;
  });
}
