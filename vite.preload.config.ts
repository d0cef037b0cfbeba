// Preload bundle (Forge Vite plugin, merged over its preload config, which sets the entry and CommonJS
// output): named .cjs because the package is ESM and electron/main.ts loads preload.cjs.
import { defineConfig } from 'vite';

export default defineConfig({
  build: {
    rollupOptions: { external: ['electron'], output: { entryFileNames: 'preload.cjs' } },
  },
});
