#!/usr/bin/env node
// The entrybench CLI: the prebuilt bundle (out/cli, `npm run build:cli`) when it is newer than every
// source in it, otherwise the TypeScript sources through tsx, so the CLI and the tree never disagree.
// ENTRYBENCH_CLI=tsx always runs the sources; ENTRYBENCH_CLI=bundle refuses to fall back.
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { freshCliBundle } from './cli-bundle.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const mode = process.env.ENTRYBENCH_CLI;
const bundle = mode === 'tsx' ? { entry: null, reason: 'ENTRYBENCH_CLI=tsx' } : freshCliBundle(root);

let runCli;
if (bundle.entry) {
  ({ runCli } = createRequire(import.meta.url)(bundle.entry));
} else if (mode === 'bundle') {
  console.error(`entrybench: ENTRYBENCH_CLI=bundle, but the CLI bundle cannot run: ${bundle.reason}.\n  Run: npm run build:cli`);
  process.exit(2);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ runCli } = await import('../workspaces/host/cli.ts'));
}
process.exitCode = await runCli(process.argv.slice(2));
