// RPC methods of the tree domain: apply a series to a kernel tree, list, show, remove and range-diff reviews.
import type { Host } from '../host.js';
import * as s from '../schema.js';
import { BadRequest } from '../../errors.js';
import { WorkspaceStore } from '../../store/workspace.js';
import { TreeService } from '../../tree/service.js';
import { applyMail } from '../../tree/from-series.js';

const dir = () => s.string({ minLength: 1, maxLength: 4096 });
const branch = () => s.string({ minLength: 1, maxLength: 255 });

export function registerTreeMethods(host: Host): void {
  const d = host.dispatcher;
  const store = new WorkspaceStore(host.dataDir);
  const service = new TreeService(store);

  d.register(
    'tree.apply',
    s.object({
      tree: dir(),
      files: s.optional(s.array(dir(), { maxItems: 1000 })),
      workspace: s.optional(s.string({ minLength: 1, maxLength: 200 })),
      series: s.optional(s.integer({ min: 0 })),
      base: s.optional(s.string({ minLength: 1, maxLength: 255 })),
      init: s.optional(s.boolean()),
      continuePastConflicts: s.optional(s.boolean()),
    }),
    async (params, ctx) => {
      if ((params.files === undefined) === (params.workspace === undefined)) {
        throw new BadRequest('Give either files or workspace, not both and not neither.', 'Pass the mail files of the series, or the id of the workspace that holds them.');
      }
      const result = await applyMail(service, store, {
        ...params,
        signal: ctx.signal,
        progress: (p) => ctx.progress({ phase: p.phase, message: p.message, done: p.done, total: p.total, step: p.step }),
      });
      host.log.info('tree', `applied ${result.branch} on ${result.base.slice(0, 12)}: ${result.summary.applied + result.summary.applied3way}/${result.steps.length} patches`);
      return result;
    },
  );

  d.register('tree.reviews', s.object({ tree: s.optional(dir()) }), ({ tree }) => service.reviews(tree));

  d.register('tree.review', s.object({ tree: dir(), branch: branch() }), ({ tree, branch: b }) => service.review(tree, b));

  d.register('tree.remove', s.object({ tree: dir(), branch: branch(), confirm: s.optional(s.boolean()) }), async ({ tree, branch: b, confirm }) => {
    const plan = await service.remove(tree, b, confirm === true);
    if (plan.removed) host.log.info('tree', `removed ${plan.branch} and its worktree ${plan.worktree}`);
    return plan;
  });

  d.register('tree.rangeDiff', s.object({ tree: dir(), old: branch(), new: branch() }), (p, ctx) => service.rangeDiff(p.tree, p.old, p.new, ctx.signal));
}
