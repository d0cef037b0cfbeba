// The typed host API: the one contract between the renderer and the review engine.
// Types only. The renderer imports this file with `import type` and nothing else from workspaces/.
//
// Wire protocol (one WebSocket at /rpc):
//   text frames   JSON-RPC 2.0. Requests call HostMethods; the host sends notifications:
//                 "$/progress" (ProgressEvent) and "$/event" (HostEventMessage).
//                 The client cancels a running request with the notification "$/cancelRequest" { id }.
//   binary frames terminal channels: [u8 kind][u32 BE channel][payload], kinds in FrameKinds.

export type * from './api/system.js';
export type * from './api/series.js';
export type * from './api/tree.js';
export type * from './api/tree-file.js';
export type * from './api/check.js';
export type * from './api/walk.js';
export type * from './api/guest.js';
export type * from './api/review.js';
export type * from './api/workspace.js';

import type { SystemMethods, SystemEvents } from './api/system.js';
import type { SeriesMethods, SeriesEvents } from './api/series.js';
import type { TreeMethods } from './api/tree.js';
import type { TreeFileMethods } from './api/tree-file.js';
import type { CheckMethods } from './api/check.js';
import type { WalkMethods, WalkEvents } from './api/walk.js';
import type { GuestMethods, GuestEvents } from './api/guest.js';
import type { ReviewMethods } from './api/review.js';
import type { WorkspaceMethods } from './api/workspace.js';

/** One RPC method: what it takes and what it returns. */
export interface MethodSpec<P, R> {
  params: P;
  result: R;
}

export interface HostMethods
  extends SystemMethods,
    SeriesMethods,
    TreeMethods,
    TreeFileMethods,
    CheckMethods,
    WalkMethods,
    GuestMethods,
    ReviewMethods,
    WorkspaceMethods {}

export type MethodName = keyof HostMethods;
export type ParamsOf<M extends MethodName> = HostMethods[M]['params'];
export type ResultOf<M extends MethodName> = HostMethods[M]['result'];

/** Events the host pushes to every connected client. */
export interface HostEvents extends SystemEvents, SeriesEvents, WalkEvents, GuestEvents {}
export type EventName = keyof HostEvents;
export interface HostEventMessage<E extends EventName = EventName> {
  event: E;
  data: HostEvents[E];
}

/** Progress of a long request (build, walk, boot), sent as "$/progress" while it runs. */
export interface ProgressEvent {
  /** The JSON-RPC id of the request this progress belongs to. */
  requestId: number | string;
  /** Short machine name of the phase: "apply", "build", "check", "boot", ... */
  phase: string;
  /** One human line: "building 07/12 (incremental)". */
  message: string;
  /** Units of work done and expected, when known. */
  done?: number;
  total?: number;
  /** Series step the work is about, when it is about one. */
  step?: number;
  elapsedMs: number;
  /** Estimated time left, when the service can tell. */
  etaMs?: number;
}

/** Error payload in JSON-RPC error.data for errors a user can act on. */
export interface RpcErrorData {
  kind: string;
  hint: string;
  details?: unknown;
  /** Field problems when the arguments failed their schema. */
  issues?: { path: string; message: string }[];
}

/** JSON-RPC error codes the host uses. */
export interface RpcErrorCodes {
  parseError: -32700;
  invalidRequest: -32600;
  methodNotFound: -32601;
  invalidParams: -32602;
  internalError: -32603;
  /** A ReviewError: the data says what happened and what to do. */
  reviewError: -32000;
  cancelled: -32800;
}

/** Binary frame kinds on the terminal channel (the renderer mirrors these values, checked by tsc). */
export interface FrameKinds {
  /** host -> client: bytes the terminal prints */
  output: 1;
  /** client -> host: bytes the user typed */
  input: 2;
  /** client -> host: payload u16 cols, u16 rows */
  resize: 3;
  /** client -> host: payload u32 count of output bytes the terminal has processed */
  ack: 4;
}

/** Flow control limits, like VS Code's terminal: pause the source past high, resume under low. */
export interface FlowControl {
  highWatermarkBytes: 100_000;
  lowWatermarkBytes: 5_000;
  /** The client acks after this many processed bytes. */
  ackEveryBytes: 5_000;
}
