// The log view: host log entries as plain text lines, newest at the bottom.
import type { LogEntry } from '../../../workspaces/host/api.js';
import { h } from '../dom.js';

export class LogPane {
  readonly el = h('div.log-pane', { role: 'log', 'aria-live': 'polite' });
  private lastSeq = 0;

  add(entries: LogEntry[]): void {
    const atBottom = this.el.scrollTop + this.el.clientHeight >= this.el.scrollHeight - 4;
    for (const e of entries) {
      if (e.seq <= this.lastSeq) continue;
      this.lastSeq = e.seq;
      this.el.append(
        h(`div.log-line.log-${e.level}`, null, h('span.log-time', null, e.time.slice(11, 19)), ` ${e.source}: `, e.message),
      );
    }
    while (this.el.childElementCount > 2000) this.el.firstElementChild?.remove();
    if (atBottom) this.el.scrollTop = this.el.scrollHeight;
  }
}
