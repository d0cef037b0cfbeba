// Where things live: the app's own files (renderer build, demo workspace) and the user's data directory.
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import os from 'node:os';

/**
 * The project root. Bundled shells (Electron) set ENTRYBENCH_APP_ROOT because their
 * import.meta.url points into the bundle, not the source tree.
 */
export function appRoot(): string {
  if (process.env.ENTRYBENCH_APP_ROOT) return process.env.ENTRYBENCH_APP_ROOT;
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
}

/** Built renderer files served to the browser or the Electron window. */
export function rendererDir(): string {
  return process.env.ENTRYBENCH_RENDERER_DIR ?? path.join(appRoot(), 'out', 'renderer');
}

/** The user's data directory: workspaces, caches, drafts. */
export function defaultDataDir(): string {
  if (process.env.ENTRYBENCH_DATA) return path.resolve(process.env.ENTRYBENCH_DATA);
  const base = process.env.XDG_DATA_HOME || path.join(os.homedir(), '.local', 'share');
  return path.join(base, 'entrybench');
}

/** Shared cache (kernel build directories, initramfs images), outside any clone. */
export function defaultCacheDir(): string {
  if (process.env.ENTRYBENCH_CACHE) return path.resolve(process.env.ENTRYBENCH_CACHE);
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'entrybench');
}
