// `entrybench check`: run a build's real syscall entry code in the emulator against the scenario suite.
import type { CommandSpec } from './args.js';
import { flag, list, UsageError } from './args.js';
import { CheckService } from '../../check/service.js';
import type { CheckReport } from '../api/check.js';

function table(report: CheckReport): string {
  const width = Math.max(8, ...report.scenarios.map((s) => s.name.length), ...report.skipped.map((s) => s.name.length));
  const lines = [
    `${report.banner ? `Linux ${report.kernel}` : report.kernel} (${report.config}, profile ${report.profile}): ${report.scenarios.length} scenarios in ${report.seconds.toFixed(1)} s ` +
      `(setup ${report.setupSeconds.toFixed(1)} s): ${report.pass} pass, ${report.fail} fail${report.error ? `, ${report.error} error` : ''}`,
  ];
  for (const s of report.scenarios) {
    const tag = s.verdict === 'pass' ? 'pass ' : s.verdict === 'fail' ? 'FAIL ' : 'ERROR';
    const why = s.verdict === 'pass' ? (s.sweep ? `${s.sweep.points} injection points` : '') : `${s.invariant}: expected ${s.expected}, seen ${s.seen}`;
    lines.push(`  ${tag} ${s.name.padEnd(width)}  ${why}`.trimEnd());
  }
  for (const s of report.skipped) lines.push(`  skip  ${s.name.padEnd(width)}  ${s.reason}`);
  for (const s of report.scenarios.filter((x) => x.verdict !== 'pass')) {
    lines.push('', `${s.name}: ${s.summary}`);
    if (s.sweep?.firstFailure) lines.push(`  ${s.sweep.failed} of ${s.sweep.points} injection points fail; first: ${s.sweep.firstFailure}`);
    if (s.evidence) lines.push(...s.evidence.oops.split('\n').map((l) => `  ${l}`));
  }
  return lines.join('\n') + '\n';
}

export const checkCommand: CommandSpec = {
  name: 'check',
  summary: "Run a kernel build's real syscall entry path in the emulator and check the ABI invariants.",
  usage: '[--json] [--scenario NAME]... [--list] BUILD_DIR',
  options: [
    { name: 'json', type: 'flag', help: 'print the report as JSON: { kernel, config, scenarios: [{ name, verdict, invariant, expected, seen, evidence }] }' },
    { name: 'scenario', type: 'list', value: 'NAME', help: 'run only this scenario' },
    { name: 'list', type: 'flag', help: 'list the scenarios and exit' },
  ],
  details: [
    'BUILD_DIR is a kernel build directory (O=): vmlinux, System.map, .config, include/generated/asm-offsets.h,',
    'as `entrybench build` makes it. Exit status: 0 when every scenario passes, 1 when one fails or cannot run.',
    'Example: entrybench check ~/.cache/entrybench/builds/linux-abc123-entry-compat',
  ].join('\n'),
  async run(args, io) {
    const service = new CheckService();
    if (flag(args, 'list')) {
      const scenarios = service.scenarios();
      if (flag(args, 'json')) io.out(JSON.stringify({ scenarios }, null, 2) + '\n');
      else for (const s of scenarios) io.out(`${s.name.padEnd(28)} ${s.group.padEnd(10)} ${s.summary}\n`);
      return 0;
    }
    const [buildDir, ...extra] = args.positionals;
    if (!buildDir) throw new UsageError('BUILD_DIR is required');
    if (extra.length) throw new UsageError(`one build directory at a time (got ${args.positionals.length})`);
    const json = flag(args, 'json');
    const names = list(args, 'scenario');
    const report = await service.check(buildDir, names.length ? names : undefined, {
      onProgress: (p) => {
        if (json) return;
        io.err(`\r\x1b[K${p.total ? `${p.done}/${p.total} ` : ''}${p.message}`.slice(0, 160));
      },
    });
    if (!json) io.err('\r\x1b[K');
    io.out(json ? JSON.stringify(report, null, 2) + '\n' : table(report));
    return report.fail + report.error === 0 ? 0 : 1;
  },
};
