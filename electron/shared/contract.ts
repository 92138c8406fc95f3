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
  patchOf,
  LogLine,
  ModelFileInfo,
  SamplingParams,
  Settings,
  SettingsPatch,
  UserPath,
} from './schemas';
import { Alert, HardwareReport, PowerInfo, PowerResult, TelemetrySample, TelemetryStatus } from './telemetry';
import { modelEvents, modelMethods } from './contract-models';
import { runtimeEvents, runtimeMethods } from './contract-runtimes';
import { backendEvents, backendMethods } from './contract-backend';
import { chatEvents, chatMethods } from './contract-chat';
import { apiEvents, apiMethods } from './contract-api';
import { quantEvents, quantMethods } from './contract-quant';
import { backendKindEvents, backendKindMethods } from './contract-backends';
import { AppUpdateState } from './app-update';

const empty = z.strictObject({});

const method = <P extends z.ZodType, R extends z.ZodType>(params: P, result: R) => ({ params, result });

export const methods = {
  'app.info': method(empty, AppInfo),
  'settings.get': method(empty, Settings),
  'settings.update': method(SettingsPatch, Settings),
  /** Reads and validates a GGUF file's header without loading it. */
  'models.inspect': method(z.strictObject({ path: UserPath }), ModelFileInfo),
  'backend.status': method(empty, BackendStatus),
  /** Validates the model, spawns the backend and returns at once; progress arrives as `backend.status` events. */
  'backend.start': method(
    z.strictObject({ modelPath: UserPath, options: patchOf(LoadOptions).optional() }),
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
  'chat.cancel': method(
    z.strictObject({ requestId: z.string().min(1).max(100) }),
    z.object({ cancelled: z.boolean() }),
  ),
  /** Hardware detection (cached; `refresh` probes again). Never blocks on a hung tool for more than a few seconds. */
  'hardware.probe': method(z.strictObject({ refresh: z.boolean().optional() }), HardwareReport),
  /** The same report as plain text, for bug reports. */
  'hardware.reportText': method(empty, z.object({ text: z.string() })),
  'telemetry.status': method(empty, TelemetryStatus),
  /** Samples from the ring buffer (at least 10 minutes at 1 Hz are kept). */
  'telemetry.history': method(
    z.strictObject({ seconds: z.number().int().min(1).max(3600).optional() }),
    z.array(TelemetrySample),
  ),
  'power.status': method(empty, z.array(PowerInfo)),
  'power.setLimit': method(
    z.strictObject({ gpu: z.number().int().min(0).max(64), watts: z.number().min(1).max(5000) }),
    PowerResult,
  ),
  'power.resetLimit': method(z.strictObject({ gpu: z.number().int().min(0).max(64) }), PowerResult),
  /** Laptops that refuse -pl: lock the graphics clock range instead (nvidia-smi -lgc), or reset it (-rgc). */
  'power.lockClocks': method(
    z.strictObject({
      gpu: z.number().int().min(0).max(64),
      minMHz: z.number().int().min(0).max(10000),
      maxMHz: z.number().int().min(0).max(10000),
    }),
    PowerResult,
  ),
  'power.resetClocks': method(z.strictObject({ gpu: z.number().int().min(0).max(64) }), PowerResult),
  'alerts.list': method(z.strictObject({ limit: z.number().int().min(1).max(1000).optional() }), z.array(Alert)),
  /** Desktop only: native file dialog. The browser shell answers UNSUPPORTED and shows a path field instead. */
  'shell.pickModelFile': method(empty, z.object({ path: z.string().nullable() })),
  /**
   * Headless only: a new token for the web UI and the API, saved for the next starts. The old one stops working at
   * once (open WebSocket sessions with it are closed). Returns the page URL with the new token.
   */
  'server.newToken': method(empty, z.object({ url: z.string() })),
  /** Desktop only: the app update's state (electron-updater). The browser shell answers UNSUPPORTED. */
  'app.updateStatus': method(empty, AppUpdateState),
  /** Desktop only: quits, installs the downloaded update and restarts. UPDATE_NOT_READY before it is downloaded. */
  'app.installUpdate': method(empty, z.object({ restarting: z.boolean() })),
  ...modelMethods,
  ...runtimeMethods,
  ...backendMethods,
  ...chatMethods,
  ...apiMethods,
  ...quantMethods,
  ...backendKindMethods,
} as const;

export const events = {
  'backend.status': BackendStatus,
  'backend.log': LogLine,
  /** After every settings write, from any client (another window, the API). */
  'settings.changed': Settings,
  /** One sample per tick while anyone listens (or the thermal guard is on). */
  'telemetry.sample': TelemetrySample,
  'telemetry.status': TelemetryStatus,
  'power.changed': z.array(PowerInfo),
  alert: Alert,
  'chat.event': ChatEvent,
  /** Desktop only: each change of the app update's state (checking, available, progress, downloaded, error). */
  'app.update': AppUpdateState,
  ...modelEvents,
  ...runtimeEvents,
  ...backendEvents,
  ...chatEvents,
  ...apiEvents,
  ...quantEvents,
  ...backendKindEvents,
} as const;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type EventName = keyof typeof events;
export type ParamsIn<M extends MethodName> = z.input<Methods[M]['params']>;
export type Params<M extends MethodName> = z.output<Methods[M]['params']>;
export type Result<M extends MethodName> = z.output<Methods[M]['result']>;
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>;

export const methodNames = Object.keys(methods) as MethodName[];

/**
 * Topical events go only to clients subscribed with their topic (a conversation's stream to the windows showing
 * it); a subscription without a topic gets none of them. Every other event has no topic.
 */
export const eventTopics: { [E in EventName]?: (payload: EventPayload<E>) => string } = {
  'conversation.stream': (p) => p.conversationId,
  'chat.event': (p) => p.requestId,
};
export const isTopical = (e: EventName): boolean => Object.hasOwn(eventTopics, e);
export const topicOf = <E extends EventName>(e: E, payload: EventPayload<E>): string | undefined =>
  (eventTopics[e] as ((p: EventPayload<E>) => string) | undefined)?.(payload);
/** A topic a client may name: what topicOf returns (ids), bounded. */
export const EventTopic = z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/);

export const isMethodName = (s: unknown): s is MethodName => typeof s === 'string' && Object.hasOwn(methods, s);
export const isEventName = (s: unknown): s is EventName => typeof s === 'string' && Object.hasOwn(events, s);

/** What a client (renderer, CLI, tests, bench) holds, whatever the transport. */
export interface ContractClient {
  call<M extends MethodName>(method: M, params: ParamsIn<M>): Promise<Result<M>>;
  /** Returns the unsubscribe function. A topical event (eventTopics) needs its topic, e.g. a conversation id. */
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void, topic?: string): () => void;
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
  /** Listeners `event` has now (each transport subscription counts once). */
  listenerCount(event: EventName): number;
  /**
   * Called with the new count whenever a listener of `event` is added or removed, so costly producers (the
   * telemetry sampler) run only while someone listens. Watchers are not listeners themselves.
   */
  watchListeners(event: EventName, watcher: (count: number) => void): () => void;
}

/** IPC channel names (Electron). One invoke channel per method keeps the preload's allow-list explicit. */
export const ipcInvokeChannel = (m: MethodName) => `dl:call:${m}`;
export const ipcEventChannel = (e: EventName) => `dl:event:${e}`;
/**
 * Renderer → main: `(event, subscribed)` when the first listener of an event is added or the last removed, so the
 * main process forwards (and the core produces) only what a window listens to, as the WebSocket `sub` frames do.
 * A page sends `(null, 'new-page')` first when its preload loads: whatever an earlier page in that renderer had
 * subscribed is dropped (IPC messages of one renderer arrive in order, so nothing of the new page's is lost).
 */
export const ipcSubscribeChannel = 'dl:subscribe';
/** What the renderer sends as the event of a topical subscription on `ipcSubscribeChannel` (a plain name otherwise). */
export interface IpcTopicalSubscription {
  event: EventName;
  topic: string;
}
export const IPC_NEW_PAGE = 'new-page';

/** WebSocket frames between the browser client and the HTTP transport. */
export const WsClientFrame = z.discriminatedUnion('type', [
  z.object({ type: z.literal('call'), id: z.number().int(), method: z.string(), params: z.unknown() }),
  z.object({ type: z.literal('sub'), event: z.string(), topic: z.string().optional() }),
  z.object({ type: z.literal('unsub'), event: z.string(), topic: z.string().optional() }),
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
  /** `topic`: for a topical event (eventTopics), the topic whose events the listener gets (none without one). */
  on(event: EventName, listener: (payload: unknown) => void, topic?: string): () => void;
}
