// The first-run copy of the bundled demo: a git tree and a workspace in the data directory, made once.
import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { Host } from '../../../workspaces/host/host.js';
import { bundledDemoDir, ensureDemoWorkspace } from '../../../workspaces/host/demo-workspace.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-demo-'));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

describe('demo workspace', () => {
  it('makes a fresh copy once and reuses it afterwards, leaving the bundled files alone', async () => {
    const host = new Host({ shell: 'web', dataDir });
    const first = await ensureDemoWorkspace(host);
    expect(first.fresh).toBe(true);
    expect(first.tree.startsWith(path.join(dataDir, 'demo') + path.sep)).toBe(true);
    expect(execFileSync('git', ['status', '--porcelain'], { cwd: first.tree, encoding: 'utf8' })).toBe('');
    expect(execFileSync('git', ['log', '--format=%s'], { cwd: first.tree, encoding: 'utf8' }).trim()).toBe('Entrybench demo kernel 6.12.0-demo');
    const ws = host.workspaces.get(first.workspace);
    expect(fs.readFileSync(ws.mailPaths()[0])).toEqual(fs.readFileSync(path.join(bundledDemoDir(), 'series.mbox')));
    expect(fs.existsSync(path.join(bundledDemoDir(), 'tree', '.git'))).toBe(false);

    const again = await ensureDemoWorkspace(new Host({ shell: 'web', dataDir }));
    expect(again).toEqual({ ...first, fresh: false });
  });
});
