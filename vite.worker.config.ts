// The check worker thread as its own bundle (Forge Vite plugin, a second main-process target): a
// packaged app has no tsx to run workspaces/check/worker-entry.mjs, so the thread starts from this file.
import { defineConfig } from 'vite';
import { bundleConfig } from './vite.bundle.config.js';

export default defineConfig(bundleConfig('workspaces/check/worker.ts', 'check-worker.cjs'));
