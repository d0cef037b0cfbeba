// Electron main process bundle (Forge Vite plugin). CommonJS, because the package is ESM ("type": "module")
// and Electron's main entry is simplest as a .cjs file; node-pty and iced-x86 stay external (native / WASM via fs).
import { defineConfig } from 'vite';

export default defineConfig({
  build: {
    lib: { entry: 'electron/main.ts', formats: ['cjs'], fileName: () => 'main.cjs' },
    rollupOptions: { external: ['electron', 'node-pty', 'iced-x86', 'ws', 'bufferutil', 'utf-8-validate'] },
  },
});
