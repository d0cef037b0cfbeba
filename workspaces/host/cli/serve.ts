// `entrybench serve`: the workbench in a browser tab, on 127.0.0.1 with a one-time token.
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import type { CommandSpec } from './args.js';
import { flag, value, UsageError } from './args.js';
import { Host } from '../host.js';
import { startWebServer } from '../server.js';
import { ensureRendererBuilt } from '../renderer-build.js';
import { rendererDir } from '../paths.js';
import { ensureDemoWorkspace } from '../demo-workspace.js';

export const serveCommand: CommandSpec = {
  name: 'serve',
  summary: 'Serve the workbench UI on 127.0.0.1 and print its URL (web mode).',
  usage: '[--port N] [--no-open] [--data DIR] [--json] [WORKSPACE | FILE...]',
  options: [
    { name: 'port', type: 'string', value: 'N', help: 'port to listen on (default: a free one)' },
    { name: 'no-open', type: 'flag', help: 'do not open a browser' },
    { name: 'data', type: 'string', value: 'DIR', help: 'data directory (default: ~/.local/share/entrybench)' },
    { name: 'json', type: 'flag', help: 'print {"url","port"} as JSON once listening' },
    { name: 'demo', type: 'flag', help: 'open the bundled demo workspace (a fresh copy in the data directory on first use)' },
  ],
  details: 'The URL carries a random token. The page trades it for a cookie; requests without it,\nor with a foreign Host or Origin, get 403.',
  async run(args, io) {
    const portText = value(args, 'port');
    const port = portText === undefined ? 0 : Number(portText);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be 0-65535, got ${portText}`);
    await ensureRendererBuilt((line) => io.err(line + '\n'));
    const host = new Host({
      shell: 'web',
      dataDir: value(args, 'data'),
      echoLog: !flag(args, 'json'),
    });
    if (flag(args, 'demo')) {
      if (args.positionals.length) throw new UsageError('give either --demo or a workspace / mail files, not both');
      host.demo = await ensureDemoWorkspace(host);
      host.initialWorkspace = host.demo.workspace;
    } else if (args.positionals.length) {
      host.initialWorkspace = openAtStart(host, args.positionals);
    }
    const server = await startWebServer({ host, port, staticDir: rendererDir() });
    if (flag(args, 'json')) io.out(JSON.stringify({ url: server.url, port: server.port }) + '\n');
    else io.out(`Entrybench is serving at ${server.url}\n`);
    if (!flag(args, 'no-open')) openBrowser(server.url, io.err);

    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await server.close();
    await host.dispose();
    return 0;
  },
};

/** A workspace id or directory opens as it is; mail files become a new workspace. */
function openAtStart(host: Host, args: string[]): string {
  if (args.length === 1 && !fs.existsSync(args[0])) return host.workspaces.get(args[0]).id;
  if (args.length === 1 && fs.existsSync(path.join(args[0], 'workspace.json'))) return host.workspaces.get(path.resolve(args[0])).id;
  return host.workspaces.create(args.map((p) => ({ path: p }))).id;
}

function openBrowser(url: string, say: (t: string) => void): void {
  const hasDisplay = Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
  const opener = ['/usr/bin/xdg-open', '/usr/bin/sensible-browser'].find((p) => fs.existsSync(p));
  if (!hasDisplay || !opener) {
    say('No browser to open here (no display); open the URL above yourself, or pass --no-open to silence this.\n');
    return;
  }
  const child = spawn(opener, [url], { stdio: 'ignore', detached: true });
  child.on('error', () => say(`Could not start ${opener}; open the URL above yourself.\n`));
  child.unref();
}
