// Crash-safe file writes: temp file, fsync, rename over the target, fsync the directory.
// After a crash the file holds either the old or the new content, never a torn mix.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { ReviewError } from '../errors.js';

/** A file could not be written (a path that does not exist, no permission, a full disk); the old file is unchanged. */
export class WriteFailed extends ReviewError {}

const REASONS: Record<string, string> = {
  ENOENT: 'its directory does not exist',
  ENOTDIR: 'a part of its path is not a directory',
  // From mkdir -p: a file stands where a directory of the path should be.
  EEXIST: 'a part of its path is not a directory',
  EISDIR: 'it is a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
};

function writeFailed(file: string, err: NodeJS.ErrnoException): WriteFailed {
  const code = err.code ?? 'EIO';
  return new WriteFailed(
    `Cannot write ${file}: ${REASONS[code] ?? err.message} (${code}).`,
    code === 'ENOSPC' || code === 'EDQUOT'
      ? 'Free some disk space and try again; the previous version of the file is unchanged.'
      : 'Choose a place that exists and that you can write to; nothing was changed there.',
    { file, code },
  );
}

/** Make a rename or unlink in `dir` durable. */
export function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  try {
    writeThenRename(file, data);
  } catch (err) {
    throw typeof (err as NodeJS.ErrnoException).code === 'string' ? writeFailed(file, err as NodeJS.ErrnoException) : err;
  }
}

function writeThenRename(file: string, data: string | Uint8Array): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`);
  const fd = fs.openSync(tmp, 'wx', 0o600);
  try {
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } catch (err) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  fs.closeSync(fd);
  try {
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  fsyncDir(dir);
}

export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, JSON.stringify(value, null, 2) + '\n');
}

/** Leftover temp files from writes a crash interrupted; safe to delete. */
export function strayTempFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((n) => n.startsWith('.') && n.endsWith('.tmp'))
    .map((n) => path.join(dir, n));
}
