// Where the CLI bundle lives and whether it may run: only when built after the last change to every
// source file it contains (esbuild's list of inputs, kept in its manifest).
import fs from 'node:fs';
import path from 'node:path';

export const CLI_BUNDLE_DIR = 'out/cli';
export const CLI_MANIFEST = `${CLI_BUNDLE_DIR}/manifest.json`;
/** What workspaces/host/paths.ts reads inside the bundle: the app root and the worker, relative to out/cli. */
export const CLI_BUNDLE_INFO = { name: 'cli', root: '../..', checkWorker: 'check-worker.cjs' };

/** The bundle's entry module when it is usable, or null and the reason it is not. */
export function freshCliBundle(root) {
  let manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(root, CLI_MANIFEST), 'utf8'));
  } catch {
    return { entry: null, reason: 'it is not built' };
  }
  for (const input of manifest.inputs) {
    let mtime;
    try {
      mtime = fs.statSync(path.join(root, input)).mtimeMs;
    } catch {
      return { entry: null, reason: `${input} is gone` };
    }
    if (mtime > manifest.builtAt) return { entry: null, reason: `${input} changed after it was built` };
  }
  const entry = path.join(root, CLI_BUNDLE_DIR, 'entrybench.cjs');
  return fs.existsSync(entry) ? { entry, reason: null } : { entry: null, reason: 'it is incomplete' };
}
