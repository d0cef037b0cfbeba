// From mail files to an applied review: the series assembly (workspaces/series) reads the mail, this
// turns the chosen series into the engine's input, and the workspace keeps the mail byte for byte.
import type { ApplyResult, TreeMethods } from '../host/api/tree.js';
import { BadRequest, NotFound } from '../errors.js';
import { loadMail, renderPatchForGitAm, type MailLoad, type Series, type SeriesPart } from '../series/index.js';
import type { Workspace, WorkspaceStore } from '../store/workspace.js';
import type { PatchToApply, SeriesToApply } from './types.js';
import type { TreeProgress, TreeService } from './service.js';
import { EmptySeries } from './errors.js';

/** One patch of the series model as the apply engine takes it. */
export function patchToApply(load: MailLoad, part: SeriesPart): PatchToApply {
  const msg = load.messages[part.message];
  const damaged = [...part.damaged];
  let mbox: Uint8Array = Buffer.alloc(0);
  let keepCr = false;
  if (msg.synthetic || msg.headers.length === 0) {
    damaged.push('comes from archive page text, not from a mail, so its whitespace cannot be trusted');
  } else {
    const rendered = renderPatchForGitAm(msg, part, { allowDamaged: true });
    mbox = rendered.bytes;
    keepCr = rendered.keepCr;
  }
  const files = part.diff.files;
  return {
    index: part.index,
    subject: part.subject.cleaned,
    messageId: part.messageId,
    mbox,
    keepCr,
    damaged,
    paths: [...new Set(files.flatMap((f) => [f.oldPath, f.newPath]).filter((p): p is string => p !== null))],
    preimages: files
      .filter((f) => f.index !== null && f.oldPath !== null && f.status !== 'added')
      .map((f) => ({ path: f.oldPath as string, blob: (f.index as { old: string }).old })),
  };
}

export function seriesToApply(load: MailLoad, series: Series): SeriesToApply {
  return {
    slug: series.title,
    version: series.version,
    title: series.title,
    baseCommit: series.baseCommit,
    patches: series.parts.map((p) => patchToApply(load, p)),
  };
}

/** The series to apply: the one asked for, or the only one (newest version) in the mail. */
export function pickSeries(load: MailLoad, which?: number): Series {
  const candidates = load.series.filter((s) => s.parts.length > 0);
  if (candidates.length === 0) throw new EmptySeries('The mail');
  if (which !== undefined) {
    const s = load.series[which];
    if (!s) throw new NotFound(`There is no series ${which} in the mail (it holds ${load.series.length}).`, listHint(load));
    return s;
  }
  const latest = candidates.filter((s) => s.latest);
  if (latest.length === 1) return latest[0];
  if (candidates.length === 1) return candidates[0];
  throw new BadRequest(`The mail holds ${latest.length || candidates.length} different series.`, listHint(load));
}

function listHint(load: MailLoad): string {
  const names = load.series.map((s, i) => `${i}: "${s.title}" v${s.version}${s.latest ? '' : ' (older version)'}`);
  return `Choose one with --series N: ${names.join('; ')}.`;
}

/** The host method's arguments (mail as files or a workspace id), plus cancellation and progress. */
export type ApplyMailRequest = TreeMethods['tree.apply']['params'] & {
  signal?: AbortSignal;
  progress?: (p: TreeProgress) => void;
};

/** Read the mail, pick the series and apply it. A workspace made by this call goes again if the apply fails. */
export async function applyMail(service: TreeService, store: WorkspaceStore, req: ApplyMailRequest): Promise<ApplyResult> {
  if ((req.files?.length ?? 0) === 0 && !req.workspace) {
    throw new BadRequest('No mail to apply.', 'Give the series as mbox, .eml, maildir or format-patch files (or the workspace holding them).');
  }
  let created: Workspace | null = null;
  const workspace = req.workspace ? store.get(req.workspace) : (created = store.create((req.files ?? []).map((p) => ({ path: p }))));
  try {
    req.progress?.({ phase: 'check', message: 'reading the mail' });
    const load = await loadMail(workspace.mailPaths(), { signal: req.signal });
    const series = pickSeries(load, req.series);
    if (created && series.title) created.setTitle(`${series.title} v${series.version}`);
    return await service.apply({
      workspace,
      series: seriesToApply(load, series),
      tree: req.tree,
      base: req.base,
      init: req.init,
      continuePastConflicts: req.continuePastConflicts,
      signal: req.signal,
      progress: req.progress,
    });
  } catch (err) {
    if (created) store.remove(created.id);
    throw err;
  }
}
