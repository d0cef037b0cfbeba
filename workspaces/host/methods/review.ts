// RPC methods of the review domain: annotations, reply drafts, export, and the two-step send.
import path from 'node:path';
import type { Host } from '../host.js';
import * as s from '../schema.js';
import type { AnnotationTargetInput, DraftView, ReviewEvidence, SendConfig } from '../api.js';
import { WorkspaceStore } from '../../store/workspace.js';
import { ReviewService, type SeriesLoader } from '../../review/service.js';
import { SendConfigFile } from '../../review/send.js';
import { renderMessage } from '../../review/message.js';
import { loadWorkspaceSeries } from '../../review/series-source.js';
import type { ReplyDraft } from '../../review/types.js';

/** A schema for a union told apart by its `kind` (or `method`) field. */
function tagged<T>(field: string, variants: Record<string, s.Schema<unknown>>): s.Schema<T> {
  const names = Object.keys(variants);
  return {
    description: names.map((n) => `${field}=${n}`).join(' | '),
    check(value, at, issues) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        issues.push({ path: at, message: 'expected object' });
        return undefined;
      }
      const tag = (value as Record<string, unknown>)[field];
      const v = typeof tag === 'string' ? variants[tag] : undefined;
      if (!v) {
        issues.push({ path: at ? `${at}.${field}` : field, message: `expected one of ${names.map((n) => JSON.stringify(n)).join(', ')}` });
        return undefined;
      }
      return v.check(value, at, issues) as T;
    },
  };
}

const line = s.integer({ min: 1, max: 10_000_000 });
const text = (max = 20_000) => s.string({ maxLength: max });
const lines = (max = 2000) => s.array(s.string({ maxLength: 4000 }), { maxItems: max });
const id = s.string({ minLength: 1, maxLength: 64 });
const workspace = s.string({ minLength: 1, maxLength: 4096 });
const version = s.optional(s.integer({ min: 1, max: 1000 }));
const address = s.object({ name: s.string({ maxLength: 200 }), email: s.string({ minLength: 3, maxLength: 320, pattern: /^[^\s<>@]+@[^\s<>@]+$/ }) });

export const annotationTargetSchema = tagged<AnnotationTargetInput>('kind', {
  diff: s.object({
    kind: s.literal('diff'),
    patch: s.integer({ min: 1, max: 10_000 }),
    file: s.string({ minLength: 1, maxLength: 4096 }),
    side: s.optional(s.literal('old', 'new')),
    line,
  }),
  message: s.object({ kind: s.literal('message'), patch: s.integer({ min: 1, max: 10_000 }), line: s.optional(line) }),
  cover: s.object({ kind: s.literal('cover'), line: s.optional(line) }),
  walk: s.object({
    kind: s.literal('walk'),
    result: s.string({ minLength: 1, maxLength: 200 }),
    step: s.optional(s.integer({ min: 0, max: 10_000 })),
    scenario: s.optional(s.string({ maxLength: 200 })),
  }),
});

const evidencePatch = s.object({ index: s.integer({ min: 0, max: 10_000 }), subject: text(1000), commit: s.optional(s.string({ maxLength: 64 })) });

/** The evidence block's input, as the walk (or a JSON file for `entrybench reply --evidence`) gives it. */
export const evidenceSchema: s.Schema<ReviewEvidence> = s.object({
  result: s.optional(s.string({ maxLength: 200 })),
  base: s.optional(s.object({ commit: s.optional(s.string({ maxLength: 64 })), description: s.optional(text(500)) })),
  firstBad: s.optional(evidencePatch),
  lastGood: s.optional(evidencePatch),
  fixedBy: s.optional(evidencePatch),
  failures: s.optional(
    s.array(
      s.object({
        scenario: s.string({ minLength: 1, maxLength: 200 }),
        description: s.optional(text(1000)),
        expected: s.optional(text(2000)),
        seen: s.optional(text(2000)),
        details: s.optional(lines(200)),
      }),
      { maxItems: 100 },
    ),
  ),
  checks: s.optional(s.array(s.string({ maxLength: 200 }), { maxItems: 500 })),
  oops: s.optional(lines()),
  selftests: s.optional(lines()),
  config: s.optional(s.object({ name: s.string({ minLength: 1, maxLength: 500 }), options: s.optional(lines(500)) })),
  reproduce: s.optional(lines(200)),
});

const trailers = s.optional(s.array(s.literal('reviewed-by', 'tested-by', 'acked-by'), { maxItems: 3 }));

const sendConfigSchema = tagged<SendConfig>('method', {
  'git-send-email': s.object({ method: s.literal('git-send-email'), args: s.optional(s.array(s.string({ maxLength: 4096 }), { maxItems: 50 })) }),
  sendmail: s.object({
    method: s.literal('sendmail'),
    path: s.string({ minLength: 1, maxLength: 4096 }),
    args: s.optional(s.array(s.string({ maxLength: 4096 }), { maxItems: 50 })),
  }),
});

function view(service: ReviewService, ws: string, d: ReplyDraft): DraftView {
  return { ...d, file: service.draftsOf(service.workspace(ws)).emlPath(d.id), message: renderMessage(d.headers, d.body) };
}

/** Register the review methods; `loadSeries` turns a workspace into its series versions (default: its mail, read by the series model). */
export function registerReviewMethods(host: Host, loadSeries: SeriesLoader = loadWorkspaceSeries): ReviewService {
  const d = host.dispatcher;
  const service = new ReviewService({
    store: new WorkspaceStore(host.dataDir),
    loadSeries,
    sendConfig: new SendConfigFile(path.join(host.dataDir, 'review-send.json')),
  });

  d.register('review.annotations.list', s.object({ workspace, version }), async (p) => {
    const ws = service.workspace(p.workspace);
    const list = await service.listAnnotations(p.workspace, p.version);
    return { ...list, versions: await service.versions(ws) };
  });

  d.register('review.annotations.add', s.object({ workspace, version, target: annotationTargetSchema, text: text() }), (p) =>
    service.addAnnotation(p.workspace, p.target, p.text, p.version),
  );

  d.register('review.annotations.update', s.object({ workspace, id, text: text(), revision: s.optional(s.integer({ min: 1 })) }), (p) =>
    service.updateAnnotation(p.workspace, p.id, p.text, p.revision),
  );

  d.register('review.annotations.remove', s.object({ workspace, id, revision: s.optional(s.integer({ min: 1 })) }), async (p) => {
    await service.removeAnnotation(p.workspace, p.id, p.revision);
    return { removed: true as const };
  });

  const draftRequest = s.object({
    workspace,
    version,
    target: tagged<{ kind: 'patch'; patch: number } | { kind: 'cover' }>('kind', {
      patch: s.object({ kind: s.literal('patch'), patch: s.integer({ min: 1, max: 10_000 }) }),
      cover: s.object({ kind: s.literal('cover') }),
    }),
    trailers,
    evidence: s.optional(evidenceSchema),
    walkEvidence: s.optional(s.boolean()),
    from: s.optional(address),
  });

  d.register('review.drafts.create', draftRequest, async (p) => view(service, p.workspace, await service.createDraft(p.workspace, p)));

  d.register('review.drafts.compose', draftRequest, async (p) => {
    const c = await service.composeDraft(p.workspace, p);
    return { ...c, message: renderMessage(c.headers, c.body) };
  });

  d.register('review.drafts.list', s.object({ workspace }), (p) => service.listDrafts(p.workspace));

  d.register('review.drafts.get', s.object({ workspace, id }), (p) => view(service, p.workspace, service.getDraft(p.workspace, p.id)));

  d.register(
    'review.drafts.update',
    s.object({
      workspace,
      id,
      revision: s.optional(s.integer({ min: 1 })),
      body: s.optional(text(1_000_000)),
      subject: s.optional(s.string({ maxLength: 1000 })),
      to: s.optional(s.array(address, { maxItems: 100 })),
      cc: s.optional(s.array(address, { maxItems: 500 })),
    }),
    async (p) => {
      const { workspace: ws, id: draftId, revision, ...edit } = p;
      return view(service, ws, await service.editDraft(ws, draftId, edit, revision));
    },
  );

  d.register('review.drafts.remove', s.object({ workspace, id }), async (p) => {
    await service.removeDraft(p.workspace, p.id);
    return { removed: true as const };
  });

  d.register(
    'review.drafts.export',
    s.object({ workspace, ids: s.optional(s.array(id, { maxItems: 1000 })), format: s.literal('eml', 'mbox'), path: s.optional(s.string({ minLength: 1, maxLength: 4096 })) }),
    (p) => service.exportDrafts(p.workspace, p.ids ?? [], p.format, p.path),
  );

  d.register('review.identity', s.object({}), async () => (await service.identity()).identity);

  d.register('review.send.getConfig', s.object({}), () => ({ config: service.getSendConfig() }));

  d.register('review.send.setConfig', s.object({ config: s.nullable(sendConfigSchema) }), (p) => {
    service.setSendConfig(p.config);
    return { config: service.getSendConfig() };
  });

  d.register('review.send.preview', s.object({ workspace, id }), (p, ctx) => service.previewSend(p.workspace, p.id, ctx.signal));

  d.register('review.send.confirm', s.object({ token: s.string({ minLength: 32, maxLength: 32, pattern: /^[0-9a-f]{32}$/ }) }), (p, ctx) =>
    service.confirmSend(p.token, ctx.signal),
  );

  return service;
}
