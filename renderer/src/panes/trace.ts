// The Trace pane: the emulator steps of a failing scenario (disassembly, the registers each step changed),
// the registers around the entry, the pt_regs frame drawn slot by slot with the bad slot marked, and a
// jump to the source line when the build has line information.
import type { WalkCheckResult } from '../../../workspaces/host/api.js';
import { h, replace } from '../dom.js';
import type { Session } from '../session.js';
import { PaneNotice } from '../ui/errors.js';
import { stepLabel } from '../walk-view.js';

export interface SourceLine {
  file: string;
  line: number;
}

export interface TraceRow {
  address: string;
  symbol: string;
  bytes: string;
  text: string;
  mode: string;
  /** Registers this step wrote: name -> new value. */
  changes: Record<string, string>;
  source: SourceLine | null;
  event: boolean;
}

export interface FrameSlot {
  name: string;
  offset: number | null;
  value: string;
  expected: string | null;
  /** For a frame read off the trace: the instruction that loaded this slot. */
  readBy?: string;
}

export interface TraceData {
  headline: string;
  invariant: string | null;
  expected: string | null;
  seen: string | null;
  steps: TraceRow[];
  before: Record<string, string> | null;
  after: Record<string, string> | null;
  frames: { at: string; address: string; slots: FrameSlot[]; inferred: boolean }[];
  badSlot: string | null;
  /** The register the invariant names ("rbx" for "expected RBX = ..."). */
  badRegister: string | null;
  oops: string[];
  source: SourceLine | null;
}

/** The x86-64 pt_regs layout from the top of the kernel stack down (asm/ptrace.h), when the evidence gives no offsets. */
const PT_REGS = ['r15', 'r14', 'r13', 'r12', 'bp', 'bx', 'r11', 'r10', 'r9', 'r8', 'ax', 'cx', 'dx', 'si', 'di', 'orig_ax', 'ip', 'cs', 'flags', 'sp', 'ss'];
const GPRS = ['rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'rbp', 'rsp', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15', 'rip', 'rflags', 'cs', 'ss'];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'bigint' ? String(v) : null);

function strMap(v: unknown): Record<string, string> | null {
  if (!isObj(v)) return null;
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    const s = str(x);
    if (s !== null) out[k.toLowerCase()] = s;
  }
  return Object.keys(out).length ? out : null;
}

function sourceOf(v: unknown): SourceLine | null {
  if (typeof v === 'string') {
    const m = /^(.+?):(\d+)(?::\d+)?$/.exec(v.trim());
    return m ? { file: m[1], line: Number(m[2]) } : null;
  }
  if (isObj(v) && typeof v.file === 'string' && typeof v.line === 'number') return { file: v.file, line: v.line };
  return null;
}

/** Read a scenario's evidence (the emulator harness's shape, duck-typed) into what the pane draws; null when it has no trace. */
export function traceOf(result: WalkCheckResult): TraceData | null {
  const e = result.evidence;
  if (!isObj(e)) return null;
  const rawSteps = (Array.isArray(e.trace) ? e.trace : Array.isArray(e.steps) ? e.steps : Array.isArray(e.lastSteps) ? e.lastSteps : null) as unknown[] | null;
  if (!rawSteps || rawSteps.length === 0) return null;
  let prev: Record<string, string> | null = null;
  const steps: TraceRow[] = rawSteps.filter(isObj).map((s) => {
    const regs = strMap(s.regs ?? s.registers);
    let changes = strMap(s.changes ?? s.writes) ?? writtenRegister(str(s.text ?? s.disassembly) ?? '');
    if (regs && prev) changes = Object.fromEntries(Object.entries(regs).filter(([k, v]) => prev?.[k] !== v));
    if (regs) prev = regs;
    return {
      address: str(s.address ?? s.rip) ?? '',
      symbol: str(s.symbol) ?? '',
      bytes: str(s.bytes) ?? '',
      text: str(s.text ?? s.disassembly) ?? '',
      mode: str(s.mode) ?? (s.cpl === 0 ? 'kernel' : s.cpl === 3 ? 'user' : ''),
      changes,
      source: sourceOf(s.source ?? s.line),
      event: s.event === true,
    };
  });
  const inv = isObj(e.violation) ? e.violation : isObj(e.invariant) ? e.invariant : e;
  const frames: TraceData['frames'] = [];
  const rawFrames = Array.isArray(e.ptRegs) ? e.ptRegs : Array.isArray(e.frames) ? e.frames : isObj(e.ptRegs) ? [e.ptRegs] : isObj(e.frame) ? [e.frame] : [];
  for (const f of rawFrames.filter(isObj)) {
    const slots = f.slots;
    const list: FrameSlot[] = [];
    if (Array.isArray(slots)) {
      for (const x of slots.filter(isObj)) list.push({ name: str(x.name) ?? '?', offset: typeof x.offset === 'number' ? x.offset : null, value: str(x.value) ?? '', expected: str(x.expected) });
    } else if (isObj(slots)) {
      const expected = strMap(f.expected) ?? {};
      for (const [name, v] of Object.entries(slots)) {
        const at = PT_REGS.indexOf(name);
        list.push({ name, offset: at >= 0 ? at * 8 : null, value: str(v) ?? '', expected: expected[name] ?? null });
      }
      list.sort((a, b) => (a.offset ?? 999) - (b.offset ?? 999));
    }
    frames.push({ at: str(f.at) ?? '', address: str(f.address) ?? '', slots: list, inferred: false });
  }
  if (!frames.length) {
    const read = frameFromPops(steps);
    if (read) frames.push(read);
  }
  const oops = typeof e.oops === 'string' ? e.oops.split('\n') : Array.isArray(e.oops) ? e.oops.map(String) : [];
  const bug = isObj(e.bug) ? e.bug : null;
  const slotMatch = /pt_regs->(\w+)/.exec(str(inv.expected) ?? '') ?? /pt_regs->(\w+)/.exec(result.summary);
  // "registers-preserved: expected RBX = 0x1b… (as before the syscall), seen 0x400002"
  const said = /^([\w-]+): expected (.+?), seen (.+)$/.exec(result.summary);
  const expected = str(inv.expected) ?? said?.[2] ?? null;
  const reg = /^([A-Z][A-Z0-9]{1,3}) = /.exec(expected ?? '');
  return {
    headline: str(e.headline) ?? result.summary,
    invariant: str(inv.invariant ?? inv.name) ?? said?.[1] ?? null,
    expected,
    seen: str(inv.seen) ?? said?.[3] ?? null,
    badRegister: reg ? reg[1].toLowerCase() : null,
    steps,
    before: strMap(e.before ?? e.userBefore),
    after: strMap(e.after ?? e.final ?? e.registers),
    frames,
    badSlot: slotMatch ? slotMatch[1] : null,
    oops,
    source: bug && typeof bug.file === 'string' && typeof bug.line === 'number' ? { file: bug.file, line: bug.line } : sourceOf(e.source),
  };
}

export interface TraceActions {
  openSource(file: string, line: number, step: number): void;
}

export class TracePane {
  readonly el = h('section.trace-pane', { 'aria-label': 'Trace', 'data-testid': 'trace-pane' });
  private readonly head = h('header.pane-head');
  private readonly notice = new PaneNotice();
  private readonly body = h('div.trace-body');
  private shown: { step: number; check: string } | null = null;

  constructor(
    private readonly session: Session,
    private readonly actions: TraceActions,
  ) {
    this.el.append(this.head, this.notice.el, this.body);
    session.on('walk', () => this.shown && this.show(this.shown.step, this.shown.check));
    this.empty();
  }

  private empty(): void {
    replace(this.head, h('h2', null, 'Trace'));
    replace(
      this.body,
      h('p.empty', null, 'No trace open.'),
      h('p.muted', null, 'Walk the series (w), then open a failing emulator cell in the Matrix (3) and choose "Open the trace". The first failing scenario of the current patch opens with 4.'),
    );
  }

  /** The first failing scenario with a trace at this step, if any. */
  firstFailing(step: number): string | null {
    const st = this.session.walkStep(step);
    const r = st?.results.find((x) => (x.relative === 'regressed' || x.status === 'fail') && traceOf(x));
    return r?.check ?? null;
  }

  show(step: number, check: string): void {
    const s = this.session;
    const st = s.walkStep(step);
    const r = st?.results.find((x) => x.check === check);
    this.notice.clear();
    if (!st || !r) {
      this.shown = null;
      this.empty();
      return;
    }
    const t = traceOf(r);
    this.shown = { step, check };
    const total = s.walk?.total ?? s.series.total;
    replace(this.head, h('h2', null, `${check} at ${stepLabel(step, total)}`), h('span.muted', null, ` ${st.subject}`));
    if (!t) {
      replace(this.body, h('p', null, r.summary), h('p.muted', null, 'This check recorded no instruction trace.'));
      return;
    }
    replace(this.body, this.summary(t, step), h('div.trace-columns', null, this.steps(t, step), h('div.trace-side', null, this.frames(t), this.registers(t))), t.oops.length ? h('details.oops', null, h('summary', null, 'Report (oops-style)'), h('pre', null, t.oops.join('\n'))) : null);
  }

  private summary(t: TraceData, step: number): HTMLElement {
    return h(
      'div.trace-summary',
      null,
      // The harness's own headline repeats the invariant line; a BUG/WARN headline says more.
      t.invariant && t.headline.includes(t.invariant) ? null : h('div.bad', { 'data-testid': 'trace-headline' }, t.headline),
      t.expected || t.seen ? h('div.invariant-line', { 'data-testid': 'trace-invariant' }, t.invariant ? h('strong', null, `${t.invariant}: `) : null, 'expected ', h('code', null, t.expected ?? '?'), ', seen ', h('code.bad', null, t.seen ?? '?')) : null,
      t.source ? h('button.link', { type: 'button', onclick: () => this.actions.openSource(t.source!.file, t.source!.line, step) }, `${t.source.file}:${t.source.line}`) : null,
    );
  }

  private steps(t: TraceData, step: number): HTMLElement {
    const rows = t.steps.map((s, i) =>
      h(
        'tr',
        { class: [s.mode === 'user' ? 'user' : 'kernel', s.event ? 'event' : '', i === t.steps.length - 1 ? 'last' : ''].filter(Boolean).join(' ') },
        h('td.addr', { title: s.address }, s.symbol || s.address),
        h('td.insn', { title: s.text }, s.text),
        h('td.changes', null, ...Object.entries(s.changes).map(([k, v]) => h(`span.reg-change${k === t.badRegister ? '.bad' : ''}`, { title: v ? `${k} ← ${v}` : `writes ${k}` }, v ? `${k}=${shortHex(v)}` : `%${k}`))),
        h('td.bytes', null, s.bytes),
        h('td.src', null, s.source ? h('button.link', { type: 'button', onclick: () => this.actions.openSource(s.source!.file, s.source!.line, step), title: 'Open this line at this step' }, `${s.source.file.split('/').pop()}:${s.source.line}`) : ''),
      ),
    );
    return h(
      'div.trace-steps',
      null,
      h('h3', null, `Last ${t.steps.length} steps`),
      h('table.trace-table', { 'data-testid': 'trace-steps' }, h('thead', null, h('tr', null, h('th', null, 'where'), h('th', null, 'instruction'), h('th', null, 'writes'), h('th', null, 'bytes'), h('th', null, 'source'))), h('tbody', null, ...rows)),
    );
  }

  private registers(t: TraceData): HTMLElement {
    const names = GPRS.filter((r) => t.before?.[r] !== undefined || t.after?.[r] !== undefined);
    if (!names.length) return h('div');
    return h(
      'div.trace-regs',
      null,
      h('h3', null, t.before ? 'Registers: user before entry → after' : 'Registers at the stop'),
      h(
        'table.regs',
        { 'data-testid': 'trace-registers' },
        h('tbody', null, ...names.map((r) => {
          const b = t.before?.[r];
          const a = t.after?.[r];
          const changed = (b !== undefined && a !== undefined && b !== a) || r === t.badRegister;
          return h('tr', { class: changed ? 'changed' : '', 'data-reg': r, title: r === t.badRegister && t.expected ? `expected ${t.expected}` : '' }, h('th', null, r), t.before ? h('td', null, b ?? '') : null, h('td', null, a ?? ''));
        })),
      ),
    );
  }

  /** pt_regs as it lies on the kernel stack: one row per 8-byte slot, the slot the invariant names in red. */
  private frames(t: TraceData): HTMLElement {
    if (!t.frames.length) return h('div.pt-regs.muted', null, 'The evidence holds no pt_regs capture.');
    return h(
      'div',
      null,
      ...t.frames.map((f) =>
        h(
          'div.pt-regs',
          { 'data-testid': 'pt-regs' },
          h('h3', null, f.inferred ? `pt_regs as ${f.at} read it back` : `pt_regs at ${f.at || 'entry'}`, f.address ? h('span.muted', null, ` @ ${f.address}`) : null),
          f.inferred ? h('p.frame-note.muted', null, 'From the pops in the trace: the exit path reads the frame slot by slot from r15 up. A slot read into another register is marked.') : null,
          h(
            'table.frame',
            null,
            h('tbody', null, ...f.slots.map((s) => {
              const bad = s.name === t.badSlot || (s.expected !== null && s.expected !== s.value);
              return h(
                'tr',
                { class: bad ? 'bad-slot' : '', 'data-slot': s.name },
                h('td.off', null, s.offset === null ? '' : `+0x${s.offset.toString(16).padStart(2, '0')}`),
                h('th', null, s.name),
                f.inferred ? h('td.val', null, s.readBy ?? '') : h('td.val', null, s.value),
                h('td.exp', null, bad && s.expected ? (f.inferred ? `belongs in ${s.expected}` : `expected ${s.expected}`) : ''),
              );
            })),
          ),
        ),
      ),
    );
  }
}

/** The register an AT&T instruction writes (its last operand), for a "writes" column without values. */
function writtenRegister(text: string): Record<string, string> {
  const m = /^(\w+)\s+(.*)$/.exec(text.trim());
  if (!m || /^(cmp|test|push|j|call|ret|sysret|iret|swapgs|nop|bt$)/.test(m[1])) return {};
  const dest = /%(\w+)\s*$/.exec(m[2]);
  return dest ? { [dest[1]]: '' } : {};
}

const SLOT_REGISTER: Record<string, string> = { bp: 'rbp', bx: 'rbx', ax: 'rax', cx: 'rcx', dx: 'rdx', si: 'rsi', di: 'rdi' };

/**
 * Without a pt_regs capture, the exit path's own pops show the frame: POP_REGS reads the slots in layout
 * order from r15 up, so the n-th pop of the run read slot n. A slot popped into another register is marked.
 */
function frameFromPops(steps: TraceRow[]): TraceData['frames'][number] | null {
  let best: TraceRow[] = [];
  let run: TraceRow[] = [];
  for (const s of steps) {
    if (s.mode !== 'user' && /^pop[q]?\s+%\w+$/.test(s.text.trim())) run.push(s);
    else {
      if (run.length > best.length) best = run;
      run = [];
    }
  }
  if (run.length > best.length) best = run;
  if (best.length < 6 || !/%r15$/.test(best[0].text.trim())) return null;
  const slots: FrameSlot[] = best.slice(0, PT_REGS.length).map((s, i) => {
    const name = PT_REGS[i];
    const into = /%(\w+)$/.exec(s.text.trim())?.[1] ?? '';
    const want = SLOT_REGISTER[name] ?? name;
    return { name, offset: i * 8, value: '', expected: into === want ? null : `%${want}`, readBy: `pop %${into}` };
  });
  const popped = slots.length;
  for (let i = popped; i < PT_REGS.length; i++) slots.push({ name: PT_REGS[i], offset: i * 8, value: '', expected: null, readBy: i === popped ? 'not popped from here on' : '' });
  return { at: best[0].symbol.replace(/\+.*$/, ''), address: '', slots, inferred: true };
}

function shortHex(v: string): string {
  const m = /^0x0*([0-9a-f]+)$/i.exec(v);
  return m ? `0x${m[1].length > 10 ? m[1].slice(-8) : m[1]}` : v;
}
