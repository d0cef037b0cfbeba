// RPC methods of the walk domain: build a tree, walk or bisect a workspace's review branch.
import type { Host } from '../host.js';
import type { BuildRunResult } from '../api.js';
import * as s from '../schema.js';
import { buildKernel } from '../../build/kernel-build.js';
import { WalkService } from '../../bisect/service.js';
import { defaultCheckers } from '../../bisect/checkers.js';

const ref = s.string({ minLength: 1, maxLength: 4096 });
const walkOptions = {
  workspace: ref,
  branch: s.optional(s.string({ minLength: 1, maxLength: 300 })),
  config: s.optional(s.string({ minLength: 1, maxLength: 4096 })),
  boot: s.optional(s.boolean()),
};

export function registerWalkMethods(host: Host): void {
  const d = host.dispatcher;
  const service = new WalkService(host.workspaces, defaultCheckers);

  d.register('build.run', s.object({ tree: ref, config: s.optional(ref), buildDir: s.optional(ref) }), async (p, ctx) => {
    const r = await buildKernel({
      tree: p.tree,
      config: p.config,
      buildDir: p.buildDir,
      signal: ctx.signal,
      onProgress: (b) => ctx.progress({ phase: b.phase, message: b.message, done: b.done, total: b.total }),
    });
    const result: BuildRunResult = {
      buildDir: r.buildDir,
      config: r.config.name,
      vmlinux: r.vmlinux,
      bzImage: r.bzImage,
      seconds: r.seconds,
      objectsRebuilt: r.objectsRebuilt,
      dropped: r.config.dropped,
    };
    return result;
  });

  d.register('walk.run', s.object(walkOptions), (p, ctx) =>
    service.walk({
      ...p,
      signal: ctx.signal,
      onProgress: (w) => ctx.progress({ phase: w.phase, message: w.message, step: w.step, done: w.step, total: w.total + 1, etaMs: w.etaMs }),
      onStep: (step, total) => host.emit('walk.step', { workspace: p.workspace, total, step }),
    }),
  );

  d.register('walk.get', s.object({ workspace: ref }), ({ workspace }) => service.last(workspace));

  d.register('walk.bisect', s.object({ ...walkOptions, check: s.optional(s.string({ minLength: 1, maxLength: 200 })) }), (p, ctx) =>
    service.bisect({
      ...p,
      signal: ctx.signal,
      onProgress: (w) => ctx.progress({ phase: w.phase, message: w.message, step: w.step, etaMs: w.etaMs }),
    }),
  );
}
