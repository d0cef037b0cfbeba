// What the main-process bundles (main.cjs, check-worker.cjs) share: Node-side code, CommonJS, names kept.
import type { UserConfig } from 'vite';

/**
 * Packages left to Node's require: node-pty (native addon), iced-x86 (reads its WASM next to itself),
 * ws (and its optional native helpers). forge.config.ts packages exactly these.
 */
export const MAIN_EXTERNALS = ['node-pty', 'iced-x86', 'ws', 'bufferutil', 'utf-8-validate'];

/** What workspaces/host/paths.ts reads to find the app root and the worker bundle from inside a bundle. */
export const ELECTRON_BUNDLE = { name: 'electron-main', root: '../..', checkWorker: 'check-worker.cjs' };

export function bundleConfig(entry: string, fileName: string): UserConfig {
  return {
    define: { __ENTRYBENCH_BUNDLE__: JSON.stringify(ELECTRON_BUNDLE) },
    // Error kinds are class names (ReviewError's new.target.name): keep them through renaming and minifying.
    esbuild: { keepNames: true },
    build: {
      lib: { entry, formats: ['cjs'], fileName: () => fileName },
      rollupOptions: { external: MAIN_EXTERNALS },
      // Readable stack traces in bug reports matter more than a few hundred kB inside the app.
      minify: false,
      sourcemap: false,
    },
  };
}
