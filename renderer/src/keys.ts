// Keyboard first, like mutt or aerc: single-key commands that work wherever the user is reading,
// and stay out of the way where the user is typing (inputs, the composer, a terminal).

export interface Binding {
  /** KeyboardEvent.key, optionally with "C-" for Ctrl: "j", "?", "/", "C-Enter". */
  key: string;
  group: string;
  description: string;
  run: () => void;
  /** Only active when this returns true (e.g. a series is open). */
  when?: () => boolean;
}

function eventKey(ev: KeyboardEvent): string {
  return `${ev.ctrlKey || ev.metaKey ? 'C-' : ''}${ev.altKey ? 'M-' : ''}${ev.key}`;
}

/** Is the user typing text here? Read-only Monaco editors count as reading, not typing. */
function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.closest('.xterm')) return true;
  const monaco = target.closest('.monaco-editor');
  if (monaco) return !monaco.closest('[data-readonly="true"]');
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT';
}

export class Keymap {
  private readonly bindings: Binding[] = [];

  constructor(root: Document = document) {
    root.addEventListener('keydown', (ev) => this.onKey(ev), true);
  }

  bind(b: Binding): void {
    if (this.bindings.some((x) => x.key === b.key && x.when === b.when)) throw new Error(`key ${b.key} bound twice`);
    this.bindings.push(b);
  }

  all(): Binding[] {
    return [...this.bindings];
  }

  private onKey(ev: KeyboardEvent): void {
    const key = eventKey(ev);
    // Escape always reaches the app (closes overlays); everything else waits while the user types.
    if (key !== 'Escape' && isTyping(ev.target)) return;
    const b = this.bindings.find((x) => x.key === key && (!x.when || x.when()));
    if (!b) return;
    ev.preventDefault();
    ev.stopPropagation();
    b.run();
  }
}
