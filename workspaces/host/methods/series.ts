// RPC methods of the series domain: open mail (paths or pasted text), read messages and patches of a load.
import { randomUUID } from 'node:crypto';
import type { Host } from '../host.js';
import type {
  MessageDetail,
  OpenSeriesResult,
  PatchDetail,
  ReplySummary,
  SeriesSummary,
  ThreadNodeSummary,
} from '../api.js';
import * as s from '../schema.js';
import { NotFound } from '../../errors.js';
import {
  loadMail,
  renderPatchForGitAm,
  whereOf,
  type Address,
  type MailInput,
  type MailLoad,
  type ReplyRef,
  type Series,
  type ThreadNode,
} from '../../series/index.js';

/** "Name <email>", or whichever of the two there is. */
export function formatAddress(a: Address | null): string {
  if (!a) return '';
  if (a.name && a.email) return `${a.name} <${a.email}>`;
  return a.name || a.email;
}

function iso(d: Date | null): string | null {
  return d ? d.toISOString() : null;
}

function replySummary(r: ReplyRef): ReplySummary {
  return { message: r.message, messageId: r.messageId, from: formatAddress(r.from), subject: r.subject, date: iso(r.date), depth: r.depth };
}

function nodeSummary(n: ThreadNode): ThreadNodeSummary {
  return { message: n.message, messageId: n.messageId, subject: n.subject, children: n.children.map(nodeSummary) };
}

export function seriesSummary(x: Series): SeriesSummary {
  return {
    title: x.title,
    version: x.version,
    rfc: x.rfc,
    total: x.total,
    cover: x.cover
      ? { subject: x.cover.subject.raw, message: x.cover.message, messageId: x.cover.messageId, replies: x.cover.replies.map(replySummary) }
      : null,
    missing: x.missing,
    parts: x.parts.map((p) => ({
      index: p.index,
      subject: p.subject.raw,
      author: formatAddress(p.author),
      messageId: p.messageId,
      damaged: p.damaged.length > 0,
      replies: p.replies.length,
      trailers: p.trailers.map((t) => ({
        name: t.name, value: t.value, from: t.from, source: t.source, senderMatches: t.senderMatches, carriedFromVersion: t.carriedFromVersion,
      })),
      message: p.message,
      cleanSubject: p.subject.cleaned,
      authorAddress: { name: p.author.name, email: p.author.email },
      date: iso(p.date),
      version: p.version,
      damageReasons: p.damaged,
      diffstat: { files: p.diffstat.files, insertions: p.diffstat.insertions, deletions: p.diffstat.deletions },
      replyList: p.replies.map(replySummary),
    })),
    key: x.key,
    versionText: x.versionText,
    resend: x.resend,
    treeTag: x.treeTag,
    latest: x.latest,
    versions: x.versions,
    otherVersions: x.otherVersions,
    baseCommit: x.baseCommit,
    prerequisitePatchIds: x.prerequisitePatchIds,
    partialReroll: x.partialReroll,
    thread: x.thread,
  };
}

/** The wire form of a load: what `series.open` and `entrybench open --json` return. */
export function openSeriesResult(load: MailLoad, loadId: string): OpenSeriesResult {
  return {
    messages: load.messages.length,
    duplicates: load.duplicates.length,
    threads: load.threads.length,
    series: load.series.map(seriesSummary),
    diagnostics: load.diagnostics,
    loadId,
    messageList: load.messages.map((m) => ({
      index: m.index,
      messageId: m.messageId,
      from: formatAddress(m.from),
      subject: m.subject,
      date: iso(m.date),
      inReplyTo: m.inReplyTo,
      synthetic: m.synthetic,
      source: whereOf(m),
    })),
    threadTrees: load.threads.map((t) => nodeSummary(t.root)),
    sources: load.sources,
  };
}

/** Loads kept for follow-up calls; the oldest goes when there are too many. */
class LoadStore {
  private readonly loads = new Map<string, MailLoad>();
  constructor(private readonly capacity: number) {}
  add(load: MailLoad): string {
    const id = randomUUID();
    this.loads.set(id, load);
    while (this.loads.size > this.capacity) this.loads.delete(this.loads.keys().next().value as string);
    return id;
  }
  get(id: string): MailLoad {
    const load = this.loads.get(id);
    if (!load) throw new NotFound(`No opened mail with id ${id}.`, 'Open the mail again; the host keeps only the last few.');
    return load;
  }
}

export function registerSeriesMethods(host: Host): void {
  const d = host.dispatcher;
  const store = new LoadStore(8);
  const open = async (inputs: MailInput[], signal: AbortSignal, progress: (m: string, done: number, total: number) => void) => {
    const load = await loadMail(inputs, { signal, onProgress: (p) => progress(`reading ${p.file}`, p.bytesRead, p.bytesTotal) });
    host.log.info('series', `opened ${load.messages.length} messages, ${load.series.length} series`);
    return openSeriesResult(load, store.add(load));
  };

  d.register(
    'series.open',
    s.object({ paths: s.array(s.string({ minLength: 1, maxLength: 4096 }), { minItems: 1, maxItems: 1000 }) }),
    ({ paths }, ctx) => open(paths, ctx.signal, (message, done, total) => ctx.progress({ phase: 'read', message, done, total })),
  );

  d.register(
    'series.openText',
    s.object({ text: s.string({ minLength: 1, maxLength: 64 * 1024 * 1024 }), name: s.optional(s.string({ maxLength: 200 })) }),
    ({ text, name }, ctx) => open([{ text, name: name ?? '<pasted text>' }], ctx.signal, (message, done, total) => ctx.progress({ phase: 'read', message, done, total })),
  );

  d.register('series.message', s.object({ loadId: s.string({ maxLength: 100 }), message: s.integer({ min: 0 }) }), ({ loadId, message }) => {
    const load = store.get(loadId);
    const m = load.messages[message];
    if (!m) throw new NotFound(`There is no message ${message} in this mail.`, `Pick one of 0..${load.messages.length - 1}.`);
    const detail: MessageDetail = {
      index: m.index,
      headers: m.headers.map((h) => ({ name: h.name, value: h.value })),
      body: m.body,
      parts: m.parts.map((p) => ({ contentType: p.contentType, filename: p.filename, charset: p.charset, size: p.bytes.length, isPatch: p.isPatch })),
      synthetic: m.synthetic,
      rawSize: m.raw.length,
    };
    return detail;
  });

  d.register(
    'series.patch',
    s.object({ loadId: s.string({ maxLength: 100 }), series: s.string({ maxLength: 2000 }), index: s.integer({ min: 1 }) }),
    ({ loadId, series, index }) => {
      const load = store.get(loadId);
      const x = load.series.find((c) => c.key === series);
      if (!x) throw new NotFound(`There is no series "${series}" in this mail.`, 'Use a key from the series list of series.open.');
      const p = x.parts.find((c) => c.index === index);
      if (!p) {
        throw new NotFound(
          `Patch ${index} of "${x.title}" is not in this mail.`,
          x.missing.includes(index) ? 'It is missing from the input: open a mailbox that holds the whole series.' : `Pick one of ${x.parts.map((c) => c.index).join(', ')}.`,
        );
      }
      const msg = load.messages[p.message];
      const rendered = p.damaged.length || msg.synthetic ? null : renderPatchForGitAm(msg, p);
      const detail: PatchDetail = {
        series: x.key,
        index: p.index,
        commitMessage: p.commitMessage,
        notes: p.notes,
        diffText: p.diffText,
        files: p.diff.files.map((f) => ({
          oldPath: f.oldPath, newPath: f.newPath, status: f.status, binary: f.binary, additions: f.additions, deletions: f.deletions, index: f.index,
        })),
        damageReasons: p.damaged,
        mbox: rendered ? rendered.bytes.toString('utf8') : null,
        keepCr: rendered?.keepCr ?? false,
      };
      return detail;
    },
  );
}
