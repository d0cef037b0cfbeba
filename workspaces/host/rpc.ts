// JSON-RPC 2.0 dispatcher: validates params against each method's schema, runs the service, maps errors.
// Transport-agnostic: the server hands it text and a Peer; tests drive it directly.

import type {
  MethodName,
  ParamsOf,
  ResultOf,
  ProgressEvent,
  RpcErrorData,
  RpcErrorCodes,
  HostEventMessage,
} from './api.js';
import { parse, SchemaError, type Schema } from './schema.js';
import { ReviewError, Cancelled } from '../errors.js';

export const ErrorCode: RpcErrorCodes = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internalError: -32603,
  reviewError: -32000,
  cancelled: -32800,
};

/** What a dispatcher needs from a connection: a way to push text to it. */
export interface Peer {
  readonly id: number;
  sendText(text: string): void;
  /** Resources to release when the connection ends (terminal channels, ...). */
  onClose(cleanup: () => void): void;
}

/** Given to every handler: cancellation, progress and the calling connection. */
export interface CallContext {
  readonly signal: AbortSignal;
  readonly peer: Peer;
  progress(p: Omit<ProgressEvent, 'requestId' | 'elapsedMs'>): void;
}

type Handler<M extends MethodName> = (params: ParamsOf<M>, ctx: CallContext) => Promise<ResultOf<M>> | ResultOf<M>;

interface Registered {
  schema: Schema<unknown>;
  handler: (params: unknown, ctx: CallContext) => unknown;
}

type RequestId = number | string;

interface RpcResponse {
  jsonrpc: '2.0';
  id: RequestId | null;
  result?: unknown;
  error?: { code: number; message: string; data?: RpcErrorData };
}

export class Dispatcher {
  private readonly methods = new Map<string, Registered>();
  /** Running requests per peer, so "$/cancelRequest" and disconnects can abort them. */
  private readonly running = new Map<string, AbortController>();

  constructor(private readonly onInternalError: (method: string, err: unknown) => void = () => {}) {}

  register<M extends MethodName>(method: M, schema: Schema<ParamsOf<M>>, handler: Handler<M>): void {
    if (this.methods.has(method)) throw new Error(`RPC method registered twice: ${method}`);
    this.methods.set(method, {
      schema: schema as Schema<unknown>,
      handler: handler as (params: unknown, ctx: CallContext) => unknown,
    });
  }

  has(method: string): boolean {
    return this.methods.has(method);
  }

  /** Names of every registered method (for `host.info`-style listings and tests). */
  list(): string[] {
    return [...this.methods.keys()].sort();
  }

  /** Abort everything a peer started (it disconnected). */
  abortPeer(peer: Peer): void {
    const prefix = `${peer.id}:`;
    for (const [key, ctl] of this.running) if (key.startsWith(prefix)) ctl.abort(new Cancelled('request'));
  }

  /** Handle one text frame; returns the response text, or null for notifications. */
  async handle(text: string, peer: Peer): Promise<string | null> {
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      return JSON.stringify(failure(null, ErrorCode.parseError, 'Parse error: the message is not JSON.'));
    }
    if (Array.isArray(msg)) {
      // Batches are not used by our clients; answer them per JSON-RPC rather than guess.
      return JSON.stringify(failure(null, ErrorCode.invalidRequest, 'Batch requests are not supported.'));
    }
    const response = await this.handleMessage(msg, peer);
    return response ? JSON.stringify(response) : null;
  }

  private async handleMessage(msg: unknown, peer: Peer): Promise<RpcResponse | null> {
    if (typeof msg !== 'object' || msg === null) {
      return failure(null, ErrorCode.invalidRequest, 'Invalid request: expected a JSON-RPC object.');
    }
    const req = msg as { jsonrpc?: unknown; id?: unknown; method?: unknown; params?: unknown };
    const hasId = 'id' in req;
    const id = req.id;
    if (hasId && !(typeof id === 'number' || typeof id === 'string')) {
      return failure(null, ErrorCode.invalidRequest, 'Invalid request: id must be a number or a string.');
    }
    if (req.jsonrpc !== '2.0' || typeof req.method !== 'string') {
      return failure(hasId ? (id as RequestId) : null, ErrorCode.invalidRequest, 'Invalid request: needs jsonrpc "2.0" and a method.');
    }
    if (!hasId) {
      this.handleNotification(req.method, req.params, peer);
      return null;
    }
    return this.call(id as RequestId, req.method, req.params, peer);
  }

  private handleNotification(method: string, params: unknown, peer: Peer): void {
    if (method === '$/cancelRequest') {
      const id = (params as { id?: unknown } | null)?.id;
      if (typeof id === 'number' || typeof id === 'string') {
        this.running.get(`${peer.id}:${id}`)?.abort(new Cancelled('request'));
      }
    }
    // Other notifications from clients are ignored: JSON-RPC forbids answering them.
  }

  private async call(id: RequestId, method: string, rawParams: unknown, peer: Peer): Promise<RpcResponse> {
    const entry = this.methods.get(method);
    if (!entry) return failure(id, ErrorCode.methodNotFound, `Unknown method: ${method}`);

    let params: unknown;
    try {
      params = parse(entry.schema, rawParams === undefined ? {} : rawParams);
    } catch (err) {
      if (err instanceof SchemaError) {
        return failure(id, ErrorCode.invalidParams, `Invalid arguments for ${method}: ${err.message}`, {
          kind: 'InvalidParams',
          hint: 'This is a bug in the caller; the fields listed are wrong.',
          issues: err.issues,
        });
      }
      throw err;
    }

    const key = `${peer.id}:${id}`;
    const controller = new AbortController();
    this.running.set(key, controller);
    const started = Date.now();
    const ctx: CallContext = {
      signal: controller.signal,
      peer,
      progress: (p) => {
        const event: ProgressEvent = { ...p, requestId: id, elapsedMs: Date.now() - started };
        peer.sendText(JSON.stringify({ jsonrpc: '2.0', method: '$/progress', params: event }));
      },
    };
    try {
      const result = await entry.handler(params, ctx);
      return { jsonrpc: '2.0', id, result: result === undefined ? null : result };
    } catch (err) {
      return this.errorResponse(id, method, err, controller.signal);
    } finally {
      this.running.delete(key);
    }
  }

  private errorResponse(id: RequestId, method: string, err: unknown, signal: AbortSignal): RpcResponse {
    if (err instanceof Cancelled || (signal.aborted && isAbortError(err))) {
      const c = err instanceof Cancelled ? err : new Cancelled('request');
      return failure(id, ErrorCode.cancelled, c.message, { kind: c.kind, hint: c.hint });
    }
    if (err instanceof ReviewError) {
      return failure(id, ErrorCode.reviewError, err.message, {
        kind: err.kind,
        hint: err.hint,
        ...(err.details === undefined ? {} : { details: err.details }),
      });
    }
    this.onInternalError(method, err);
    const message = err instanceof Error ? err.message : String(err);
    return failure(id, ErrorCode.internalError, `Internal error in ${method}: ${message}`, {
      kind: 'InternalError',
      hint: 'This is a bug in Entrybench. The host log has the stack; please report it with the steps that led here.',
    });
  }
}

function isAbortError(err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || err instanceof Cancelled);
}

function failure(id: RequestId | null, code: number, message: string, data?: RpcErrorData): RpcResponse {
  return { jsonrpc: '2.0', id, error: data ? { code, message, data } : { code, message } };
}

/** Encode a host event as a JSON-RPC notification. */
export function eventNotification(message: HostEventMessage): string {
  return JSON.stringify({ jsonrpc: '2.0', method: '$/event', params: message });
}
