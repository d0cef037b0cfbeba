// Errors shown where the user is looking: what happened and what to do next, inside the pane that failed.
import { HostCallError } from '../host-client.js';
import { h, replace } from '../dom.js';

export interface Described {
  message: string;
  hint: string;
  kind: string;
}

export function describeError(err: unknown): Described {
  if (err instanceof HostCallError) {
    if (err.code === -32601) {
      return { message: err.message, hint: 'This host does not offer it yet: update Entrybench, or use the CLI meanwhile.', kind: 'MethodNotFound' };
    }
    if (err.code === -32800) return { message: 'Cancelled.', hint: '', kind: 'Cancelled' };
    return { message: err.message, hint: err.hint, kind: err.kind };
  }
  return { message: err instanceof Error ? err.message : String(err), hint: '', kind: 'Error' };
}

export function isCancelled(err: unknown): boolean {
  return describeError(err).kind === 'Cancelled';
}

/** A notice box inside a pane: error (red) or info, with optional action buttons. */
export class PaneNotice {
  readonly el = h('div.pane-notice', { role: 'alert', hidden: true, 'data-testid': 'pane-notice' });

  error(err: unknown, actions: HTMLElement[] = []): void {
    const d = describeError(err);
    this.show(d.message, d.hint, actions, 'error');
  }

  show(message: string, hint = '', actions: HTMLElement[] = [], tone: 'error' | 'info' = 'info'): void {
    this.el.className = `pane-notice ${tone}`;
    replace(
      this.el,
      h('div.notice-text', null, message),
      hint ? h('div.notice-hint', null, hint) : null,
      actions.length ? h('div.notice-actions', null, ...actions) : null,
    );
    this.el.hidden = false;
  }

  clear(): void {
    this.el.hidden = true;
    replace(this.el);
  }
}

export function actionButton(label: string, run: () => void, title = ''): HTMLButtonElement {
  return h('button', { type: 'button', onclick: run, title }, label);
}
