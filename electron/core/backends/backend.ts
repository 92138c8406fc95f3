/**
 * What every backend kind offers the rest of the app (the style of Ollama's `LlamaServer` interface): chat, the
 * OpenAI proxy, the backend gate, telemetry and the contract handlers see this, never a process or its flags. Today
 * the one kind is `llama-cpp/` (llama-server); a kind learns what it can do from what it really runs, and says so in
 * `capabilities()`, rather than promising a fixed feature list.
 */
import type { AppError } from '../../shared/errors';
import type { BackendKind, VllmPlan } from '../../shared/backends';
import type { BackendStatus, LoadOptions, LogLine, ModelFileInfo } from '../../shared/schemas';

export type { BackendKind };

/**
 * What to run. `model` is always filled (for vLLM and external servers a ModelFileInfo describing the checkpoint or
 * the remote model, path = the folder / `<url>#<model>`), so status, recent models and the UI read one shape.
 * `kind` absent: llama-cpp. The kind router (router.ts) hands the request to that kind's backend.
 */
export interface StartRequest {
  model: ModelFileInfo;
  options: LoadOptions;
  kind?: BackendKind;
  /**
   * kind 'vllm': the plan (compose/vllm-plan.ts: checkpoint, install, tensor-parallel size, max model length,
   * reasoning parser). options.contextSize, when the OOM ladder lowered it below plan.maxModelLen, wins.
   */
  vllm?: { plan: VllmPlan };
  /** kind 'external': the saved server and the model it serves. */
  external?: { serverId: string; model: string };
}

/** Where a ready backend serves the OpenAI-compatible API, and what the backend gate sizes itself from. */
export interface Endpoint {
  /** `http://127.0.0.1:PORT`; `/v1/...` paths are appended. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer`; one per run. */
  apiKey: string;
  /** Requests it generates for at once (llama-server: -np), which sizes the backend gate; undefined: not known. */
  slots?: number;
  /** The `model` field requests must carry (vLLM's served name, a remote server's model id); absent: any. */
  model?: string;
  /**
   * https endpoints: a self-signed certificate the user trusted (SHA-256 fingerprint, "AB:CD:…"); the system's CAs
   * decide when absent. Every client of the endpoint (chat, the proxy, telemetry) goes through util/upstream-http.ts.
   */
  tls?: { fingerprint256: string | null };
  /**
   * A server that is not a process of ours (kind 'external'): a reply cut mid-stream is REMOTE_STREAM_CUT (the
   * server may well still run) rather than BACKEND_CRASHED. Absent: false.
   */
  remote?: boolean;
  /**
   * Call when a reply through this endpoint completed normally (the chat service, the OpenAI proxy on a 2xx): the
   * backend then counts as serving (the self-healing supervision's failed-try count starts again).
   */
  served?: () => void;
}

/** What the running backend can actually use, from the build and the options it was started with. */
export interface BackendCapabilities {
  /** Where R1-style thinking arrives: in `delta.reasoning_content` ('separate'), or inside the content ('inline'). */
  reasoning: 'separate' | 'inline';
  /** The speculative decoding in use (llama-server's --spec-type, e.g. 'draft-simple'); null when off. */
  speculative: string | null;
  /** Prometheus text, and the naming of its series (llama-server: `llamacpp:*`); null when none is served. */
  metrics: { url: string; dialect: 'llamacpp' | 'vllm' } | null;
  /** Live per-slot state in llama-server's /slots shape (tokens of unfinished requests); null when not served. */
  slotsUrl: string | null;
  /** /v1/embeddings answers (llama-server only with --embeddings, which then serves nothing else). */
  embeddings: boolean;
}

/**
 * The last answer of the backend's health check: 'ok' serves; 'not-ready' answered but is not serving yet
 * (llama-server: 503 while loading); 'unreachable' did not answer (not listening yet, gone, or hung).
 */
export type Health = 'ok' | 'not-ready' | 'unreachable';

/** How a run ended. `error.code` is the classified reason (BACKEND_OOM, MODEL_LOAD_FAILED, BACKEND_CRASHED, …). */
export type BackendExit =
  /** We ended it: stop(), a new start, app exit. */
  | { kind: 'stopped' }
  /** It never ran: no binary, options it cannot take. */
  | { kind: 'not-started'; error: AppError }
  /** It made no load progress and wrote nothing for too long, so we ended it. */
  | { kind: 'stalled'; error: AppError }
  /** It ended on its own, while loading or while serving. */
  | { kind: 'exited'; phase: 'loading' | 'running'; code: number | null; signal: string | null; error: AppError };

export interface Backend {
  /** The kind of the current (or last) run; the router's changes with each start. */
  readonly kind: BackendKind;
  /**
   * Starts a run (a ready one is stopped first) and returns once its process is up. Load progress (status.progress,
   * status.phase) and readiness follow as status events. Throws BACKEND_BUSY while a run starts or stops, and
   * BACKEND_BINARY_MISSING when there is nothing to run.
   */
  start(req: StartRequest): Promise<BackendStatus>;
  /** Graceful stop, then forced after a grace period; resolves once the process is gone. */
  stop(): Promise<BackendStatus>;
  status(): BackendStatus;
  onStatus(listener: (s: BackendStatus) => void): () => void;
  /** Resolves when the current run is ready; rejects with the reason it failed. */
  waitReady(): Promise<void>;
  /** Set while ready, null otherwise. */
  endpoint(): Endpoint | null;
  /** Of the ready run, null otherwise. */
  capabilities(): BackendCapabilities | null;
  /** Asks the running backend now ('unreachable' when none runs). */
  health(): Promise<Health>;
  /** How the latest run ended; null while it runs (or before the first). */
  lastExit(): BackendExit | null;
  recentLogs(limit?: number): LogLine[];
  onLog(listener: (line: LogLine) => void): () => void;
  /** Adds a line of the app's own (stream 'app') to the log, beside the backend's output. */
  note(text: string): void;
  /** A reply was served (Endpoint.served calls this): a backend that supervises itself resets its failed tries. */
  noteServed?(): void;
  /** For app exit: stops the run. */
  dispose(): Promise<void>;
}
