// The Series pane: versions, the cover letter and every part with its markers (missing, damaged, applied,
// conflict, walk result), trailers, reply and comment counts; and the kernel tree to apply it to.
import type { SeriesPartSummary, WalkReport, WalkStep } from '../../../workspaces/host/api.js';
import { h, replace } from '../dom.js';
import type { Position, Session } from '../session.js';
import { walkOutcome, type StepOutcome } from '../walk-view.js';

export interface SeriesPaneActions {
  apply(tree: string): void;
}

const TRAILER_SHORT: Record<string, string> = {
  'Reviewed-by': 'R',
  'Acked-by': 'A',
  'Tested-by': 'T',
  'Reported-by': 'Rp',
  'Suggested-by': 'S',
};

const APPLY_MARK: Record<string, [string, string, string]> = {
  applied: ['✓', 'ok', 'applied'],
  'applied-3way': ['≈', 'warn', 'applied with a 3-way merge'],
  conflict: ['✗', 'bad', 'does not apply (conflict)'],
  damaged: ['!', 'bad', 'damaged in the mail: not applied'],
  skipped: ['·', 'muted', 'not tried: an earlier patch failed'],
};

const WALK_MARK: Record<StepOutcome, [string, string, string]> = {
  pass: ['●', 'ok', 'walk: every check passes'],
  regressed: ['▼', 'bad', 'walk: a check breaks at this step'],
  broken: ['✗', 'bad', 'walk: still broken (by an earlier patch)'],
  'fails-on-base': ['○', 'muted', 'walk: fails on the base too'],
  fixed: ['▲', 'fixed', 'walk: a check the series broke passes again here'],
  error: ['?', 'warn', 'walk: a check could not run'],
  skip: ['–', 'muted', 'walk: not checked'],
  running: ['…', 'muted', 'walk: running'],
  none: [' ', 'muted', ''],
};

export class SeriesPane {
  readonly el = h('nav.series-pane', { 'aria-label': 'Series and patches', 'data-testid': 'series-pane' });
  private readonly head = h('header.series-head');
  private readonly notice = h('div.pane-notice', { role: 'alert', hidden: true });
  private readonly list = h('ol.parts', { role: 'listbox', 'aria-label': 'Patches' });
  readonly treeInput = h('input.path-input', {
    type: 'text',
    placeholder: '/path/to/your/kernel/tree',
    'aria-label': 'Kernel tree to apply the series to',
    spellcheck: 'false',
    'data-testid': 'tree-path',
  });
  private readonly applyButton = h('button', { type: 'button', 'data-testid': 'apply', title: 'Apply the series on a review branch (a)' }, 'Apply');
  private readonly applyInfo = h('div.apply-info.muted', { 'data-testid': 'apply-info' });
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    private readonly session: Session,
    private readonly actions: SeriesPaneActions,
  ) {
    this.treeInput.value = rememberedTree(session.workspace.id);
    this.treeInput.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter') this.applyNow();
    });
    this.applyButton.addEventListener('click', () => this.applyNow());
    const treeRow = h('div.tree-row', null, h('label.muted', null, 'Tree'), this.treeInput, this.applyButton);
    this.el.append(this.head, h('div.series-tree', null, treeRow, this.applyInfo), this.notice, this.list);
    for (const ev of ['series', 'apply', 'walk', 'annotations', 'search'] as const) this.unsubscribe.push(session.on(ev, () => this.render()));
    this.unsubscribe.push(session.on('position', () => this.renderSelection()));
    this.render();
  }

  dispose(): void {
    for (const u of this.unsubscribe) u();
  }

  applyNow(): void {
    const tree = this.treeInput.value.trim();
    if (!tree) {
      this.showNotice('Type the path of your kernel tree (a git checkout on the host machine) first.', '');
      this.treeInput.focus();
      return;
    }
    rememberTree(this.session.workspace.id, tree);
    this.actions.apply(tree);
  }

  focusTree(): void {
    this.treeInput.focus();
    this.treeInput.select();
  }

  showNotice(message: string, hint: string, actions: HTMLElement[] = []): void {
    replace(this.notice, h('div.notice-text', null, message), hint ? h('div.notice-hint', null, hint) : null, actions.length ? h('div.notice-actions', null, ...actions) : null);
    this.notice.hidden = false;
  }

  clearNotice(): void {
    this.notice.hidden = true;
  }

  private render(): void {
    const s = this.session;
    const series = s.series;
    const versions = s.versions();
    const first = series.parts[0];
    replace(
      this.head,
      h('h2.series-title', { title: series.title }, series.rfc ? 'RFC ' : '', series.title),
      h(
        'div.series-meta',
        null,
        versions.length > 1
          ? h(
              'span.versions',
              { role: 'tablist', 'aria-label': 'Versions' },
              ...versions.map((i) =>
                h(
                  'button.version',
                  {
                    type: 'button',
                    role: 'tab',
                    'aria-selected': String(i === s.seriesIndex),
                    'data-version': s.load.series[i].version,
                    onclick: () => s.selectSeries(i),
                    title: `Read v${s.load.series[i].version} (V cycles versions)`,
                  },
                  `v${s.load.series[i].version}`,
                ),
              ),
            )
          : h('span', null, `v${series.version}`),
        h('span.muted', null, ` · ${series.parts.length}/${series.total || series.parts.length} patches`),
        series.missing.length ? h('span.bad', null, ` · ${series.missing.length} missing`) : null,
        first ? h('span.muted', null, ` · ${first.authorAddress.name || first.author}`) : null,
        series.baseCommit ? h('span.muted', { title: `base-commit: ${series.baseCommit}` }, ` · base ${series.baseCommit.slice(0, 12)}`) : null,
      ),
    );
    const a = s.apply;
    if (a) {
      const ok = a.summary.applied + a.summary.applied3way;
      replace(
        this.applyInfo,
        h('span', { class: ok === a.steps.length ? 'ok' : 'bad' }, `${ok}/${a.steps.length} applied`),
        ` on ${a.branch} · base ${a.base.slice(0, 12)} (${a.baseRule})`,
      );
      this.applyInfo.title = `${a.baseReason}\nworktree: ${a.worktree}`;
    } else replace(this.applyInfo, 'Not applied yet: give your kernel tree and press Apply (a).');
    replace(this.list, ...s.positions().map((p) => this.row(p)));
    this.renderSelection();
  }

  private row(p: Position): HTMLElement {
    const s = this.session;
    const num = String(p.index).padStart(2, '0');
    const comments = s.annotationsAt(p.index).length;
    const hit = s.searchHits ? s.searchHits.has(p.index) : null;
    const cls = ['part', p.missing ? 'missing' : '', hit === false ? 'dim' : '', hit ? 'hit' : ''].filter(Boolean).join(' ');
    const attrs = {
      class: cls,
      role: 'option',
      'data-index': p.index,
      onclick: () => s.go(p.index),
    };
    if (p.index === 0) {
      const cover = s.series.cover;
      return h(
        'li',
        attrs,
        h('span.mark', null, ' '),
        h('span.mark', null, ' '),
        h('span.num', null, num),
        h('span.subject', { title: cover?.subject ?? '' }, 'Cover: ', cover ? stripTag(cover.subject) : ''),
        h('span.counts', null, cover?.replies.length ? h('span.replies', { title: `${cover.replies.length} replies` }, `↩${cover.replies.length}`) : null, commentBadge(comments)),
      );
    }
    if (p.missing || !p.part) {
      return h(
        'li',
        attrs,
        h('span.mark.muted', { title: 'missing from the mail' }, '∅'),
        h('span.mark', null, ' '),
        h('span.num', null, num),
        h('span.subject.muted', null, '(missing from the mail)'),
      );
    }
    const part = p.part;
    const [am, acls, atitle] = this.applyMark(part);
    const [wm, wcls, wtitle] = WALK_MARK[stepOutcome(s.walkStep(part.index), s.walkRunning, s.walk)];
    return h(
      'li',
      attrs,
      h(`span.mark.${acls}`, { title: atitle, 'data-mark': 'apply' }, am),
      h(`span.mark.${wcls}`, { title: wtitle, 'data-mark': 'walk' }, wm),
      h('span.num', null, num),
      h('span.subject', { title: `${part.subject}\n${part.author}${part.date ? ` · ${part.date.slice(0, 10)}` : ''}\n+${part.diffstat.insertions} −${part.diffstat.deletions} in ${part.diffstat.files} file(s)` }, part.cleanSubject),
      h(
        'span.counts',
        null,
        ...trailerBadges(part),
        part.replies ? h('span.replies', { title: `${part.replies} replies` }, `↩${part.replies}`) : null,
        commentBadge(comments),
      ),
    );
  }

  private applyMark(part: SeriesPartSummary): [string, string, string] {
    const step = this.session.applyStep(part.index);
    if (step) {
      const m = APPLY_MARK[step.status];
      const why = step.conflicts.map((c) => `${c.file}${c.hunk ? ` ${c.hunk}` : ''}: ${c.reason}`).concat(step.damaged, step.note ?? []);
      return [m[0], m[1], [m[2], ...why].join('\n')];
    }
    if (part.damaged) return ['!', 'bad', ['damaged in the mail:', ...part.damageReasons].join('\n')];
    return [' ', 'muted', 'not applied yet'];
  }

  private renderSelection(): void {
    for (const li of Array.from(this.list.children) as HTMLElement[]) {
      const on = Number(li.dataset.index) === this.session.position;
      li.classList.toggle('selected', on);
      li.setAttribute('aria-selected', String(on));
      if (on) li.scrollIntoView({ block: 'nearest' });
    }
  }
}

function stripTag(subject: string): string {
  return subject.replace(/^\s*(re:\s*)*\[[^\]]*\]\s*/i, '');
}

function trailerBadges(part: SeriesPartSummary): HTMLElement[] {
  const counts = new Map<string, string[]>();
  for (const t of part.trailers) {
    const short = TRAILER_SHORT[t.name];
    if (!short) continue;
    counts.set(short, [...(counts.get(short) ?? []), `${t.name}: ${t.value}${t.source === 'cover' ? ' (to the cover letter)' : ''}`]);
  }
  return [...counts].map(([short, list]) => h('span.trailer', { title: list.join('\n') }, short + (list.length > 1 ? String(list.length) : '')));
}

function commentBadge(n: number): HTMLElement | null {
  return n ? h('span.comment-count', { title: `${n} of your comments` }, `✎${n}`) : null;
}

function stepOutcome(step: WalkStep | null, running: boolean, report: WalkReport | null): StepOutcome {
  if (!step) return running ? 'running' : 'none';
  return walkOutcome(step, report);
}

const TREE_KEY = 'entrybench.tree';

export function rememberedTree(workspace: string): string {
  try {
    return localStorage.getItem(`${TREE_KEY}.${workspace}`) ?? localStorage.getItem(TREE_KEY) ?? '';
  } catch {
    return '';
  }
}

export function rememberTree(workspace: string, tree: string): void {
  try {
    localStorage.setItem(`${TREE_KEY}.${workspace}`, tree);
    localStorage.setItem(TREE_KEY, tree);
  } catch {
    /* private mode: the field keeps it for this session */
  }
}
