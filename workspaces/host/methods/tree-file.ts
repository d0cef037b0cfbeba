// RPC method of the tree domain for the UI's before/after view: a file of a review branch around one step.
import type { Host } from '../host.js';
import * as s from '../schema.js';
import { WorkspaceStore } from '../../store/workspace.js';
import { TreeService } from '../../tree/service.js';
import { fileAtStep } from '../../tree/file-at-step.js';

export function registerTreeFileMethods(host: Host): void {
  const service = new TreeService(new WorkspaceStore(host.dataDir));
  const repoPath = () => s.string({ minLength: 1, maxLength: 4096 });
  host.dispatcher.register(
    'tree.fileAtStep',
    s.object({
      tree: repoPath(),
      branch: s.string({ minLength: 1, maxLength: 255 }),
      step: s.integer({ min: 0, max: 100_000 }),
      path: repoPath(),
      oldPath: s.optional(repoPath()),
    }),
    (p, ctx) => fileAtStep(service.review(p.tree, p.branch), p.step, p.path, p.oldPath, ctx.signal),
  );
}
