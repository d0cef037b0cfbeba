// A real Linux tree for integration tests: Debian's linux-source-6.12, unpacked once into the cache
// directory outside the clone, plus cached builds there, so the suite builds the kernel once.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { defaultCacheDir } from '../../workspaces/host/paths.js';
import { withDirLock } from '../../workspaces/build/lock.js';
import { buildKernel, type BuildResult } from '../../workspaces/build/kernel-build.js';

export const LINUX_TARBALL = '/usr/src/linux-source-6.12.tar.xz';

export function cacheRoot(): string {
  const dir = defaultCacheDir();
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

function lockDir(name: string): string {
  const dir = path.join(cacheRoot(), 'locks', name);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Why the Linux tests cannot run here, or null when they can (installs the package as root). */
export function linuxUnavailable(): string | null {
  if (fs.existsSync(LINUX_TARBALL)) return null;
  if (process.getuid?.() === 0) {
    try {
      execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'linux-source-6.12'], { stdio: 'ignore', timeout: 600_000 });
    } catch {
      /* reported below */
    }
    if (fs.existsSync(LINUX_TARBALL)) return null;
  }
  return `Debian's linux-source-6.12 is not installed and could not be installed (${LINUX_TARBALL} missing); run: apt-get install linux-source-6.12`;
}

function unpack(target: string): void {
  const parent = path.dirname(target);
  const tmp = fs.mkdtempSync(path.join(parent, '.unpack-'));
  execFileSync('tar', ['-xJf', LINUX_TARBALL, '-C', tmp], { stdio: 'inherit' });
  fs.renameSync(path.join(tmp, 'linux-source-6.12'), target);
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.writeFileSync(path.join(target, '.entrybench-unpacked'), new Date().toISOString() + '\n');
}

/** A pristine unpacked tree. Read-only by convention: tests must never modify it. */
export async function ensureLinuxSource(): Promise<string> {
  const target = path.join(cacheRoot(), 'linux-source-6.12');
  return withDirLock(lockDir('linux-source'), async () => {
    if (!fs.existsSync(path.join(target, '.entrybench-unpacked'))) {
      fs.rmSync(target, { recursive: true, force: true });
      unpack(target);
    }
    return target;
  });
}

/**
 * The same tree as a git repository with one base commit (what `entrybench apply --init` makes), for
 * tests that create worktrees and apply patches. Tests must not commit to its main branch.
 */
export async function ensureLinuxRepo(): Promise<string> {
  const target = path.join(cacheRoot(), 'linux-6.12-repo');
  return withDirLock(lockDir('linux-repo'), async () => {
    if (!fs.existsSync(path.join(target, '.entrybench-repo'))) {
      fs.rmSync(target, { recursive: true, force: true });
      unpack(target);
      const git = (...args: string[]) =>
        execFileSync('git', args, {
          cwd: target,
          stdio: ['ignore', 'ignore', 'inherit'],
          env: { ...process.env, GIT_AUTHOR_DATE: '2024-11-17T00:00:00Z', GIT_COMMITTER_DATE: '2024-11-17T00:00:00Z' },
        });
      git('init', '-q', '-b', 'master');
      // The Debian tarball's top-level .gitignore ignores everything ("/*"); force the whole tree in.
      git('add', '-f', '-A', '.');
      git('-c', 'user.name=Entrybench tests', '-c', 'user.email=tests@entrybench.invalid', 'commit', '-q', '-m', 'Linux 6.12 (Debian linux-source-6.12)');
      fs.writeFileSync(path.join(target, '.git', 'info', 'exclude'), '.entrybench-*\n');
      fs.writeFileSync(path.join(target, '.entrybench-repo'), new Date().toISOString() + '\n');
    }
    return target;
  });
}

/** A cached build of the pristine tree with one of the project's configs (entry-compat by default). */
export async function linuxBuild(config = 'entry-compat'): Promise<BuildResult> {
  const tree = await ensureLinuxSource();
  return buildKernel({ tree, config, buildDir: path.join(cacheRoot(), 'test-builds', `linux-6.12-${config}`) });
}
