// The Thread pane: the replies to the current patch (or cover letter) in thread order, quoted text folded
// so the reviewers' own words stand out; trailers they gave are marked.
import type { MessageDetail, ReplySummary } from '../../../workspaces/host/api.js';
import { h, replace } from '../dom.js';
import type { Session } from '../session.js';
import { PaneNotice } from '../ui/errors.js';

const TRAILER = /^(Reviewed-by|Acked-by|Tested-by|Reported-by|Suggested-by|Nacked-by|Fixes):/;
/** Quote runs longer than this are folded to their last lines. */
const FOLD_OVER = 3;
const KEEP_LAST = 2;

export class ThreadPane {
  readonly el = h('section.thread-pane', { 'aria-label': 'Thread', 'data-testid': 'thread-pane', tabindex: '-1' });
  private readonly head = h('header.pane-head');
  private readonly notice = new PaneNotice();
  private readonly list = h('div.thread-list');
  private ticket = 0;
  private visible = false;
  private dirty = true;

  constructor(private readonly session: Session) {
    this.el.append(this.head, this.notice.el, this.list);
    session.on('position', () => this.invalidate());
    session.on('series', () => this.invalidate());
  }

  setVisible(v: boolean): void {
    this.visible = v;
    if (v && this.dirty) void this.render();
  }

  private invalidate(): void {
    this.dirty = true;
    if (this.visible) void this.render();
  }

  private async render(): Promise<void> {
    this.dirty = false;
    const s = this.session;
    const pos = s.current();
    const ticket = ++this.ticket;
    this.notice.clear();
    let root: { message: number; subject: string } | null = null;
    let replies: ReplySummary[] = [];
    if (pos.index === 0 && s.series.cover) {
      root = { message: s.series.cover.message, subject: s.series.cover.subject };
      replies = s.series.cover.replies;
    } else if (pos.part) {
      root = { message: pos.part.message, subject: pos.part.subject };
      replies = pos.part.replyList;
    }
    replace(this.head, h('h2', null, root ? root.subject : 'No message'), h('span.muted', null, `${replies.length} repl${replies.length === 1 ? 'y' : 'ies'}`));
    if (!root) {
      replace(this.list);
      return;
    }
    if (!replies.length) {
      replace(this.list, h('p.empty', null, 'No replies to this message in the mail that was opened.'), h('p.muted', null, 'Replies sent later are in the thread on lore; open its t.mbox.gz to see them.'));
      return;
    }
    try {
      const bodies = await Promise.all(replies.map((r) => s.message(r.message)));
      if (ticket !== this.ticket) return;
      replace(this.list, ...replies.map((r, i) => this.messageView(r, bodies[i])));
    } catch (err) {
      if (ticket === this.ticket) this.notice.error(err);
    }
  }

  private messageView(r: ReplySummary, m: MessageDetail): HTMLElement {
    const trailers = bodyLines(m.body).filter((l) => TRAILER.test(l));
    return h(
      'article.reply',
      { style: `margin-left:${Math.min(r.depth - 1, 6) * 16}px`, 'data-testid': 'reply', 'data-message': r.message },
      h(
        'header.reply-head',
        null,
        h('span.reply-from', null, r.from),
        h('span.muted', null, r.date ? ` · ${r.date.slice(0, 16).replace('T', ' ')}` : ''),
        m.synthetic ? h('span.warn', { title: 'rebuilt from an archive page' }, ' · from archive text') : null,
        trailers.length ? h('span.reply-trailers', null, ...trailers.map((t) => h('span.trailer-full', null, t))) : null,
      ),
      h('div.reply-subject.muted', null, r.subject),
      foldQuotes(m.body),
    );
  }
}

function bodyLines(body: string): string[] {
  const lines = body.split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** The body with each long run of quoted lines folded to a toggle and its last lines (the ones answered). */
export function foldQuotes(body: string): HTMLElement {
  const out = h('div.reply-body');
  const lines = bodyLines(body);
  // The signature and below add nothing when reading a thread ("--" too: archive pages drop the space).
  const sig = lines.findIndex((l) => l === '-- ' || l === '--');
  const shown = sig >= 0 ? lines.slice(0, sig) : lines;
  let i = 0;
  while (i < shown.length) {
    if (!/^\s*>/.test(shown[i])) {
      let j = i;
      while (j < shown.length && !/^\s*>/.test(shown[j])) j++;
      const text = shown.slice(i, j);
      out.append(h('pre.own', null, text.map((l) => l).join('\n')));
      for (const l of text) if (TRAILER.test(l)) out.lastElementChild?.classList.add('has-trailer');
      i = j;
      continue;
    }
    let j = i;
    while (j < shown.length && /^\s*>/.test(shown[j])) j++;
    const run = shown.slice(i, j);
    if (run.length > FOLD_OVER) {
      const hidden = run.slice(0, run.length - KEEP_LAST);
      const rest = run.slice(run.length - KEEP_LAST);
      const pre = h('pre.quote.folded-text', { hidden: true }, hidden.join('\n'));
      const toggle = h(
        'button.fold',
        {
          type: 'button',
          'aria-expanded': 'false',
          onclick: () => {
            const open = pre.hidden;
            pre.hidden = !open;
            toggle.setAttribute('aria-expanded', String(open));
            toggle.textContent = open ? `− hide ${hidden.length} quoted lines` : `+ ${hidden.length} quoted lines`;
          },
        },
        `+ ${hidden.length} quoted lines`,
      );
      out.append(toggle, pre, h('pre.quote', null, rest.join('\n')));
    } else out.append(h('pre.quote', null, run.join('\n')));
    i = j;
  }
  return out;
}
