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
  /** Also while the user types (Ctrl-S in the composer, F6 to move on); never for plain letters. */
  global?: boolean;
  /** Left out of the ? overlay (aliases such as ArrowDown for j). */
  hidden?: boolean;
}

function eventKey(ev: KeyboardEvent): string {
  return `${ev.ctrlKey || ev.metaKey ? 'C-' : ''}${ev.altKey ? 'M-' : ''}${ev.key}`;
}

/** Is the user typing text here? Read-only Monaco editors count as reading, not typing. */
function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.closest('.xterm')) return true;
  const monaco = target.closest('.monaco-editor');
  if (monaco) {
    // Monaco's own widgets (find, rename) are real inputs; its text area is typing only when editable.
    const own = target.classList.contains('inputarea') || target.classList.contains('native-edit-context');
    if (!own && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA')) return true;
    return !monaco.closest('[data-readonly="true"]');
  }
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
    return this.bindings.filter((b) => !b.hidden);
  }

  private onKey(ev: KeyboardEvent): void {
    const key = eventKey(ev);
    // Global bindings reach the app while typing; everything else waits until the user is reading.
    const typing = isTyping(ev.target);
    const b = this.bindings.find((x) => x.key === key && (!typing || x.global) && (!x.when || x.when()));
    if (!b) return;
    ev.preventDefault();
    ev.stopPropagation();
    b.run();
  }
}
