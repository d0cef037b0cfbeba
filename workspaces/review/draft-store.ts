// Reply drafts on disk: drafts/<id>.json (the draft, written atomically) and drafts/<id>.eml (its message,
// rewritten atomically after every change so the file on disk always matches the draft).
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { writeFileAtomic, writeJsonAtomic } from '../store/atomic.js';
import { BadRequest, NotFound } from '../errors.js';
import { EditConflict } from './errors.js';
import { renderMessage } from './message.js';
import type { DraftEdit, ReplyDraft, SentRecord } from './types.js';

const FORMAT = 1;
const ID = /^d-[0-9a-z]+-[0-9a-f]{8}$/;

export type DraftInit = Omit<ReplyDraft, 'id' | 'revision' | 'createdAt' | 'updatedAt' | 'edited' | 'sent'>;

function isDraft(v: unknown): v is { format: number; draft: ReplyDraft } {
  if (typeof v !== 'object' || v === null) return false;
  const d = (v as { draft?: Partial<ReplyDraft> }).draft;
  return (v as { format?: unknown }).format === FORMAT && !!d && typeof d.id === 'string' && typeof d.body === 'string' && typeof d.headers === 'object';
}

export class DraftStore {
  constructor(readonly dir: string) {}

  private file(id: string, ext: 'json' | 'eml' | 'outgoing.eml'): string {
    if (!ID.test(id)) throw new BadRequest(`"${id}" is not a draft id.`, 'Use an id from the draft list.');
    return path.join(this.dir, `${id}.${ext}`);
  }

  emlPath(id: string): string {
    return this.file(id, 'eml');
  }

  outgoingPath(id: string): string {
    return this.file(id, 'outgoing.eml');
  }

  list(): ReplyDraft[] {
    if (!fs.existsSync(this.dir)) return [];
    const out: ReplyDraft[] = [];
    for (const name of fs.readdirSync(this.dir)) {
      if (name.startsWith('.') || !name.endsWith('.json')) continue;
      try {
        const v: unknown = JSON.parse(fs.readFileSync(path.join(this.dir, name), 'utf8'));
        if (isDraft(v)) out.push(v.draft);
      } catch {
        /* a damaged draft file is skipped in the list; get() names it */
      }
    }
    return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  get(id: string): ReplyDraft {
    const file = this.file(id, 'json');
    let v: unknown;
    try {
      v = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFound(`There is no draft ${id}.`, 'List the drafts of this workspace to find it.');
      throw new BadRequest(`The draft file ${file} is damaged: ${err instanceof Error ? err.message : String(err)}.`, 'Its message may still be in the .eml next to it.');
    }
    if (!isDraft(v)) throw new BadRequest(`The draft file ${file} is not a draft.`, 'Its message may still be in the .eml next to it.');
    return v.draft;
  }

  create(init: DraftInit, now = new Date()): ReplyDraft {
    const stamp = now.toISOString();
    const draft: ReplyDraft = {
      ...init,
      id: `d-${now.getTime().toString(36)}-${crypto.randomBytes(4).toString('hex')}`,
      revision: 1,
      createdAt: stamp,
      updatedAt: stamp,
      edited: false,
      sent: null,
    };
    this.write(draft);
    return draft;
  }

  /** Apply a hand edit; with `expectedRevision`, refuse when the draft changed meanwhile. */
  edit(id: string, change: DraftEdit, expectedRevision?: number, now = new Date()): ReplyDraft {
    const d = this.get(id);
    if (expectedRevision !== undefined && d.revision !== expectedRevision) {
      throw new EditConflict(`Draft ${id} is at revision ${d.revision}, not ${expectedRevision}.`, 'Reload it, then make your edit again.');
    }
    const headers = { ...d.headers };
    if (change.subject !== undefined) headers.subject = change.subject;
    if (change.to !== undefined) headers.to = change.to;
    if (change.cc !== undefined) headers.cc = change.cc;
    const next: ReplyDraft = {
      ...d,
      headers,
      body: change.body ?? d.body,
      revision: d.revision + 1,
      updatedAt: now.toISOString(),
      edited: true,
    };
    this.write(next);
    return next;
  }

  markSent(id: string, sent: SentRecord, date: string): ReplyDraft {
    const d = this.get(id);
    const next: ReplyDraft = { ...d, headers: { ...d.headers, date }, sent, revision: d.revision + 1, updatedAt: new Date().toISOString() };
    this.write(next);
    return next;
  }

  remove(id: string): void {
    this.get(id);
    for (const ext of ['eml', 'outgoing.eml', 'json'] as const) fs.rmSync(this.file(id, ext), { force: true });
  }

  private write(d: ReplyDraft): void {
    writeJsonAtomic(this.file(d.id, 'json'), { format: FORMAT, draft: d });
    writeFileAtomic(this.file(d.id, 'eml'), renderMessage(d.headers, d.body));
  }
}
