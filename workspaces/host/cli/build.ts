// `entrybench build`: build a kernel tree as it is, out of tree, and say where the results are.
import type { CommandSpec } from './args.js';
import { flag, value, UsageError } from './args.js';
import { buildKernel, type BuildProgress } from '../../build/kernel-build.js';

export const buildCommand: CommandSpec = {
  name: 'build',
  summary: 'Build a kernel tree (tinyconfig + an entry fragment, or your .config), incrementally, out of tree.',
  usage: '--tree DIR [--config NAME|FILE] [--build-dir DIR] [--cc-wrapper CMD] [-j N] [--json]',
  options: [
    { name: 'tree', type: 'string', value: 'DIR', help: 'the kernel source tree' },
    { name: 'config', type: 'string', value: 'NAME|FILE', help: 'entry-min (default), entry-compat, entry-debug, or a .config file' },
    { name: 'build-dir', type: 'string', value: 'DIR', help: 'build directory (default: one per tree and config in ~/.cache/entrybench/builds)' },
    { name: 'cc-wrapper', type: 'string', value: 'CMD', help: 'compiler wrapper: ccache (default when installed), distcc, icecc, or "" for none' },
    { name: 'jobs', short: 'j', type: 'string', value: 'N', help: 'parallel jobs (default: the number of cores)' },
    { name: 'json', type: 'flag', help: 'print the result as JSON' },
  ],
  details: 'The emulator check (`entrybench check BUILD_DIR`) and the guest (`entrybench boot BUILD_DIR`) take the build directory.',
  async run(args, io) {
    const tree = value(args, 'tree');
    if (!tree) throw new UsageError('--tree DIR is required');
    const jobsText = value(args, 'jobs');
    const jobs = jobsText === undefined ? undefined : Number(jobsText);
    if (jobs !== undefined && (!Number.isInteger(jobs) || jobs < 1)) throw new UsageError(`-j must be a positive integer, got ${jobsText}`);
    const json = flag(args, 'json');
    let lastShown = 0;
    const onProgress = (p: BuildProgress) => {
      if (json) return;
      const now = Date.now();
      if (now - lastShown < 250 && p.phase === 'build') return;
      lastShown = now;
      const count = p.total ? `${p.done}/~${p.total}` : String(p.done);
      io.err(`\r\x1b[K${p.phase} ${count} ${p.message}`.slice(0, 160));
    };
    const result = await buildKernel({
      tree,
      config: value(args, 'config'),
      buildDir: value(args, 'build-dir'),
      compilerWrapper: value(args, 'cc-wrapper'),
      jobs,
      onProgress,
    });
    if (!json) io.err('\r\x1b[K');
    if (json) {
      io.out(JSON.stringify(result, null, 2) + '\n');
      return 0;
    }
    io.out(`built ${result.config.name} in ${result.seconds.toFixed(1)} s (${result.objectsRebuilt} objects rebuilt${result.config.reconfigured ? ', configured' : ''})\n`);
    io.out(`  build dir  ${result.buildDir}\n  vmlinux    ${result.vmlinux}\n  bzImage    ${result.bzImage ?? '(none)'}\n`);
    io.out(`  compiler   ${result.compiler.cc} (${result.compiler.version})\n`);
    for (const d of result.config.dropped) {
      io.out(`  config: ${d.option} wanted ${d.wanted ?? 'unset'}, Kconfig left ${d.got ?? 'unset'} (a dependency is missing)\n`);
    }
    if (result.warnings.length) io.out(`  ${result.warnings.length} compiler warnings; first: ${result.warnings[0].text}\n`);
    return 0;
  },
};
