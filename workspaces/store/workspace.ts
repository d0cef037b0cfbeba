// Review workspaces on disk: the original mail bytes (never modified), a metadata file written
// atomically, and one directory per kind of derived or user data.
//
//   <data>/workspaces/<id>/
//     workspace.json   metadata (atomic writes)
//     mail/            the input files, byte for byte
//     annotations/     the reviewer's comments (user data)
//     drafts/          reply drafts (user data)
//     results/         walk/check results (derived, rebuildable)
//     logs/            guest consoles, build logs (derived)
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { BadRequest, NotFound } from '../errors.js';
import { writeJsonAtomic } from './atomic.js';
import { KeyedMutex } from './mutex.js';

export const WORKSPACE_FORMAT = 1;

export interface MailSource {
  /** File name inside mail/. */
  stored: string;
  /** Where it came from (a path on this machine, "stdin", or an upload name). */
  origin: string;
  bytes: number;
  sha256: string;
  /** A directory input (maildir, format-patch folder) is stored as a directory. */
  kind: 'file' | 'directory';
}

export interface WorkspaceMeta {
  format: number;
  id: string;
  title: string;
  createdAt: string;
  updatedAt: string;
  sources: MailSource[];
  /** Free-form sections owned by the engine's services (tree, walk, review ...). */
  sections: Record<string, unknown>;
}

export type SourceInput = { path: string } | { name: string; bytes: Uint8Array };

const mutex = new KeyedMutex();
/** One Workspace object per directory in this process, whichever store instance opened it. */
const opened = new Map<string, Workspace>();

function slugify(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/\[[^\]]*\]/g, ' ')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 48) || 'review'
  );
}

/** A plain file name for something that came with any name (an upload, pasted text): no directories, no leading dots. */
export function safeFileName(name: string, fallback: string): string {
  const base = path.basename(name).replace(/[^A-Za-z0-9._+-]/g, '_').replace(/^\.+/, '');
  return base.slice(0, 120) || fallback;
}

/**
 * The digest workspaces record for their mail files (compare against MailSource.sha256 with this). Read in
 * chunks: a whole-archive mbox can be larger than the 2 GiB a single read may return.
 */
export function sha256File(file: string): string {
  const h = crypto.createHash('sha256');
  const buf = Buffer.allocUnsafe(1 << 20);
  const fd = fs.openSync(file, 'r');
  try {
    for (let n = fs.readSync(fd, buf); n > 0; n = fs.readSync(fd, buf)) h.update(buf.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  return h.digest('hex');
}

function copyInto(src: string, dest: string): { bytes: number; sha256: string; kind: 'file' | 'directory' } {
  const st = fs.statSync(src);
  if (st.isDirectory()) {
    fs.cpSync(src, dest, { recursive: true, dereference: true, errorOnExist: true });
    let bytes = 0;
    const h = crypto.createHash('sha256');
    const walk = (d: string) => {
      for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.isFile()) {
          const data = fs.readFileSync(p);
          bytes += data.length;
          h.update(path.relative(dest, p)).update(data);
        }
      }
    };
    walk(dest);
    return { bytes, sha256: h.digest('hex'), kind: 'directory' };
  }
  fs.copyFileSync(src, dest, fs.constants.COPYFILE_EXCL);
  fs.chmodSync(dest, 0o444);
  return { bytes: st.size, sha256: sha256File(dest), kind: 'file' };
}

/** Identity of one version of workspace.json: every atomic write makes a new inode and mtime. */
function fileStamp(file: string): string | null {
  try {
    const st = fs.statSync(file, { bigint: true });
    return `${st.ino}:${st.mtimeNs}:${st.size}`;
  } catch {
    return null;
  }
}

/** copyInto, with what went wrong said as a user error (an unreadable file, a pipe inside a folder). */
function copyOrExplain(src: string, dest: string): ReturnType<typeof copyInto> {
  try {
    return copyInto(src, dest);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (typeof code !== 'string') throw err;
    throw new BadRequest(
      `Cannot copy ${src} into the workspace: ${err instanceof Error ? err.message : String(err)}.`,
      'Open only mail files and folders of them; pipes, sockets and files you may not read cannot be stored.',
    );
  }
}

export class Workspace {
  private stamp: string | null;

  constructor(
    readonly dir: string,
    private metaCache: WorkspaceMeta,
  ) {
    this.stamp = fileStamp(this.metaFile);
  }

  private get metaFile(): string {
    return path.join(this.dir, 'workspace.json');
  }

  get id(): string {
    return this.metaCache.id;
  }

  /** The metadata as it is on disk now: another process (the CLI beside a running host) may have written it. */
  get meta(): WorkspaceMeta {
    this.refresh();
    return this.metaCache;
  }

  path(...parts: string[]): string {
    return path.join(this.dir, ...parts);
  }

  mailPaths(): string[] {
    return this.metaCache.sources.map((s) => this.path('mail', s.stored));
  }

  /** Run an operation with exclusive access to this workspace (serializes apply, walk, edits). */
  exclusive<T>(fn: () => Promise<T> | T): Promise<T> {
    return mutex.run(this.dir, fn);
  }

  section<T>(name: string): T | undefined {
    return this.meta.sections[name] as T | undefined;
  }

  /**
   * Replace one section of the metadata, atomically on disk, and nothing else: the other sections are
   * taken from the file as it is now, not from this object's copy. Synchronous, so two writers in this
   * process cannot interleave; callable from inside exclusive().
   */
  setSection(name: string, value: unknown): void {
    const current = this.fromDisk();
    this.writeMeta({ ...current, sections: { ...current.sections, [name]: value } });
  }

  setTitle(title: string): void {
    this.writeMeta({ ...this.fromDisk(), title });
  }

  /** Re-read the file when it changed since this object last read or wrote it. */
  private refresh(): void {
    const stamp = fileStamp(this.metaFile);
    if (stamp === null || stamp === this.stamp) return;
    const meta = readMetaFile(this.metaFile);
    // An unreadable file (a hand edit gone wrong) leaves the last good copy in use.
    if (meta) this.metaCache = meta;
    this.stamp = stamp;
  }

  private fromDisk(): WorkspaceMeta {
    return readMetaFile(this.metaFile) ?? this.metaCache;
  }

  private writeMeta(next: WorkspaceMeta): void {
    const meta = { ...next, updatedAt: new Date().toISOString() };
    writeJsonAtomic(this.metaFile, meta);
    this.metaCache = meta;
    this.stamp = fileStamp(this.metaFile);
  }
}

function readMetaFile(file: string): WorkspaceMeta | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as WorkspaceMeta;
  } catch {
    return null;
  }
}

export class WorkspaceStore {
  readonly root: string;

  constructor(dataDir: string) {
    this.root = path.resolve(dataDir, 'workspaces');
    fs.mkdirSync(this.root, { recursive: true });
  }

  /** Create a workspace holding copies of the input mail. Inputs are read, never modified. */
  create(inputs: SourceInput[], title?: string): Workspace {
    if (inputs.length === 0) throw new BadRequest('No mail to open.', 'Give at least one mbox, .eml, maildir or format-patch folder.');
    for (const input of inputs) {
      if (!('path' in input)) continue;
      let st: fs.Stats;
      try {
        st = fs.statSync(input.path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
          throw new NotFound(`No such file or directory: ${input.path}`, 'Check the path; it is read on the machine running the host.');
        }
        throw new BadRequest(`Cannot read ${input.path} (${(err as NodeJS.ErrnoException).code ?? String(err)}).`, 'Check that you may read it.');
      }
      // Reading a pipe blocks the host until someone writes to it, and a device may never end.
      if (!st.isFile() && !st.isDirectory()) {
        throw new BadRequest(`${input.path} is not a file or a directory.`, 'Open an mbox, .eml, maildir or format-patch folder; pipes, devices and sockets are not stored.');
      }
    }
    const first = 'path' in inputs[0] ? path.basename(inputs[0].path) : inputs[0].name;
    const baseTitle = title ?? first;
    const id = `${slugify(baseTitle)}-${crypto.randomBytes(3).toString('hex')}`;
    const dir = path.join(this.root, id);
    const staging = path.join(this.root, `.${id}.creating`);
    fs.mkdirSync(path.join(staging, 'mail'), { recursive: true });
    try {
      const sources: MailSource[] = [];
      const used = new Set<string>();
      inputs.forEach((input, i) => {
        const name = 'path' in input ? path.basename(path.resolve(input.path)) : input.name;
        let stored = safeFileName(name, `input-${i}`);
        if (used.has(stored)) stored = `${i}-${stored}`;
        used.add(stored);
        const dest = path.join(staging, 'mail', stored);
        if ('path' in input) {
          const info = copyOrExplain(path.resolve(input.path), dest);
          sources.push({ stored, origin: path.resolve(input.path), ...info });
        } else {
          fs.writeFileSync(dest, input.bytes, { flag: 'wx', mode: 0o444 });
          sources.push({
            stored,
            origin: input.name,
            bytes: input.bytes.length,
            sha256: crypto.createHash('sha256').update(input.bytes).digest('hex'),
            kind: 'file',
          });
        }
      });
      for (const sub of ['annotations', 'drafts', 'results', 'logs']) fs.mkdirSync(path.join(staging, sub));
      const now = new Date().toISOString();
      const meta: WorkspaceMeta = { format: WORKSPACE_FORMAT, id, title: baseTitle, createdAt: now, updatedAt: now, sources, sections: {} };
      writeJsonAtomic(path.join(staging, 'workspace.json'), meta);
      // The workspace appears complete or not at all.
      fs.renameSync(staging, dir);
      const ws = new Workspace(dir, meta);
      opened.set(dir, ws);
      return ws;
    } catch (err) {
      fs.rmSync(staging, { recursive: true, force: true });
      throw err;
    }
  }

  /** Open by id, or by the path of a workspace directory. */
  get(idOrDir: string): Workspace {
    const dir = idOrDir.includes(path.sep) ? path.resolve(idOrDir) : path.join(this.root, idOrDir);
    const cached = opened.get(dir);
    if (cached && fs.existsSync(cached.path('workspace.json'))) return cached;
    const metaFile = path.join(dir, 'workspace.json');
    if (!fs.existsSync(metaFile)) {
      throw new NotFound(`No workspace ${idOrDir}.`, 'List workspaces with the workbench, or open the series again.');
    }
    let meta: WorkspaceMeta;
    try {
      meta = JSON.parse(fs.readFileSync(metaFile, 'utf8')) as WorkspaceMeta;
    } catch (err) {
      throw new BadRequest(`The workspace metadata in ${metaFile} is unreadable: ${String(err)}.`, 'Its mail is intact in mail/; open that again to rebuild the workspace.');
    }
    if (meta.format !== WORKSPACE_FORMAT) {
      throw new BadRequest(`Workspace ${idOrDir} has format ${meta.format}; this Entrybench reads ${WORKSPACE_FORMAT}.`, 'Open its mail/ files again to make a new workspace.');
    }
    const ws = new Workspace(dir, meta);
    opened.set(dir, ws);
    return ws;
  }

  list(): WorkspaceMeta[] {
    const out: WorkspaceMeta[] = [];
    for (const name of fs.readdirSync(this.root)) {
      if (name.startsWith('.')) continue;
      try {
        out.push(this.get(name).meta);
      } catch {
        /* a broken workspace is skipped in the listing; get() explains it when opened */
      }
    }
    return out.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
  }

  /** Remove the workspace directory. Services owning outside state (worktrees) clean up first. */
  remove(id: string): void {
    const ws = this.get(id);
    // get() also opens a workspace directory given as a path; removing goes no further than this store's own.
    if (path.dirname(ws.dir) !== this.root) {
      throw new BadRequest(`${ws.dir} is not a workspace of ${this.root}.`, 'Remove it with the Entrybench whose data directory holds it, or by hand.');
    }
    opened.delete(ws.dir);
    const trash = path.join(this.root, `.${path.basename(ws.dir)}.removing`);
    fs.renameSync(ws.dir, trash);
    fs.rmSync(trash, { recursive: true, force: true });
  }
}
