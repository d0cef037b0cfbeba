// Where things live: the app's own files (bundles, renderer build, demo, config fragments, scenarios) and the user's data.
import { fileURLToPath } from 'node:url';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';

/**
 * Defined by the bundlers (vite.main.config.ts, vite.worker.config.ts, bin/build-cli.mjs); absent when
 * the TypeScript sources run through tsx or vitest. `root` is the app root relative to the bundle's
 * directory; `checkWorker` the check worker's bundle, a file next to this one.
 */
declare const __ENTRYBENCH_BUNDLE__: BundleInfo | undefined;

export interface BundleInfo {
  /** "electron-main", "cli": which bundle this code was built into. */
  name: string;
  root: string;
  checkWorker: string;
}

/** The bundle this code runs from, or null when it runs from the sources. */
export function runningBundle(): BundleInfo | null {
  return typeof __ENTRYBENCH_BUNDLE__ === 'undefined' ? null : __ENTRYBENCH_BUNDLE__;
}

/** workspaces/host in the sources; the bundle's own directory in a bundle (import.meta.url is the bundle then). */
const here = path.dirname(fileURLToPath(import.meta.url));

export interface AppLayout {
  /** package.json, the bundles (.vite/) and node_modules: the checkout, or a packaged app's resources/app.asar. */
  root: string;
  /** A packaged app's resources directory (forge.config.ts extraResource: demo/, configs/, scenarios/); null in a checkout. */
  resources: string | null;
}

let configured: Partial<AppLayout> = {};

/**
 * Shells that know better say where the app is: electron/main.ts passes app.getAppPath() and, when
 * packaged, process.resourcesPath. A call, not environment variables, so that shells and QEMU started
 * from the app do not inherit it.
 */
export function useAppLayout(layout: Partial<AppLayout>): void {
  configured = { ...layout };
}

/** The app root: ENTRYBENCH_APP_ROOT, else what the shell said, else found from this file or bundle. */
export function appRoot(): string {
  if (process.env.ENTRYBENCH_APP_ROOT) return path.resolve(process.env.ENTRYBENCH_APP_ROOT);
  if (configured.root) return configured.root;
  const bundle = runningBundle();
  return path.resolve(here, bundle ? bundle.root : '../..');
}

/** A file shipped with the app: under the packaged resources directory, or at its place in the checkout. */
function resource(packagedName: string, ...inCheckout: string[]): string {
  if (configured.resources) return path.join(configured.resources, packagedName);
  return path.join(appRoot(), ...inCheckout);
}

/** Built renderer files served to the browser (web mode). The Electron window serves .vite/renderer. */
export function rendererDir(): string {
  return process.env.ENTRYBENCH_RENDERER_DIR ?? path.join(appRoot(), 'out', 'renderer');
}

/** The bundled demo: its kernel tree (tree/), series.mbox and series/. */
export function demoDir(): string {
  return process.env.ENTRYBENCH_DEMO_DIR ?? resource('demo', 'workspaces', 'demo');
}

/** The kernel config fragments (entry-min.config ...). */
export function configsDir(): string {
  return process.env.ENTRYBENCH_CONFIGS_DIR ?? resource('configs', 'workspaces', 'build', 'configs');
}

/** The emulator harness's scenario files (*.json). */
export function scenarioDir(): string {
  return resource('scenarios', 'emulator', 'kernel', 'scenarios');
}

/** The emulator library and harness sources (only in a checkout: a bundle carries them compiled in). */
export function emulatorSourceDir(): string {
  return path.join(appRoot(), 'emulator');
}

export interface WorkerEntry {
  file: string;
  /** The sources through tsx (a checkout), or a self-contained bundle (the CLI bundle, Electron). */
  bundled: boolean;
}

/**
 * The script a check worker thread starts from. In a packaged app the bundle is unpacked from the
 * asar (forge.config.ts), and the thread is pointed at the real file so it needs no asar support.
 */
export function checkWorkerEntry(): WorkerEntry {
  const bundle = runningBundle();
  if (!bundle) return { file: path.join(appRoot(), 'workspaces', 'check', 'worker-entry.mjs'), bundled: false };
  const file = path.join(here, bundle.checkWorker);
  return { file: unpackedFromAsar(file), bundled: true };
}

/** `.../app.asar/x` as `.../app.asar.unpacked/x` when the file was unpacked there. */
export function unpackedFromAsar(file: string): string {
  const parts = file.split(path.sep);
  const i = parts.lastIndexOf('app.asar');
  if (i < 0) return file;
  const unpacked = [...parts.slice(0, i), 'app.asar.unpacked', ...parts.slice(i + 1)].join(path.sep);
  return fs.existsSync(unpacked) ? unpacked : file;
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
