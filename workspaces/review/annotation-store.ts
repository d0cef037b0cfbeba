// The reviewer's annotations on disk: one file per annotation in the workspace's annotations/ directory.
//
// Why one file each rather than a journal: every add or edit is a single writeFileAtomic (temp file, fsync,
// rename, fsync the directory), so after a crash each file holds a complete old or new version and nothing
// else can be damaged by it; a remove is an unlink followed by an fsync of the directory. A call returns (the
// annotation is "acknowledged") only after that, so an acknowledged change survives a crash of the process.
// Temp files a crash leaves behind start with "." and are ignored (and swept once they are an hour old).
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { fsyncDir, writeJsonAtomic, strayTempFiles } from '../store/atomic.js';
import { BadRequest, NotFound } from '../errors.js';
import { EditConflict } from './errors.js';
import type { Anchor, Annotation } from './types.js';

const FORMAT = 1;
const ID = /^a-[0-9a-z]+-[0-9a-f]{8}$/;
const STALE_TEMP_MS = 60 * 60 * 1000;

interface StoredAnnotation {
  format: number;
  annotation: Annotation;
}

export interface LoadedAnnotations {
  annotations: Annotation[];
  /** Files that could not be read as annotations (kept on disk, never deleted). */
  problems: { file: string; message: string }[];
}

function isAnchor(v: unknown): v is Anchor {
  if (typeof v !== 'object' || v === null) return false;
  const k = (v as { kind?: unknown }).kind;
  return k === 'diff' || k === 'message' || k === 'cover' || k === 'walk';
}

function checkStored(value: unknown): Annotation | string {
  if (typeof value !== 'object' || value === null) return 'not a JSON object';
  const s = value as Partial<StoredAnnotation>;
  if (s.format !== FORMAT) return `format ${String(s.format)}, expected ${FORMAT}`;
  const a = s.annotation as Partial<Annotation> | undefined;
  if (!a || typeof a.id !== 'string' || !ID.test(a.id)) return 'no valid id';
  if (typeof a.revision !== 'number' || a.revision < 1) return 'no valid revision';
  if (typeof a.text !== 'string') return 'no text';
  if (typeof a.createdAt !== 'string' || typeof a.updatedAt !== 'string') return 'no timestamps';
  if (!isAnchor(a.anchor)) return 'no valid anchor';
  return a as Annotation;
}

let lastStamp = 0;

/** "a-<ms, base 36>-<random>": ids of one process increase, so annotations made in the same millisecond keep their order. */
export function newAnnotationId(now = Date.now()): string {
  lastStamp = Math.max(now, lastStamp + 1);
  return `a-${lastStamp.toString(36)}-${crypto.randomBytes(4).toString('hex')}`;
}

export class AnnotationStore {
  constructor(readonly dir: string) {}

  private file(id: string): string {
    if (!ID.test(id)) throw new BadRequest(`"${id}" is not an annotation id.`, 'Use an id from the annotation list.');
    return path.join(this.dir, `${id}.json`);
  }

  /** Every annotation, oldest first. Never throws for a bad file: it is reported and left alone. */
  load(): LoadedAnnotations {
    const out: LoadedAnnotations = { annotations: [], problems: [] };
    if (!fs.existsSync(this.dir)) return out;
    const now = Date.now();
    for (const tmp of strayTempFiles(this.dir)) {
      try {
        if (now - fs.statSync(tmp).mtimeMs > STALE_TEMP_MS) fs.rmSync(tmp, { force: true });
      } catch {
        /* another process swept it first */
      }
    }
    for (const name of fs.readdirSync(this.dir)) {
      if (name.startsWith('.') || !name.endsWith('.json')) continue;
      const file = path.join(this.dir, name);
      let parsed: unknown;
      try {
        parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // removed meanwhile
        out.problems.push({ file, message: `unreadable: ${err instanceof Error ? err.message : String(err)}` });
        continue;
      }
      const a = checkStored(parsed);
      if (typeof a === 'string') out.problems.push({ file, message: a });
      else if (`${a.id}.json` !== name) out.problems.push({ file, message: `holds annotation ${a.id}` });
      else out.annotations.push(a);
    }
    out.annotations.sort((x, y) => x.createdAt.localeCompare(y.createdAt) || x.id.localeCompare(y.id));
    return out;
  }

  get(id: string): Annotation {
    const file = this.file(id);
    let parsed: unknown;
    try {
      parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFound(`There is no annotation ${id}.`, 'It may have been removed; reload the annotation list.');
      throw err;
    }
    const a = checkStored(parsed);
    if (typeof a === 'string') throw new BadRequest(`The annotation file ${file} is damaged (${a}).`, 'Fix or remove that file; the other annotations are unaffected.');
    return a;
  }

  /** Store a new annotation; durable when this returns. */
  add(anchor: Anchor, text: string, now = new Date()): Annotation {
    const stamp = now.toISOString();
    const annotation: Annotation = { id: newAnnotationId(now.getTime()), revision: 1, createdAt: stamp, updatedAt: stamp, text, anchor };
    this.write(annotation);
    return annotation;
  }

  /** Replace the text; with `expectedRevision`, refuse if the stored one is newer (edited elsewhere). */
  update(id: string, text: string, expectedRevision?: number, now = new Date()): Annotation {
    const current = this.get(id);
    if (expectedRevision !== undefined && current.revision !== expectedRevision) {
      throw new EditConflict(
        `Annotation ${id} is at revision ${current.revision}, not ${expectedRevision}: it was changed meanwhile.`,
        'Reload it, then make your edit again.',
      );
    }
    const next: Annotation = { ...current, text, revision: current.revision + 1, updatedAt: now.toISOString() };
    this.write(next);
    return next;
  }

  /** Delete an annotation; durable when this returns. */
  remove(id: string, expectedRevision?: number): void {
    const file = this.file(id);
    if (expectedRevision !== undefined) {
      const current = this.get(id);
      if (current.revision !== expectedRevision) {
        throw new EditConflict(`Annotation ${id} is at revision ${current.revision}, not ${expectedRevision}.`, 'Reload it before removing it.');
      }
    }
    try {
      fs.unlinkSync(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFound(`There is no annotation ${id}.`, 'It may have been removed already.');
      throw err;
    }
    fsyncDir(this.dir);
  }

  private write(a: Annotation): void {
    const stored: StoredAnnotation = { format: FORMAT, annotation: a };
    writeJsonAtomic(this.file(a.id), stored);
  }
}
