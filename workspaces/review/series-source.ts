// From the series model (workspaces/series) to what the review engine reads: the versions of one series.
import { loadMail, type MailInput, type MailLoad, type Series } from '../series/index.js';
import type { Workspace } from '../store/workspace.js';
import type { ReviewSeries } from './types.js';

function toReviewSeries(load: MailLoad, s: Series): ReviewSeries {
  return {
    version: s.version,
    title: s.title,
    total: s.total,
    // The series model's messages carry every field a reply needs (ReplyTargetMessage is a subset).
    cover: s.cover ? load.messages[s.cover.message] : null,
    patches: s.parts.map((p) => ({ index: p.index, message: load.messages[p.message] })),
  };
}

/**
 * Every version of the series the mail is about: the latest series with the most parts (a workspace holds one
 * series, perhaps with stray mail beside it) and its other versions.
 */
export function reviewSeriesOf(load: MailLoad): ReviewSeries[] {
  const latest = load.series.filter((s) => s.latest).sort((a, b) => b.parts.length - a.parts.length || a.thread - b.thread)[0];
  if (!latest) return [];
  const keys = new Set([latest.key, ...latest.otherVersions]);
  return load.series
    .filter((s) => keys.has(s.key))
    .sort((a, b) => a.version - b.version)
    .map((s) => toReviewSeries(load, s));
}

export async function loadReviewSeries(inputs: MailInput[], signal?: AbortSignal): Promise<ReviewSeries[]> {
  return reviewSeriesOf(await loadMail(inputs, { signal }));
}

/** The SeriesLoader the host uses: the workspace's stored mail, read again (derived data is rebuilt, never trusted). */
export function loadWorkspaceSeries(ws: Workspace): Promise<ReviewSeries[]> {
  return loadReviewSeries(ws.mailPaths());
}
