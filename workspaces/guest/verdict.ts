// From what a boot printed to a verdict: the outcome with the lines that show it, per-selftest
// results, the comparison with the base step (so a failure the base has too is not blamed on a
// patch), and the walk's check records.
import type {
  AccelDecision,
  BootComparison,
  BootOutcome,
  BootTimings,
  BootVerdict,
  FindingKind,
  GuestCheck,
  KernelFinding,
  KernelImageKind,
  SelftestResult,
  SelftestRun,
} from '../host/api/guest.js';
import { countResults } from './tap.js';

/** Most severe first. */
export const SEVERITY: FindingKind[] = ['panic', 'triple-fault', 'BUG', 'oops', 'hang', 'WARN'];

export function outcomeOf(findings: KernelFinding[]): BootOutcome {
  for (const kind of SEVERITY) if (findings.some((f) => f.kind === kind)) return kind;
  return 'booted';
}

function list(names: string[], max = 4): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

export function selftestLine(run: SelftestRun): string {
  if (!run.requested) return 'selftests not run';
  if (run.results.length === 0) return run.complete ? 'no selftests in the image' : 'no selftest result';
  const c = run.counts;
  const parts = [`${c.pass} pass`, `${c.fail} fail${c.fail ? ` (${list(run.results.filter((r) => r.status === 'fail').map((r) => r.name))})` : ''}`];
  if (c.timeout) parts.push(`${c.timeout} timeout (${list(run.results.filter((r) => r.status === 'timeout').map((r) => r.name))})`);
  parts.push(`${c.skip} skip`);
  if (c.interrupted) parts.push(`${c.interrupted} interrupted`);
  const of = run.planned !== null && !run.complete ? `, ${run.results.length} of ${run.planned} ran` : '';
  return `selftests ${parts.join(', ')}${of}`;
}

/** The one line a reviewer reads first. */
export function headlineOf(outcome: BootOutcome, findings: KernelFinding[], booted: boolean, run: SelftestRun, toInitMs: number | null): string {
  if (outcome === 'booted' || outcome === 'WARN') {
    const up = booted ? `booted${toInitMs !== null ? ` in ${(toInitMs / 1000).toFixed(1)} s` : ''}` : 'did not reach user space';
    const warn = outcome === 'WARN' ? `; ${findings.filter((f) => f.kind === 'WARN').length} WARNING(s), first: ${findings.find((f) => f.kind === 'WARN')?.title}` : '';
    return `${up}; ${selftestLine(run)}${warn}`;
  }
  const worst = findings.find((f) => f.kind === outcome) as KernelFinding;
  // A panic caused by a BUG or an oops is best named by that BUG or oops.
  const cause = outcome === 'panic' ? findings.find((f) => f.kind === 'BUG' || f.kind === 'oops') : undefined;
  const main = cause ?? worst;
  const where = main.rip ? ` at RIP ${main.rip}` : '';
  const during = main.during ? ` (during ${main.during})` : '';
  const then = cause ? `; then ${worst.title}` : '';
  return `${main.title}${where}${during}${then}`;
}

/** Titles without what changes between two boots of the same bug: addresses, counters, PIDs, line numbers. */
export function findingKey(f: KernelFinding): string {
  const title = f.title
    .replace(/0x[0-9a-f]+/gi, 'X')
    .replace(/\b[0-9a-f]{8,16}\b/gi, 'X')
    .replace(/\[#\d+\]/g, '[#]')
    .replace(/\b(CPU|PID): \d+/g, '$1: N')
    .replace(/:\d+/g, ':N')
    .replace(/\d+/g, 'N');
  const fn = f.rip ? f.rip.replace(/^[0-9a-f]{4}:/, '').replace(/\+.*$/, '') : '';
  return `${f.kind}|${title}|${fn}`;
}

function byName(results: SelftestResult[]): Map<string, SelftestResult> {
  return new Map(results.map((r) => [r.name, r]));
}

const isFail = (r: SelftestResult | undefined) => !!r && (r.status === 'fail' || r.status === 'timeout');
const isPass = (r: SelftestResult | undefined) => !!r && r.status === 'pass';

/**
 * A step's boot against the base's. Kernel reports are matched by kind, title without numbers and
 * the function in RIP; selftests by name. Only what is new on the step is blamed on the series.
 */
export function compareBoots(base: BootVerdict, step: BootVerdict): BootComparison {
  const baseKeys = new Set(base.findings.map(findingKey));
  const stepKeys = new Set(step.findings.map(findingKey));
  const newFindings = step.findings.filter((f) => !baseKeys.has(findingKey(f)));
  const findingsOnBaseToo = step.findings.filter((f) => baseKeys.has(findingKey(f)));
  const goneFindings = base.findings.filter((f) => !stepKeys.has(findingKey(f)));

  const b = byName(base.selftests.results);
  const regressed: string[] = [];
  const failsOnBaseToo: string[] = [];
  const fixed: string[] = [];
  const onlyHere: string[] = [];
  for (const r of step.selftests.results) {
    const br = b.get(r.name);
    if (!br) onlyHere.push(r.name);
    if (isFail(r)) {
      if (isFail(br)) failsOnBaseToo.push(r.name);
      else if (br) regressed.push(r.name);
    } else if (isPass(r) && isFail(br)) fixed.push(r.name);
  }
  // A selftest that ran on the base but not here (the step crashed first) is not a pass either.
  const missing = step.selftests.complete ? [] : base.selftests.results.filter((r) => isPass(r) && !step.selftests.results.some((s) => s.name === r.name)).map((r) => r.name);

  const worse = newFindings.length > 0 || regressed.length > 0 || missing.length > 0 || (base.booted && !step.booted);
  const better = !worse && (goneFindings.length > 0 || fixed.length > 0 || (!base.booted && step.booted));
  const relative = worse ? 'regressed' : better ? 'improved' : 'same';

  const parts: string[] = [];
  if (newFindings.length) parts.push(`new: ${newFindings[0].title}${newFindings.length > 1 ? ` (+${newFindings.length - 1} more)` : ''}`);
  if (base.booted && !step.booted) parts.push('no longer reaches user space');
  if (regressed.length) parts.push(`selftests regressed: ${list(regressed)}`);
  if (missing.length) parts.push(`${missing.length} selftests that pass on the base did not run`);
  if (failsOnBaseToo.length) parts.push(`failing on the base too: ${list(failsOnBaseToo)}`);
  if (findingsOnBaseToo.length) parts.push(`${findingsOnBaseToo.length} kernel report(s) the base prints too`);
  if (fixed.length) parts.push(`fixed: ${list(fixed)}`);
  if (goneFindings.length) parts.push(`gone: ${goneFindings[0].title}`);
  const summary = `${relative === 'regressed' ? 'worse than the base' : relative === 'improved' ? 'better than the base' : 'same as the base'}${parts.length ? ': ' + parts.join('; ') : ''}`;

  return {
    relative,
    outcome: { base: base.outcome, step: step.outcome },
    newFindings,
    findingsOnBaseToo,
    selftests: { regressed, failsOnBaseToo, fixed, onlyHere },
    summary,
  };
}

/**
 * The walk's check records for one boot: "boot" (user space came up with no panic, triple fault,
 * BUG, oops or hang), "boot:warn" (no WARNING), and one "selftest:NAME" per program.
 */
export function guestChecks(v: BootVerdict): GuestCheck[] {
  const seconds = v.timings.totalMs / 1000;
  const serious = v.findings.filter((f) => f.kind !== 'WARN');
  const bootStatus: GuestCheck['status'] = serious.length ? 'fail' : v.booted ? 'pass' : 'error';
  const checks: GuestCheck[] = [
    {
      check: 'boot',
      status: bootStatus,
      summary: bootStatus === 'error' ? `${v.headline} (ended: ${v.ended})` : v.headline,
      evidence: { findings: serious.slice(0, 3), console: v.logs.console, command: v.command },
      seconds,
    },
  ];
  if (v.booted || v.findings.length) {
    const warns = v.findings.filter((f) => f.kind === 'WARN');
    checks.push({
      check: 'boot:warn',
      status: warns.length ? 'fail' : 'pass',
      summary: warns.length ? warns[0].title : 'no WARNING',
      evidence: warns.length ? { findings: warns.slice(0, 3) } : undefined,
    });
  }
  for (const r of v.selftests.results) {
    const status: GuestCheck['status'] = r.status === 'pass' ? 'pass' : r.status === 'fail' || r.status === 'timeout' ? 'fail' : 'skip';
    checks.push({
      check: `selftest:${r.name}`,
      status,
      summary: status === 'fail' ? (r.failLines[0] ?? r.directive ?? 'failed') : r.status === 'pass' ? 'ok' : (r.directive ?? r.status),
      evidence: status === 'fail' ? { failLines: r.failLines, directive: r.directive, exitCode: r.exitCode } : undefined,
      seconds: r.seconds ?? undefined,
    });
  }
  return checks;
}

export interface VerdictInput {
  findings: KernelFinding[];
  booted: boolean;
  kernelVersion: string | null;
  selftestsRequested: boolean;
  tap: { planned: number | null; results: SelftestResult[]; complete: boolean };
  accel: AccelDecision;
  kind: KernelImageKind;
  timings: BootTimings;
  ended: string;
  logs: BootVerdict['logs'];
  command: string[];
}

/** The verdict from what the console and the TAP said. */
export function buildVerdict(i: VerdictInput): BootVerdict {
  const findings = [...i.findings];
  const outcome = outcomeOf(findings);
  const selftests: SelftestRun = {
    requested: i.selftestsRequested,
    planned: i.tap.planned,
    results: [...i.tap.results],
    counts: countResults(i.tap.results),
    complete: i.tap.complete,
  };
  return {
    outcome,
    headline: headlineOf(outcome, findings, i.booted, selftests, i.timings.toInitMs),
    booted: i.booted,
    kernelVersion: i.kernelVersion,
    findings,
    selftests,
    accel: i.accel,
    kind: i.kind,
    timings: i.timings,
    ended: i.ended,
    logs: i.logs,
    command: i.command,
  };
}
