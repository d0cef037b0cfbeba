// The "?" overlay: every shortcut, grouped, generated from the live keymap so it cannot go stale.
import { h } from '../dom.js';
import type { Keymap } from '../keys.js';

export function showHelp(keymap: Keymap, onClose: () => void): HTMLElement {
  const groups = new Map<string, { key: string; description: string }[]>();
  for (const b of keymap.all()) {
    const list = groups.get(b.group) ?? [];
    list.push({ key: b.key, description: b.description });
    groups.set(b.group, list);
  }
  const close = h('button.overlay-close', { type: 'button', onclick: onClose, 'aria-label': 'Close' }, 'Esc');
  return h(
    'div.overlay',
    { role: 'dialog', 'aria-label': 'Keyboard shortcuts', 'data-testid': 'help' },
    h(
      'div.overlay-box',
      null,
      h('div.overlay-head', null, h('h2', null, 'Keyboard shortcuts'), close),
      h(
        'div.help-groups',
        null,
        ...[...groups].map(([group, list]) =>
          h(
            'section.help-group',
            null,
            h('h3', null, group),
            h('dl', null, ...list.flatMap((k) => [h('dt', null, h('kbd', null, k.key.replace('C-', 'Ctrl-'))), h('dd', null, k.description)])),
          ),
        ),
      ),
    ),
  );
}
