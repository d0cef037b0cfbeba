// The Matrix pane: patch × check, each cell coloured by its result relative to the base (regressed, fails
// on the base too, fixed again), so a series that breaks and later heals shows at a glance; each cell opens
// its evidence. Walk and bisect start here, with live progress and cancel.
import type { BisectReport, WalkCheckResult, WalkReport, WalkStep } from '../../../workspaces/host/api.js';
import { h, replace } from '../dom.js';
import type { Session } from '../session.js';
import { PaneNotice, actionButton } from '../ui/errors.js';
import { CELL_GLYPH, RELATIVE_TEXT, checkGroup, checkList, evidenceLines, groupPatterns, stepLabel } from '../walk-view.js';
import { traceOf } from './trace.js';

export interface MatrixActions {
  walk(): void;
  bisect(check?: string): void;
  openTrace(step: number, check: string): void;
  bootStep(step: number): void;
  commentOnResult(step: number, check: string): void;
  wantApply(): void;
}

export interface WalkProgressView {
  message: string;
  step?: number;
  done?: number;
  total?: number;
  etaMs?: number;
  elapsedMs: number;
}

const CONFIG_KEY = 'entrybench.walkConfig';

export class MatrixPane {
  readonly el = h('section.matrix-pane', { 'aria-label': 'Matrix', 'data-testid': 'matrix-pane' });
  private readonly bar = h('div.matrix-bar');
  readonly notice = new PaneNotice();
  private readonly progress = h('div.walk-progress', { hidden: true, 'data-testid': 'walk-progress' });
  private readonly verdict = h('div.walk-verdict', { 'data-testid': 'walk-verdict' });
  private readonly tableHost = h('div.matrix-scroll', { tabindex: '0', 'aria-label': 'Results: arrows move, Enter opens the evidence' });
  private readonly evidence = h('aside.evidence', { hidden: true, 'data-testid': 'evidence' });
  private readonly config = h('select', { 'aria-label': 'Kernel config for the walk', 'data-testid': 'walk-config' });
  private readonly boot = h('input', { type: 'checkbox', 'data-testid': 'walk-boot' });
  private bisectResult: BisectReport | null = null;
  private selected: { step: number; check: string } | null = null;
  private cancel: (() => void) | null = null;
  private visible = false;

  constructor(
    private readonly session: Session,
    private readonly actions: MatrixActions,
  ) {
    for (const c of ['entry-compat', 'entry-min', 'entry-debug']) this.config.append(h('option', { value: c }, c));
    this.config.value = localStorage.getItem(CONFIG_KEY) ?? 'entry-compat';
    this.config.addEventListener('change', () => localStorage.setItem(CONFIG_KEY, this.config.value));
    replace(
      this.bar,
      h('button.primary', { type: 'button', onclick: () => actions.walk(), 'data-testid': 'walk', title: 'Build and check every step (w)' }, 'Walk'),
      h('button', { type: 'button', onclick: () => actions.bisect(this.selected?.check), 'data-testid': 'bisect', title: 'Binary search for the first bad step of the selected check (b)' }, 'Bisect'),
      h('label.muted', null, 'config ', this.config),
      h('label.check', { title: 'Also boot every step in QEMU and run the x86 selftests (slower)' }, this.boot, ' boot + selftests'),
    );
    this.tableHost.addEventListener('keydown', (ev) => this.onKey(ev));
    this.el.append(this.bar, this.notice.el, this.progress, this.verdict, h('div.matrix-body', null, this.tableHost, this.evidence));
    session.on('walk', () => this.render());
    session.on('apply', () => this.render());
    session.on('position', () => this.renderSelection());
    this.render();
  }

  get walkConfig(): string {
    return this.config.value;
  }

  get walkBoot(): boolean {
    return this.boot.checked;
  }

  setVisible(v: boolean): void {
    this.visible = v;
    if (v) this.render();
  }

  focus(): void {
    this.tableHost.focus();
  }

  showProgress(p: WalkProgressView | null, cancel: (() => void) | null): void {
    this.cancel = cancel;
    if (!p) {
      this.progress.hidden = true;
      return;
    }
    this.progress.hidden = false;
    const pct = p.total ? Math.min(100, Math.round(((p.done ?? 0) / p.total) * 100)) : null;
    replace(
      this.progress,
      h('span.spinner', { 'aria-hidden': 'true' }),
      h('span.progress-text', null, p.message),
      pct !== null ? h('span.progress-bar', null, h('span.progress-fill', { style: `width:${pct}%` })) : null,
      h('span.muted', null, `${Math.round(p.elapsedMs / 1000)} s${p.etaMs ? ` · ~${Math.ceil(p.etaMs / 1000)} s left` : ''}`),
      cancel ? h('button', { type: 'button', onclick: () => this.cancel?.(), 'data-testid': 'walk-cancel', title: 'Stop the walk (Ctrl-C); finished steps stay cached' }, 'Cancel') : null,
    );
  }

  showBisect(r: BisectReport | null): void {
    this.bisectResult = r;
    this.render();
  }

  /** Every step the matrix has rows for: the walk's, or the apply's while nothing is walked yet. */
  private rows(): { index: number; subject: string; step: WalkStep | null }[] {
    const s = this.session;
    const report = s.walk;
    if (report && !s.walkRunning) return report.steps.map((st) => ({ index: st.index, subject: st.subject, step: st }));
    const apply = s.apply;
    const live = new Map(s.walkLive.map((st) => [st.index, st]));
    if (!apply) return [...live.values()].map((st) => ({ index: st.index, subject: st.subject, step: st }));
    return [{ index: 0, subject: `base ${apply.base.slice(0, 12)}`, step: live.get(0) ?? null }, ...apply.steps.map((st) => ({ index: st.index, subject: st.subject, step: live.get(st.index) ?? null }))];
  }

  private checks(): string[] {
    const s = this.session;
    if (s.walk && !s.walkRunning) return s.walk.checks;
    const seen: string[] = [];
    for (const st of s.walkLive) for (const r of st.results) if (!seen.includes(r.check)) seen.push(r.check);
    return seen.length ? seen : ['applies', 'style', 'builds'];
  }

  private render(): void {
    const s = this.session;
    const report = s.walk;
    this.renderVerdict(report);
    if (!s.apply && !report && !s.walkLive.length) {
      replace(
        this.tableHost,
        h('div.empty', null, h('p', null, 'Nothing walked yet.'), h('p.muted', null, 'Apply the series to your tree (a), then walk it (w): every step is built and checked, and the results land here.'), actionButton('Go to the tree field', () => this.actions.wantApply())),
      );
      return;
    }
    const checks = this.checks();
    const rows = this.rows();
    const total = rows.length ? Math.max(...rows.map((r) => r.index)) : 0;
    const groups = checks.map(checkGroup);
    // Two header rows: the check family once over its columns, then each check's own name.
    const spans: { group: string; n: number }[] = [];
    for (const g of groups) {
      const last = spans[spans.length - 1];
      if (last && last.group === g.group) last.n++;
      else spans.push({ group: g.group, n: 1 });
    }
    const head = [
      h('tr.group-row', null, h('th.step-col', { rowspan: 2, scope: 'col' }, 'step'), h('th.subject-col', { rowspan: 2, scope: 'col' }, 'patch'), ...spans.map((sp) => h('th.group-col', { colspan: sp.n, scope: 'colgroup' }, sp.group))),
      h('tr', null, ...checks.map((c, i) => h('th.check-col', { scope: 'col', title: c }, h('span.vertical', null, groups[i].name)))),
    ];
    const body = rows.map((r) => {
      const running = s.walkRunning && !r.step;
      return h(
        'tr',
        { 'data-step': r.index, class: [r.index === s.position ? 'current' : '', running ? 'pending' : '', this.bisectResult?.firstBad?.index === r.index ? 'bisect-bad' : ''].filter(Boolean).join(' ') },
        h('th.step-col', { scope: 'row' }, stepLabel(r.index, total)),
        h('td.subject-col', { title: r.subject, onclick: () => r.index > 0 && s.go(r.index) }, r.subject),
        ...checks.map((c) => this.cell(r.index, c, r.step?.results.find((x) => x.check === c) ?? null, running)),
      );
    });
    replace(this.tableHost, h('table.matrix', { 'data-testid': 'matrix' }, h('thead', null, ...head), h('tbody', null, ...body)));
    this.renderSelection();
    if (this.selected) this.openEvidence(this.selected.step, this.selected.check, false);
  }

  private cell(step: number, check: string, r: WalkCheckResult | null, pending: boolean): HTMLElement {
    if (!r) return h('td.cell.none', { 'data-check': check, 'data-step': step }, pending ? '·' : '');
    // Where a break of the series heals again: passes like the base, but the step before it failed.
    const breakage = this.session.walk?.breakages.find((b) => b.check === check && (b.breaksAt === step || b.fixedAt === step));
    const healed = r.relative === 'pass' && breakage?.fixedAt === step;
    const breaks = r.relative === 'regressed' && breakage?.breaksAt === step;
    return h(
      `td.cell.${r.relative}${healed ? '.healed' : ''}${breaks ? '.breaks' : ''}`,
      {
        'data-check': check,
        'data-step': step,
        'data-relative': healed ? 'healed' : r.relative,
        title: `${check} at ${step === 0 ? 'the base' : `patch ${step}`}: ${healed ? `passes again: broken since patch ${breakage?.breaksAt}` : breaks ? 'breaks here (passes before this patch)' : RELATIVE_TEXT[r.relative]}\n${r.summary}`,
        onclick: () => this.openEvidence(step, check, true),
      },
      healed ? '▲' : CELL_GLYPH[r.relative],
    );
  }

  private renderVerdict(report: WalkReport | null): void {
    const s = this.session;
    const lines: HTMLElement[] = [];
    if (report && !s.walkRunning) {
      const bad = report.firstBad !== null ? report.steps.find((x) => x.index === report.firstBad) : null;
      lines.push(
        h(
          'div',
          { class: bad ? 'bad verdict-line' : 'ok verdict-line', title: report.firstBadChecks.join('\n') },
          bad
            ? `first bad: ${stepLabel(bad.index, report.total)} ${bad.subject} — ${checkList(report.firstBadChecks)}`
            : `no step regresses a check that passes on the base (${report.steps.length - 1} steps, ${report.checks.length} checks)`,
        ),
      );
      for (const p of groupPatterns(report.patterns)) lines.push(h('div.pattern', { title: p.checks.join('\n') }, p.checks.length ? `${p.text}: ${checkList(p.checks)}` : p.text));
      lines.push(
        h(
          'div.muted.legend',
          null,
          `walked ${report.startedAt.slice(0, 16).replace('T', ' ')} · ${report.config} · ${Math.round(report.seconds)} s${report.boot ? ' · with boot' : ''} · `,
          h('span.cell.pass', null, '✓'), ' passes ', h('span.cell.regressed', null, '✗'), ' regressed ', h('span.cell.healed', null, '▲'), ' passes again ',
          h('span.cell.fails-on-base', null, '○'), ' fails on base too ', h('span.cell.error', null, '?'), ' could not run ', h('span.cell.skip', null, '–'), ' not run',
        ),
      );
    }
    const b = this.bisectResult;
    if (b) {
      lines.push(
        h(
          'div.bisect-line',
          { 'data-testid': 'bisect-result' },
          b.firstBad ? `bisect (${b.check}): first bad ${b.firstBad.index} ${b.firstBad.subject} — ${b.firstBad.summary}` : `bisect (${b.check}): no bad step found${b.note ? ` — ${b.note}` : ''}${this.walkSaw(b.check)}`,
          h('span.muted', null, ` · tested ${b.tested.join(', ')} · ${b.stepsBuilt} built`),
        ),
      );
    }
    replace(this.verdict, ...lines);
  }

  /** What the walk knows that a bisect cannot see (a break healed before the tip). */
  private walkSaw(check: string): string {
    const total = this.session.walk?.total ?? 0;
    const b = this.session.walk?.breakages.find((x) => x.check === check);
    if (!b) return '';
    return ` The walk found it: breaks at ${stepLabel(b.breaksAt, total)}${b.fixedAt !== null ? `, fixed again at ${stepLabel(b.fixedAt, total)}` : ''}.`;
  }

  private renderSelection(): void {
    for (const tr of Array.from(this.tableHost.querySelectorAll('tbody tr')) as HTMLElement[]) tr.classList.toggle('current', Number(tr.dataset.step) === this.session.position);
    for (const td of Array.from(this.tableHost.querySelectorAll('td.cell.selected'))) td.classList.remove('selected');
    if (this.selected) this.cellEl(this.selected.step, this.selected.check)?.classList.add('selected');
  }

  private cellEl(step: number, check: string): HTMLElement | null {
    return this.tableHost.querySelector(`td.cell[data-step="${step}"][data-check="${CSS.escape(check)}"]`);
  }

  /** Show what a cell is: the relative verdict, the check's summary and its evidence, and what to do next. */
  openEvidence(step: number, check: string, userAction: boolean): void {
    const report = this.session.walk;
    const st = report?.steps.find((x) => x.index === step) ?? this.session.walkLive.find((x) => x.index === step);
    const r = st?.results.find((x) => x.check === check);
    this.selected = { step, check };
    if (userAction && step > 0) this.session.go(step);
    this.renderSelection();
    if (!r || !st) {
      this.evidence.hidden = true;
      return;
    }
    const lines = evidenceLines(r.evidence);
    const hasTrace = traceOf(r) !== null;
    replace(
      this.evidence,
      h('header.evidence-head', null, h('strong', null, check), h('span.muted', null, ` at ${step === 0 ? 'the base' : `${stepLabel(step, report?.total ?? step)} ${st.subject}`}`), h('button.link', { type: 'button', onclick: () => (this.evidence.hidden = true), title: 'Close' }, '×')),
      h(`div.relative.${r.relative}`, null, RELATIVE_TEXT[r.relative]),
      h('div.evidence-summary', null, r.summary),
      r.seconds !== undefined ? h('div.muted', null, `${r.seconds.toFixed(1)} s${st.cached ? ' · from the cache' : ''}`) : null,
      lines.length ? h('pre.evidence-text', { 'data-testid': 'evidence-text' }, lines.join('\n')) : h('p.muted', null, 'No further evidence recorded for this check.'),
      h(
        'div.evidence-actions',
        null,
        hasTrace ? actionButton('Open the trace', () => this.actions.openTrace(step, check), 'The emulator steps of this scenario (4)') : null,
        step > 0 ? actionButton('Comment on this result', () => this.actions.commentOnResult(step, check), 'Goes into the evidence block of your reply') : null,
        actionButton('Boot this step', () => this.actions.bootStep(step), 'Boot the kernel of this step in a QEMU guest (g)'),
      ),
    );
    this.evidence.hidden = false;
  }

  private onKey(ev: KeyboardEvent): void {
    const checks = this.checks();
    const rows = this.rows().map((r) => r.index);
    if (!checks.length || !rows.length) return;
    const cur = this.selected ?? { step: this.session.position, check: checks[0] };
    let si = Math.max(0, rows.indexOf(cur.step));
    let ci = Math.max(0, checks.indexOf(cur.check));
    if (ev.key === 'ArrowDown') si = Math.min(rows.length - 1, si + 1);
    else if (ev.key === 'ArrowUp') si = Math.max(0, si - 1);
    else if (ev.key === 'ArrowRight') ci = Math.min(checks.length - 1, ci + 1);
    else if (ev.key === 'ArrowLeft') ci = Math.max(0, ci - 1);
    else if (ev.key === 'Enter') {
      this.openEvidence(cur.step, cur.check, true);
      ev.preventDefault();
      return;
    } else return;
    ev.preventDefault();
    this.selected = { step: rows[si], check: checks[ci] };
    if (rows[si] > 0) this.session.go(rows[si]);
    this.renderSelection();
    this.cellEl(rows[si], checks[ci])?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
    if (!this.evidence.hidden) this.openEvidence(rows[si], checks[ci], false);
  }

  /** The selected cell, for "comment on this result" from the keyboard. */
  selection(): { step: number; check: string } | null {
    return this.selected;
  }

  isVisible(): boolean {
    return this.visible;
  }
}
