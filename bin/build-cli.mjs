#!/usr/bin/env node
// Builds the CLI bundle (out/cli): the CLI and its check worker as two CommonJS files, so that
// bin/entrybench.mjs starts without tsx. `npm run build:cli`; scripts/setup.sh runs it with --if-stale.
import path from 'node:path';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CLI_BUNDLE_DIR, CLI_MANIFEST, CLI_BUNDLE_INFO, freshCliBundle } from './cli-bundle.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Build the bundle; returns the manifest written next to it. */
export async function buildCliBundle({ quiet = false } = {}) {
  // esbuild comes with vite (a dev dependency); a production-only install has no bundle and uses tsx.
  const esbuild = await import('esbuild');
  const started = Date.now();
  const outdir = path.join(root, CLI_BUNDLE_DIR);
  const tmp = `${outdir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: { entrybench: 'workspaces/host/cli.ts', 'check-worker': 'workspaces/check/worker.ts' },
    outdir: tmp,
    outExtension: { '.js': '.cjs' },
    bundle: true,
    platform: 'node',
    // CommonJS: packages are then plain require()s, where ESM would have Node scan each CommonJS
    // package for its export names first (cjs-module-lexer: ~85 ms of the ~300 ms start on iced-x86).
    format: 'cjs',
    // The sources find themselves with import.meta.url, which CommonJS has not: give them the bundle's.
    banner: { js: "const __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
    target: 'node20',
    // node_modules stay where they are: the bundle runs inside the checkout, next to them.
    packages: 'external',
    // Error kinds are class names (ReviewError's new.target.name).
    keepNames: true,
    define: { __ENTRYBENCH_BUNDLE__: JSON.stringify(CLI_BUNDLE_INFO), 'import.meta.url': '__bundleUrl' },
    sourcemap: 'linked',
    metafile: true,
    logLevel: quiet ? 'error' : 'warning',
  });
  // The sources in the bundle (not esbuild's <define:...> entries), and how it is built.
  const inputs = [...Object.keys(result.metafile.inputs).filter((f) => !f.startsWith('<')), 'bin/build-cli.mjs', 'bin/cli-bundle.mjs'].sort();
  // Inputs changed during the build make the bundle stale at once: compare against the start time.
  const manifest = { builtAt: started, inputs };
  fs.writeFileSync(path.join(tmp, path.basename(CLI_MANIFEST)), JSON.stringify(manifest) + '\n');
  // Swap the whole directory, so a CLI starting meanwhile sees the old bundle or the new one, never half.
  const old = `${outdir}.old-${process.pid}`;
  if (fs.existsSync(outdir)) fs.renameSync(outdir, old);
  fs.renameSync(tmp, outdir);
  fs.rmSync(old, { recursive: true, force: true });
  if (!quiet) {
    const size = (f) => (fs.statSync(path.join(outdir, f)).size / 1024).toFixed(0);
    console.log(`build:cli: ${CLI_BUNDLE_DIR}/entrybench.cjs (${size('entrybench.cjs')} kB) and check-worker.cjs (${size('check-worker.cjs')} kB) from ${inputs.length} sources in ${Date.now() - started} ms`);
  }
  return manifest;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  // --if-stale: nothing to do when the bundle is newer than its sources (scripts/setup.sh on every start).
  if (!(process.argv.includes('--if-stale') && freshCliBundle(root).entry)) await buildCliBundle({ quiet: process.argv.includes('--quiet') });
}
