// The Patch pane: the patch mail in Monaco (diff and GAS highlighting), its files, its status, comments in
// the gutter and under their lines, and a before/after view of one file at this step from the review branch.
import type { PatchDetail, ResolvedAnnotation, StepFile } from '../../../workspaces/host/api.js';
import { h, replace } from '../dom.js';
import { createDiffEditor, createEditor, languageForPath, monaco, type DiffEditor, type Editor } from '../editor.js';
import { PATCH_LANGUAGE } from '../languages.js';
import { fileAtLine, lineOfLocation, showPatch, targetOfLine, type CommentTarget, type ShownPatch } from '../patch-lines.js';
import type { Session } from '../session.js';
import { Composer } from '../ui/composer.js';
import { PaneNotice, actionButton, describeError } from '../ui/errors.js';
import { RELATIVE_TEXT, checkList, walkOutcome } from '../walk-view.js';

interface Shown {
  index: number;
  shown: ShownPatch;
  detail: PatchDetail | null;
  model: monaco.editor.ITextModel;
}

export interface PatchPaneActions {
  /** Ask the user to apply first (focus the tree field). */
  wantApply(): void;
}

const STATUS_LETTER: Record<string, string> = { added: 'A', deleted: 'D', renamed: 'R', copied: 'C', modified: 'M', 'mode-change': 'M' };

export class PatchPane {
  readonly el = h('section.patch-pane', { 'aria-label': 'Patch', 'data-testid': 'patch-pane' });
  private readonly status = h('div.patch-status', { 'data-testid': 'patch-status' });
  private readonly files = h('div.patch-files', { role: 'toolbar', 'aria-label': 'Files in this patch', 'data-testid': 'patch-files' });
  private readonly notice = new PaneNotice();
  private readonly editorHost = h('div.editor-host', { 'data-testid': 'editor', 'data-readonly': 'true' });
  private readonly compareBar = h('div.compare-bar', { hidden: true, 'data-testid': 'compare-bar' });
  private readonly diffHost = h('div.diff-host', { hidden: true, 'data-testid': 'compare', 'data-readonly': 'true' });
  readonly composer = new Composer();
  readonly editor: Editor;
  private diffEditor: DiffEditor | null = null;
  private current: Shown | null = null;
  private loading = 0;
  private decorations: monaco.editor.IEditorDecorationsCollection;
  private zones: string[] = [];
  private readonly viewStates = new Map<string, monaco.editor.ICodeEditorViewState | null>();
  /** performance.now() when the last position's text was first painted, for the open-to-first-patch figure. */
  lastShownAt = 0;
  lastShownIndex = -1;

  constructor(
    private readonly session: Session,
    private readonly actions: PatchPaneActions,
  ) {
    this.editor = createEditor(this.editorHost, '', PATCH_LANGUAGE, { glyphMargin: true, lineNumbers: (n) => this.lineNumber(n) });
    this.decorations = this.editor.createDecorationsCollection();
    this.el.append(this.status, this.files, this.notice.el, this.compareBar, this.editorHost, this.diffHost, this.composer.el);
    this.editor.onMouseDown((e) => {
      if (e.target.type === monaco.editor.MouseTargetType.GUTTER_GLYPH_MARGIN && e.target.position) this.commentAt(e.target.position.lineNumber);
    });
    this.editor.addAction({
      id: 'eb.comment',
      label: 'Comment on this line (c)',
      contextMenuGroupId: 'navigation',
      contextMenuOrder: 0,
      run: () => this.commentAtCursor(),
    });
    this.editor.addAction({
      id: 'eb.compare',
      label: 'Before/after of this file at this step (d)',
      contextMenuGroupId: 'navigation',
      contextMenuOrder: 1,
      run: () => void this.compareAtCursor(),
    });
    session.on('position', () => void this.show());
    session.on('series', () => this.viewStates.clear());
    session.on('annotations', () => this.renderAnnotations());
    session.on('apply', () => this.renderStatus());
    session.on('walk', () => this.renderStatus());
  }

  /** Show the session's current position; stale loads are dropped when the user moves on. */
  async show(): Promise<void> {
    const s = this.session;
    const pos = s.current();
    const ticket = ++this.loading;
    this.saveViewState();
    this.closeCompare();
    this.notice.clear();
    if (pos.missing) {
      this.setText(pos.index, showPatch([], `Patch ${pos.index} of ${s.series.total} is not in the mail that was opened.\n`, true), null);
      this.notice.show(`Patch ${pos.index} is missing from the mail.`, 'Open a mailbox that holds the whole series (lore: the t.mbox.gz of the thread).');
      return;
    }
    try {
      const messageIndex = pos.index === 0 ? s.series.cover?.message : pos.part?.message;
      if (messageIndex === undefined) return;
      const summary = s.load.messageList[messageIndex];
      const [message, detail] = await Promise.all([s.message(messageIndex), pos.index === 0 ? Promise.resolve(null) : s.patch(pos.index)]);
      if (ticket !== this.loading) return;
      const headers: [string, string][] = [
        ['From', summary.from],
        ['Date', summary.date ? summary.date.replace('T', ' ').replace(/\.\d+Z$/, ' UTC') : ''],
        ['Subject', summary.subject],
      ];
      this.setText(pos.index, showPatch(headers, message.body, pos.index === 0), detail);
      if (message.synthetic) {
        this.notice.show('Rebuilt from archive page text: headers are missing and whitespace may be damaged.', 'Open the lore mbox of the thread for the real mail.');
      }
    } catch (err) {
      if (ticket !== this.loading) return;
      this.notice.error(err);
    }
  }

  private setText(index: number, shown: ShownPatch, detail: PatchDetail | null): void {
    const old = this.current?.model;
    const model = monaco.editor.createModel(shown.text, PATCH_LANGUAGE);
    this.current = { index, shown, detail, model };
    this.editor.setModel(model);
    old?.dispose();
    const state = this.viewStates.get(this.viewKey(index));
    if (state) this.editor.restoreViewState(state);
    else this.editor.setScrollTop(0);
    this.renderLineBackgrounds();
    this.renderFiles();
    this.renderStatus();
    this.renderAnnotations();
    requestAnimationFrame(() => {
      this.lastShownAt = performance.now();
      this.lastShownIndex = index;
      this.el.dataset.shown = String(index);
    });
  }

  private viewKey(index: number): string {
    return `${this.session.series.key}#${index}`;
  }

  private saveViewState(): void {
    if (this.current) this.viewStates.set(this.viewKey(this.current.index), this.editor.saveViewState());
  }

  private lineNumber(n: number): string {
    const role = this.current?.shown.roles[n - 1];
    if (!role || role.kind !== 'diff') return '';
    return String(role.newLine ?? role.oldLine ?? '');
  }

  private renderLineBackgrounds(): void {
    const cur = this.current;
    if (!cur) return;
    const decos: monaco.editor.IModelDeltaDecoration[] = [];
    cur.shown.roles.forEach((r, i) => {
      const line = i + 1;
      if (r.kind === 'diff' && r.prefix === '+') decos.push({ range: new monaco.Range(line, 1, line, 1), options: { isWholeLine: true, className: 'eb-line-add', marginClassName: 'eb-margin-add' } });
      else if (r.kind === 'diff' && r.prefix === '-') decos.push({ range: new monaco.Range(line, 1, line, 1), options: { isWholeLine: true, className: 'eb-line-del', marginClassName: 'eb-margin-del' } });
      else if (r.kind === 'file' && cur.shown.files[r.file]?.startLine === line) decos.push({ range: new monaco.Range(line, 1, line, 1), options: { isWholeLine: true, className: 'eb-line-file' } });
      else if (r.kind === 'hunk') decos.push({ range: new monaco.Range(line, 1, line, 1), options: { isWholeLine: true, className: 'eb-line-hunk' } });
    });
    this.lineDecorations?.clear();
    this.lineDecorations = this.editor.createDecorationsCollection(decos);
  }

  private lineDecorations: monaco.editor.IEditorDecorationsCollection | null = null;

  private renderFiles(): void {
    const cur = this.current;
    const files = cur?.detail?.files ?? [];
    if (!cur || cur.index === 0 || files.length === 0) {
      replace(this.files);
      this.files.hidden = true;
      return;
    }
    this.files.hidden = false;
    replace(
      this.files,
      ...files.map((f) => {
        const path = f.newPath ?? f.oldPath ?? '';
        const start = cur.shown.files.find((x) => x.path === path || x.oldPath === path)?.startLine;
        return h(
          'span.file-chip',
          null,
          h(
            'button.file-link',
            {
              type: 'button',
              title: `${f.oldPath && f.oldPath !== f.newPath ? `${f.oldPath} → ` : ''}${path}\nclick: go to its diff`,
              onclick: () => start && this.revealLine(start, true),
              'data-path': path,
            },
            h('span.file-status', null, STATUS_LETTER[f.status] ?? f.status.slice(0, 1).toUpperCase()),
            ' ',
            path,
            ' ',
            h('span.ok', null, `+${f.additions}`),
            ' ',
            h('span.bad', null, `−${f.deletions}`),
          ),
          f.binary
            ? null
            : h('button.file-compare', { type: 'button', title: 'Before/after at this step (d)', onclick: () => void this.compare(path, f.oldPath ?? undefined), 'data-compare': path }, '⇆'),
        );
      }),
    );
  }

  private renderStatus(): void {
    const cur = this.current;
    const s = this.session;
    if (!cur) return;
    const bits: (HTMLElement | string)[] = [];
    const part = s.series.parts.find((p) => p.index === cur.index);
    if (part) {
      bits.push(h('span.muted', null, `+${part.diffstat.insertions} −${part.diffstat.deletions} in ${part.diffstat.files} file${part.diffstat.files === 1 ? '' : 's'}`));
      if (part.replies) bits.push(h('span.muted', null, `↩ ${part.replies} repl${part.replies === 1 ? 'y' : 'ies'}`));
      for (const t of part.trailers) {
        bits.push(h('span.trailer-full', { title: t.source === 'cover' ? 'given to the cover letter' : t.senderMatches ? 'from a reply' : 'the reply was not sent by the person named' }, `${t.name}: ${t.value}`));
      }
      if (part.damaged) bits.push(h('span.bad', { title: part.damageReasons.join('\n') }, `damaged: ${part.damageReasons[0] ?? ''}`));
    }
    const step = s.applyStep(cur.index);
    if (step) {
      const text =
        step.status === 'conflict'
          ? `does not apply: ${step.conflicts.map((c) => `${c.file}${c.hunk ? ` ${c.hunk}` : ''} (${c.reason})`).join('; ')}`
          : step.status === 'applied-3way'
            ? 'applied with a 3-way merge'
            : step.status;
      bits.push(h(`span.${step.status === 'applied' ? 'ok' : step.status === 'applied-3way' ? 'warn' : 'bad'}`, { 'data-testid': 'apply-status' }, `apply: ${text}${step.commit ? ` · ${step.commit.slice(0, 12)}` : ''}`));
    }
    const walkStep = s.walkStep(cur.index);
    if (walkStep) {
      const bad = walkStep.results.filter((r) => r.relative === 'regressed' || r.relative === 'fixed');
      const outcome = walkOutcome(walkStep, s.walk);
      bits.push(
        h(
          `span.walk-${outcome}`,
          { title: walkStep.results.map((r) => `${r.check}: ${RELATIVE_TEXT[r.relative]} — ${r.summary}`).join('\n') },
          `walk: ${bad.length ? `${outcome === 'broken' ? 'still broken' : bad[0].relative}: ${checkList(bad.map((r) => r.check), 2)}` : outcome === 'pass' ? 'all checks pass' : outcome}`,
        ),
      );
    }
    const outdated = s.annotationsAt(cur.index).filter((a) => a.status === 'outdated');
    if (outdated.length) bits.push(h('span.warn', { title: outdated.map((a) => `${a.annotation.text}\n(${a.reason ?? 'outdated'})`).join('\n\n') }, `${outdated.length} outdated comment${outdated.length > 1 ? 's' : ''}`));
    replace(this.status, ...bits.flatMap((b, i) => (i ? [h('span.sep', null, '·'), b] : [b])));
  }

  /** Comments: a mark in the gutter and the text under its line. */
  private renderAnnotations(): void {
    const cur = this.current;
    if (!cur) return;
    const list = this.session.annotationsAt(cur.index);
    const placed: { a: ResolvedAnnotation; line: number }[] = [];
    for (const a of list) {
      if (!a.location) continue;
      const line = lineOfLocation(cur.shown, a.location);
      if (line !== null) placed.push({ a, line });
    }
    this.decorations.set(
      placed.map(({ a, line }) => ({
        range: new monaco.Range(line, 1, line, 1),
        options: {
          glyphMarginClassName: `eb-comment-glyph ${a.status}`,
          overviewRuler: { color: '#d29922', position: monaco.editor.OverviewRulerLane.Left },
          stickiness: monaco.editor.TrackedRangeStickiness.NeverGrowsWhenTypingAtEdges,
        },
      })),
    );
    const width = this.editor.getLayoutInfo().contentWidth;
    this.editor.changeViewZones((acc) => {
      for (const z of this.zones) acc.removeZone(z);
      this.zones = placed.map(({ a, line }) => {
        const node = this.commentNode(a);
        const height = measure(node, width);
        return acc.addZone({ afterLineNumber: line, heightInPx: height, domNode: node });
      });
    });
    this.renderStatus();
  }

  private commentNode(a: ResolvedAnnotation): HTMLElement {
    return h(
      'div.comment-zone',
      { 'data-testid': 'comment', 'data-id': a.annotation.id },
      h(
        'div.comment-head',
        null,
        h(`span.comment-state.${a.status}`, null, a.status === 'carried-over' ? 'carried over from an earlier version' : 'your comment'),
        h('button.link', { type: 'button', onclick: () => this.edit(a) }, 'edit'),
      ),
      h('div.comment-text', null, a.annotation.text),
    );
  }

  // ---- commenting ----

  commentAtCursor(): void {
    const pos = this.editor.getPosition();
    this.commentAt(pos?.lineNumber ?? 1);
  }

  commentAt(line: number): void {
    const cur = this.current;
    if (!cur || this.session.current().missing) return;
    const isCover = cur.index === 0;
    let target: CommentTarget | null = targetOfLine(cur.shown, line);
    let title: string;
    if (!target) {
      target = isCover ? { kind: 'cover' } : { kind: 'message' };
      title = isCover ? 'Comment on the cover letter as a whole' : `Comment on patch ${cur.index} as a whole`;
    } else title = describeTarget(target, cur.index);
    const model = this.editor.getModel();
    const context = model && line <= model.getLineCount() ? model.getLineContent(line) : '';
    this.editor.setPosition({ lineNumber: line, column: 1 });
    const api = this.apiTarget(target, cur.index);
    this.composer.show({
      title,
      context,
      save: async (text) => {
        await this.session.client.call('review.annotations.add', { workspace: this.session.workspace.id, version: this.session.series.version, target: api, text });
        await this.session.refreshAnnotations();
      },
      onClose: () => this.editor.focus(),
    });
  }

  /** Edit the comment on the cursor line (or the nearest one after it). */
  editAtCursor(): void {
    const cur = this.current;
    if (!cur) return;
    const line = this.editor.getPosition()?.lineNumber ?? 1;
    const lines = this.commentLines();
    const hit = lines.find((c) => c.line >= line) ?? lines[lines.length - 1];
    if (hit) this.edit(hit.a);
  }

  private edit(a: ResolvedAnnotation): void {
    const s = this.session;
    this.composer.show({
      title: `Edit comment (${a.status})`,
      text: a.annotation.text,
      context: a.annotation.anchor.kind === 'diff' || a.annotation.anchor.kind === 'message' ? a.annotation.anchor.context.at(-1) : undefined,
      save: async (text) => {
        await s.client.call('review.annotations.update', { workspace: s.workspace.id, id: a.annotation.id, text, revision: a.annotation.revision });
        await s.refreshAnnotations();
      },
      remove: async () => {
        await s.client.call('review.annotations.remove', { workspace: s.workspace.id, id: a.annotation.id, revision: a.annotation.revision });
        await s.refreshAnnotations();
      },
      onClose: () => this.editor.focus(),
    });
  }

  private apiTarget(t: CommentTarget, patch: number) {
    if (t.kind === 'diff') return { kind: 'diff' as const, patch, file: t.file, side: t.side, line: t.line };
    if (t.kind === 'message') return { kind: 'message' as const, patch, ...(t.line ? { line: t.line } : {}) };
    return { kind: 'cover' as const, ...(t.line ? { line: t.line } : {}) };
  }

  /** Placed comments of this patch, in line order. */
  commentLines(): { a: ResolvedAnnotation; line: number }[] {
    const cur = this.current;
    if (!cur) return [];
    return this.session
      .annotationsAt(cur.index)
      .flatMap((a) => {
        const line = a.location ? lineOfLocation(cur.shown, a.location) : null;
        return line === null ? [] : [{ a, line }];
      })
      .sort((x, y) => x.line - y.line);
  }

  /** Move to the next (+1) or previous (-1) comment in this patch; false when there is none that way. */
  jumpComment(dir: 1 | -1): boolean {
    const line = this.editor.getPosition()?.lineNumber ?? 0;
    const list = this.commentLines();
    const next = dir > 0 ? list.find((c) => c.line > line) : [...list].reverse().find((c) => c.line < line);
    if (!next) return false;
    this.revealLine(next.line, false);
    return true;
  }

  /** After moving to another patch to find a comment: its first (or last) one. */
  jumpToEdgeComment(dir: 1 | -1): boolean {
    const list = this.commentLines();
    const c = dir > 0 ? list[0] : list[list.length - 1];
    if (!c) return false;
    this.revealLine(c.line, false);
    return true;
  }

  revealLine(line: number, focus: boolean): void {
    this.editor.setPosition({ lineNumber: line, column: 1 });
    this.editor.revealLineNearTop(line, monaco.editor.ScrollType.Smooth);
    if (focus) this.editor.focus();
  }

  nextFile(dir: 1 | -1): void {
    const cur = this.current;
    if (!cur || !cur.shown.files.length) return;
    const line = this.editor.getPosition()?.lineNumber ?? 0;
    const starts = cur.shown.files.map((f) => f.startLine);
    const target = dir > 0 ? (starts.find((l) => l > line) ?? starts[0]) : ([...starts].reverse().find((l) => l < line) ?? starts[starts.length - 1]);
    this.revealLine(target, false);
  }

  /** Highlight every match of the term in the shown patch; returns how many there are. */
  find(term: string): number {
    const model = this.editor.getModel();
    if (!model || !term) return 0;
    const matches = model.findMatches(term, true, false, false, null, false);
    this.searchDecorations?.clear();
    this.searchDecorations = this.editor.createDecorationsCollection(
      matches.map((m) => ({ range: m.range, options: { inlineClassName: 'eb-search-hit', overviewRuler: { color: '#e2b714', position: monaco.editor.OverviewRulerLane.Center } } })),
    );
    return matches.length;
  }

  /**
   * Select the next (or previous) match after the cursor in this patch, or the first (last) one when
   * `fromEdge`; false when there is none that way, so the search moves on to another patch.
   */
  findNext(term: string, dir: 1 | -1, fromEdge = false): boolean {
    const model = this.editor.getModel();
    if (!model || !term) return false;
    this.find(term);
    const matches = model.findMatches(term, true, false, false, null, false);
    const sel = this.editor.getSelection();
    const at = fromEdge ? null : sel ? { line: sel.startLineNumber, col: sel.startColumn } : null;
    const after = (m: monaco.editor.FindMatch) => !at || m.range.startLineNumber > at.line || (m.range.startLineNumber === at.line && m.range.startColumn > at.col);
    const before = (m: monaco.editor.FindMatch) => !at || m.range.startLineNumber < at.line || (m.range.startLineNumber === at.line && m.range.startColumn < at.col);
    const next = dir > 0 ? matches.find(after) : [...matches].reverse().find(before);
    if (!next) return false;
    this.editor.setSelection(next.range);
    this.editor.revealRangeInCenterIfOutsideViewport(next.range);
    return true;
  }

  private searchDecorations: monaco.editor.IEditorDecorationsCollection | null = null;

  clearFind(): void {
    this.searchDecorations?.clear();
  }

  // ---- before/after ----

  async compareAtCursor(): Promise<void> {
    const cur = this.current;
    if (!cur) return;
    const line = this.editor.getPosition()?.lineNumber ?? 1;
    const file = fileAtLine(cur.shown, line) ?? cur.shown.files[0];
    if (!file) {
      this.notice.show('This patch changes no files.', 'Move to a patch with a diff.');
      return;
    }
    await this.compare(file.newPath ?? file.path, file.oldPath ?? undefined);
  }

  get comparing(): boolean {
    return !this.diffHost.hidden;
  }

  async compare(path: string, oldPath?: string): Promise<void> {
    const s = this.session;
    const cur = this.current;
    if (!cur) return;
    if (!s.apply) {
      this.notice.show(
        'The before/after view reads the file from the review branch, and the series is not applied yet.',
        'Give your kernel tree in the Series pane and press Apply (a).',
        [actionButton('Go to the tree field', () => this.actions.wantApply())],
      );
      return;
    }
    let file: StepFile;
    try {
      file = await s.client.call('tree.fileAtStep', { tree: s.apply.tree, branch: s.apply.branch, step: cur.index, path, ...(oldPath && oldPath !== path ? { oldPath } : {}) });
    } catch (err) {
      this.notice.error(err);
      return;
    }
    if (file.after.binary || file.before?.binary) {
      this.notice.show(`${path} is a binary file.`, 'Only text files have a before/after view.');
      return;
    }
    this.notice.clear();
    if (!this.diffEditor) this.diffEditor = createDiffEditor(this.diffHost);
    const lang = languageForPath(path);
    const prevModels = this.diffEditor.getModel();
    const original = monaco.editor.createModel(file.before?.text ?? '', lang);
    const modified = monaco.editor.createModel(file.after.text ?? '', lang);
    this.diffEditor.setModel({ original, modified });
    prevModels?.original.dispose();
    prevModels?.modified.dispose();
    const stepName = `${String(cur.index).padStart(2, '0')}/${String(s.series.total).padStart(2, '0')}`;
    replace(
      this.compareBar,
      h('strong', null, path),
      h('span.muted', null, ` before ${stepName} (${file.before ? file.before.commit.slice(0, 12) : '—'}${file.before?.text === null ? ', absent' : ''})`),
      h('span.muted', null, ` ⇆ after (${file.after.commit.slice(0, 12)}${file.after.text === null ? ', absent' : ''})`),
      h('span.spacer'),
      h('button', { type: 'button', onclick: () => this.closeCompare(), title: 'Back to the patch (Esc or d)' }, 'Back to the patch'),
    );
    this.compareBar.hidden = false;
    this.diffHost.hidden = false;
    this.editorHost.hidden = true;
    // Land on the first change, like `git diff` would show it.
    setTimeout(() => this.diffEditor?.revealFirstDiff(), 50);
  }

  closeCompare(): void {
    if (this.diffHost.hidden) return;
    this.diffHost.hidden = true;
    this.compareBar.hidden = true;
    this.editorHost.hidden = false;
    this.editor.focus();
  }

  /** A line of a file at this step (the trace's "jump to source"). */
  async openSource(path: string, line: number, step: number): Promise<void> {
    const s = this.session;
    if (!s.apply) {
      this.notice.show('The source view reads the file from the review branch, and the series is not applied yet.', 'Apply the series first (a).');
      return;
    }
    try {
      const file = await s.client.call('tree.fileAtStep', { tree: s.apply.tree, branch: s.apply.branch, step, path });
      if (!this.diffEditor) this.diffEditor = createDiffEditor(this.diffHost);
      const lang = languageForPath(path);
      const original = monaco.editor.createModel(file.before?.text ?? file.after.text ?? '', lang);
      const modified = monaco.editor.createModel(file.after.text ?? '', lang);
      const prev = this.diffEditor.getModel();
      this.diffEditor.setModel({ original, modified });
      prev?.original.dispose();
      prev?.modified.dispose();
      replace(this.compareBar, h('strong', null, `${path}:${line}`), h('span.muted', null, ` at step ${step} (left: before it)`), h('span.spacer'), h('button', { type: 'button', onclick: () => this.closeCompare() }, 'Back to the patch'));
      this.compareBar.hidden = false;
      this.diffHost.hidden = false;
      this.editorHost.hidden = true;
      const ed = this.diffEditor.getModifiedEditor();
      setTimeout(() => {
        ed.revealLineInCenter(line);
        ed.setPosition({ lineNumber: line, column: 1 });
        ed.createDecorationsCollection([{ range: new monaco.Range(line, 1, line, 1), options: { isWholeLine: true, className: 'eb-line-trace' } }]);
      }, 50);
    } catch (err) {
      this.notice.error(err);
    }
  }

  /** For tests and the console: the text in the editor. */
  text(): string {
    return this.editor.getValue();
  }

  /** For tests: the grammar's tokens of one editor line, as text and token type. */
  tokens(line: number): { text: string; type: string }[] {
    const model = this.editor.getModel();
    if (!model || line < 1 || line > model.getLineCount()) return [];
    const text = model.getLineContent(line);
    const lines = monaco.editor.tokenize(model.getValue(), PATCH_LANGUAGE);
    const toks = lines[line - 1] ?? [];
    return toks.map((t, i) => ({ text: text.slice(t.offset, toks[i + 1]?.offset ?? text.length), type: t.type }));
  }

  /** For tests: the first editor line holding this text, or 0. */
  lineOf(text: string): number {
    const lines = this.editor.getValue().split('\n');
    return lines.findIndex((l) => l.includes(text)) + 1;
  }

  /** The cursor's line. */
  cursorLine(): number {
    return this.editor.getPosition()?.lineNumber ?? 0;
  }

  errorText(err: unknown): string {
    return describeError(err).message;
  }
}

function describeTarget(t: CommentTarget, patch: number): string {
  if (t.kind === 'diff') return `Comment on ${t.file}:${t.line} (${t.side === 'new' ? 'after the patch' : 'before the patch'})`;
  if (t.kind === 'message') return t.line ? `Comment on line ${t.line} of the commit message of patch ${patch}` : `Comment on patch ${patch} as a whole`;
  return t.line ? `Comment on line ${t.line} of the cover letter` : 'Comment on the cover letter as a whole';
}

/** The height a node takes at a width, measured off-screen (view zones need it up front). */
function measure(node: HTMLElement, width: number): number {
  const probe = h('div.measure-probe', { style: `position:absolute;visibility:hidden;left:-10000px;top:0;width:${Math.max(200, width - 20)}px` });
  probe.append(node);
  document.body.append(probe);
  const height = node.offsetHeight;
  probe.remove();
  return Math.max(40, height + 6);
}
