// A tiny tree that builds like Kbuild as far as the walk cares (O=, CC honoured, "  CC" lines, a
// vmlinux at the end), turned into a git repository and a series mailed with git format-patch.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

export const MINI_MAKEFILE = `O ?= .
CC ?= gcc
all: $(O)/vmlinux
$(O)/vmlinux: entry.c
\t@echo "  CC      entry.o"
\t@$(CC) -O1 -Wall -c -o $(O)/entry.o entry.c
\t@echo "  LD      vmlinux"
\t@$(CC) -o $@ $(O)/entry.o
tinyconfig:
\t@mkdir -p $(O) && printf 'CONFIG_64BIT=y\\n' > $(O)/.config
olddefconfig:
\t@test -f $(O)/.config
.PHONY: all tinyconfig olddefconfig
`;

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=A U Thor', '-c', 'user.email=author@example.org', ...args], { cwd, encoding: 'utf8' });
}

export interface MiniStep {
  /** The whole new content of entry.c. */
  entry: string;
  subject: string;
}

export interface MiniSeries {
  repo: string;
  mbox: string;
}

/**
 * A repository at `dir` holding the base (entry.c = `int main(void) { return 0; }`) and, mailed as
 * one mbox (with a cover letter when asked), one patch per step; the repository is left at the base.
 */
export function miniSeries(dir: string, steps: MiniStep[], opts: { coverLetter?: boolean } = {}): MiniSeries {
  const repo = path.join(dir, 'linux');
  fs.mkdirSync(repo, { recursive: true });
  git(repo, 'init', '-q', '-b', 'master');
  fs.writeFileSync(path.join(repo, 'Makefile'), MINI_MAKEFILE);
  fs.writeFileSync(path.join(repo, 'entry.c'), 'int main(void) { return 0; }\n');
  git(repo, 'add', '.');
  git(repo, 'commit', '-q', '-m', 'base');
  for (const s of steps) {
    fs.writeFileSync(path.join(repo, 'entry.c'), s.entry);
    git(repo, 'commit', '-q', '-a', '-m', `${s.subject}\n\nThe reason for the change.\n\nSigned-off-by: A U Thor <author@example.org>`);
  }
  const out = path.join(dir, 'series');
  git(repo, 'format-patch', '-q', ...(opts.coverLetter ? ['--cover-letter'] : []), '--thread', '-o', out, `HEAD~${steps.length}`);
  const mbox = path.join(dir, 'series.mbox');
  fs.writeFileSync(mbox, fs.readdirSync(out).sort().map((f) => fs.readFileSync(path.join(out, f), 'utf8')).join(''));
  git(repo, 'reset', '-q', '--hard', `HEAD~${steps.length}`);
  return { repo, mbox };
}

/** Breaks the build at step 2 and fixes it again at step 3. */
export const BREAK_AND_FIX: MiniStep[] = [
  { entry: '/* entry */\nint main(void) { return 0; }\n', subject: 'x86/entry: Add a comment' },
  { entry: '/* entry */\nint main(void) { return 0 }\n', subject: 'x86/entry: Drop a semicolon' },
  { entry: '/* entry */\nint main(void) { return 1 - 1; }\n', subject: 'x86/entry: Compute the return value' },
];
