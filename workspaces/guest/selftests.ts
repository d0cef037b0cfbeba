// Building a tree's tools/testing/selftests/x86 statically, with the tree's own Makefile and uapi
// headers: the guest has no C library, so every program must run on its own.
//
// The upstream Makefile links dynamically. Passing CC="gcc -static" keeps everything else it does
// (its 32-bit probe, per-program extra sources and flags such as check_initial_reg_state's entry
// point) and makes each link static; its 32-bit probe then asks "can gcc link a static 32-bit
// program", which is the right question here.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { execFile } from 'node:child_process';
import { ReviewError, Cancelled } from '../errors.js';
import { runMake, quoteCommand, type MakeResult } from '../build/make.js';
import type { SelftestProgram } from '../host/api/guest.js';
import type { StaticToolchain } from './toolchain.js';

export class SelftestsBuildFailed extends ReviewError {}

export const SELFTESTS_DIR = path.join('tools', 'testing', 'selftests', 'x86');

export function hasX86Selftests(tree: string): boolean {
  return fs.existsSync(path.join(tree, SELFTESTS_DIR, 'Makefile'));
}

/**
 * Everything in the tree that decides what the selftest programs become: their sources and the
 * selftests' shared headers, plus what `make headers` turns into the uapi headers they include
 * (a patch that adds a syscall to the table changes asm/unistd_64.h).
 */
const KEY_DIRS = [SELFTESTS_DIR, path.join('include', 'uapi'), path.join('arch', 'x86', 'include', 'uapi'), path.join('arch', 'x86', 'entry', 'syscalls')];
const KEY_FILES = ['Makefile', 'scripts/headers_install.sh', 'scripts/syscallhdr.sh', 'scripts/syscalltbl.sh', 'scripts/unifdef.c'];

function listFiles(root: string, rel: string, out: string[]): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(path.join(root, rel), { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const p = path.join(rel, e.name);
    if (e.isDirectory()) listFiles(root, p, out);
    else if (e.isFile()) out.push(p);
  }
}

/** Content hash of the inputs above (paths and bytes), independent of mtimes and of where the tree is. */
export function selftestSourceHash(tree: string): string {
  const files: string[] = [];
  for (const d of KEY_DIRS) listFiles(tree, d, files);
  const shared = path.join(tree, 'tools', 'testing', 'selftests');
  for (const name of fs.existsSync(shared) ? fs.readdirSync(shared) : []) {
    if (/\.(h|mk)$/.test(name)) files.push(path.join('tools', 'testing', 'selftests', name));
  }
  for (const f of KEY_FILES) if (fs.existsSync(path.join(tree, f))) files.push(f);
  files.sort();
  const h = crypto.createHash('sha256');
  for (const f of files) {
    h.update(f).update('\0').update(fs.readFileSync(path.join(tree, f))).update('\0');
  }
  return h.digest('hex');
}

export interface BuiltSelftest extends SelftestProgram {
  /** The stripped static program. */
  file: string;
}

export interface SelftestBuild {
  programs: BuiltSelftest[];
  notBuilt: { name: string; reason: string }[];
  bits: (32 | 64)[];
  bitsNote: string | null;
  commands: string[];
  seconds: number;
}

export interface SelftestBuildOptions {
  tree: string;
  /** Scratch directory for headers and programs (removed by the caller). */
  workDir: string;
  toolchain: StaticToolchain;
  jobs: number;
  signal?: AbortSignal;
  onProgress?: (message: string) => void;
}

const PRINT_MK = 'eb-print-programs:\n\t@echo $(TEST_PROGS)\n';

function bitsOf(name: string): 32 | 64 {
  return name.endsWith('_32') ? 32 : 64;
}

function strip(file: string): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile('strip', ['--strip-all', file], (err, _o, stderr) => (err ? reject(new Error(stderr || err.message)) : resolve())),
  );
}

function failure(what: string, r: MakeResult, commands: string[]): SelftestsBuildFailed {
  const first = r.errors[0];
  return new SelftestsBuildFailed(
    `${what} failed (exit ${r.exitCode})${first ? `: ${first.file}:${first.line}: ${first.message}` : ''}.`,
    'The command under "commands" reproduces it; boot without selftests (--no-selftests) meanwhile.',
    { tail: r.tail.slice(-20), commands },
  );
}

/** Why each program the Makefile wanted is missing: the first compiler error in its source, or make's line. */
function reasonsFor(missing: string[], r: MakeResult): Map<string, string> {
  const reasons = new Map<string, string>();
  for (const name of missing) {
    const source = name.replace(/_(32|64)$/, '');
    const err = r.errors.find((e) => path.basename(e.file).replace(/\.[cS]$/, '') === source);
    const makeLine = r.tail.find((l) => l.includes(`/${name}]`));
    reasons.set(name, err ? `${path.basename(err.file)}:${err.line}: ${err.message}` : (makeLine?.trim() ?? 'make did not produce it'));
  }
  return reasons;
}

export async function buildSelftests(opts: SelftestBuildOptions): Promise<SelftestBuild> {
  const started = Date.now();
  const tree = path.resolve(opts.tree);
  const x86 = path.join(tree, SELFTESTS_DIR);
  const hdrBuild = path.join(opts.workDir, 'headers');
  const out = path.join(opts.workDir, 'programs');
  fs.mkdirSync(out, { recursive: true });
  const commands: string[] = [];
  const cc = `${opts.toolchain.gcc} -static`;
  const khdr = `-isystem ${path.join(hdrBuild, 'usr', 'include')}`;

  // The uapi headers of this tree, as kselftest's own "make headers" step installs them.
  opts.onProgress?.('installing the tree\'s uapi headers (make headers)');
  const hdrArgs = ['-s', `O=${hdrBuild}`, 'ARCH=x86_64', 'headers'];
  commands.push(`(cd ${quoteCommand([tree])} && ${quoteCommand(['make', ...hdrArgs])})`);
  const hdr = await runMake({ cwd: tree, args: hdrArgs, signal: opts.signal });
  if (hdr.exitCode !== 0) {
    const unclean = hdr.tail.some((l) => /source tree is not clean/i.test(l));
    if (unclean) {
      throw new SelftestsBuildFailed(
        `${tree} has been built in place, so out-of-tree "make headers" refuses to run.`,
        'Build this tree out of tree (make mrproper, then entrybench build), or boot with --no-selftests.',
        { tail: hdr.tail.slice(-10), commands },
      );
    }
    throw failure('make headers', hdr, commands);
  }

  const printMk = path.join(opts.workDir, 'print-programs.mk');
  fs.writeFileSync(printMk, PRINT_MK);
  const vars = [`OUTPUT=${out}`, `CC=${cc}`, `KHDR_INCLUDES=${khdr}`];
  const listed = await runMake({ cwd: x86, args: ['-s', '-f', 'Makefile', '-f', printMk, ...vars, 'eb-print-programs'], signal: opts.signal });
  if (listed.exitCode !== 0) throw failure('Listing the selftest programs', listed, commands);
  const wanted = listed.tail
    .join(' ')
    .split(/\s+/)
    .filter((p) => p.startsWith(out + path.sep))
    .map((p) => path.basename(p));
  if (wanted.length === 0) {
    throw new SelftestsBuildFailed('The tree\'s x86 selftests Makefile lists no programs for this toolchain.', 'Check that gcc can link static programs (apt-get install libc6-dev).', {
      tail: listed.tail.slice(-10),
    });
  }

  opts.onProgress?.(`compiling ${wanted.length} selftest programs statically`);
  const buildArgs = ['-k', `-j${opts.jobs}`, ...vars, 'all'];
  commands.push(`(cd ${quoteCommand([x86])} && ${quoteCommand(['make', ...buildArgs])})`);
  let compiled = 0;
  const built = await runMake({
    cwd: x86,
    args: buildArgs,
    signal: opts.signal,
    onLine: (line) => {
      if (line.startsWith(cc)) opts.onProgress?.(`compiled ${++compiled}/${wanted.length} selftest programs`);
    },
  });
  if (opts.signal?.aborted) throw new Cancelled('selftest build');

  const present = wanted.filter((n) => fs.existsSync(path.join(out, n)));
  const missing = wanted.filter((n) => !present.includes(n));
  const reasons = reasonsFor(missing, built);
  if (present.length === 0) throw failure('Compiling the x86 selftests', built, commands);
  await Promise.all(present.map((n) => strip(path.join(out, n))));

  const programs = present.sort().map((name) => ({ name, bits: bitsOf(name), file: path.join(out, name) }));
  const bits = [...new Set(programs.map((p) => p.bits))].sort((a, b) => b - a);
  return {
    programs,
    notBuilt: missing.map((name) => ({ name, reason: reasons.get(name) ?? 'not built' })),
    bits,
    bitsNote: bits.includes(32) ? null : (opts.toolchain.note32 ?? 'the Makefile built no 32-bit programs'),
    commands,
    seconds: (Date.now() - started) / 1000,
  };
}
