// A streaming reader of the guest console: the kernel's reports (panic, BUG, oops, WARN, stalls)
// with the lines that show them, and the milestones of a boot (kernel started, our /init up,
// selftests summary, shell prompt, power down).
import type { FindingKind, KernelFinding } from '../host/api/guest.js';
import { GUEST_MARKERS } from './init-scripts.js';

export type Milestone = 'firmware' | 'kernel' | 'init' | 'selftests-running' | 'summary' | 'selftests-skipped' | 'prompt' | 'power-down' | 'restart';

export interface ConsoleEvents {
  onMilestone?(m: Milestone, line: string): void;
  onFinding?(f: KernelFinding): void;
  /** A complete line (ANSI escapes removed), for TAP printed on the console. */
  onLine?(line: string): void;
}

interface Trigger {
  kind: FindingKind;
  re: RegExp;
}

// Order matters: the first match wins. User-space fault logs ("traps: ...", "segfault at") are not
// kernel reports and never match, because every pattern is anchored at the start of the message.
const TRIGGERS: Trigger[] = [
  { kind: 'panic', re: /^Kernel panic - not syncing: .*/ },
  { kind: 'BUG', re: /^kernel BUG at \S+!/ },
  { kind: 'oops', re: /^BUG: (unable to handle|kernel NULL pointer dereference)\b.*/ },
  { kind: 'oops', re: /^Oops: .*/ },
  // The die line of kernels before 6.12, or other traps: "invalid opcode: 0000 [#1] SMP".
  { kind: 'oops', re: /^[a-z][a-z0-9 ,()_-]*: [^[]*\[#\d+\]( \w+)*$/ },
  { kind: 'hang', re: /^(watchdog: )?BUG: soft lockup\b.*/ },
  { kind: 'hang', re: /^rcu: INFO: \S+ (self-)?detected stalls?\b.*/ },
  { kind: 'hang', re: /^INFO: task \S+ blocked for more than \d+ seconds\.?/ },
  { kind: 'hang', re: /^Watchdog detected hard LOCKUP\b.*/ },
  { kind: 'BUG', re: /^BUG: .*/ },
  { kind: 'WARN', re: /^WARNING: CPU: \d+ PID: \d+ at .*/ },
  { kind: 'WARN', re: /^WARNING: .* at \S+:\d+.*/ },
];

/** Lines that end a report. */
const REPORT_END = /^---\[ end (trace|Kernel panic)/;
const MAX_REPORT_LINES = 60;
/** Our runner's "[ 3/48] name ... " prefix, which kernel messages can follow on the same line. */
const RUNNER_PREFIX = /^\[\s*\d+\/\d+\] (\S+) \.\.\. /;
/** printk's optional time and caller stamps: "[   32.675319] ", "[    1.2][    T1] ". */
const PRINTK_STAMP = /^\[\s*\d+\.\d+\](\[\s*[TC]\d+\])?\s?/;
const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>78cDEHMZ]/g;
/** A finished line that starts with the prompt: Enter was pressed at it. */
const PROMPT_LINE = new RegExp(`^${GUEST_MARKERS.promptPrefix}\\S*${GUEST_MARKERS.promptSuffix.trimEnd()}(\\s|$)`);
const PROMPT = new RegExp(`(^|\\n)${GUEST_MARKERS.promptPrefix}\\S*${GUEST_MARKERS.promptSuffix.replace(/ /g, ' ')}$`);

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

function ripOf(lines: string[]): string | null {
  for (const l of lines) {
    // Before 4.x-ish: "RIP: 0010:[<ffffffff8113c5ad>]  [<ffffffff8113c5ad>] func+0xcd/0xf0".
    const old = /^RIP: ([0-9a-f]{4}):\[<[0-9a-f]*>\]\s+\[<[0-9a-f]*>\]\s*(\S+)/.exec(l);
    if (old) return `${old[1]}:${old[2]}`;
    const m = /^RIP: ([0-9a-f]{4}:\S+)/.exec(l);
    if (m) return m[1];
  }
  return null;
}

export class ConsoleReader {
  lineNumber = 0;
  kernelVersion: string | null = null;
  readonly findings: KernelFinding[] = [];
  readonly milestones = new Map<Milestone, number>();
  private partial = '';
  private readonly recent: string[] = [];
  private open: KernelFinding | null = null;
  private currentTest: string | null = null;

  constructor(
    private readonly clock: () => number,
    private readonly events: ConsoleEvents = {},
    /** Extra prompt shapes (the demo kernel's own prompt). */
    private readonly extraPrompt: RegExp | null = null,
  ) {}

  push(text: string): void {
    // Escapes are removed per line: a chunk can end in the middle of one.
    this.partial += text.replace(/\r/g, '');
    let nl: number;
    while ((nl = this.partial.indexOf('\n')) >= 0) {
      this.line(stripAnsi(this.partial.slice(0, nl)));
      this.partial = this.partial.slice(nl + 1);
    }
    // A prompt has no newline after it, nor has "[14/48] name ... " while that test runs.
    const unfinished = stripAnsi(this.partial);
    const runner = RUNNER_PREFIX.exec(unfinished);
    if (runner) this.currentTest = runner[1];
    if (unfinished && (PROMPT.test(unfinished) || this.extraPrompt?.test(unfinished))) this.mark('prompt', unfinished);
    if (this.partial.length > 4096) {
      this.line(unfinished);
      this.partial = '';
    }
  }

  /** Close the last report and line (QEMU exited). */
  end(): void {
    if (this.partial) this.line(stripAnsi(this.partial));
    this.partial = '';
    this.close();
  }

  private mark(m: Milestone, line: string): void {
    if (m !== 'prompt' && this.milestones.has(m)) return;
    const first = !this.milestones.has(m);
    if (first) this.milestones.set(m, this.clock());
    if (first || m !== 'prompt') this.events.onMilestone?.(m, line);
  }

  /** Has a report of this kind started since `sinceMs` (the one still being read included)? */
  seen(kind: FindingKind, sinceMs = 0): boolean {
    return [...this.findings, ...(this.open ? [this.open] : [])].some((f) => f.kind === kind && f.atMs >= sinceMs);
  }

  /** The selftest the runner announced last and has not finished. */
  get runningTest(): string | null {
    return this.currentTest;
  }

  /** The last lines seen (for a hang's evidence). */
  tail(n = 15): string[] {
    return this.recent.slice(-n);
  }

  /** Record a finding that did not come from a console line (deadlines, triple faults). */
  add(f: Omit<KernelFinding, 'line' | 'atMs' | 'during'> & { during?: string | null }): KernelFinding {
    this.close();
    const finding: KernelFinding = { ...f, during: f.during === undefined ? this.currentTest : f.during, line: 0, atMs: this.clock() };
    this.findings.push(finding);
    this.events.onFinding?.(finding);
    return finding;
  }

  /** Forget the boot milestones (the guest was reset); findings stay. */
  resetMilestones(): void {
    this.milestones.clear();
    this.currentTest = null;
    this.partial = '';
  }

  private line(raw: string): void {
    this.lineNumber++;
    this.events.onLine?.(raw);
    this.recent.push(raw);
    if (this.recent.length > 50) this.recent.shift();
    let text = raw.trimEnd().replace(PRINTK_STAMP, '');
    const runner = RUNNER_PREFIX.exec(text);
    if (runner) {
      this.currentTest = runner[1];
      text = text.slice(runner[0].length).replace(PRINTK_STAMP, '');
    }
    this.milestone(text);
    const trigger = TRIGGERS.find((t) => t.re.test(text));
    if (trigger) {
      // An oops line inside an open BUG or oops report belongs to that report.
      const absorbed = this.open && trigger.kind === 'oops' && (this.open.kind === 'BUG' || this.open.kind === 'oops') && this.open.lines.length < MAX_REPORT_LINES;
      if (!absorbed) {
        this.close();
        this.open = {
          kind: trigger.kind,
          title: text.trim(),
          rip: null,
          during: this.currentTest,
          lines: [],
          line: this.lineNumber,
          atMs: this.clock(),
        };
      }
    }
    if (this.open) {
      this.open.lines.push(text);
      if (REPORT_END.test(text) || this.open.lines.length >= MAX_REPORT_LINES) this.close();
    }
  }

  private milestone(line: string): void {
    let text = line;
    // SeaBIOS ends "Booting from ROM.." without a newline: the kernel's first line follows on it.
    if (text.startsWith('Booting from ROM')) {
      this.mark('firmware', text);
      text = text.replace(/^Booting from ROM\.*/, '').replace(PRINTK_STAMP, '');
    }
    if (text.startsWith('Linux version ')) {
      this.kernelVersion ??= text.trim();
      this.mark('kernel', text);
    } else if (text.startsWith(GUEST_MARKERS.banner)) this.mark('init', text);
    else if (text.startsWith(GUEST_MARKERS.running)) this.mark('selftests-running', text);
    else if (text.startsWith(GUEST_MARKERS.summary)) {
      this.currentTest = null;
      this.mark('summary', text);
    } else if (text.startsWith(GUEST_MARKERS.skipped)) this.mark('selftests-skipped', text);
    else if (PROMPT_LINE.test(text)) this.mark('prompt', text);
    else if (/^reboot: (Power down|System halted|Power off not available)/.test(text)) this.mark('power-down', text);
    else if (/^reboot: Restarting system/.test(text)) this.mark('restart', text);
  }

  private close(): void {
    const f = this.open;
    if (!f) return;
    this.open = null;
    f.rip = ripOf(f.lines);
    this.findings.push(f);
    this.events.onFinding?.(f);
  }
}
