// The bottom panel: tabs for terminals (shell, guest consoles) and the host log.
import { h, replace } from '../dom.js';

export interface PanelTab {
  id: string;
  title: string;
  body: HTMLElement;
  onShow?: () => void;
  closable?: boolean;
  onClose?: () => void;
}

export class BottomPanel {
  readonly el: HTMLElement;
  private readonly tabBar = h('div.panel-tabs', { role: 'tablist' });
  private readonly bodies = h('div.panel-bodies');
  private readonly tabs = new Map<string, PanelTab>();
  private active: string | null = null;

  constructor() {
    this.el = h('section.bottom-panel', { 'aria-label': 'Panel' }, this.tabBar, this.bodies);
  }

  add(tab: PanelTab): void {
    this.tabs.set(tab.id, tab);
    tab.body.classList.add('panel-body');
    tab.body.dataset.tab = tab.id;
    tab.body.hidden = this.active !== null;
    this.bodies.append(tab.body);
    this.render();
    if (!this.active) this.show(tab.id);
  }

  remove(id: string): void {
    const tab = this.tabs.get(id);
    if (!tab) return;
    this.tabs.delete(id);
    tab.body.remove();
    if (this.active === id) this.active = null;
    this.render();
    const first = this.tabs.keys().next();
    if (!this.active && !first.done) this.show(first.value);
  }

  show(id: string): void {
    const tab = this.tabs.get(id);
    if (!tab) return;
    this.active = id;
    for (const t of this.tabs.values()) t.body.hidden = t.id !== id;
    this.render();
    tab.onShow?.();
  }

  private render(): void {
    replace(
      this.tabBar,
      ...[...this.tabs.values()].map((t) =>
        h(
          'button.panel-tab',
          {
            role: 'tab',
            'aria-selected': String(t.id === this.active),
            'data-tab': t.id,
            onclick: () => this.show(t.id),
          },
          t.title,
          t.closable
            ? h('span.tab-close', {
                title: 'Close',
                onclick: (ev: Event) => {
                  ev.stopPropagation();
                  t.onClose?.();
                  this.remove(t.id);
                },
              }, '×')
            : null,
        ),
      ),
    );
  }
}
