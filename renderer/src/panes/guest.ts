// The guest pane: boot a build in QEMU, its console in xterm.js over the host's terminal channel
// (flow control, resize, Ctrl-C to the guest), a toolbar for reset, power off, copy and paste,
// and the verdict when it ends. Plain on purpose: the UI engineer styles it.
import type { BootVerdict, GuestBooted, GuestState } from '../../../workspaces/host/api.js';
import { HostCallError, FRAME, type HostClient } from '../host-client.js';
import { h, replace } from '../dom.js';
import { bindChannel, type ChannelTerminal } from '../terminal.js';

const LAST_BUILD_KEY = 'entrybench.guest.buildDir';

export interface GuestBootRequest {
  buildDir: string;
  selftests: boolean;
  accel: 'auto' | 'kvm' | 'tcg';
  workspace?: string;
}

export class GuestPane {
  readonly el: HTMLElement;
  private readonly buildInput = h('input.path-input', {
    type: 'text',
    placeholder: 'build directory (holds arch/x86/boot/bzImage)',
    'aria-label': 'Build directory to boot',
    spellcheck: 'false',
    'data-testid': 'guest-build-dir',
  });
  private readonly selftestsBox = h('input', { type: 'checkbox', checked: true, 'data-testid': 'guest-selftests' });
  private readonly accelSelect = h(
    'select',
    { 'aria-label': 'Accelerator', 'data-testid': 'guest-accel' },
    h('option', { value: 'auto' }, 'auto (probe KVM)'),
    h('option', { value: 'tcg' }, 'TCG'),
    h('option', { value: 'kvm' }, 'KVM'),
  );
  private readonly bootButton = h('button.primary', { type: 'button', 'data-testid': 'guest-boot' }, 'Boot');
  private readonly resetButton = h('button', { type: 'button', disabled: true, title: 'Hardware reset', 'data-testid': 'guest-reset' }, 'Reset');
  private readonly powerButton = h('button', { type: 'button', disabled: true, title: 'Power off (QEMU quits)', 'data-testid': 'guest-power-off' }, 'Power off');
  private readonly copyButton = h('button', { type: 'button', title: 'Copy the selection (Ctrl+Shift+C)' }, 'Copy');
  private readonly pasteButton = h('button', { type: 'button', title: 'Paste into the guest (Ctrl+Shift+V)' }, 'Paste');
  private readonly statusLine = h('span.guest-status', { role: 'status', 'data-testid': 'guest-status' }, 'No guest running.');
  private readonly verdictLine = h('div.guest-verdict', { 'data-testid': 'guest-verdict' });
  private readonly termHost = h('div.guest-terminal', { 'data-testid': 'guest-terminal', style: 'position:absolute; inset:0;' });
  private term: ChannelTerminal | null = null;
  private guestId: string | null = null;
  private channel = 0;

  constructor(private readonly client: HostClient) {
    this.buildInput.value = localStorage.getItem(LAST_BUILD_KEY) ?? '';
    this.buildInput.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter') void this.bootFromForm();
    });
    this.bootButton.addEventListener('click', () => void this.bootFromForm());
    this.resetButton.addEventListener('click', () => void this.reset());
    this.powerButton.addEventListener('click', () => void this.powerOff());
    this.copyButton.addEventListener('click', () => void this.copy());
    this.pasteButton.addEventListener('click', () => void this.paste());
    this.el = h(
      'div.guest-pane',
      { 'data-testid': 'guest', style: 'display:flex; flex-direction:column; height:100%;' },
      h(
        'div.guest-toolbar',
        { style: 'display:flex; gap:6px; align-items:center; padding:4px; flex-wrap:wrap;' },
        this.buildInput,
        h('label', null, this.selftestsBox, ' selftests'),
        this.accelSelect,
        this.bootButton,
        h('span.top-sep'),
        this.resetButton,
        this.powerButton,
        this.copyButton,
        this.pasteButton,
        this.statusLine,
      ),
      this.verdictLine,
      h('div', { style: 'position:relative; flex:1; min-height:0;' }, this.termHost),
    );
    client.on('guest.state', (e) => e.guestId === this.guestId && this.showState(e.state, e.message));
    client.on('guest.selftest', (e) => {
      if (e.guestId !== this.guestId) return;
      this.status(`selftests ${e.done}${e.planned ? `/${e.planned}` : ''}: ${e.result.name} ${e.result.status}`);
    });
    client.on('guest.finding', (e) => e.guestId === this.guestId && this.status(`${e.finding.kind}: ${e.finding.title}`));
    client.on('guest.exit', (e) => e.guestId === this.guestId && this.ended(e.verdict));
  }

  get running(): boolean {
    return this.guestId !== null;
  }

  focus(): void {
    this.term?.fit();
    this.term?.term.focus();
  }

  private status(text: string): void {
    this.statusLine.textContent = text;
  }

  private showState(state: GuestState, message: string): void {
    const labels: Record<GuestState, string> = { starting: 'starting', booting: 'booting', selftests: 'running selftests', shell: 'shell', exited: 'powered off' };
    this.status(`${labels[state]}${message ? ` · ${message}` : ''}`);
  }

  private async bootFromForm(): Promise<void> {
    const buildDir = this.buildInput.value.trim();
    if (!buildDir) {
      this.status('Type the build directory of a step (entrybench build prints it).');
      return;
    }
    await this.boot({ buildDir, selftests: this.selftestsBox.checked, accel: this.accelSelect.value as GuestBootRequest['accel'] });
  }

  /** Boot a build: the console replaces whatever this pane showed before. */
  async boot(req: GuestBootRequest): Promise<GuestBooted | null> {
    if (this.guestId) await this.powerOff();
    localStorage.setItem(LAST_BUILD_KEY, req.buildDir);
    this.bootButton.disabled = true;
    this.verdictLine.textContent = '';
    this.status('preparing…');
    try {
      const booted = await this.client.call(
        'guest.boot',
        { buildDir: req.buildDir, selftests: req.selftests, accel: req.accel, ...(req.workspace ? { workspace: req.workspace } : {}) },
        { onProgress: (p) => this.status(p.message) },
      );
      this.attach(booted);
      return booted;
    } catch (err) {
      const hint = err instanceof HostCallError && err.hint ? ` — ${err.hint}` : '';
      this.status(`${err instanceof Error ? err.message : String(err)}${hint}`);
      return null;
    } finally {
      this.bootButton.disabled = false;
    }
  }

  private attach(booted: GuestBooted): void {
    this.term?.dispose();
    replace(this.termHost);
    this.guestId = booted.guestId;
    this.channel = booted.channel;
    const t = bindChannel(this.client, booted.channel, this.termHost);
    this.term = t;
    // Copy and paste on Ctrl+Shift+C/V; plain Ctrl-C stays the guest's interrupt.
    t.term.attachCustomKeyEventHandler((ev) => {
      if (ev.type === 'keydown' && ev.ctrlKey && ev.shiftKey && (ev.key === 'C' || ev.key === 'c')) {
        void this.copy();
        return false;
      }
      if (ev.type === 'keydown' && ev.ctrlKey && ev.shiftKey && (ev.key === 'V' || ev.key === 'v')) {
        void this.paste();
        return false;
      }
      return true;
    });
    // The fit may have kept xterm's default size, which sends no resize event: tell the host anyway.
    t.fit();
    this.sendSize();
    this.resetButton.disabled = false;
    this.powerButton.disabled = false;
    this.status(`booting · ${booted.accel.reason}`);
    t.term.focus();
  }

  private sendSize(): void {
    if (!this.term || !this.channel) return;
    const payload = new Uint8Array(4);
    const v = new DataView(payload.buffer);
    v.setUint16(0, this.term.term.cols);
    v.setUint16(2, this.term.term.rows);
    this.client.sendFrame(FRAME.resize, this.channel, payload);
  }

  private async reset(): Promise<void> {
    if (!this.guestId) return;
    try {
      await this.client.call('guest.reset', { guestId: this.guestId });
      this.status('reset');
    } catch (err) {
      this.status(err instanceof Error ? err.message : String(err));
    }
  }

  async powerOff(): Promise<void> {
    const id = this.guestId;
    if (!id) return;
    try {
      const verdict = await this.client.call('guest.powerOff', { guestId: id });
      // The guest.exit event may have shown it already.
      if (this.guestId === id) this.ended(verdict);
    } catch {
      /* already gone: guest.exit said so */
    }
  }

  private ended(v: BootVerdict): void {
    this.guestId = null;
    this.resetButton.disabled = true;
    this.powerButton.disabled = true;
    this.term?.term.write(`\r\n[guest ended: ${v.ended}]\r\n`);
    this.status(`powered off (${v.ended})`);
    replace(this.verdictLine, h('strong', null, v.outcome), ` ${v.headline}`, h('span.muted', null, ` · console log ${v.logs.console}`));
  }

  private async copy(): Promise<void> {
    const text = this.term?.term.getSelection() ?? '';
    if (!text) return;
    try {
      await navigator.clipboard.writeText(text);
      this.status(`copied ${text.length} characters`);
    } catch {
      this.status('The browser refused the clipboard; select and use the context menu.');
    }
  }

  private async paste(): Promise<void> {
    if (!this.term) return;
    try {
      const text = await navigator.clipboard.readText();
      if (text) this.term.term.paste(text);
    } catch {
      this.status('The browser refused the clipboard; paste with the context menu instead.');
    }
  }
}
