// A streaming reader of TAP: our guest runner's kselftest TAP on ttyS1 ("ok 3 selftests: x86:
// NAME # SKIP", with "# " output lines and our "# entrybench:" notes), and plain TAP 13 such as
// the demo kernel prints on its console ("not ok 3 - rbx preserved across syscall").
import type { SelftestCounts, SelftestResult, SelftestStatus } from '../host/api/guest.js';
import { TAP_MARKERS } from './init-scripts.js';

const RESULT = /^(not ok|ok)\b\s*(\d+)?\s*(?:-\s*)?([^#]*?)\s*(?:#\s*(.*))?$/;
const PLAN = /^1\.\.(\d+)/;
const KSELFTEST_NAME = /^selftests:\s*\S+:\s*(\S+)$/;
const FAILISH = /\[FAIL\]|^not ok\b|\bFAIL(ED)?\b|Segmentation fault|Illegal instruction|Bus error|Aborted|Killed|core dumped/;

const MAX_OUTPUT = 400;
const MAX_FAIL_LINES = 40;

const SIGNALS: Record<number, string> = { 4: 'SIGILL', 5: 'SIGTRAP', 6: 'SIGABRT', 7: 'SIGBUS', 8: 'SIGFPE', 9: 'SIGKILL', 11: 'SIGSEGV', 15: 'SIGTERM' };

export function emptyCounts(): SelftestCounts {
  return { pass: 0, fail: 0, skip: 0, timeout: 0, interrupted: 0 };
}

export function countResults(results: SelftestResult[]): SelftestCounts {
  const c = emptyCounts();
  for (const r of results) c[r.status]++;
  return c;
}

function statusOf(ok: boolean, directive: string | null): SelftestStatus {
  const d = (directive ?? '').toUpperCase();
  if (d.startsWith('TIMEOUT')) return 'timeout';
  if (d.startsWith('SKIP')) return /INTERRUPTED/.test(d) ? 'interrupted' : 'skip';
  return ok ? 'pass' : 'fail';
}

interface Pending {
  name: string;
  output: string[];
  failLines: string[];
  exitCode: number | null;
  seconds: number | null;
}

export interface TapEvents {
  onPlan?(planned: number): void;
  onResult?(result: SelftestResult): void;
  onSummary?(): void;
}

export class TapReader {
  planned: number | null = null;
  readonly results: SelftestResult[] = [];
  /** Our runner's closing line arrived (or, for plain TAP, every planned result did). */
  complete = false;
  private partial = '';
  private current: Pending | null = null;

  constructor(private readonly events: TapEvents = {}) {}

  /** Feed text as it arrives; lines may be split across chunks. */
  push(text: string): void {
    this.partial += text;
    let nl: number;
    while ((nl = this.partial.indexOf('\n')) >= 0) {
      this.line(this.partial.slice(0, nl).replace(/\r$/, ''));
      this.partial = this.partial.slice(nl + 1);
    }
  }

  /** Feed one whole line (the console parser hands TAP lines over this way). */
  line(raw: string): void {
    const line = raw.replace(/\r/g, '');
    if (line.startsWith(TAP_MARKERS.summary)) {
      this.finish();
      return;
    }
    if (line.startsWith(TAP_MARKERS.testStart)) {
      this.current = { name: line.slice(TAP_MARKERS.testStart.length).trim(), output: [], failLines: [], exitCode: null, seconds: null };
      return;
    }
    if (line.startsWith(TAP_MARKERS.testEnd)) {
      const m = /exit=(\d+)\s+seconds=([\d.]+)/.exec(line);
      if (m && this.current) {
        this.current.exitCode = Number(m[1]);
        this.current.seconds = Number(m[2]);
      }
      return;
    }
    const plan = PLAN.exec(line);
    if (plan && this.planned === null) {
      this.planned = Number(plan[1]);
      this.events.onPlan?.(this.planned);
      return;
    }
    if (line.startsWith('#')) {
      if (this.current) this.addOutput(this.current, line.replace(/^# ?/, ''));
      return;
    }
    const r = RESULT.exec(line);
    if (r) this.result(r[1] === 'ok', r[2] ? Number(r[2]) : this.results.length + 1, r[3], r[4] ?? null, line.trim());
  }

  private addOutput(p: Pending, text: string): void {
    p.output.push(text);
    if (p.output.length > MAX_OUTPUT) p.output.splice(0, p.output.length - MAX_OUTPUT);
    if (FAILISH.test(text) && p.failLines.length < MAX_FAIL_LINES) p.failLines.push(text);
  }

  private result(ok: boolean, number: number, description: string, directive: string | null, raw: string): void {
    const kselftest = KSELFTEST_NAME.exec(description.trim());
    const name = kselftest?.[1] ?? (description.trim() || `test ${number}`);
    const pending = this.current && this.current.name === name ? this.current : null;
    this.current = null;
    const status = statusOf(ok, directive);
    const exitCode = pending?.exitCode ?? null;
    const failLines = pending?.failLines ?? [];
    if ((status === 'fail' || status === 'timeout') && exitCode !== null && exitCode > 128 && failLines.length < MAX_FAIL_LINES) {
      failLines.push(`exit ${exitCode}: killed by ${SIGNALS[exitCode - 128] ?? `signal ${exitCode - 128}`}`);
    }
    if (status === 'fail' && !pending) failLines.push(raw);
    // A program that fails without saying [FAIL]: its exit status and last words are the evidence.
    if (status === 'fail' && pending && failLines.length === 0) {
      const last = pending.output.filter((l) => l.trim()).at(-1);
      failLines.push(`exit ${exitCode ?? '?'}${last ? `; last output: ${last.trim()}` : ''}`);
    }
    const result: SelftestResult = {
      name,
      number,
      status,
      exitCode,
      seconds: pending?.seconds ?? null,
      directive: directive?.trim() || null,
      failLines,
      output: pending?.output ?? [],
    };
    this.results.push(result);
    this.events.onResult?.(result);
    if (!pending && this.planned !== null && this.results.length >= this.planned) this.finish();
  }

  private finish(): void {
    if (this.complete) return;
    this.complete = true;
    this.events.onSummary?.();
  }

  counts(): SelftestCounts {
    return countResults(this.results);
  }
}
