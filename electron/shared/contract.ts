/**
 * The one contract between the UI (or any client) and the core. Every method and event stream is declared
 * here once with zod schemas; the IPC and HTTP/WebSocket transports are generic adapters over this table,
 * and the renderer's client type is inferred from it.
 */
import { z } from 'zod';
import type { ErrorInfo } from './errors';
import {
  AppInfo,
  BackendStatus,
  ChatEvent,
  ChatMessage,
  LoadOptions,
  LogLine,
  ModelFileInfo,
  SamplingParams,
  Settings,
  SettingsPatch,
} from './schemas';

const empty = z.strictObject({});

const method = <P extends z.ZodType, R extends z.ZodType>(params: P, result: R) => ({ params, result });

export const methods = {
  'app.info': method(empty, AppInfo),
  'settings.get': method(empty, Settings),
  'settings.update': method(SettingsPatch, Settings),
  /** Reads and validates a GGUF file's header without loading it. */
  'models.inspect': method(z.strictObject({ path: z.string().min(1).max(4096) }), ModelFileInfo),
  'backend.status': method(empty, BackendStatus),
  /** Validates the model, spawns the backend and returns at once; progress arrives as `backend.status` events. */
  'backend.start': method(
    z.strictObject({ modelPath: z.string().min(1).max(4096), options: LoadOptions.partial().optional() }),
    BackendStatus,
  ),
  'backend.stop': method(empty, BackendStatus),
  'backend.logs': method(z.strictObject({ limit: z.number().int().min(1).max(5000).optional() }), z.array(LogLine)),
  /** Starts a streamed reply; its deltas arrive as `chat.event` with the caller's requestId. */
  'chat.start': method(
    z.strictObject({
      requestId: z.string().min(1).max(100),
      messages: z.array(ChatMessage).min(1).max(10_000),
      sampling: SamplingParams.optional(),
    }),
    z.object({ requestId: z.string() }),
  ),
  'chat.cancel': method(z.strictObject({ requestId: z.string().min(1).max(100) }), z.object({ cancelled: z.boolean() })),
  /** Desktop only: native file dialog. The browser shell answers UNSUPPORTED and shows a path field instead. */
  'shell.pickModelFile': method(empty, z.object({ path: z.string().nullable() })),
} as const;

export const events = {
  'backend.status': BackendStatus,
  'backend.log': LogLine,
  /** After every settings write, from any client (another window, the API). */
  'settings.changed': Settings,
  'chat.event': ChatEvent,
} as const;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type EventName = keyof typeof events;
export type ParamsIn<M extends MethodName> = z.input<Methods[M]['params']>;
export type Params<M extends MethodName> = z.output<Methods[M]['params']>;
export type Result<M extends MethodName> = z.output<Methods[M]['result']>;
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>;

export const methodNames = Object.keys(methods) as MethodName[];
export const eventNames = Object.keys(events) as EventName[];

export const isMethodName = (s: unknown): s is MethodName => typeof s === 'string' && Object.hasOwn(methods, s);
export const isEventName = (s: unknown): s is EventName => typeof s === 'string' && Object.hasOwn(events, s);

/** What a client (renderer, CLI, tests, bench) holds, whatever the transport. */
export interface ContractClient {
  call<M extends MethodName>(method: M, params: ParamsIn<M>): Promise<Result<M>>;
  /** Returns the unsubscribe function. */
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
}

/** Who is calling; transports fill it so core can tell the desktop window from a browser. */
export interface CallContext {
  transport: 'ipc' | 'http' | 'ws' | 'direct';
}

/** What the core implements. Transports validate params before calling and results in tests. */
export type Handlers = { [M in MethodName]: (params: Params<M>, ctx: CallContext) => Promise<Result<M>> };

/** Event sink the core pushes to; transports fan out to their subscribers. */
export interface EventBus {
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
}

/** IPC channel names (Electron). One invoke channel per method keeps the preload's allow-list explicit. */
export const ipcInvokeChannel = (m: MethodName) => `dl:call:${m}`;
export const ipcEventChannel = (e: EventName) => `dl:event:${e}`;

/** WebSocket frames between the browser client and the HTTP transport. */
export const WsClientFrame = z.discriminatedUnion('type', [
  z.object({ type: z.literal('call'), id: z.number().int(), method: z.string(), params: z.unknown() }),
  z.object({ type: z.literal('sub'), event: z.string() }),
  z.object({ type: z.literal('unsub'), event: z.string() }),
]);
export type WsClientFrame = z.infer<typeof WsClientFrame>;
export type WsServerFrame =
  | { type: 'result'; id: number; ok: true; result: unknown }
  | { type: 'result'; id: number; ok: false; error: ErrorInfo }
  | { type: 'event'; event: EventName; payload: unknown };

/** Result of one call across IPC: errors travel as values because Electron mangles thrown errors. */
export type Envelope<T = unknown> = { ok: true; result: T } | { ok: false; error: ErrorInfo };

/** The only object the preload exposes (as `window.deeplocal`). */
export interface DeepLocalBridge {
  invoke(method: MethodName, params: unknown): Promise<Envelope>;
  on(event: EventName, listener: (payload: unknown) => void): () => void;
}
