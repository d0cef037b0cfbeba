// The workbench frame: series list on the left, Monaco in the middle, terminal and log below, status bar.
import './styles.css';
import type { HostInfo, OpenSeriesResult } from '../../workspaces/host/api.js';
import { HostClient, HostCallError, hostAddress } from './host-client.js';
import { append, h, replace } from './dom.js';
import { createEditor, type Editor } from './editor.js';
import { bindChannel, type ChannelTerminal } from './terminal.js';
import { BottomPanel } from './panes/bottom-panel.js';
import { LogPane } from './panes/log.js';
import { uploadFiles } from './upload.js';
import { Keymap } from './keys.js';
import { showHelp } from './panes/help.js';
import { TaskBar } from './ui/tasks.js';

const WELCOME = [
  'Entrybench — review x86 entry-code patch series',
  '',
  'Open a series: an mbox (lore t.mbox.gz too), a maildir, an .eml, a git format-patch folder,',
  'or the saved text of a mailing-list archive page.',
  '',
  '  Open…            upload files from this computer (web mode) or pick them (desktop)',
  '  Path             type a path on the machine running the host and press Enter',
  '  entrybench open  the same from a shell',
  '',
  'Then: apply to your kernel tree, walk the series through the emulator, boot a step,',
  'and draft the reply with the evidence.',
].join('\n');

class Workbench {
  private readonly client: HostClient;
  private info: HostInfo | null = null;
  private editor: Editor | null = null;
  private shell: ChannelTerminal | null = null;
  private readonly status = h('div.status-bar', { role: 'status' });
  private readonly connDot = h('span.conn-dot.connecting', { 'aria-hidden': 'true' });
  private readonly connText = h('span.conn-text', null, 'connecting to host…');
  private readonly notice = h('span.status-notice');
  private readonly seriesList = h('nav.series-list', { 'aria-label': 'Series and patches' });
  private readonly editorHost = h('div.editor-host', { 'data-testid': 'editor', 'data-readonly': 'true' });
  private readonly keymap = new Keymap();
  private readonly tasks = new TaskBar();
  private overlay: HTMLElement | null = null;
  private readonly panel = new BottomPanel();
  private readonly logPane = new LogPane();
  private readonly terminalHost = h('div.terminal-host', { 'data-testid': 'terminal' });

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
    this.renderEmptyState();
    this.ensureShell();
  }

  private shellChannel = 0;

  private layout(): void {
    const openButton = h('button.primary', { type: 'button', onclick: () => void this.openDialog() }, 'Open…');
    const header = h(
      'header.top-bar',
      null,
      h('span.brand', null, 'Entrybench'),
      h('span.top-sep'),
      openButton,
    );
    this.editor = createEditor(this.editorHost, WELCOME);
    this.panel.add({ id: 'terminal', title: 'Terminal', body: this.terminalHost, onShow: () => this.ensureShell() });
    this.panel.add({ id: 'log', title: 'Log', body: this.logPane.el });
    append(this.status, this.connDot, this.connText, this.tasks.el, this.notice);
    replace(
      this.root,
      header,
      h('div.workbench', null, this.seriesList, h('main.main-area', null, this.editorHost, this.panel.el)),
      this.status,
    );
  }

  private bindKeys(): void {
    const k = this.keymap;
    k.bind({ key: '?', group: 'General', description: 'show every shortcut', run: () => this.toggleHelp() });
    k.bind({ key: 'Escape', group: 'General', description: 'close the overlay', run: () => this.closeOverlay() });
    k.bind({ key: 'o', group: 'General', description: 'open a series', run: () => void this.openDialog() });
    k.bind({ key: 't', group: 'Panels', description: 'focus the terminal', run: () => this.focusTerminal() });
    k.bind({ key: 'l', group: 'Panels', description: 'show the host log', run: () => this.panel.show('log') });
    k.bind({ key: 'C-c', group: 'General', description: 'cancel the running task (outside terminals)', run: () => this.tasks.cancelAll(), when: () => this.tasks.busy });
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

  private focusTerminal(): void {
    this.panel.show('terminal');
    this.shell?.term.focus();
  }

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

  private renderEmptyState(): void {
    const pathInput = h('input.path-input', {
      type: 'text',
      placeholder: '/path/to/series.mbox',
      'aria-label': 'Path of a series on the host machine',
      spellcheck: 'false',
    });
    pathInput.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' && pathInput.value.trim()) void this.openPaths([pathInput.value.trim()]);
    });
    const upload = h('input', { type: 'file', multiple: true, hidden: true, 'data-testid': 'upload' });
    upload.addEventListener('change', () => void this.uploadAndOpen(upload.files));
    this.uploadInput = upload;
    replace(
      this.seriesList,
      h(
        'div.empty-state',
        null,
        h('h2', null, 'No series open'),
        h('p', null, 'Open an mbox, maildir, .eml, format-patch folder or saved archive page.'),
        h('button', { type: 'button', onclick: () => void this.openDialog() }, this.info?.nativeDialog ? 'Choose files…' : 'Upload files…'),
        h('p.muted', null, 'or a path on the host machine:'),
        pathInput,
        h('p.muted', null, 'From a shell: ', h('code', null, 'entrybench open FILE…')),
        upload,
      ),
    );
  }

  private uploadInput: HTMLInputElement | null = null;

  private async openDialog(): Promise<void> {
    if (this.info?.nativeDialog) {
      const paths = await this.client.call('host.pickFiles', { title: 'Open a patch series' });
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
      const result = await this.client.call('series.open', { paths });
      this.showOpened(result);
    } catch (err) {
      this.showError(err);
    }
  }

  private showOpened(result: OpenSeriesResult): void {
    this.say(`${result.messages} messages, ${result.series.length} series`);
    replace(
      this.seriesList,
      ...result.series.map((s) =>
        h(
          'section.series',
          null,
          h('h3.series-title', null, `${s.rfc ? 'RFC ' : ''}v${s.version} ${s.title}`),
          h('ol.parts', null, ...s.parts.map((p) => h('li.part', { 'data-index': p.index }, `${String(p.index).padStart(2, '0')} ${p.subject}`))),
        ),
      ),
    );
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
    const message = err instanceof Error ? err.message : String(err);
    const hint = err instanceof HostCallError ? err.hint : '';
    this.notice.classList.add('error');
    this.notice.textContent = hint ? `${message} — ${hint}` : message;
  }

  /** For tests and the console: the editor's current text. */
  editorText(): string {
    return this.editor?.getValue() ?? '';
  }
}

const root = document.getElementById('app');
if (root) {
  const wb = new Workbench(root);
  (window as unknown as { __entrybench: Workbench }).__entrybench = wb;
  void wb.start();
}
