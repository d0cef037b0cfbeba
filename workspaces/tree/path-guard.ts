// Refuses a series that would write outside the tree (../, absolute paths, .git, through a symlink)
// before anything is written: the worktree, the branch and the workspace record come after this check.
import fs from 'node:fs';
import path from 'node:path';
import { PatchPathOutsideTree } from './errors.js';
import { scanDiffHeaders, type DiffFileHeader } from './diff-headers.js';
import { bodyText } from './mbox-message.js';
import type { SeriesToApply } from './types.js';
import { SYMLINK_MODE } from './ls-tree.js';

/** Why a path (prefix already stripped) is not a plain path inside the tree, or null when it is. */
export function unsafePathReason(p: string): string | null {
  if (p === '') return 'is empty';
  if (p.includes('\0')) return 'contains a NUL byte';
  if (p.startsWith('/')) return 'is an absolute path';
  if (p.includes('\\')) return 'contains a backslash';
  const parts = p.split('/');
  if (parts.some((c) => c === '..')) return 'climbs out of the tree with ".."';
  if (parts.some((c) => c === '.' || c === '')) return 'has an empty or "." component';
  // git apply refuses these too; writing into the repository's own files is never a patch's business.
  if (parts.some((c) => c.toLowerCase() === '.git' || /^git~\d+$/i.test(c))) return 'writes into the .git directory';
  return null;
}

/** Why a name as the diff spells it (with its a/ or b/ prefix) is unsafe, or null. */
function unsafeRawName(raw: string): string | null {
  if (raw === '/dev/null') return null;
  if (raw.startsWith('/')) return 'is an absolute path';
  const slash = raw.indexOf('/');
  if (slash < 0) return null;
  return unsafePathReason(raw.slice(slash + 1));
}

/** Every proper ancestor directory of a path: a/b/c -> [a, a/b]. */
export function ancestors(p: string): string[] {
  const parts = p.split('/');
  const out: string[] = [];
  for (let i = 1; i < parts.length; i++) out.push(parts.slice(0, i).join('/'));
  return out;
}

export interface GuardedPatch {
  index: number;
  subject: string;
  headers: DiffFileHeader[];
  /** Every path the patch writes or reads, prefix stripped. */
  paths: string[];
}

/**
 * Check names without looking at any tree: absolute, "..", ".git". Returns each patch's paths for
 * the symlink check. The diff is read from the mail itself as well as from the series assembly's list.
 */
export function checkPatchNames(series: SeriesToApply): GuardedPatch[] {
  return series.patches.map((p) => {
    const text = bodyText(p.mbox);
    const headers = text === null ? [] : scanDiffHeaders(text);
    const paths = new Set<string>(p.paths);
    for (const raw of headers.flatMap((h) => h.rawNames)) {
      const why = unsafeRawName(raw);
      if (why) throw new PatchPathOutsideTree(p.index, p.subject, raw, why);
    }
    for (const h of headers) {
      if (h.oldPath) paths.add(h.oldPath);
      if (h.newPath) paths.add(h.newPath);
    }
    for (const q of paths) {
      const why = unsafePathReason(q);
      if (why) throw new PatchPathOutsideTree(p.index, p.subject, q, why);
    }
    return { index: p.index, subject: p.subject, headers, paths: [...paths] };
  });
}

/** Every ancestor directory of every path in the series: what the symlink check must look up. */
export function ancestorDirs(patches: GuardedPatch[]): string[] {
  return [...new Set(patches.flatMap((p) => p.paths.flatMap(ancestors)))];
}

/**
 * Refuse a path whose parent is a symlink: in the base (`baseSymlinks`) or made by an earlier patch
 * of the series (or earlier in the same patch). git would otherwise write wherever the link points.
 */
export function checkSymlinkAncestors(patches: GuardedPatch[], baseSymlinks: Set<string>): void {
  const links = new Set(baseSymlinks);
  for (const p of patches) {
    for (const h of p.headers) {
      if (h.oldPath && h.newPath === null) links.delete(h.oldPath);
      if (h.newPath) {
        if (h.newMode === SYMLINK_MODE) links.add(h.newPath);
        else if (h.newMode !== null) links.delete(h.newPath);
      }
    }
    for (const q of p.paths) {
      const through = ancestors(q).find((a) => links.has(a));
      if (through) throw new PatchPathOutsideTree(p.index, p.subject, q, `goes through the symbolic link ${through}`);
    }
  }
}

/** Symlinks among these directories of a plain (not yet git) tree on disk. */
export function symlinksOnDisk(tree: string, dirs: string[]): Set<string> {
  const out = new Set<string>();
  for (const d of dirs) {
    try {
      if (fs.lstatSync(path.join(tree, d)).isSymbolicLink()) out.add(d);
    } catch {
      /* not there: the patch creates it */
    }
  }
  return out;
}
