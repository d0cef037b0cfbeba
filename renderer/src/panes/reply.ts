// The Reply pane: compose the reply to the current patch (or cover letter) from the comments, with trailers
// and the walk's evidence; edit it as a draft with a live preview of the exact email; export; send with a
// confirmation that shows the command and the recipients.
import type { DraftView, ReplyAddress, ReviewEvidence, SendConfig, SendPreview, TrailerKind } from '../../../workspaces/host/api.js';
import { h, replace } from '../dom.js';
import { createEditor, type Editor } from '../editor.js';
import { MAIL_LANGUAGE } from '../languages.js';
import type { Session } from '../session.js';
import { PaneNotice, actionButton, describeError } from '../ui/errors.js';
import { evidenceFromWalk } from '../walk-view.js';

const TRAILERS: [TrailerKind, string][] = [
  ['reviewed-by', 'Reviewed-by'],
  ['tested-by', 'Tested-by'],
  ['acked-by', 'Acked-by'],
];

function formatAddresses(list: ReplyAddress[]): string {
  return list.map((a) => (a.name && a.email ? `${a.name} <${a.email}>` : a.email || a.name)).join(', ');
}

function parseAddresses(text: string): ReplyAddress[] {
  return text
    .split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/)
    .map((t) => t.trim())
    .filter(Boolean)
    .map((t) => {
      const m = /^(.*?)\s*<([^>]+)>$/.exec(t);
      return m ? { name: m[1].replace(/^"|"$/g, ''), email: m[2] } : { name: '', email: t };
    });
}

export class ReplyPane {
  readonly el = h('section.reply-pane', { 'aria-label': 'Reply', 'data-testid': 'reply-pane' });
  private readonly head = h('header.pane-head');
  private readonly notice = new PaneNotice();
  private readonly options = h('div.reply-options');
  private readonly info = h('div.reply-info');
  private readonly fields = h('div.reply-fields', { hidden: true });
  private readonly subject = h('input.field', { type: 'text', 'aria-label': 'Subject', spellcheck: 'false', 'data-testid': 'draft-subject' });
  private readonly to = h('input.field', { type: 'text', 'aria-label': 'To', spellcheck: 'false', 'data-testid': 'draft-to' });
  private readonly cc = h('input.field', { type: 'text', 'aria-label': 'Cc', spellcheck: 'false', 'data-testid': 'draft-cc' });
  private readonly body = h('textarea.draft-body', { spellcheck: 'true', 'aria-label': 'Reply text', 'data-testid': 'draft-body' });
  private readonly previewHost = h('div.reply-preview', { 'data-testid': 'reply-preview', 'data-readonly': 'true' });
  private readonly actionsBar = h('div.reply-actions');
  private readonly sendBox = h('div.send-box', { hidden: true, 'data-testid': 'send-box' });
  private preview: Editor | null = null;
  private draft: DraftView | null = null;
  private trailers = new Set<TrailerKind>();
  private withEvidence = false;
  private visible = false;
  private dirty = true;
  private ticket = 0;
  private saveTimer: ReturnType<typeof setTimeout> | null = null;
  private saving: Promise<void> = Promise.resolve();
  private targetKey = '';

  constructor(private readonly session: Session) {
    const left = h('div.reply-left', null, this.options, this.info, this.fields, this.actionsBar, this.sendBox);
    replace(
      this.fields,
      h('label', null, h('span', null, 'Subject'), this.subject),
      h('label', null, h('span', null, 'To'), this.to),
      h('label', null, h('span', null, 'Cc'), this.cc),
      this.body,
    );
    this.el.append(this.head, this.notice.el, h('div.reply-columns', null, left, this.previewHost));
    for (const el of [this.subject, this.to, this.cc, this.body]) el.addEventListener('input', () => this.scheduleSave());
    this.body.addEventListener('keydown', (ev) => {
      if (ev.key === 'Escape') this.body.blur();
    });
    session.on('position', () => this.invalidate());
    session.on('annotations', () => this.invalidate());
    session.on('walk', () => this.invalidate());
  }

  setVisible(v: boolean): void {
    this.visible = v;
    if (v && !this.preview) this.preview = createEditor(this.previewHost, '', MAIL_LANGUAGE, { lineNumbers: 'off', glyphMargin: false, folding: false });
    if (v && this.dirty) void this.render();
  }

  focusBody(): void {
    if (!this.fields.hidden) this.body.focus();
  }

  private invalidate(): void {
    this.dirty = true;
    if (this.visible) void this.render();
  }

  private target(): { kind: 'patch'; patch: number } | { kind: 'cover' } | null {
    const pos = this.session.current();
    if (pos.missing) return null;
    return pos.index === 0 ? { kind: 'cover' } : { kind: 'patch', patch: pos.index };
  }

  private evidence(): ReviewEvidence | undefined {
    const walk = this.session.walk;
    if (!this.withEvidence || !walk) return undefined;
    return evidenceFromWalk(walk, `walk-${walk.startedAt}`);
  }

  private async render(): Promise<void> {
    this.dirty = false;
    const s = this.session;
    const target = this.target();
    const key = `${s.series.key}#${JSON.stringify(target)}`;
    if (key !== this.targetKey) {
      this.targetKey = key;
      this.draft = null;
      this.closeSend();
    }
    this.renderOptions();
    if (!target) {
      replace(this.head, h('h2', null, 'Nothing to reply to'));
      this.notice.show('This patch is missing from the mail, so there is no message to answer.', 'Move to another patch (j/k).');
      return;
    }
    const what = target.kind === 'cover' ? 'the cover letter' : `patch ${target.patch}`;
    replace(this.head, h('h2', null, `Reply to ${what}`), h('span.muted', null, this.draft ? `draft ${this.draft.id.slice(0, 8)} · revision ${this.draft.revision}${this.draft.edited ? ' · edited by hand' : ''}` : 'preview: composed from your comments'));
    if (!this.draft) {
      const existing = await this.findDraft(target);
      if (existing) {
        this.showDraft(existing);
        return;
      }
      await this.compose(target);
    } else this.showDraft(this.draft);
  }

  private async findDraft(target: { kind: 'patch'; patch: number } | { kind: 'cover' }): Promise<DraftView | null> {
    const s = this.session;
    try {
      const drafts = await s.client.call('review.drafts.list', { workspace: s.workspace.id });
      const mine = drafts
        .filter((d) => !d.sent && d.target.version === s.series.version && (target.kind === 'cover' ? d.target.kind === 'cover' : d.target.kind === 'patch' && d.target.patch === target.patch))
        .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))[0];
      return mine ? await s.client.call('review.drafts.get', { workspace: s.workspace.id, id: mine.id }) : null;
    } catch {
      return null;
    }
  }

  private async compose(target: { kind: 'patch'; patch: number } | { kind: 'cover' }): Promise<void> {
    const s = this.session;
    const ticket = ++this.ticket;
    this.notice.clear();
    try {
      const p = await s.client.call('review.drafts.compose', {
        workspace: s.workspace.id,
        version: s.series.version,
        target,
        trailers: [...this.trailers],
        evidence: this.evidence(),
      });
      if (ticket !== this.ticket) return;
      this.fields.hidden = true;
      this.setPreview(p.message);
      replace(
        this.info,
        h('div', null, `${p.placed.length} comment${p.placed.length === 1 ? '' : 's'} placed under the lines they are about.`),
        ...p.unplaced.map((u) => h('div.warn', null, `not placed: ${u.reason}`)),
        ...p.warnings.map((w) => h('div.warn', null, w)),
        p.placed.length === 0 ? h('div.muted', null, 'Comment on lines of the patch first (c in the Patch pane); the reply quotes them with your words under each.') : null,
      );
      replace(this.actionsBar, h('button.primary', { type: 'button', 'data-testid': 'create-draft', onclick: () => void this.createDraft(target), title: 'Store it as a draft you can edit (Ctrl-S)' }, 'Create draft'));
    } catch (err) {
      if (ticket === this.ticket) this.notice.error(err);
    }
  }

  /** Ctrl-S in the pane: make the draft (or save it now). */
  async saveOrCreate(): Promise<void> {
    const target = this.target();
    if (!target) return;
    if (this.draft) await this.saveNow();
    else await this.createDraft(target);
  }

  private async createDraft(target: { kind: 'patch'; patch: number } | { kind: 'cover' }): Promise<void> {
    const s = this.session;
    try {
      const d = await s.client.call('review.drafts.create', {
        workspace: s.workspace.id,
        version: s.series.version,
        target,
        trailers: [...this.trailers],
        evidence: this.evidence(),
      });
      this.showDraft(d);
      this.body.focus();
    } catch (err) {
      this.notice.error(err);
    }
  }

  private showDraft(d: DraftView): void {
    this.draft = d;
    this.notice.clear();
    this.fields.hidden = false;
    if (document.activeElement !== this.subject) this.subject.value = d.headers.subject;
    if (document.activeElement !== this.to) this.to.value = formatAddresses(d.headers.to);
    if (document.activeElement !== this.cc) this.cc.value = formatAddresses(d.headers.cc);
    if (document.activeElement !== this.body) this.body.value = d.body;
    this.setPreview(d.message);
    replace(
      this.info,
      h('div', null, `Draft saved in the workspace · ${d.placed.length} comment${d.placed.length === 1 ? '' : 's'} placed`),
      ...d.warnings.map((w) => h('div.warn', null, w)),
      d.sent ? h('div.ok', null, `sent ${d.sent.at} (exit ${d.sent.exitCode})`) : null,
    );
    replace(
      this.actionsBar,
      actionButton('Export .eml', () => void this.exportDraft('eml')),
      actionButton('Export mbox', () => void this.exportDraft('mbox')),
      h('button.primary', { type: 'button', 'data-testid': 'send', onclick: () => void this.startSend() }, 'Send…'),
      actionButton('Discard draft', () => void this.discard()),
      h('span.muted.save-state', { 'data-testid': 'save-state' }, 'saved'),
    );
    replace(this.head.lastElementChild as HTMLElement, `draft ${d.id.slice(0, 8)} · revision ${d.revision}${d.edited ? ' · edited by hand' : ''}`);
  }

  private setPreview(text: string): void {
    if (!this.preview) return;
    const top = this.preview.getScrollTop();
    this.preview.setValue(text);
    this.preview.setScrollTop(top);
    this.previewHost.dataset.text = String(text.length);
  }

  private scheduleSave(): void {
    const state = this.actionsBar.querySelector('.save-state');
    if (state) state.textContent = 'editing…';
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => void this.saveNow(), 350);
  }

  private async saveNow(): Promise<void> {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = null;
    const d = this.draft;
    if (!d) return;
    const s = this.session;
    this.saving = this.saving.then(async () => {
      const cur = this.draft;
      if (!cur) return;
      try {
        const updated = await s.client.call('review.drafts.update', {
          workspace: s.workspace.id,
          id: cur.id,
          revision: cur.revision,
          body: this.body.value,
          subject: this.subject.value,
          to: parseAddresses(this.to.value),
          cc: parseAddresses(this.cc.value),
        });
        this.showDraft(updated);
      } catch (err) {
        this.notice.error(err);
        const state = this.actionsBar.querySelector('.save-state');
        if (state) state.textContent = 'not saved';
      }
    });
    await this.saving;
  }

  private async exportDraft(format: 'eml' | 'mbox'): Promise<void> {
    const d = this.draft;
    if (!d) return;
    await this.saveNow();
    try {
      const r = await this.session.client.call('review.drafts.export', { workspace: this.session.workspace.id, ids: [d.id], format });
      this.notice.show(`Exported to ${r.file} (${r.bytes} bytes).`, format === 'eml' ? 'Open it in your mail client, or send it with git send-email.' : 'Import it into your mail client.');
    } catch (err) {
      this.notice.error(err);
    }
  }

  private async discard(): Promise<void> {
    const d = this.draft;
    if (!d || !window.confirm('Discard this draft? Your comments stay.')) return;
    try {
      await this.session.client.call('review.drafts.remove', { workspace: this.session.workspace.id, id: d.id });
      this.draft = null;
      this.dirty = true;
      void this.render();
    } catch (err) {
      this.notice.error(err);
    }
  }

  private renderOptions(): void {
    const walk = this.session.walk;
    replace(
      this.options,
      ...TRAILERS.map(([kind, label]) => {
        const box = h('input', { type: 'checkbox', 'data-trailer': kind });
        box.checked = this.trailers.has(kind);
        box.addEventListener('change', () => {
          if (box.checked) this.trailers.add(kind);
          else this.trailers.delete(kind);
          if (!this.draft) this.invalidate();
        });
        return h('label.check', { title: this.draft ? 'Applies when the draft is composed again' : '' }, box, ` ${label}`);
      }),
      (() => {
        const box = h('input', { type: 'checkbox', 'data-testid': 'with-evidence' });
        box.checked = this.withEvidence;
        box.disabled = !walk;
        box.addEventListener('change', () => {
          this.withEvidence = box.checked;
          if (!this.draft) this.invalidate();
        });
        return h('label.check', { title: walk ? 'The first bad patch, what failed and how to reproduce it, from the last walk' : 'Walk the series first (w)' }, box, ' Evidence from the walk');
      })(),
      this.draft ? actionButton('Compose again', () => void this.recompose(), 'A new draft from the comments and the options above') : null,
    );
  }

  private async recompose(): Promise<void> {
    const target = this.target();
    if (target) await this.createDraft(target);
  }

  // ---- sending ----

  private closeSend(): void {
    this.sendBox.hidden = true;
    replace(this.sendBox);
  }

  private async startSend(): Promise<void> {
    const s = this.session;
    await this.saveNow();
    let config: SendConfig | null;
    try {
      config = (await s.client.call('review.send.getConfig', {})).config;
    } catch (err) {
      this.notice.error(err);
      return;
    }
    this.sendBox.hidden = false;
    if (!config) {
      this.configForm();
      return;
    }
    await this.previewSend();
  }

  private configForm(): void {
    const method = h('select', { 'aria-label': 'How to send' }, h('option', { value: 'git-send-email' }, 'git send-email (your sendemail.* settings)'), h('option', { value: 'sendmail' }, 'a sendmail-compatible program'));
    const path = h('input.field', { type: 'text', placeholder: '/usr/sbin/sendmail', 'aria-label': 'Program path', spellcheck: 'false' });
    const save = actionButton('Save and preview', () => {
      const config: SendConfig = method.value === 'sendmail' ? { method: 'sendmail', path: path.value.trim() } : { method: 'git-send-email' };
      void this.session.client
        .call('review.send.setConfig', { config })
        .then(() => this.previewSend())
        .catch((err) => this.notice.error(err));
    });
    replace(this.sendBox, h('h3', null, 'How do you send mail?'), h('p.muted', null, 'Entrybench runs only the command you choose, and only after you confirm it.'), method, path, h('div', null, save, actionButton('Cancel', () => this.closeSend())));
  }

  private async previewSend(): Promise<void> {
    const d = this.draft;
    if (!d) return;
    let p: SendPreview;
    try {
      p = await this.session.client.call('review.send.preview', { workspace: this.session.workspace.id, id: d.id });
    } catch (err) {
      this.notice.error(err);
      this.closeSend();
      return;
    }
    const confirm = h('button.danger', { type: 'button', 'data-testid': 'confirm-send' }, 'Send it');
    confirm.addEventListener('click', () => void this.confirmSend(p, confirm));
    replace(
      this.sendBox,
      h('h3', null, 'Send this reply?'),
      h('dl.send-facts', null, h('dt', null, 'Command'), h('dd', null, h('code', null, p.commandLine)), h('dt', null, 'From'), h('dd', null, p.from), h('dt', null, 'To'), h('dd', null, p.to.join(', ')), h('dt', null, 'Cc'), h('dd', null, p.cc.join(', ') || '—'), h('dt', null, 'Envelope'), h('dd', null, p.recipients.join(', ')), h('dt', null, 'Subject'), h('dd', null, p.subject)),
      ...p.warnings.map((w) => h('div.warn', null, w)),
      h('div', null, confirm, actionButton('Cancel', () => this.closeSend())),
    );
  }

  private async confirmSend(p: SendPreview, button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    try {
      const r = await this.session.client.call('review.send.confirm', { token: p.token });
      replace(this.sendBox, h('h3', null, r.exitCode === 0 ? 'Sent.' : `The command exited with ${r.exitCode}.`), h('pre.send-output', null, r.output));
      this.showDraft({ ...this.draft!, ...r.draft });
    } catch (err) {
      const d = describeError(err);
      replace(this.sendBox, h('div.bad', null, d.message), h('div.notice-hint', null, d.hint));
    }
  }

  /** For tests: the preview's text. */
  previewText(): string {
    return this.preview?.getValue() ?? '';
  }
}
