// Choosing the commit to apply a series on: --base, else the series' base-commit, else the commit
// whose blobs match the patches' `index` preimage hashes in recent history, else HEAD. Says which.
import type { BaseRule } from '../host/api/tree.js';
import { BaseNotFound } from './errors.js';
import { lookupObjects } from './cat-file.js';
import { pathHistory } from './log.js';
import { treeEntries } from './ls-tree.js';
import { resolveCommit } from './rev-parse.js';
import type { SeriesToApply } from './types.js';

export interface BaseChoice {
  commit: string;
  rule: BaseRule;
  reason: string;
}

export interface BaseOptions {
  /** --base REV given by the user. */
  explicit?: string;
  /** How many commits touching the series' files to look back through (default 2000). */
  historyLimit?: number;
  signal?: AbortSignal;
}

const short = (id: string) => id.slice(0, 12);
const ZERO = /^0+$/;

/** What the base must hold at each path the series reads first: a blob id prefix, or nothing (new file). */
export type PreimageConstraints = Map<string, string | null>;

/**
 * The preimage each path must have at the base: the first patch that touches a path names its blob;
 * later patches see the series' own changes, so they say nothing about the base.
 */
export function basePreimages(series: SeriesToApply): PreimageConstraints {
  const out: PreimageConstraints = new Map();
  const touched = new Set<string>();
  for (const p of series.patches) {
    for (const pre of p.preimages) {
      if (touched.has(pre.path) || out.has(pre.path)) continue;
      out.set(pre.path, ZERO.test(pre.blob) ? null : pre.blob.toLowerCase());
    }
    for (const q of p.paths) touched.add(q);
  }
  return out;
}

function matches(state: Map<string, string>, wanted: PreimageConstraints): boolean {
  for (const [p, blob] of wanted) {
    const have = state.get(p);
    if (blob === null ? have !== undefined : !have?.startsWith(blob)) return false;
  }
  return true;
}

/**
 * Walk HEAD's first-parent history backwards through the commits that touched the preimage paths,
 * undoing each one's changes, and return the newest commit at which every preimage matches.
 */
async function findByPreimages(repo: string, head: string, wanted: PreimageConstraints, limit: number, signal?: AbortSignal): Promise<{ commit: string; back: number } | string> {
  const blobs = [...wanted.values()].filter((b): b is string => b !== null);
  if (blobs.length === 0) return 'the patches carry no index lines naming existing files';
  const found = await lookupObjects(repo, blobs, signal);
  const missing = blobs.filter((b) => found.get(b)?.state === 'missing');
  if (missing.length > 0) {
    return `${missing.length} of the ${blobs.length} preimage blobs (${missing.slice(0, 3).join(', ')}${missing.length > 3 ? ', ...' : ''}) are not in this repository`;
  }
  const paths = [...wanted.keys()];
  const state = new Map<string, string>();
  for (const e of await treeEntries(repo, head, paths, signal)) if (paths.includes(e.path) && e.type === 'blob') state.set(e.path, e.object);
  if (matches(state, wanted)) return { commit: head, back: 0 };
  const history = await pathHistory(repo, head, paths, limit, signal);
  for (let i = 0; i < history.length; i++) {
    const c = history[i];
    if (!c.parent) break;
    for (const ch of c.changes) {
      if (ch.oldBlob === null) state.delete(ch.path);
      else state.set(ch.path, ch.oldBlob);
    }
    if (matches(state, wanted)) return { commit: c.parent, back: i + 1 };
  }
  return `no commit among the last ${history.length} changes to those ${paths.length} files on HEAD's first-parent history has all ${blobs.length} preimage blobs`;
}

export async function chooseBase(repo: string, series: SeriesToApply, opts: BaseOptions = {}): Promise<BaseChoice> {
  const { signal } = opts;
  if (opts.explicit !== undefined) {
    const commit = await resolveCommit(repo, opts.explicit, signal);
    if (!commit) throw new BaseNotFound(opts.explicit, repo);
    return { commit, rule: 'option', reason: `--base ${opts.explicit} (${short(commit)}) as asked` };
  }
  const notes: string[] = [];
  if (series.baseCommit) {
    const commit = await resolveCommit(repo, series.baseCommit, signal);
    if (commit) return { commit, rule: 'base-commit', reason: `the series names base-commit ${short(series.baseCommit)}, which exists here` };
    notes.push(`base-commit ${short(series.baseCommit)} named by the series is not in this repository`);
  } else {
    notes.push('the series names no base-commit');
  }
  const head = await resolveCommit(repo, 'HEAD', signal);
  if (!head) throw new BaseNotFound('HEAD', repo);
  const wanted = basePreimages(series);
  const byIndex = await findByPreimages(repo, head, wanted, opts.historyLimit ?? 2000, signal);
  if (typeof byIndex !== 'string') {
    const files = [...wanted.keys()].length;
    const where = byIndex.back === 0 ? 'HEAD' : `${byIndex.back} change${byIndex.back === 1 ? '' : 's'} to those files back from HEAD`;
    return {
      commit: byIndex.commit,
      rule: 'index',
      reason: `${notes.join('; ')}; the index lines of ${files} file${files === 1 ? '' : 's'} match ${short(byIndex.commit)} (${where})`,
    };
  }
  notes.push(byIndex);
  return { commit: head, rule: 'head', reason: `${notes.join('; ')}; so HEAD (${short(head)})` };
}
