// Renderer bundle: used by `npm run build:renderer` (web mode, out/renderer) and by Electron Forge's
// Vite plugin (.vite/renderer/main_window, which electron/main.ts serves on app://).
import { defineConfig, type ConfigEnv } from 'vite';
import path from 'node:path';

const here = import.meta.dirname;

export default defineConfig((env: ConfigEnv & { forgeConfigSelf?: { name?: string } }) => ({
  root: path.resolve(here, 'renderer'),
  base: './',
  build: {
    outDir: env.forgeConfigSelf
      ? path.resolve(here, '.vite', 'renderer', env.forgeConfigSelf.name ?? 'main_window')
      : path.resolve(here, 'out', 'renderer'),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 8000,
    sourcemap: false,
  },
  worker: { format: 'es' as const },
  // Monaco and xterm are large; prebundling keeps `vite dev` responsive.
  optimizeDeps: { include: ['monaco-editor', '@xterm/xterm', '@xterm/addon-fit'] },
}));
