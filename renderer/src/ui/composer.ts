// The comment composer docked under a pane: a plain textarea (never inside Monaco, so editor keys stay out
// of the way), Ctrl-Enter saves, Escape cancels; a failed save keeps the text and says why.
import { h, replace } from '../dom.js';
import { describeError } from './errors.js';

export interface ComposeRequest {
  title: string;
  /** One line under the title: the quoted line the comment is about. */
  context?: string;
  text?: string;
  save(text: string): Promise<void>;
  remove?: () => Promise<void>;
  onClose?: () => void;
}

export class Composer {
  readonly el = h('div.composer', { hidden: true, 'data-testid': 'composer' });
  private readonly title = h('div.composer-title');
  private readonly context = h('pre.composer-context');
  private readonly area = h('textarea.composer-text', { rows: 4, spellcheck: 'true', 'aria-label': 'Comment', 'data-testid': 'comment-text' });
  private readonly error = h('div.composer-error', { role: 'alert' });
  private readonly saveButton = h('button.primary', { type: 'button' }, 'Save');
  private readonly removeButton = h('button.danger', { type: 'button' }, 'Delete');
  private request: ComposeRequest | null = null;
  private busy = false;

  constructor() {
    const cancel = h('button', { type: 'button', onclick: () => this.close() }, 'Cancel');
    this.saveButton.addEventListener('click', () => void this.save());
    this.removeButton.addEventListener('click', () => void this.remove());
    this.area.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) {
        ev.preventDefault();
        void this.save();
      } else if (ev.key === 'Escape') {
        ev.preventDefault();
        ev.stopPropagation();
        this.close();
      }
    });
    this.el.append(
      this.title,
      this.context,
      this.area,
      h('div.composer-bar', null, this.saveButton, cancel, this.removeButton, h('span.muted', null, 'Ctrl-Enter saves · Esc cancels'), this.error),
    );
  }

  get open(): boolean {
    return this.request !== null;
  }

  show(req: ComposeRequest): void {
    this.request = req;
    this.title.textContent = req.title;
    this.context.textContent = req.context ?? '';
    this.context.hidden = !req.context;
    this.area.value = req.text ?? '';
    this.removeButton.hidden = !req.remove;
    replace(this.error);
    this.el.hidden = false;
    this.area.focus();
    this.area.setSelectionRange(this.area.value.length, this.area.value.length);
  }

  close(): void {
    const req = this.request;
    this.request = null;
    this.el.hidden = true;
    req?.onClose?.();
  }

  private async save(): Promise<void> {
    const req = this.request;
    const text = this.area.value.trim();
    if (!req || this.busy) return;
    if (!text) {
      this.error.textContent = 'Write something first, or press Esc to cancel.';
      return;
    }
    await this.run(() => req.save(text));
  }

  private async remove(): Promise<void> {
    const req = this.request;
    if (!req?.remove || this.busy) return;
    if (!window.confirm('Delete this comment?')) return;
    const remove = req.remove;
    await this.run(() => remove());
  }

  private async run(fn: () => Promise<void>): Promise<void> {
    this.busy = true;
    this.saveButton.disabled = true;
    this.error.textContent = '';
    try {
      await fn();
      this.close();
    } catch (err) {
      const { message, hint } = describeError(err);
      this.error.textContent = hint ? `${message} ${hint}` : message;
    } finally {
      this.busy = false;
      this.saveButton.disabled = false;
    }
  }
}
