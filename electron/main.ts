// The desktop shell: one sandboxed window on app://, the host in-process, nothing else.
// Everything below the window is the same host that `entrybench serve` runs; see workspaces/host/.
import { app, BrowserWindow, dialog, ipcMain, protocol, session, shell } from 'electron';
import path from 'node:path';
import fs from 'node:fs';
import { Host } from '../workspaces/host/host.js';
import { startWebServer, contentSecurityPolicy, type WebServer } from '../workspaces/host/server.js';
import { ensureDemoWorkspace } from '../workspaces/host/demo-workspace.js';
import { useAppLayout } from '../workspaces/host/paths.js';

// Set by Electron Forge's Vite plugin.
declare const MAIN_WINDOW_VITE_DEV_SERVER_URL: string | undefined;
declare const MAIN_WINDOW_VITE_NAME: string;

const APP_ORIGIN = 'app://entrybench';

// Where the app's own files are: the checkout under `electron-forge start`; when packaged, app.asar and
// the resources directory beside it (forge.config.ts copies the demo, fragments and scenarios there).
useAppLayout({ root: app.getAppPath(), resources: app.isPackaged ? process.resourcesPath : null });

protocol.registerSchemesAsPrivileged([
  { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
]);

let server: WebServer | null = null;
let host: Host | null = null;

function rendererRoot(): string {
  return path.join(__dirname, '..', 'renderer', MAIN_WINDOW_VITE_NAME);
}

const MIME: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.ttf': 'font/ttf',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
};

/** Serve the built renderer on app://entrybench/, confined to its directory, with the CSP. */
function registerAppProtocol(port: number): void {
  const root = rendererRoot();
  protocol.handle('app', async (request) => {
    const url = new URL(request.url);
    if (url.host !== 'entrybench') return new Response('Not found', { status: 404 });
    const rel = decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname);
    const file = path.resolve(root, '.' + rel);
    if (!file.startsWith(root + path.sep)) return new Response('Not found', { status: 404 });
    try {
      const body = await fs.promises.readFile(file);
      return new Response(body, {
        headers: {
          'Content-Type': MIME[path.extname(file)] ?? 'application/octet-stream',
          'Content-Security-Policy': contentSecurityPolicy(port),
          'X-Content-Type-Options': 'nosniff',
        },
      });
    } catch {
      return new Response('Not found', { status: 404 });
    }
  });
}

/**
 * The origin of a frame's URL. Node's URL (the main process's) gives "null" for app:// URLs, app: not
 * being a special scheme there, though Chromium treats it as a standard one: so spell it out.
 */
function originOf(raw: string): string {
  try {
    const url = new URL(raw);
    return url.protocol === 'app:' ? `app://${url.host}` : url.origin;
  } catch {
    return '';
  }
}

/** Only plain https links leave the app, and only to the system browser. */
function isSafeExternal(raw: string): boolean {
  try {
    const url = new URL(raw);
    return url.protocol === 'https:' && !url.username && !url.password;
  } catch {
    return false;
  }
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 1024,
    minHeight: 640,
    title: 'Entrybench',
    show: false,
    webPreferences: {
      preload: path.join(__dirname, 'preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  });
  win.once('ready-to-show', () => win.show());
  if (typeof MAIN_WINDOW_VITE_DEV_SERVER_URL === 'string' && MAIN_WINDOW_VITE_DEV_SERVER_URL) {
    void win.loadURL(MAIN_WINDOW_VITE_DEV_SERVER_URL);
  } else {
    void win.loadURL(`${APP_ORIGIN}/index.html`);
  }
  return win;
}

app.on('web-contents-created', (_event, contents) => {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isSafeExternal(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
});

app.whenReady().then(async () => {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);

  const args = process.argv.slice(app.isPackaged ? 1 : 2).filter((a) => a !== '--');
  host = new Host({
    shell: 'electron',
    initialWorkspace: args.find((a) => !a.startsWith('-')) ?? null,
    pickFiles: async ({ title, directory }) => {
      const result = await dialog.showOpenDialog({
        title: title ?? 'Open',
        properties: directory ? ['openDirectory'] : ['openFile', 'multiSelections'],
      });
      return result.canceled ? [] : result.filePaths;
    },
  });
  // No workspace named (or --demo): the bundled demo, as `npm start` promises.
  if (!host.initialWorkspace || args.includes('--demo')) {
    host.demo = await ensureDemoWorkspace(host);
    host.initialWorkspace = host.demo.workspace;
  }
  const devOrigin =
    typeof MAIN_WINDOW_VITE_DEV_SERVER_URL === 'string' && MAIN_WINDOW_VITE_DEV_SERVER_URL
      ? [new URL(MAIN_WINDOW_VITE_DEV_SERVER_URL).origin]
      : [];
  server = await startWebServer({ host, staticDir: null, extraOrigins: [APP_ORIGIN, ...devOrigin] });
  registerAppProtocol(server.port);

  // The preload asks once for the host address; only our own page may.
  ipcMain.on('entrybench:host-address', (event) => {
    const origin = event.senderFrame ? originOf(event.senderFrame.url) : '';
    const allowed = origin === APP_ORIGIN || devOrigin.includes(origin);
    event.returnValue = allowed && server ? { url: `ws://127.0.0.1:${server.port}/rpc`, token: server.token } : null;
  });

  createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow();
  });
});

app.on('window-all-closed', () => app.quit());

app.on('will-quit', (event) => {
  if (!host) return;
  event.preventDefault();
  const h = host;
  host = null;
  void Promise.all([server?.close(), h.dispose()]).finally(() => app.quit());
});
