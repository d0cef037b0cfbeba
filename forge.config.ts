// Electron Forge 7.11 (Forge 8 needs Node >= 22.12): Vite builds main, preload and renderer;
// fuses lock the binary down; node-pty stays outside the asar because it is a native addon.
import type { ForgeConfig } from '@electron-forge/shared-types';
import { VitePlugin } from '@electron-forge/plugin-vite';
import { FusesPlugin } from '@electron-forge/plugin-fuses';
import { AutoUnpackNativesPlugin } from '@electron-forge/plugin-auto-unpack-natives';
import { MakerZIP } from '@electron-forge/maker-zip';
import { MakerDeb } from '@electron-forge/maker-deb';
import { FuseV1Options, FuseVersion } from '@electron/fuses';

const config: ForgeConfig = {
  packagerConfig: {
    name: 'Entrybench',
    executableName: 'entrybench',
    asar: {
      // Native addons and the emulator's WASM decoder are loaded from real files.
      unpack: '**/{node_modules/node-pty,node_modules/iced-x86}/**',
    },
    extraResource: ['workspaces/demo', 'workspaces/build/configs'],
  },
  rebuildConfig: { onlyModules: ['node-pty'] },
  makers: [new MakerZIP({}, ['linux', 'darwin']), new MakerDeb({ options: { categories: ['Development'] } })],
  plugins: [
    new AutoUnpackNativesPlugin({}),
    new VitePlugin({
      build: [
        { entry: 'electron/main.ts', config: 'vite.main.config.ts', target: 'main' },
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
