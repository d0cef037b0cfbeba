// Makes sure the renderer bundle exists and is newer than its sources before a shell serves it.
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { appRoot, rendererDir } from './paths.js';
import { ReviewError } from '../errors.js';

export class RendererBuildFailed extends ReviewError {}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** True when out/renderer is missing or older than renderer/ or the host API types. */
export function rendererIsStale(): boolean {
  const index = path.join(rendererDir(), 'index.html');
  if (!fs.existsSync(index)) return true;
  const src = path.join(appRoot(), 'renderer');
  if (!fs.existsSync(src)) return false; // packaged app: only the bundle ships
  const built = fs.statSync(index).mtimeMs;
  const sources = Math.max(newestMtime(src), fs.statSync(path.join(appRoot(), 'workspaces', 'host', 'api.ts')).mtimeMs);
  return sources > built;
}

export async function ensureRendererBuilt(say: (line: string) => void): Promise<void> {
  if (!rendererIsStale()) return;
  say('building the UI (vite build, about 20 s the first time)...');
  const vite = path.join(appRoot(), 'node_modules', 'vite', 'bin', 'vite.js');
  if (!fs.existsSync(vite)) {
    throw new RendererBuildFailed('The UI is not built and vite is not installed.', 'Run `npm install` in the Entrybench checkout.');
  }
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [vite, 'build', '--config', 'vite.renderer.config.ts', '--logLevel', 'warn'], {
      cwd: appRoot(),
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new RendererBuildFailed(`vite build exited with ${code}.`, 'Read the messages above; `npm run build:renderer` reproduces it.')),
    );
  });
  say(`UI built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
