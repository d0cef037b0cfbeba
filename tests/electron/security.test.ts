// The Electron binary cannot run here, so read the shell's source and prove every security setting is there.
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { repoRoot } from '../helpers/browser.js';

const mainPath = path.join(repoRoot, 'electron', 'main.ts');
const source = ts.createSourceFile(mainPath, fs.readFileSync(mainPath, 'utf8'), ts.ScriptTarget.Latest, true);

function find<T extends ts.Node>(pred: (n: ts.Node) => n is T): T[] {
  const out: T[] = [];
  const visit = (n: ts.Node) => {
    if (pred(n)) out.push(n);
    ts.forEachChild(n, visit);
  };
  visit(source);
  return out;
}

function prop(obj: ts.ObjectLiteralExpression, name: string): ts.Expression | undefined {
  for (const p of obj.properties) if (ts.isPropertyAssignment(p) && p.name.getText() === name) return p.initializer;
  return undefined;
}

/** Calls like `x.on('will-navigate', handler)` anywhere in main.ts. */
function handlers(event: string): ts.CallExpression[] {
  return find(ts.isCallExpression).filter(
    (c) => ts.isPropertyAccessExpression(c.expression) && c.expression.name.text === 'on' && c.arguments[0]?.getText() === `'${event}'`,
  );
}

describe('electron/main.ts security settings', () => {
  const windows = find(ts.isNewExpression).filter((n) => n.expression.getText() === 'BrowserWindow');

  it('creates its window with isolation, sandbox and no Node in the renderer', () => {
    expect(windows.length).toBeGreaterThan(0);
    for (const w of windows) {
      const opts = w.arguments?.[0];
      expect(opts && ts.isObjectLiteralExpression(opts)).toBe(true);
      const web = prop(opts as ts.ObjectLiteralExpression, 'webPreferences');
      expect(web && ts.isObjectLiteralExpression(web)).toBe(true);
      const wp = web as ts.ObjectLiteralExpression;
      expect(prop(wp, 'contextIsolation')?.getText()).toBe('true');
      expect(prop(wp, 'sandbox')?.getText()).toBe('true');
      expect(prop(wp, 'nodeIntegration')?.getText()).toBe('false');
      expect(prop(wp, 'nodeIntegrationInWorker')?.getText()).toBe('false');
      expect(prop(wp, 'webSecurity')?.getText()).not.toBe('false');
      expect(prop(wp, 'webviewTag')?.getText()).toBe('false');
      expect(prop(wp, 'preload')?.getText()).toContain('preload');
    }
  });

  it('prevents navigation and webview attachment', () => {
    for (const event of ['will-navigate', 'will-attach-webview']) {
      const h = handlers(event);
      expect(h.length, event).toBeGreaterThan(0);
      expect(h.every((c) => c.arguments[1]?.getText().includes('preventDefault()'))).toBe(true);
    }
  });

  it('denies every window.open and sends only checked https links to the system browser', () => {
    const calls = find(ts.isCallExpression).filter(
      (c) => ts.isPropertyAccessExpression(c.expression) && c.expression.name.text === 'setWindowOpenHandler',
    );
    expect(calls.length).toBe(1);
    const body = calls[0].arguments[0].getText();
    expect(body).toContain("action: 'deny'");
    expect(body).not.toContain("action: 'allow'");
    expect(body).toMatch(/isSafeExternal\(url\)\)\s*void shell\.openExternal\(url\)/);
    const check = find(ts.isFunctionDeclaration).find((f) => f.name?.text === 'isSafeExternal');
    expect(check?.getText()).toContain("url.protocol === 'https:'");
  });

  it('denies permission requests and checks', () => {
    const req = find(ts.isCallExpression).find((c) => c.expression.getText().endsWith('setPermissionRequestHandler'));
    const chk = find(ts.isCallExpression).find((c) => c.expression.getText().endsWith('setPermissionCheckHandler'));
    expect(req?.arguments[0].getText()).toMatch(/callback\(false\)/);
    expect(chk?.arguments[0].getText()).toMatch(/=>\s*false/);
  });

  it('serves the renderer on app:// with the strict CSP, confined to the renderer directory', () => {
    const text = source.getText();
    expect(text).toContain("scheme: 'app'");
    expect(text).toMatch(/'Content-Security-Policy': contentSecurityPolicy\(port\)/);
    expect(text).toMatch(/if \(!file\.startsWith\(root \+ path\.sep\)\)/);
    expect(text).toContain('`${APP_ORIGIN}/index.html`');
  });

  it('hands the host address and token only to its own page', () => {
    const text = source.getText();
    expect(text).toMatch(/const allowed = origin === APP_ORIGIN/);
    const preload = fs.readFileSync(path.join(repoRoot, 'electron', 'preload.ts'), 'utf8');
    const exposed = preload.match(/exposeInMainWorld\('entrybench', \{([\s\S]*?)\}\);/);
    expect(exposed).not.toBeNull();
    // exactly one function, host(), and no ipcRenderer handed over
    expect(exposed![1].trim()).toMatch(/^host: \(\) =>/);
    expect(exposed![1]).not.toContain('ipcRenderer');
  });
});

describe('forge.config.ts', () => {
  const forge = fs.readFileSync(path.join(repoRoot, 'forge.config.ts'), 'utf8');
  it('burns the fuses the product needs', () => {
    expect(forge).toContain('[FuseV1Options.RunAsNode]: false');
    expect(forge).toContain('[FuseV1Options.EnableCookieEncryption]: true');
    expect(forge).toContain('[FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false');
    expect(forge).toContain('[FuseV1Options.EnableNodeCliInspectArguments]: false');
    expect(forge).toContain('[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true');
    expect(forge).toContain('[FuseV1Options.OnlyLoadAppFromAsar]: true');
  });
  it('builds main, preload and renderer with Vite and keeps node-pty out of the asar', () => {
    expect(forge).toMatch(/entry: 'electron\/main\.ts'.*target: 'main'/);
    expect(forge).toMatch(/entry: 'electron\/preload\.ts'.*target: 'preload'/);
    expect(forge).toMatch(/renderer: \[\{ name: 'main_window'/);
    expect(forge).toContain('node_modules/node-pty');
    const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
    expect(pkg.devDependencies['@electron-forge/cli']).toMatch(/^\^7\.11\./);
  });
});
