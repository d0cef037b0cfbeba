// The mail and series engine's public surface: load mail, read its series, render patches for git am.
//
//   const load = await loadMail(['t.mbox.gz']);          // paths, { bytes }, or { text }
//   const s = load.series.find((x) => x.latest);          // each Series is one version; `latest` marks the one to review
//   s.parts[0].damaged                                     // [] when the patch text looks whole
//   renderPatchForGitAm(load.messages[s.parts[0].message], s.parts[0]).bytes   // feed to git am --patch-format=mboxrd
//
// Messages keep their original bytes (`raw`), decoded headers and text (`body`); `threads` holds the reply trees.
export type * from './types.js';
export { loadMail, assembleLoad, whereOf, type LoadOptions, type MailInput, type ReadProgress } from './load.js';
export { indexMail, type MailIndex, type IndexedMessage, type SeriesOutline, type IndexOptions } from './mail-index.js';
export { parseSubject, formatPrefix } from './subject.js';
export { parseDiff, diffstatOf, parseReportedDiffstat, patchIdOf, formatDiff } from './diff.js';
export { splitPatch, commitTrailers, damageReasons } from './patch.js';
export { replyTrailers, canonicalTrailerName } from './trailers.js';
export { renderPatchForGitAm, renderSeriesForGitAm, PatchDamaged, NoOriginalMail, type RenderOptions, type RenderedPatch } from './render.js';
export { replyStructure, quoteDepth, parseAttribution, stripSignature } from '../mail/quote.js';
export { unflow } from '../mail/mime.js';
export { walkNodes } from '../mail/thread.js';
