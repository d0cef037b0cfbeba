// Electron main process bundle (Forge Vite plugin, merged over its main config): CommonJS, because the
// package is ESM ("type": "module") and Electron's main entry is simplest as a .cjs file.
import { defineConfig } from 'vite';
import { bundleConfig } from './vite.bundle.config.js';

export default defineConfig(bundleConfig('electron/main.ts', 'main.cjs'));
