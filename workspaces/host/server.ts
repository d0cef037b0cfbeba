// Web mode: the host over HTTP + one WebSocket, bound to 127.0.0.1, guarded by a token, Host and Origin checks.
// The Electron shell uses the same server; its window connects from the app:// origin with the token.

import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import { Connection, type Host } from './host.js';
import { safeFileName } from '../store/workspace.js';

export const TOKEN_COOKIE = 'entrybench_token';
/** The token may travel as a WebSocket subprotocol, so it never appears in a URL or log. */
export const TOKEN_PROTOCOL_PREFIX = 'entrybench.token.';
export const RPC_PROTOCOL = 'entrybench.rpc';
const MAX_UPLOAD_BYTES = 4 * 1024 ** 3;

export interface WebServerOptions {
  host: Host;
  port?: number;
  /** Directory of the built renderer; null serves only the API (tests, Electron). */
  staticDir: string | null;
  /** Fixed token (Electron passes its own); random by default. */
  token?: string;
  /** Origins allowed besides http://127.0.0.1:PORT and http://localhost:PORT (Electron adds app://entrybench). */
  extraOrigins?: string[];
}

export interface WebServer {
  port: number;
  token: string;
  /** The launch URL: carries the token once; the page trades it for a cookie. */
  url: string;
  close(): Promise<void>;
}

export type Refusal = { ok: false; status: number; reason: string };
export type Acceptance = { ok: true };

class WsConnection extends Connection {
  constructor(
    id: number,
    private readonly ws: WebSocket,
  ) {
    super(id);
  }
  sendText(text: string): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(text);
  }
  sendBinary(frame: Uint8Array): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(frame, { binary: true });
  }
}

export function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  const token = opts.token ?? crypto.randomBytes(32).toString('base64url');
  const tokenBytes = Buffer.from(token);
  const { host } = opts;
  let port = 0;

  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const allowedOrigins = () =>
    new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`, ...(opts.extraOrigins ?? [])]);

  const tokenMatches = (candidate: string | undefined): boolean => {
    if (!candidate) return false;
    const b = Buffer.from(candidate);
    return b.length === tokenBytes.length && crypto.timingSafeEqual(b, tokenBytes);
  };

  /** Host and Origin rules shared by HTTP requests and WebSocket upgrades. */
  const checkHostAndOrigin = (req: http.IncomingMessage): Refusal | Acceptance => {
    const hostHeader = req.headers.host;
    if (!hostHeader || !allowedHosts().has(hostHeader.toLowerCase())) {
      return { ok: false, status: 403, reason: `Host ${hostHeader ?? '(none)'} is not this server` };
    }
    const origin = req.headers.origin;
    // Browsers always send Origin on WebSocket upgrades and cross-site requests; its absence means a
    // same-origin navigation or a non-browser client holding the token.
    if (origin !== undefined && !allowedOrigins().has(origin)) {
      return { ok: false, status: 403, reason: `Origin ${origin} is not allowed` };
    }
    return { ok: true };
  };

  const server = http.createServer((req, res) => {
    handleHttp(req, res).catch((err) => {
      host.log.error('web', `HTTP ${req.method} ${req.url} failed: ${String(err)}`);
      if (!res.headersSent) send(res, 500, 'text/plain', 'Internal error; see the host log.');
      else res.destroy();
    });
  });

  async function handleHttp(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const hostCheck = checkHostAndOrigin(req);
    if (!hostCheck.ok) return refuse(res, hostCheck);
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);

    // Trade the launch token for a cookie and take it out of the address bar.
    const queryToken = url.searchParams.get('token');
    if (queryToken !== null) {
      if (!tokenMatches(queryToken)) return refuse(res, { ok: false, status: 403, reason: 'wrong token' });
      url.searchParams.delete('token');
      res.writeHead(302, {
        'Set-Cookie': `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`,
        Location: url.pathname + (url.search || ''),
        'Cache-Control': 'no-store',
      });
      res.end();
      return;
    }
    if (!tokenMatches(readCookie(req, TOKEN_COOKIE)) && !tokenMatches(bearer(req))) {
      return refuse(res, {
        ok: false,
        status: 403,
        reason: 'no token: open the URL that `entrybench serve` printed (it carries the token)',
      });
    }

    if (url.pathname === '/upload') return handleUpload(req, res, url);
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'Method not allowed');
    if (url.pathname === '/healthz') return send(res, 200, 'application/json', JSON.stringify({ ok: true }));
    return serveStatic(req, res, url.pathname);
  }

  async function handleUpload(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    if (req.method !== 'POST') return send(res, 405, 'text/plain', 'Use POST to upload');
    // A simple cross-site form cannot send this content type, which keeps uploads to our own page.
    if (req.headers['content-type'] !== 'application/octet-stream') {
      return send(res, 415, 'text/plain', 'Upload with Content-Type: application/octet-stream');
    }
    const length = Number(req.headers['content-length'] ?? '0');
    if (length > MAX_UPLOAD_BYTES) return send(res, 413, 'text/plain', 'File too large (limit 4 GiB)');
    const name = safeFileName(url.searchParams.get('name') ?? 'upload', 'upload');
    const dir = path.join(host.dataDir, 'uploads', crypto.randomBytes(6).toString('hex'));
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, name);
    let received = 0;
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > MAX_UPLOAD_BYTES) req.destroy(new Error('upload too large'));
    });
    try {
      await pipeline(req, fs.createWriteStream(file, { flags: 'wx' }));
    } catch (err) {
      // Cut off or too large: a partial file must not look like mail someone could open.
      fs.rmSync(dir, { recursive: true, force: true });
      throw err;
    }
    host.log.info('web', `received upload ${name} (${received} bytes)`);
    send(res, 200, 'application/json', JSON.stringify({ path: file, bytes: received }));
  }

  function serveStatic(req: http.IncomingMessage, res: http.ServerResponse, pathname: string): void {
    if (!opts.staticDir) return send(res, 404, 'text/plain', 'This server has no UI build.');
    const root = path.resolve(opts.staticDir);
    let rel: string;
    try {
      rel = decodeURIComponent(pathname);
    } catch {
      return send(res, 400, 'text/plain', 'Bad path');
    }
    if (rel === '/' || rel === '') rel = '/index.html';
    const file = path.resolve(root, '.' + rel);
    if (file !== root && !file.startsWith(root + path.sep)) return send(res, 404, 'text/plain', 'Not found');
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch {
      return send(res, 404, 'text/plain', 'Not found');
    }
    if (!stat.isFile()) return send(res, 404, 'text/plain', 'Not found');
    const headers: http.OutgoingHttpHeaders = {
      'Content-Type': contentType(file),
      'Content-Length': stat.size,
      'Cache-Control': file.endsWith('index.html') ? 'no-store' : 'max-age=3600',
    };
    if (file.endsWith('.html')) headers['Content-Security-Policy'] = contentSecurityPolicy(port);
    res.writeHead(200, { ...securityHeaders(), ...headers });
    if (req.method === 'HEAD') return void res.end();
    fs.createReadStream(file).pipe(res);
  }

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 64 * 1024 * 1024,
    handleProtocols: (protocols) => (protocols.has(RPC_PROTOCOL) ? RPC_PROTOCOL : false),
  });

  server.on('upgrade', (req, socket, head) => {
    const reject = (r: Refusal) => {
      host.log.warn('web', `refused WebSocket upgrade: ${r.reason}`);
      socket.end(`HTTP/1.1 ${r.status} Forbidden\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${r.reason}\n`);
    };
    const hostCheck = checkHostAndOrigin(req);
    if (!hostCheck.ok) return reject(hostCheck);
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    if (url.pathname !== '/rpc') return reject({ ok: false, status: 404, reason: 'no such endpoint' });
    const protocols = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    const protoToken = protocols.find((p) => p.startsWith(TOKEN_PROTOCOL_PREFIX))?.slice(TOKEN_PROTOCOL_PREFIX.length);
    if (!tokenMatches(readCookie(req, TOKEN_COOKIE)) && !tokenMatches(protoToken)) {
      return reject({ ok: false, status: 403, reason: 'no token' });
    }
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws));
  });

  function attach(ws: WebSocket): void {
    const conn = new WsConnection(host.newPeerId(), ws);
    host.connect(conn);
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const bytes = toBuffer(data);
      if (isBinary) host.receiveBinary(conn, bytes);
      else
        void host.receiveText(conn, bytes.toString('utf8')).catch((err) => host.log.error('rpc', String(err)));
    });
    ws.on('close', () => host.disconnect(conn));
    ws.on('error', (err) => host.log.warn('web', `WebSocket error: ${err.message}`));
  }

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      port = (server.address() as AddressInfo).port;
      server.off('error', reject);
      resolve({
        port,
        token,
        url: `http://127.0.0.1:${port}/?token=${token}`,
        close: () =>
          new Promise<void>((done) => {
            for (const client of wss.clients) client.terminate();
            wss.close();
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

function refuse(res: http.ServerResponse, r: Refusal): void {
  send(res, r.status, 'text/plain', `${r.status} ${r.reason}\n`);
}

function send(res: http.ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { ...securityHeaders(), 'Content-Type': `${type}; charset=utf-8`, 'Cache-Control': 'no-store' });
  res.end(body);
}

function securityHeaders(): http.OutgoingHttpHeaders {
  return {
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
}

/** The CSP for the renderer page; Electron serves the same one on app://. */
export function contentSecurityPolicy(port: number): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    // Monaco and xterm.js inject <style> elements at run time.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "worker-src 'self' blob:",
    `connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function readCookie(req: http.IncomingMessage, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function bearer(req: http.IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  return auth?.startsWith('Bearer ') ? auth.slice(7) : undefined;
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data as ArrayBuffer);
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ttf': 'font/ttf',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
};

function contentType(file: string): string {
  return TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}
