// Building one kernel tree as it is: configure once per build directory (tinyconfig + fragments, or
// the user's .config), then incremental out-of-tree builds (O=) with ccache or the user's wrapper.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { ReviewError, NotFound } from '../errors.js';
import { defaultCacheDir } from '../host/paths.js';
import { resolveConfig, type ConfigChoice } from './fragments.js';
import { droppedOptions, formatConfig, mergeValues, readConfig, type DroppedOption } from './kconfig.js';
import { quoteCommand, runMake, type CompilerMessage, type MakeResult } from './make.js';
import { withDirLock } from './lock.js';

export class BuildFailed extends ReviewError {}
export class ConfigureFailed extends ReviewError {}

export interface BuildProgress {
  phase: 'configure' | 'build';
  message: string;
  /** Objects compiled so far in this build. */
  done: number;
  /** Objects expected (from the previous build of this directory), when known. */
  total?: number;
}

export interface BuildOptions {
  tree: string;
  /** Default: <cache>/builds/<tree-name>-<hash>-<config>. One per tree and config, reused across steps. */
  buildDir?: string;
  /** entry-min (default), entry-compat, entry-debug, or the path of a .config. */
  config?: string;
  /** "ccache", "distcc", "icecc", "" for none; default: $ENTRYBENCH_CC_WRAPPER, else ccache when installed. */
  compilerWrapper?: string;
  jobs?: number;
  targets?: string[];
  signal?: AbortSignal;
  onProgress?: (p: BuildProgress) => void;
}

export interface BuildResult {
  tree: string;
  buildDir: string;
  kind: 'linux' | 'simple';
  config: { name: string; fragments: string[]; dropped: DroppedOption[]; reconfigured: boolean };
  vmlinux: string;
  bzImage: string | null;
  systemMap: string | null;
  asmOffsets: string | null;
  dotConfig: string;
  seconds: number;
  objectsRebuilt: number;
  warnings: CompilerMessage[];
  objtool: string[];
  compiler: { cc: string; version: string; wrapper: string | null };
  /** Exactly what ran, to reproduce the build by hand. */
  commands: string[];
}

interface Stamp {
  config: string;
  digest: string;
  objects: number;
}

export function treeKind(tree: string): 'linux' | 'simple' {
  return fs.existsSync(path.join(tree, 'scripts', 'kconfig')) && fs.existsSync(path.join(tree, 'arch', 'x86')) ? 'linux' : 'simple';
}

export function defaultBuildDir(tree: string, configName: string): string {
  const abs = path.resolve(tree);
  const hash = crypto.createHash('sha256').update(abs).digest('hex').slice(0, 10);
  const safe = configName.replace(/[^A-Za-z0-9._-]/g, '_');
  return path.join(defaultCacheDir(), 'builds', `${path.basename(abs)}-${hash}-${safe}`);
}

function which(cmd: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    const p = path.join(dir, cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* keep looking */
    }
  }
  return null;
}

function chooseWrapper(requested: string | undefined): string | null {
  const w = requested ?? process.env.ENTRYBENCH_CC_WRAPPER;
  if (w !== undefined) return w.trim() === '' ? null : w.trim();
  return which('ccache') ? 'ccache' : null;
}

/** What a configuration is made of (its name and the content of its fragments or .config): reconfigure when it changes. */
export function configDigest(choice: ConfigChoice): string {
  const h = crypto.createHash('sha256').update(choice.name);
  for (const f of [...choice.fragments, ...(choice.userConfig ? [choice.userConfig] : [])]) h.update(fs.readFileSync(f));
  return h.digest('hex');
}

function readStamp(buildDir: string): Stamp | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(buildDir, '.entrybench-build.json'), 'utf8')) as Stamp;
  } catch {
    return null;
  }
}

function writeStamp(buildDir: string, stamp: Stamp): void {
  const file = path.join(buildDir, '.entrybench-build.json');
  fs.writeFileSync(file + '.tmp', JSON.stringify(stamp, null, 2));
  fs.renameSync(file + '.tmp', file);
}

function firstLine(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0].trim();
  } catch {
    return 'unknown';
  }
}

function optional(file: string): string | null {
  return fs.existsSync(file) ? file : null;
}

function prepare(opts: BuildOptions): { tree: string; buildDir: string; choice: ConfigChoice } {
  const tree = path.resolve(opts.tree);
  if (!fs.existsSync(path.join(tree, 'Makefile'))) {
    throw new NotFound(`${tree} is not a kernel tree (no Makefile).`, 'Pass --tree with the top directory of a kernel source tree.');
  }
  const choice = resolveConfig(opts.config);
  const buildDir = path.resolve(opts.buildDir ?? defaultBuildDir(tree, choice.name));
  if (buildDir === tree || buildDir.startsWith(tree + path.sep)) {
    throw new ConfigureFailed('The build directory is inside the source tree.', 'Builds are out of tree (O=); choose a directory outside it.');
  }
  fs.mkdirSync(buildDir, { recursive: true });
  return { tree, buildDir, choice };
}

export async function buildKernel(opts: BuildOptions): Promise<BuildResult> {
  const { tree, buildDir, choice } = prepare(opts);
  return withDirLock(buildDir, () => buildLocked(tree, buildDir, choice, opts));
}

interface Toolchain {
  tree: string;
  buildDir: string;
  kind: 'linux' | 'simple';
  cc: string;
  wrapper: string | null;
  env: Record<string, string>;
  common: string[];
  commands: string[];
  signal?: AbortSignal;
  onProgress?: (p: BuildProgress) => void;
}

function toolchain(tree: string, buildDir: string, opts: BuildOptions): Toolchain {
  const wrapper = chooseWrapper(opts.compilerWrapper);
  return {
    tree,
    buildDir,
    kind: treeKind(tree),
    cc: wrapper ? `${wrapper} gcc` : 'gcc',
    wrapper,
    env: wrapper === 'ccache' ? { CCACHE_BASEDIR: tree, CCACHE_NOHASHDIR: 'true' } : {},
    common: ['ARCH=x86_64', `O=${buildDir}`],
    commands: [],
    signal: opts.signal,
    onProgress: opts.onProgress,
  };
}

function make(t: Toolchain, args: string[], phase: BuildProgress['phase'], total?: number): Promise<MakeResult> {
  t.commands.push(`(cd ${quoteCommand([t.tree])} && ${quoteCommand(['nice', '-n', '10', 'make', ...args], t.env)})`);
  let done = 0;
  return runMake({
    cwd: t.tree,
    args,
    env: t.env,
    signal: t.signal,
    onLine: (line) => {
      if (/^\s{2}[A-Z]/.test(line)) {
        done++;
        t.onProgress?.({ phase, message: line.trim(), done, total });
      }
    },
  });
}

export interface ConfigureResult {
  dotConfig: string;
  dropped: DroppedOption[];
  reconfigured: boolean;
}

/** Configure once per build directory and config; steps of a series reuse it. */
async function configure(t: Toolchain, choice: ConfigChoice): Promise<ConfigureResult> {
  const dotConfig = path.join(t.buildDir, '.config');
  const digest = configDigest(choice);
  const stamp = readStamp(t.buildDir);
  const requested = mergeValues(new Map(), ...choice.fragments.map((f) => readConfig(f)));
  if (stamp && stamp.digest === digest && fs.existsSync(dotConfig)) {
    return { dotConfig, dropped: droppedOptions(requested, readConfig(dotConfig)), reconfigured: false };
  }
  t.onProgress?.({ phase: 'configure', message: `configuring ${choice.name}`, done: 0 });
  if (choice.userConfig) {
    fs.copyFileSync(choice.userConfig, dotConfig);
  } else {
    const base = await make(t, [...t.common, 'tinyconfig'], 'configure');
    if (base.exitCode !== 0) throw configureError('make tinyconfig', base);
  }
  fs.writeFileSync(dotConfig, formatConfig(mergeValues(readConfig(dotConfig), requested)));
  const olddef = await make(t, [...t.common, 'olddefconfig'], 'configure');
  if (olddef.exitCode !== 0) throw configureError('make olddefconfig', olddef);
  writeStamp(t.buildDir, { config: choice.name, digest, objects: stamp?.objects ?? 0 });
  return { dotConfig, dropped: droppedOptions(requested, readConfig(dotConfig)), reconfigured: true };
}

/** Only configure (tinyconfig + fragments + olddefconfig) and report what Kconfig dropped. */
export async function configureKernel(opts: BuildOptions): Promise<ConfigureResult & { buildDir: string; commands: string[] }> {
  const { tree, buildDir, choice } = prepare(opts);
  return withDirLock(buildDir, async () => {
    const t = toolchain(tree, buildDir, opts);
    return { ...(await configure(t, choice)), buildDir, commands: t.commands };
  });
}

async function buildLocked(tree: string, buildDir: string, choice: ConfigChoice, opts: BuildOptions): Promise<BuildResult> {
  const started = Date.now();
  const t = toolchain(tree, buildDir, opts);
  const jobs = opts.jobs ?? Math.max(1, os.availableParallelism());
  const conf = await configure(t, choice);
  const targets = opts.targets ?? (t.kind === 'linux' ? ['bzImage'] : []);
  const previous = readStamp(buildDir)?.objects || undefined;
  const result = await make(t, [...t.common, `-j${jobs}`, `CC=${t.cc}`, ...targets], 'build', previous);
  if (result.exitCode !== 0) {
    const first = result.errors.slice(0, 8);
    const where = first[0] ? ` at ${first[0].file}:${first[0].line}` : '';
    throw new BuildFailed(
      `The kernel build failed${where}${first[0] ? `: ${first[0].message}` : ''}.`,
      'Fix the error in the tree (or the patch that introduced it); the command under "commands" reproduces the build.',
      { errors: first, tail: result.tail.slice(-25), commands: t.commands },
    );
  }
  const vmlinux = path.join(buildDir, 'vmlinux');
  if (!fs.existsSync(vmlinux)) {
    throw new BuildFailed(`make succeeded but left no vmlinux in ${buildDir}.`, 'Check that the tree builds vmlinux for ARCH=x86_64.', { commands: t.commands });
  }
  const objectsRebuilt = result.steps.filter((s) => s.startsWith('CC ') || s.startsWith('AS ')).length;
  // Remember the size of a full build: the progress estimate for the next one from scratch.
  const objects = Math.max(objectsRebuilt, readStamp(buildDir)?.objects ?? 0);
  writeStamp(buildDir, { config: choice.name, digest: configDigest(choice), objects });
  return {
    tree,
    buildDir,
    kind: t.kind,
    config: { name: choice.name, fragments: choice.fragments.map((f) => path.basename(f)), dropped: conf.dropped, reconfigured: conf.reconfigured },
    vmlinux,
    bzImage: optional(path.join(buildDir, 'arch', 'x86', 'boot', 'bzImage')),
    systemMap: optional(path.join(buildDir, 'System.map')),
    asmOffsets: optional(path.join(buildDir, 'include', 'generated', 'asm-offsets.h')),
    dotConfig: conf.dotConfig,
    seconds: (Date.now() - started) / 1000,
    objectsRebuilt,
    warnings: result.warnings,
    objtool: result.objtool,
    compiler: { cc: t.cc, version: firstLine('gcc', ['--version']), wrapper: t.wrapper },
    commands: t.commands,
  };
}

function configureError(what: string, r: MakeResult): ConfigureFailed {
  return new ConfigureFailed(`${what} failed (exit ${r.exitCode}).`, 'Read the output below; the tree may not support ARCH=x86_64 tinyconfig.', {
    tail: r.tail.slice(-20),
  });
}
