// Electron Forge 7.11 (Forge 8 needs Node >= 22.12): Vite builds main, the check worker, preload and
// renderer; fuses lock the binary down; what the app reads at run time is packaged (see below).
import type { ForgeConfig } from '@electron-forge/shared-types';
import { VitePlugin } from '@electron-forge/plugin-vite';
import { FusesPlugin } from '@electron-forge/plugin-fuses';
import { AutoUnpackNativesPlugin } from '@electron-forge/plugin-auto-unpack-natives';
import { MakerZIP } from '@electron-forge/maker-zip';
import { MakerDeb } from '@electron-forge/maker-deb';
import { FuseV1Options, FuseVersion } from '@electron/fuses';

/**
 * The packages the bundles leave to require() (vite.bundle.config.ts MAIN_EXTERNALS, minus the
 * optional ws helpers that are not installed). Vite's plugin would drop all of node_modules.
 */
export const RUNTIME_PACKAGES = ['node-pty', 'iced-x86', 'ws'];

/** node-pty at run time: its JavaScript, the addon built for Electron, this platform's prebuilds (`rel` is inside the package). */
function nodePtyFile(rel: string): boolean {
  if (rel === '' || rel === 'package.json' || rel === 'LICENSE') return true;
  if (rel === 'lib' || rel.startsWith('lib/')) return !rel.endsWith('.test.js');
  if (rel === 'build' || rel === 'build/Release') return true;
  if (rel.startsWith('build/Release/')) return rel.endsWith('.node');
  const prebuilds = `prebuilds/${process.platform}-${process.arch}`;
  return rel === 'prebuilds' || rel === prebuilds || rel.startsWith(`${prebuilds}/`);
}

/**
 * What goes into resources/app.asar, as @electron/packager asks (paths from the project root with a
 * leading "/"): package.json, the Vite output in .vite/, and the runtime packages without tests, types or maps.
 */
export function packagedFile(file: string): boolean {
  if (!file || file === '/package.json' || file === '/node_modules') return true;
  if (file === '/.vite' || file.startsWith('/.vite/')) return true;
  for (const pkg of RUNTIME_PACKAGES) {
    const dir = `/node_modules/${pkg}`;
    if (file !== dir && !file.startsWith(`${dir}/`)) continue;
    const rel = file.slice(dir.length + 1);
    if (/\.(d\.ts|map)$/.test(rel)) return false;
    if (pkg === 'node-pty') return nodePtyFile(rel);
    return rel !== 'tests' && !rel.startsWith('tests/');
  }
  return false;
}

/**
 * Unpacked next to the asar, as real files: node-pty's addon (dlopen), iced-x86 (its WASM is read with
 * fs) and the check worker's bundle, so the worker thread loads from real files only.
 */
export const ASAR_UNPACK = '**/{node_modules/node-pty/**,node_modules/iced-x86/**,.vite/build/check-worker.cjs}';

/** Data the app reads at run time, copied to resources/ (workspaces/host/paths.ts finds them there). */
export const EXTRA_RESOURCES = ['workspaces/demo', 'workspaces/build/configs', 'emulator/kernel/scenarios'];

/**
 * electron is an optional dependency (its binary download fails on machines without github.com, which
 * must not fail `npm ci`), but Forge looks for it among devDependencies only: show it there to Forge.
 */
export async function electronAsDevDependency(_config: unknown, pkg: Record<string, unknown>): Promise<Record<string, unknown>> {
  const optional = (pkg.optionalDependencies ?? {}) as Record<string, string>;
  const dev = (pkg.devDependencies ?? {}) as Record<string, string>;
  if (optional.electron && !dev.electron) pkg.devDependencies = { ...dev, electron: optional.electron };
  return pkg;
}

const config: ForgeConfig = {
  hooks: { readPackageJson: electronAsDevDependency },
  packagerConfig: {
    name: 'Entrybench',
    executableName: 'entrybench',
    asar: { unpack: ASAR_UNPACK },
    ignore: (file: string) => !packagedFile(file),
    extraResource: EXTRA_RESOURCES,
  },
  rebuildConfig: { onlyModules: ['node-pty'] },
  makers: [new MakerZIP({}, ['linux', 'darwin']), new MakerDeb({ options: { categories: ['Development'] } })],
  plugins: [
    new AutoUnpackNativesPlugin({}),
    new VitePlugin({
      build: [
        { entry: 'electron/main.ts', config: 'vite.main.config.ts', target: 'main' },
        { entry: 'workspaces/check/worker.ts', config: 'vite.worker.config.ts', target: 'main' },
        { entry: 'electron/preload.ts', config: 'vite.preload.config.ts', target: 'preload' },
      ],
      renderer: [{ name: 'main_window', config: 'vite.renderer.config.ts' }],
    }),
    new FusesPlugin({
      version: FuseVersion.V1,
      [FuseV1Options.RunAsNode]: false,
      [FuseV1Options.EnableCookieEncryption]: true,
      [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
      [FuseV1Options.EnableNodeCliInspectArguments]: false,
      [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
      [FuseV1Options.OnlyLoadAppFromAsar]: true,
    }),
  ],
};

export default config;
