// Preload bundle: CommonJS, because sandboxed preloads cannot be ES modules.
import { defineConfig } from 'vite';

export default defineConfig({
  build: {
    lib: { entry: 'electron/preload.ts', formats: ['cjs'], fileName: () => 'preload.cjs' },
    rollupOptions: { external: ['electron'] },
  },
});
