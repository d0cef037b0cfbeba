// The workbench frame: series on the left; Patch, Thread, Matrix, Trace and Reply in the middle; terminals
// and the log below; the status bar with running tasks. Keyboard first (mutt/aerc style), mouse everywhere.
import './styles.css';
import type { HostInfo, WorkspaceSummary } from '../../workspaces/host/api.js';
import { HostClient, hostAddress, type CallOptions } from './host-client.js';
import { append, h, replace } from './dom.js';
import { bindChannel, type ChannelTerminal } from './terminal.js';
import { BottomPanel } from './panes/bottom-panel.js';
import { LogPane } from './panes/log.js';
import { GuestPane } from './panes/guest.js';
import { uploadFiles } from './upload.js';
import { Keymap } from './keys.js';
import { showHelp } from './panes/help.js';
import { TaskBar } from './ui/tasks.js';
import { Session } from './session.js';
import { SeriesPane } from './panes/series.js';
import { PatchPane } from './panes/patch.js';
import { ThreadPane } from './panes/thread.js';
import { ReplyPane } from './panes/reply.js';
import { MatrixPane } from './panes/matrix.js';
import { TracePane } from './panes/trace.js';
import { Composer } from './ui/composer.js';
import { PaneNotice, actionButton, describeError, isCancelled } from './ui/errors.js';
import { stepLabel } from './walk-view.js';
import { createEditor, type Editor } from './editor.js';

type TabId = 'patch' | 'thread' | 'matrix' | 'trace' | 'reply';
const TABS: { id: TabId; title: string; key: string }[] = [
  { id: 'patch', title: 'Patch', key: '1' },
  { id: 'thread', title: 'Thread', key: '2' },
  { id: 'matrix', title: 'Matrix', key: '3' },
  { id: 'trace', title: 'Trace', key: '4' },
  { id: 'reply', title: 'Reply', key: '5' },
];
const LAST_WORKSPACE = 'entrybench.lastWorkspace';

/** The panes of one open review. */
interface Open {
  session: Session;
  series: SeriesPane;
  patch: PatchPane;
  thread: ThreadPane;
  matrix: MatrixPane;
  trace: TracePane;
  reply: ReplyPane;
  walkComposer: Composer;
}

/** Figures the end-to-end test reads: when the host's parse arrived and when the first patch was painted. */
export interface OpenTimings {
  requestedAt: number;
  parsedAt: number;
  firstPatchAt: number;
  patches: number;
}

class Workbench {
  private readonly client: HostClient;
  private info: HostInfo | null = null;
  private shell: ChannelTerminal | null = null;
  private shellChannel = 0;
  private readonly status = h('div.status-bar', { role: 'status' });
  private readonly connDot = h('span.conn-dot.connecting', { 'aria-hidden': 'true' });
  private readonly connText = h('span.conn-text', null, 'connecting to host…');
  private readonly notice = h('span.status-notice', { 'data-testid': 'status-notice' });
  private readonly title = h('span.ws-title', { 'data-testid': 'workspace-title' });
  private readonly left = h('div.left-area');
  private readonly tabBar = h('div.main-tabs', { role: 'tablist', 'aria-label': 'Views' });
  private readonly tabBodies = h('div.main-bodies');
  private readonly startPane = h('section.start-pane', { 'data-testid': 'start' });
  private readonly globalNotice = new PaneNotice();
  private readonly searchBar = h('div.search-bar', { hidden: true, 'data-testid': 'search' });
  private readonly searchInput = h('input.search-input', { type: 'search', placeholder: 'search subjects, authors, files and patch text', 'aria-label': 'Search the series', spellcheck: 'false' });
  private readonly searchInfo = h('span.muted');
  private readonly keymap = new Keymap();
  private readonly tasks = new TaskBar();
  private overlay: HTMLElement | null = null;
  private readonly panel = new BottomPanel();
  private readonly logPane = new LogPane();
  private readonly terminalHost = h('div.terminal-host', { 'data-testid': 'terminal' });
  private readonly main = h('main.main-area');
  private open: Open | null = null;
  private activeTab: TabId = 'patch';
  private uploadInput: HTMLInputElement | null = null;
  private welcome: Editor | null = null;
  timings: OpenTimings | null = null;

  constructor(private readonly root: HTMLElement) {
    this.client = new HostClient(hostAddress());
  }

  async start(): Promise<void> {
    this.layout();
    this.bindKeys();
    this.client.onState((s) => this.renderConnection(s));
    try {
      await this.client.connect();
    } catch (err) {
      this.showError(err);
      return;
    }
    this.info = await this.client.call('host.info', {});
    this.renderConnection('open');
    this.client.on('log', (e) => this.logPane.add([e]));
    this.logPane.add(await this.client.call('host.log', {}));
    this.client.on('terminal.exit', ({ channel, exitCode }) => {
      if (this.shellChannel === channel) this.shell?.term.write(`\r\n[shell exited with ${exitCode ?? 'signal'}]\r\n`);
    });
    this.client.on('walk.step', (e) => {
      const o = this.open;
      if (!o || e.workspace !== o.session.workspace.id || !o.session.walkRunning) return;
      o.session.walkLive = [...o.session.walkLive.filter((s) => s.index !== e.step.index), e.step];
      o.session.emit('walk');
    });
    this.ensureShell();
    await this.openInitial();
  }

  // ---- layout ----

  private layout(): void {
    const openButton = h('button', { type: 'button', onclick: () => void this.openDialog(), title: 'Open a series (o)' }, 'Open…');
    const helpButton = h('button', { type: 'button', onclick: () => this.toggleHelp(), title: 'Every shortcut (?)', 'aria-label': 'Keyboard shortcuts' }, '?');
    const header = h('header.top-bar', null, h('span.brand', null, 'Entrybench'), this.title, h('span.top-sep'), openButton, helpButton);
    const upload = h('input', { type: 'file', multiple: true, hidden: true, 'data-testid': 'upload' });
    upload.addEventListener('change', () => void this.uploadAndOpen(upload.files));
    this.uploadInput = upload;
    this.searchInput.addEventListener('input', () => this.scheduleSearch());
    this.searchInput.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter') {
        ev.preventDefault();
        void this.searchStep(ev.shiftKey ? -1 : 1);
      } else if (ev.key === 'Escape') {
        ev.preventDefault();
        ev.stopPropagation();
        this.closeSearch();
      }
    });
    append(this.searchBar, h('span.search-label', null, '/'), this.searchInput, this.searchInfo, h('span.muted', null, 'Enter next · Shift-Enter previous · Esc close'));
    this.panel.add({ id: 'terminal', title: 'Terminal', body: this.terminalHost, onShow: () => this.ensureShell() });
    this.panel.add({ id: 'log', title: 'Log', body: this.logPane.el });
    const guest = new GuestPane(this.client); this.panel.add({ id: 'guest', title: 'Boot…', body: guest.el, onShow: () => guest.focus() });
    append(this.status, this.connDot, this.connText, this.tasks.el, this.notice);
    this.renderTabs();
    append(this.main, this.tabBar, this.globalNotice.el, this.searchBar, this.tabBodies, this.panel.el);
    replace(this.root, header, h('div.workbench', null, this.left, this.main), this.status, upload);
    this.renderStart();
  }

  private renderTabs(): void {
    replace(
      this.tabBar,
      ...TABS.map((t) =>
        h(
          'button.main-tab',
          { type: 'button', role: 'tab', 'aria-selected': String(this.open !== null && t.id === this.activeTab), 'data-tab': t.id, disabled: this.open === null, onclick: () => this.showTab(t.id), title: `${t.title} (${t.key})` },
          t.title,
          h('kbd.tab-key', null, t.key),
        ),
      ),
      h('span.spacer'),
      h('button.main-tab.panel-toggle', { type: 'button', onclick: () => this.main.classList.toggle('panel-hidden'), title: 'Hide or show the terminal and log panel (z)' }, 'Terminal · Log', h('kbd.tab-key', null, 'z')),
    );
  }

  private showTab(id: TabId): void {
    const o = this.open;
    if (!o) return;
    this.activeTab = id;
    const panes: Record<TabId, HTMLElement> = { patch: o.patch.el, thread: o.thread.el, matrix: o.matrix.el, trace: o.trace.el, reply: o.reply.el };
    for (const [k, el] of Object.entries(panes)) el.hidden = k !== id;
    o.thread.setVisible(id === 'thread');
    o.reply.setVisible(id === 'reply');
    o.matrix.setVisible(id === 'matrix');
    this.renderTabs();
    if (id === 'patch') o.patch.editor.focus();
    if (id === 'matrix') o.matrix.focus();
    if (id === 'thread') o.thread.el.focus();
  }

  // ---- keyboard ----

  private bindKeys(): void {
    const k = this.keymap;
    const has = () => this.open !== null;
    const o = () => this.open as Open;
    k.bind({ key: '?', group: 'General', description: 'show every shortcut', run: () => this.toggleHelp() });
    k.bind({ key: 'Escape', group: 'General', description: 'close the overlay, the search or the before/after view', run: () => this.escape(), when: () => this.escapable(), global: true });
    k.bind({ key: 'o', group: 'General', description: 'open a series', run: () => void this.openDialog() });
    k.bind({ key: '/', group: 'General', description: 'search subjects, authors, files and patch text', run: () => this.openSearch(), when: has });
    k.bind({ key: 'F6', group: 'General', description: 'move the focus: series, view, panel', run: () => this.cycleFocus(), global: true });
    k.bind({ key: 'C-c', group: 'General', description: 'cancel the running task (outside terminals)', run: () => this.tasks.cancelAll(), when: () => this.tasks.busy });

    k.bind({ key: 'j', group: 'Series', description: 'next patch', run: () => o().session.step(1), when: has });
    k.bind({ key: 'k', group: 'Series', description: 'previous patch', run: () => o().session.step(-1), when: has });
    k.bind({ key: 'ArrowDown', group: 'Series', description: 'next patch', run: () => o().session.step(1), when: () => has() && document.activeElement?.closest('.series-pane') !== null, hidden: true });
    k.bind({ key: 'ArrowUp', group: 'Series', description: 'previous patch', run: () => o().session.step(-1), when: () => has() && document.activeElement?.closest('.series-pane') !== null, hidden: true });
    k.bind({ key: 'n', group: 'Series', description: 'next comment', run: () => void this.jumpComment(1), when: has });
    k.bind({ key: 'p', group: 'Series', description: 'previous comment', run: () => void this.jumpComment(-1), when: has });
    k.bind({ key: 'V', group: 'Series', description: 'next version of the series', run: () => this.nextVersion(), when: has });
    k.bind({ key: ']', group: 'Series', description: 'next file in the patch', run: () => o().patch.nextFile(1), when: () => has() && this.activeTab === 'patch' });
    k.bind({ key: '[', group: 'Series', description: 'previous file in the patch', run: () => o().patch.nextFile(-1), when: () => has() && this.activeTab === 'patch' });

    k.bind({ key: 'c', group: 'Review', description: 'comment on the line under the cursor (or the selected matrix cell)', run: () => this.comment(), when: has });
    k.bind({ key: 'e', group: 'Review', description: 'edit the comment at the cursor', run: () => this.editComment(), when: has });
    k.bind({ key: 'r', group: 'Review', description: 'reply to this patch (composer with live preview)', run: () => this.reply(), when: has });
    k.bind({ key: 'C-s', group: 'Review', description: 'save the reply draft (create it first time)', run: () => void o().reply.saveOrCreate(), when: () => has() && this.activeTab === 'reply', global: true });
    k.bind({ key: 'd', group: 'Review', description: 'before/after of the file at the cursor, at this step', run: () => this.toggleCompare(), when: has });
    k.bind({ key: 'a', group: 'Tree', description: 'apply the series to the tree (asks for the tree first)', run: () => this.applyKey(), when: has });
    k.bind({ key: 'w', group: 'Tree', description: 'walk: build and check every step', run: () => void this.walk(), when: has });
    k.bind({ key: 'b', group: 'Tree', description: 'bisect for the first bad step', run: () => void this.bisect(), when: has });
    k.bind({ key: 'g', group: 'Tree', description: 'boot this step in a guest', run: () => this.bootStep(o().session.position), when: has });

    for (const t of TABS) k.bind({ key: t.key, group: 'Views', description: `${t.title} view`, run: () => (t.id === 'trace' ? this.openTraceForCurrent() : this.showTab(t.id)), when: has });
    k.bind({ key: 't', group: 'Panels', description: 'focus the terminal', run: () => this.focusTerminal() });
    k.bind({ key: 'l', group: 'Panels', description: 'show the host log', run: () => this.showPanel('log') });
    k.bind({ key: 'z', group: 'Panels', description: 'hide or show the bottom panel', run: () => this.main.classList.toggle('panel-hidden') });
  }

  private escapable(): boolean {
    return this.overlay !== null || !this.searchBar.hidden || (this.open?.patch.comparing ?? false);
  }

  private escape(): void {
    if (this.overlay) return this.closeOverlay();
    if (!this.searchBar.hidden) return this.closeSearch();
    this.open?.patch.closeCompare();
  }

  private toggleHelp(): void {
    if (this.overlay) return this.closeOverlay();
    this.overlay = showHelp(this.keymap, () => this.closeOverlay());
    document.body.append(this.overlay);
  }

  private closeOverlay(): void {
    this.overlay?.remove();
    this.overlay = null;
  }

  private cycleFocus(): void {
    const regions = [this.left.querySelector<HTMLElement>('.parts'), this.tabBodies, this.terminalHost].filter((x): x is HTMLElement => x !== null);
    const at = regions.findIndex((r) => r.contains(document.activeElement));
    const next = regions[(at + 1) % regions.length];
    if (next === this.tabBodies && this.open) this.showTab(this.activeTab);
    else if (next === this.terminalHost) this.focusTerminal();
    else {
      next.tabIndex = 0;
      next.focus();
    }
  }

  private focusTerminal(): void {
    this.showPanel('terminal');
    this.shell?.term.focus();
  }

  private showPanel(id: string): void {
    this.main.classList.remove('panel-hidden');
    this.panel.show(id);
  }

  // ---- commands ----

  private comment(): void {
    const o = this.open;
    if (!o) return;
    if (this.activeTab === 'matrix') {
      const sel = o.matrix.selection();
      if (sel) return this.commentOnResult(sel.step, sel.check);
    }
    if (this.activeTab !== 'patch') this.showTab('patch');
    o.patch.commentAtCursor();
  }

  private editComment(): void {
    const o = this.open;
    if (!o) return;
    if (this.activeTab !== 'patch') this.showTab('patch');
    o.patch.editAtCursor();
  }

  private reply(): void {
    const o = this.open;
    if (!o) return;
    this.showTab('reply');
    o.reply.focusBody();
  }

  private toggleCompare(): void {
    const o = this.open;
    if (!o) return;
    if (this.activeTab !== 'patch') this.showTab('patch');
    if (o.patch.comparing) o.patch.closeCompare();
    else void o.patch.compareAtCursor();
  }

  private nextVersion(): void {
    const s = this.open?.session;
    if (!s) return;
    const v = s.versions();
    if (v.length < 2) return this.say('This series has one version in the mail.');
    s.selectSeries(v[(v.indexOf(s.seriesIndex) + 1) % v.length]);
  }

  /** n/p: the next comment in this patch, else the first one in the next patch that has any. */
  private async jumpComment(dir: 1 | -1): Promise<void> {
    const o = this.open;
    if (!o) return;
    if (this.activeTab !== 'patch') this.showTab('patch');
    if (o.patch.jumpComment(dir)) return;
    const s = o.session;
    const list = s.positions().map((p) => p.index);
    const at = list.indexOf(s.position);
    const order = dir > 0 ? list.slice(at + 1) : list.slice(0, at).reverse();
    const next = order.find((i) => s.annotationsAt(i).some((a) => a.location));
    if (next === undefined) return this.say(dir > 0 ? 'No comments after this one.' : 'No comments before this one.');
    s.go(next);
    await o.patch.show();
    o.patch.jumpToEdgeComment(dir);
  }

  private applyKey(): void {
    const o = this.open;
    if (!o) return;
    if (o.series.treeInput.value.trim()) o.series.applyNow();
    else o.series.focusTree();
  }

  private async applyTree(tree: string, init = false): Promise<void> {
    const o = this.open;
    if (!o) return;
    const s = o.session;
    o.series.clearNotice();
    const task = this.tasks.start('apply');
    try {
      const result = await this.client.call(
        'tree.apply',
        { tree, workspace: s.workspace.id, series: s.seriesIndex, ...(init ? { init: true } : {}) },
        { signal: task.signal, onProgress: task.progress },
      );
      s.apply = result;
      s.emit('apply');
      const ok = result.summary.applied + result.summary.applied3way;
      this.say(`applied ${ok}/${result.steps.length} on ${result.branch}`);
      const bad = result.steps.find((x) => x.status === 'conflict');
      if (bad) o.series.showNotice(`Patch ${bad.index} does not apply to ${tree}.`, bad.conflicts.map((c) => `${c.file}${c.hunk ? ` ${c.hunk}` : ''}: ${c.reason}`).join('; ') || 'See the patch for git’s words.');
    } catch (err) {
      const d = describeError(err);
      if (d.kind === 'ReviewExists') {
        // Already applied from this workspace: show that review instead of failing.
        const existing = await this.findReview(s.workspace.id, tree);
        if (existing) {
          s.apply = existing;
          s.emit('apply');
          this.say(`already applied on ${existing.branch}`);
          return;
        }
      }
      const actions: HTMLElement[] = [];
      if (d.kind === 'NotAGitRepository') actions.push(actionButton('Make it a git repository and apply', () => void this.applyTree(tree, true), 'git init, one commit with the files as they are, then apply'));
      if (!isCancelled(err)) o.series.showNotice(d.message, d.hint, actions);
    } finally {
      task.done();
    }
  }

  private async findReview(workspace: string, tree?: string) {
    try {
      const reviews = (await this.client.call('tree.reviews', tree ? { tree } : {})).filter((r) => r.workspace === workspace && r.present);
      const r = reviews.sort((a, b) => b.appliedAt.localeCompare(a.appliedAt))[0];
      return r ? await this.client.call('tree.review', { tree: r.tree, branch: r.branch }) : null;
    } catch {
      return null;
    }
  }

  /**
   * Walk and bisect share their frame: the Matrix comes up, the series must be applied, the task shows its
   * progress there and in the status bar, Cancel and Ctrl-C stop it, and errors stay in the Matrix.
   */
  private async matrixTask<T>(
    what: 'walk' | 'bisect',
    run: (o: Open, review: { branch: string }, opts: CallOptions) => Promise<T>,
  ): Promise<T | null> {
    const o = this.open;
    if (!o) return null;
    const s = o.session;
    this.showTab('matrix');
    o.matrix.notice.clear();
    if (!s.apply) {
      o.matrix.notice.show(`Apply the series to your tree first: ${what === 'walk' ? 'the walk builds each step' : 'bisect builds steps'} of the review branch.`, 'Give the tree in the Series pane and press Apply (a).', [actionButton('Go to the tree field', () => o.series.focusTree())]);
      return null;
    }
    const task = this.tasks.start(what);
    const started = performance.now();
    o.matrix.showProgress({ message: `starting the ${what}…`, elapsedMs: 0 }, () => task.cancel());
    try {
      return await run(o, s.apply, {
        signal: task.signal,
        onProgress: (p) => {
          task.progress(p);
          o.matrix.showProgress(p, () => task.cancel());
        },
      });
    } catch (err) {
      if (isCancelled(err)) {
        o.matrix.notice.show(`${what === 'walk' ? 'Walk' : 'Bisect'} cancelled after ${Math.round((performance.now() - started) / 1000)} s.`, 'Finished steps are cached: starting again goes on where it stopped.');
      } else o.matrix.notice.error(err);
      return null;
    } finally {
      o.matrix.showProgress(null, null);
      task.done();
    }
  }

  private async walk(): Promise<void> {
    const s = this.open?.session;
    if (!s) return;
    if (s.walkRunning) return this.say('A walk is already running.');
    if (s.apply) {
      s.walkRunning = true;
      s.walkLive = [];
      s.emit('walk');
    }
    try {
      const report = await this.matrixTask('walk', (o, review, opts) =>
        this.client.call('walk.run', { workspace: s.workspace.id, branch: review.branch, config: o.matrix.walkConfig, ...(o.matrix.walkBoot ? { boot: true } : {}) }, opts),
      );
      if (report) {
        s.walk = report;
        this.say(report.firstBad !== null ? `walk: first bad ${stepLabel(report.firstBad, report.total)}` : 'walk: no regression');
      }
    } finally {
      s.walkRunning = false;
      s.emit('walk');
    }
  }

  private async bisect(): Promise<void> {
    const s = this.open?.session;
    if (!s) return;
    const check = this.open?.matrix.selection()?.check;
    const r = await this.matrixTask('bisect', (o, review, opts) =>
      this.client.call('walk.bisect', { workspace: s.workspace.id, branch: review.branch, config: o.matrix.walkConfig, ...(check && check !== 'applies' ? { check } : {}) }, opts),
    );
    if (!r || !this.open) return;
    this.open.matrix.showBisect(r);
    if (r.firstBad) s.go(r.firstBad.index);
  }

  private openTraceForCurrent(): void {
    const o = this.open;
    if (!o) return;
    const check = o.trace.firstFailing(o.session.position);
    if (check) o.trace.show(o.session.position, check);
    this.showTab('trace');
  }

  private commentOnResult(step: number, check: string): void {
    const o = this.open;
    const walk = o?.session.walk;
    if (!o || !walk) return;
    const s = o.session;
    o.walkComposer.show({
      title: `Comment on ${check} at ${stepLabel(step, walk.total)} (goes into the evidence block)`,
      save: async (text) => {
        await this.client.call('review.annotations.add', {
          workspace: s.workspace.id,
          version: s.series.version,
          target: { kind: 'walk', result: `walk-${walk.startedAt}`, step, scenario: check },
          text,
        });
        await s.refreshAnnotations();
        this.say('comment stored with the walk result');
      },
    });
  }

  /**
   * Booting a step needs that step built and the guest pane (issue 7); neither has a host method the UI can
   * call yet, so say exactly how to do it from the terminal, with this review's tree, step, config and mail.
   */
  private bootStep(step: number): void {
    const o = this.open;
    if (!o) return;
    const s = o.session;
    if (!s.apply) {
      this.globalNotice.show('Apply the series first: a step is booted from its build on the review branch.', 'Give your kernel tree in the Series pane and press Apply (a).', [actionButton('Dismiss', () => this.globalNotice.clear())]);
      return;
    }
    const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
    const args = ['entrybench', 'boot', '--data', this.info?.dataDir ?? '', '--workspace', s.workspace.id, '--tree', s.apply.tree, '--step', String(step), '--config', o.matrix.walkConfig, ...s.workspace.mailPaths];
    const command = args.filter(Boolean).map(quote).join(' ');
    const copy = actionButton('Copy the command', () => void navigator.clipboard.writeText(command).then(() => this.say('command copied')).catch(() => this.say('the browser refused the clipboard: select the command instead')));
    this.globalNotice.show(
      `Boot step ${step} (${stepLabel(step, s.series.total)}) from a terminal: the workbench cannot build a single step for the guest yet.`,
      command,
      [copy, actionButton('Open the terminal', () => this.focusTerminal()), actionButton('Dismiss', () => this.globalNotice.clear())],
    );
  }

  // ---- search ----

  private searchTimer: ReturnType<typeof setTimeout> | null = null;

  private openSearch(): void {
    this.searchBar.hidden = false;
    this.searchInput.focus();
    this.searchInput.select();
  }

  private closeSearch(): void {
    this.searchBar.hidden = true;
    if (this.searchTimer) clearTimeout(this.searchTimer);
    this.searchTimer = null;
    const o = this.open;
    if (o) {
      o.session.searchHits = null;
      o.session.searchTerm = '';
      o.session.emit('search');
      o.patch.clearFind();
      if (this.activeTab === 'patch') o.patch.editor.focus();
    }
  }

  private scheduleSearch(): void {
    if (this.searchTimer) clearTimeout(this.searchTimer);
    this.searchTimer = setTimeout(() => void this.search(this.searchInput.value), 120);
  }

  /** Patches whose subject, author, files or text hold the term (case-insensitive). */
  private async search(term: string): Promise<void> {
    const o = this.open;
    if (!o) return;
    const s = o.session;
    if (this.searchBar.hidden) return;
    s.searchTerm = term;
    if (!term.trim()) {
      s.searchHits = null;
      this.searchInfo.textContent = '';
      s.emit('search');
      return;
    }
    const needle = term.toLowerCase();
    const hits = new Set<number>();
    const positions = s.positions().filter((p) => !p.missing);
    const bodies = await Promise.all(positions.map((p) => s.message(p.index === 0 ? (s.series.cover?.message ?? 0) : (p.part?.message ?? 0)).catch(() => null)));
    if (s.searchTerm !== term || this.searchBar.hidden) return;
    positions.forEach((p, i) => {
      const hay = [p.part?.subject ?? s.series.cover?.subject ?? '', p.part?.author ?? '', bodies[i]?.body ?? ''].join('\n').toLowerCase();
      if (hay.includes(needle)) hits.add(p.index);
    });
    s.searchHits = hits;
    this.searchInfo.textContent = hits.size ? `${hits.size} patch${hits.size === 1 ? '' : 'es'}` : 'no match';
    s.emit('search');
    if (hits.has(s.position)) o.patch.find(term);
  }

  /** Enter in the search: the next match after the cursor in this patch, else the first in the next patch that has one. */
  private async searchStep(dir: 1 | -1): Promise<void> {
    const o = this.open;
    if (!o) return;
    const term = this.searchInput.value;
    await this.search(term);
    const s = o.session;
    const hits = [...(s.searchHits ?? [])].sort((a, b) => a - b);
    if (!hits.length) return;
    if (this.activeTab !== 'patch') this.showTab('patch');
    if (hits.includes(s.position) && o.patch.findNext(term, dir)) {
      if (!this.searchBar.hidden) this.searchInput.focus();
      return;
    }
    const others = hits.filter((i) => i !== s.position);
    const next = dir > 0 ? (others.find((i) => i > s.position) ?? others[0]) : ([...others].reverse().find((i) => i < s.position) ?? others[others.length - 1]);
    if (next === undefined) {
      o.patch.findNext(term, dir, true);
    } else {
      s.go(next);
      await o.patch.show();
      o.patch.findNext(term, dir, true);
    }
    // The user may have closed the search meanwhile (Escape): then the focus stays where it went.
    if (!this.searchBar.hidden) this.searchInput.focus();
  }

  // ---- opening ----

  private async openInitial(): Promise<void> {
    const initial = this.info?.initialWorkspace ?? null;
    let last: string | null = null;
    try {
      last = localStorage.getItem(LAST_WORKSPACE);
    } catch {
      last = null;
    }
    const workspaces = await this.client.call('workspace.list', {}).catch(() => [] as WorkspaceSummary[]);
    this.renderRecent(workspaces);
    if (initial) {
      const ws = await this.client.call('workspace.get', { workspace: initial }).catch(() => null);
      if (ws) return this.openWorkspace(ws);
      // A mail file: the review made from it on an earlier load, rather than one more copy per reload.
      const made = workspaces.filter((w) => w.sources.some((x) => x.origin === initial)).sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))[0];
      if (made) return this.openWorkspace(made);
      return this.openPaths([initial]);
    }
    const known = workspaces.find((w) => w.id === last);
    if (known) await this.openWorkspace(known);
  }

  private readonly recent = h('section.recent', { hidden: true });

  /** The start screen: open, paste, or pick a recent review. Built once; the recent list fills in later. */
  private renderStart(): void {
    const pathInput = h('input.path-input', { type: 'text', placeholder: '/path/to/series.mbox', 'aria-label': 'Path of a series on the host machine', spellcheck: 'false', 'data-testid': 'open-path' });
    pathInput.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' && pathInput.value.trim()) void this.openPaths(pathInput.value.split(/\s+(?=\/)/).map((p) => p.trim()).filter(Boolean));
    });
    const paste = h('textarea.paste-input', { rows: 4, placeholder: 'or paste an archive page or a message here, then Ctrl-Enter', 'aria-label': 'Pasted mail text', spellcheck: 'false', 'data-testid': 'paste' });
    paste.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey) && paste.value.trim()) void this.openText(paste.value);
    });
    replace(
      this.startPane,
      h(
        'div.empty-state',
        null,
        h('h2', null, 'No series open'),
        h('p', null, 'Open an mbox (lore t.mbox.gz too), a maildir, an .eml, a git format-patch folder, or the saved text of an archive page.'),
        h('div.open-row', null, h('button.primary', { type: 'button', onclick: () => void this.pickFiles() }, 'Open files…'), h('span.muted', null, 'or a path on the host machine:')),
        pathInput,
        paste,
        h('p.muted', null, 'From a shell: ', h('code', null, 'entrybench open FILE…')),
        this.recent,
        h('p.muted.hint-line', null, 'Keys: ? shows every shortcut. j/k move between patches, c comments, r replies, w walks.'),
      ),
    );
    replace(this.left, this.startPane);
    const welcome = h('div.welcome', { 'data-testid': 'editor', 'data-readonly': 'true' });
    replace(this.tabBodies, welcome);
    // Monaco starts here, before any series is open, so the first patch does not pay for its start-up.
    this.welcome = createEditor(welcome, WELCOME, 'plaintext', { lineNumbers: 'off' });
  }

  private renderRecent(workspaces: WorkspaceSummary[]): void {
    const recent = workspaces
      .slice()
      .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))
      .slice(0, 12);
    this.recent.hidden = recent.length === 0;
    replace(
      this.recent,
      h('h3', null, 'Recent reviews'),
      h('ul', null, ...recent.map((w) => h('li', null, h('button.link', { type: 'button', onclick: () => void this.openWorkspace(w), 'data-workspace': w.id }, w.title), h('span.muted', null, ` · ${w.updatedAt.slice(0, 16).replace('T', ' ')} · ${w.sources.map((x) => x.origin.split('/').pop()).join(', ')}`)))),
    );
  }

  /** "Open…": with a review open, the start screen comes up as a dialog (paths, upload, paste, recent). */
  private async openDialog(): Promise<void> {
    if (!this.open) {
      this.startPane.querySelector<HTMLInputElement>('[data-testid=open-path]')?.focus();
      return;
    }
    if (this.overlay) this.closeOverlay();
    void this.client.call('workspace.list', {}).then((w) => this.renderRecent(w)).catch(() => undefined);
    this.overlay = h('div.overlay', { role: 'dialog', 'aria-label': 'Open a series', 'data-testid': 'open-dialog' }, h('div.overlay-box.open-box', null, h('div.overlay-head', null, h('h2', null, 'Open a series'), h('button.overlay-close', { type: 'button', onclick: () => this.closeOverlay(), 'aria-label': 'Close' }, 'Esc')), this.startPane));
    document.body.append(this.overlay);
    this.startPane.querySelector<HTMLInputElement>('[data-testid=open-path]')?.focus();
  }

  private async pickFiles(): Promise<void> {
    if (this.info?.nativeDialog) {
      const paths = await this.client.call('host.pickFiles', { title: 'Open a patch series' }).catch((err) => {
        this.showError(err);
        return [] as string[];
      });
      if (paths.length) await this.openPaths(paths);
      return;
    }
    this.uploadInput?.click();
  }

  private async uploadAndOpen(files: FileList | null): Promise<void> {
    if (!files || files.length === 0) return;
    try {
      this.say(`uploading ${files.length} file(s)…`);
      const paths = await uploadFiles(files);
      await this.openPaths(paths);
    } catch (err) {
      this.showError(err);
    }
  }

  private async openPaths(paths: string[]): Promise<void> {
    try {
      this.say(`opening ${paths.join(', ')}…`);
      const ws = await this.client.call('workspace.create', { paths });
      await this.openWorkspace(ws);
    } catch (err) {
      this.startError(err);
    }
  }

  private async openText(text: string): Promise<void> {
    try {
      const ws = await this.client.call('workspace.create', { text, name: 'pasted.txt' });
      await this.openWorkspace(ws);
    } catch (err) {
      this.startError(err);
    }
  }

  private startError(err: unknown): void {
    this.showError(err);
    const d = describeError(err);
    this.startPane.querySelector('.start-error')?.remove();
    this.startPane.querySelector('.empty-state')?.prepend(h('div.pane-notice.error.start-error', { role: 'alert' }, h('div.notice-text', null, d.message), d.hint ? h('div.notice-hint', null, d.hint) : null));
  }

  async openWorkspace(ws: WorkspaceSummary): Promise<void> {
    const task = this.tasks.start(`open ${ws.title}`);
    const requestedAt = performance.now();
    try {
      const load = await this.client.call('series.open', { paths: ws.mailPaths }, { signal: task.signal, onProgress: task.progress });
      const parsedAt = performance.now();
      if (!load.series.some((x) => x.parts.length > 0)) {
        this.startError(new Error(`${ws.title}: no patches in this mail (${load.messages} messages read).`));
        return;
      }
      this.mount(new Session(this.client, ws, load));
      try {
        localStorage.setItem(LAST_WORKSPACE, ws.id);
      } catch {
        /* not kept across reloads in private mode */
      }
      const o = this.open as Open | null;
      if (!o) return;
      await o.patch.show();
      await new Promise((r) => requestAnimationFrame(() => r(null)));
      this.timings = { requestedAt, parsedAt, firstPatchAt: performance.now(), patches: o.session.series.parts.length };
      this.say(`${load.messages} messages · ${load.series.length} series${load.diagnostics.length ? ` · ${load.diagnostics.length} problems (see the log)` : ''}`);
      for (const d of load.diagnostics) this.logPane.add([{ seq: Date.now() + Math.random(), time: new Date().toISOString(), level: d.severity === 'error' ? 'error' : 'warn', source: 'mail', message: `${d.where}: ${d.message}` }]);
      void this.loadState(o.session);
    } catch (err) {
      this.startError(err);
    } finally {
      task.done();
    }
  }

  /** What the host already knows about this review: its apply, last walk and comments. */
  private async loadState(s: Session): Promise<void> {
    await s.refreshAnnotations().catch((err) => this.showError(err));
    const review = await this.findReview(s.workspace.id);
    if (review && this.open?.session === s) {
      s.apply = review;
      s.emit('apply');
      if (!this.open.series.treeInput.value) this.open.series.treeInput.value = review.tree;
    } else if (this.open?.session === s && !this.open.series.treeInput.value && this.info?.demo?.workspace === s.workspace.id) {
      // The bundled demo comes with its own kernel tree, prepared by the host on first run.
      this.open.series.treeInput.value = this.info.demo.tree;
    } else if (this.open?.session === s && !this.open.series.treeInput.value) {
      // Web mode's origin changes with the port, so localStorage may not know it: the last tree used here does.
      const reviews = await this.client.call('tree.reviews', {}).catch(() => []);
      const last = reviews.sort((a, b) => b.appliedAt.localeCompare(a.appliedAt))[0];
      if (last && !this.open.series.treeInput.value) this.open.series.treeInput.value = last.tree;
    }
    const walk = await this.client.call('walk.get', { workspace: s.workspace.id }).catch(() => null);
    if (walk && this.open?.session === s) {
      s.walk = walk;
      s.emit('walk');
    }
  }

  private mount(session: Session): void {
    this.open?.series.dispose();
    const first = session.positions().find((p) => !p.missing && p.index > 0) ?? session.positions()[0];
    session.position = first?.index ?? 0;
    const series = new SeriesPane(session, { apply: (tree) => void this.applyTree(tree) });
    const patch = new PatchPane(session, { wantApply: () => series.focusTree() });
    const thread = new ThreadPane(session);
    const matrix = new MatrixPane(session, {
      walk: () => void this.walk(),
      bisect: () => void this.bisect(),
      openTrace: (step, check) => {
        trace.show(step, check);
        this.showTab('trace');
      },
      bootStep: (step) => this.bootStep(step),
      commentOnResult: (step, check) => this.commentOnResult(step, check),
      wantApply: () => series.focusTree(),
    });
    const trace = new TracePane(session, {
      openSource: (file, line, step) => {
        this.showTab('patch');
        void patch.openSource(file, line, step);
      },
    });
    const reply = new ReplyPane(session);
    const walkComposer = new Composer();
    matrix.el.append(walkComposer.el);
    this.open = { session, series, patch, thread, matrix, trace, reply, walkComposer };
    this.closeOverlay();
    this.welcome?.dispose();
    this.welcome = null;
    replace(this.left, series.el);
    replace(this.tabBodies, patch.el, thread.el, matrix.el, trace.el, reply.el);
    this.title.textContent = session.workspace.title;
    this.title.title = session.workspace.dir;
    this.globalNotice.clear();
    // Reading wants the height; t brings the terminal back.
    this.main.classList.add('panel-hidden');
    this.showTab('patch');
  }

  // ---- status ----

  private renderConnection(state: string): void {
    this.connDot.className = `conn-dot ${state}`;
    if (state === 'open' && this.info) {
      const address = hostAddress().url.replace(/^ws:\/\//, '').replace(/\/rpc$/, '');
      this.connText.textContent = `host ${address} · ${this.info.shell} · v${this.info.version}`;
    } else if (state === 'closed') {
      this.connText.textContent = 'disconnected from host — reload the page, or restart `entrybench serve`';
    } else {
      this.connText.textContent = 'connecting to host…';
    }
  }

  private ensureShell(): void {
    if (this.shell || this.client.state !== 'open') return;
    void this.client
      .call('terminal.openShell', {})
      .then(({ channel }) => {
        this.shellChannel = channel;
        this.shell = bindChannel(this.client, channel, this.terminalHost);
      })
      .catch((err) => this.showError(err));
  }

  private say(text: string): void {
    this.notice.classList.remove('error');
    this.notice.textContent = text;
  }

  private showError(err: unknown): void {
    const d = describeError(err);
    this.notice.classList.add('error');
    this.notice.textContent = d.hint ? `${d.message} — ${d.hint}` : d.message;
  }

  /** For tests and the console: the Patch pane's text (or the welcome text before a series is open). */
  editorText(): string {
    return this.open?.patch.text() ?? WELCOME;
  }

  /** For tests: the patch grammar's tokens of a line, the line holding a text, and the cursor line. */
  tokens(line: number): { text: string; type: string }[] {
    return this.open?.patch.tokens(line) ?? [];
  }

  lineOf(text: string): number {
    return this.open?.patch.lineOf(text) ?? 0;
  }

  cursorLine(): number {
    return this.open?.patch.cursorLine() ?? 0;
  }

  /** For tests: the reply preview's text. */
  replyText(): string {
    return this.open?.reply.previewText() ?? '';
  }
}

const WELCOME = [
  'Entrybench — review x86 entry-code patch series',
  '',
  'Open a series: an mbox (lore t.mbox.gz too), a maildir, an .eml, a git format-patch folder,',
  'or the saved text of a mailing-list archive page.',
  '',
  'Then: apply it to your kernel tree (a), walk the series through the emulator (w), boot a step (g),',
  'comment on lines (c) and draft the reply with the evidence (r). ? lists every key.',
].join('\n');

const root = document.getElementById('app');
if (root) {
  const wb = new Workbench(root);
  (window as unknown as { __entrybench: Workbench }).__entrybench = wb;
  void wb.start();
}
