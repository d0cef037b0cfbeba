// RPC methods for workspaces: create from mail (files or pasted text), list, open, rename.
import type { Host } from '../host.js';
import type { WorkspaceRemovePlan, WorkspaceSummary } from '../api.js';
import * as s from '../schema.js';
import { BadRequest } from '../../errors.js';
import type { Workspace } from '../../store/workspace.js';
import { TreeService } from '../../tree/service.js';
import fs from 'node:fs';

export function workspaceSummary(ws: Workspace): WorkspaceSummary {
  const m = ws.meta;
  return {
    id: m.id,
    title: m.title,
    dir: ws.dir,
    createdAt: m.createdAt,
    updatedAt: m.updatedAt,
    mailPaths: ws.mailPaths(),
    sources: m.sources.map(({ stored, origin, bytes, kind }) => ({ stored, origin, bytes, kind })),
    sections: Object.keys(m.sections).sort(),
  };
}

export function registerWorkspaceMethods(host: Host): void {
  const d = host.dispatcher;
  const store = host.workspaces;

  d.register(
    'workspace.create',
    s.object({
      paths: s.optional(s.array(s.string({ minLength: 1, maxLength: 4096 }), { minItems: 1, maxItems: 1000 })),
      text: s.optional(s.string({ minLength: 1, maxLength: 64 * 1024 * 1024 })),
      name: s.optional(s.string({ maxLength: 200 })),
      title: s.optional(s.string({ maxLength: 300 })),
    }),
    ({ paths, text, name, title }) => {
      if ((paths ? 1 : 0) + (text !== undefined ? 1 : 0) !== 1) {
        throw new BadRequest('Give either paths or text.', 'Open files from the host machine, or paste an archive page, one at a time.');
      }
      const ws = paths
        ? store.create(paths.map((p) => ({ path: p })), title)
        : store.create([{ name: name ?? 'pasted.txt', bytes: Buffer.from(text as string, 'utf8') }], title);
      host.log.info('workspace', `created ${ws.id} from ${ws.meta.sources.map((x) => x.origin).join(', ')}`);
      return workspaceSummary(ws);
    },
  );

  d.register('workspace.list', s.object({}), () => store.list().map((m) => workspaceSummary(store.get(m.id))));

  d.register('workspace.get', s.object({ workspace: s.string({ minLength: 1, maxLength: 4096 }) }), ({ workspace }) =>
    workspaceSummary(store.get(workspace)),
  );

  d.register(
    'workspace.remove',
    s.object({ workspace: s.string({ minLength: 1, maxLength: 4096 }), confirm: s.optional(s.boolean()) }),
    async ({ workspace, confirm }) => {
      const ws = store.get(workspace);
      const tree = new TreeService(store);
      const count = (sub: string) => (fs.existsSync(ws.path(sub)) ? fs.readdirSync(ws.path(sub)).filter((n) => !n.startsWith('.')).length : 0);
      const reviews = await tree.removeWorkspaceReviews(ws, false);
      const plan: WorkspaceRemovePlan = {
        workspace: ws.id,
        dir: ws.dir,
        reviews: reviews.map(({ tree: t, branch, worktree, commits }) => ({ tree: t, branch, worktree, commits })),
        annotations: count('annotations'),
        drafts: count('drafts'),
        removed: false,
      };
      if (!confirm) return plan;
      // Worktrees and branches first, so nothing in the reviewer's repository points at a removed directory.
      await tree.removeWorkspaceReviews(ws, true);
      store.remove(ws.id);
      host.log.info('workspace', `removed ${ws.id} with ${reviews.length} review branch(es)`);
      return { ...plan, removed: true };
    },
  );

  d.register(
    'workspace.rename',
    s.object({ workspace: s.string({ minLength: 1, maxLength: 4096 }), title: s.string({ minLength: 1, maxLength: 300 }) }),
    ({ workspace, title }) => {
      const ws = store.get(workspace);
      ws.setTitle(title);
      return workspaceSummary(ws);
    },
  );
}
