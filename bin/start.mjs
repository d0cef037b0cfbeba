#!/usr/bin/env node
// `npm start`: the Electron window where its binary can be had, web mode otherwise (said in one line).
// With no arguments it opens the bundled demo workspace.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// No arguments: the bundled demo workspace.
const args = process.argv.slice(2).length ? process.argv.slice(2) : ['--demo'];

function electronBinary() {
  try {
    const require = createRequire(import.meta.url);
    const bin = require('electron'); // the package exports the binary path, or throws when it is missing
    return typeof bin === 'string' && fs.existsSync(bin) ? bin : null;
  } catch {
    return null;
  }
}

function run(cmd, argv) {
  const child = spawn(cmd, argv, { cwd: root, stdio: 'inherit' });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

const noDisplay = !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
const bin = electronBinary();
if (bin && !noDisplay) {
  run(process.execPath, [path.join(root, 'node_modules', '@electron-forge', 'cli', 'dist', 'electron-forge.js'), 'start', '--', ...args]);
} else {
  const why = !bin ? 'the Electron binary is not installed (its download failed or was skipped)' : 'there is no display';
  console.log(`entrybench: ${why}; starting web mode instead.`);
  run(process.execPath, [path.join(root, 'bin', 'entrybench.mjs'), 'serve', ...args]);
}
