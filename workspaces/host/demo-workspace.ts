// The first-run path: a fresh copy of the bundled demo (its kernel tree as a git repository, and a
// workspace holding its series) in the user's data directory, so the bundled files stay pristine.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import type { Host } from './host.js';
import { demoDir } from './paths.js';
import { writeJsonAtomic } from '../store/atomic.js';
import { createDemoRepository } from '../demo/repository.js';
import { NotFound } from '../errors.js';

export interface DemoSetup {
  workspace: string;
  /** The demo kernel tree (a git repository) to apply the series to. */
  tree: string;
  /** Made by this call (first run, or the bundled demo changed). */
  fresh: boolean;
}

interface DemoState {
  workspace: string;
  tree: string;
  /** Digest of the bundled series and tree listing the copy was made from. */
  digest: string;
}

export function bundledDemoDir(): string {
  return demoDir();
}

function digestOf(demo: string): string {
  const h = crypto.createHash('sha256').update(fs.readFileSync(path.join(demo, 'series.mbox')));
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) h.update(path.relative(demo, p)).update(fs.readFileSync(p));
    }
  };
  walk(path.join(demo, 'tree'));
  return h.digest('hex');
}

/** Reuse the demo copy of an earlier run, or make one. */
export async function ensureDemoWorkspace(host: Host): Promise<DemoSetup> {
  const demo = bundledDemoDir();
  const mbox = path.join(demo, 'series.mbox');
  if (!fs.existsSync(mbox) || !fs.existsSync(path.join(demo, 'tree', 'Makefile'))) {
    throw new NotFound(`The bundled demo is missing from ${demo}.`, 'Check out the repository again (workspaces/demo holds the demo tree and series).');
  }
  const root = path.join(host.dataDir, 'demo');
  const stateFile = path.join(root, 'state.json');
  const digest = digestOf(demo);
  try {
    const state = JSON.parse(fs.readFileSync(stateFile, 'utf8')) as DemoState;
    if (state.digest === digest && fs.existsSync(path.join(state.tree, '.git'))) {
      host.workspaces.get(state.workspace);
      return { workspace: state.workspace, tree: state.tree, fresh: false };
    }
  } catch {
    /* first run, or a copy that is gone: make a new one */
  }
  fs.mkdirSync(root, { recursive: true });
  const tree = path.join(root, `tree-${digest.slice(0, 8)}-${crypto.randomBytes(3).toString('hex')}`);
  await createDemoRepository(tree, { tree: path.join(demo, 'tree') });
  const ws = host.workspaces.create([{ path: mbox }], 'Demo: x86/entry/64: Decide SYSRET vs IRET in C');
  writeJsonAtomic(stateFile, { workspace: ws.id, tree, digest } satisfies DemoState);
  host.log.info('demo', `prepared the demo workspace ${ws.id} and its kernel tree ${tree}`);
  return { workspace: ws.id, tree, fresh: true };
}
