// The layering rules of DESIGN.md are lint errors: prove each one fires, and that the tree is clean.
import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';
import path from 'node:path';
import { repoRoot } from '../helpers/browser.js';

const eslint = new ESLint({ cwd: repoRoot });

async function messages(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(repoRoot, file) });
  return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('layering lint rules', () => {
  it('lets the renderer import types from the host API and nothing else from workspaces/', async () => {
    expect(await messages('renderer/src/probe.ts', "import type { HostInfo } from '../../workspaces/host/api.js';\nexport type X = HostInfo;\n")).toEqual([]);
    const valueImport = await messages('renderer/src/probe.ts', "import { Frame } from '../../workspaces/host/api.js';\nexport const x = Frame;\n");
    expect(valueImport.join('\n')).toContain('only types from workspaces/host/api.ts');
    const engine = await messages('renderer/src/probe.ts', "import type { Host } from '../../workspaces/host/host.js';\nexport type X = Host;\n");
    expect(engine.join('\n')).toContain('only types from workspaces/host/api.ts');
  });

  it('keeps Node, Electron and the emulator out of the renderer', async () => {
    expect((await messages('renderer/src/probe.ts', "import fs from 'node:fs';\nexport const x = fs;\n")).join()).toContain('no Node built-ins');
    expect((await messages('renderer/src/probe.ts', "import { ipcRenderer } from 'electron';\nexport const x = ipcRenderer;\n")).join()).toContain('only through the host API');
    expect((await messages('renderer/src/probe.ts', "import * as e from '../../emulator/index.js';\nexport const x = e;\n")).join()).toContain('only through the host API');
  });

  it('forbids HTML sinks in the renderer', async () => {
    expect((await messages('renderer/src/probe.ts', "document.body.innerHTML = location.hash;\n")).join()).toContain('never rendered as HTML');
    expect((await messages('renderer/src/probe.ts', "document.body.insertAdjacentHTML('beforeend', 'x');\n")).join()).toContain('never rendered as HTML');
  });

  it('keeps the emulator free of the engine, the UI and the shell', async () => {
    for (const dep of ['../workspaces/mail/index.js', '../renderer/src/main.js', '../electron/main.js']) {
      expect((await messages('emulator/probe.ts', `import * as m from '${dep}';\nexport const x = m;\n`)).join(), dep).toContain('knows nothing about mail, git or UI');
    }
  });

  it('keeps the engine free of the UI and of Electron', async () => {
    expect((await messages('workspaces/probe.ts', "import { app } from 'electron';\nexport const x = app;\n")).join()).toContain('stays in electron/');
    expect((await messages('workspaces/probe.ts', "import * as m from '../renderer/src/main.js';\nexport const x = m;\n")).join()).toContain('does not import the UI');
  });
});
