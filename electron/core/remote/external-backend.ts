/**
 * The `external` backend kind (issue 15 §2): a model served by another OpenAI-compatible server (Ollama, LM Studio,
 * vLLM, TGI, llama-server, another DeepLocal). No process of ours runs: start() checks that the server answers and
 * lists the model, then serves its endpoint (its URL, the user's key, the model id every request must carry, the
 * pinned certificate). While ready, GET /v1/models every healthIntervalMs: two failures in a row (or one that no
 * retry mends: a refused key, a model gone) make the run 'crashed' with the typed reason, and the self-healing
 * supervision reconnects with its backoff like it restarts a crashed llama-server.
 *
 * How a failure ends a run, for the recovery plan (backends/healing/recovery-plan.ts): a wrong key, a server that
 * is not OpenAI-compatible, a certificate that changed or a model not listed is 'not-started' (the same request
 * fails the same way: no retry); a server refused / unreachable / silent is 'exited' (it may come back: retried).
 */
import type { BackendStatus, LoadOptions, LogLine, ModelFileInfo } from '../../shared/schemas';
import type { RemoteFlavor, RemoteModel } from '../../shared/backends';
import { AppError } from '../../shared/errors';
import type { Backend, BackendCapabilities, BackendExit, Endpoint, Health, StartRequest } from '../backends/backend';
import type { BackendLog } from '../backends/backend-log';
import { getText } from '../util/upstream-http';
import { fetchModels, tlsFor, type CheckTarget } from './check';
import { probeFlavor } from './flavor';
import type { StoredServer } from './store';
import { idleStatus } from '../../shared/idle-status';
import { StatusCell } from '../backends/status-cell';

/** Errors a reconnect can mend (the server may come back). */
const TRANSIENT = new Set(['REMOTE_REFUSED', 'REMOTE_UNREACHABLE', 'REMOTE_TIMEOUT']);

export interface ExternalBackendDeps {
  log: BackendLog;
  /** The saved server and its key; throws REMOTE_NOT_FOUND. */
  resolve(serverId: string): Promise<{ server: StoredServer; apiKey: string }>;
  checkTimeoutMs?: number;
  healthIntervalMs?: number;
  now?: () => number;
}

export const idleExternal = (runId: number, extra: Partial<BackendStatus> = {}): BackendStatus =>
  idleStatus(runId, { kind: 'external', ...extra });

/** Status.model for a remote model: path `<url>#<model>`, what the server says of its context. */
export function remoteModelInfo(url: string, model: string, remote?: RemoteModel | null): ModelFileInfo {
  return {
    path: `${url}#${model}`,
    name: model,
    sizeBytes: 0,
    architecture: 'remote',
    quantization: null,
    contextLength: remote?.contextLength ?? null,
    parameterCount: null,
    tensorCount: 0,
    ggufVersion: 0,
    splitCount: 1,
  };
}

type Failure = Exclude<BackendExit, { kind: 'stopped' }>;

export class ExternalBackend implements Backend {
  readonly kind = 'external';
  private readonly cell = new StatusCell(idleExternal(0));
  private serving: { endpoint: Endpoint; capabilities: BackendCapabilities; target: CheckTarget } | null = null;
  private exit: BackendExit | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private failures = 0;
  /** A start is looking up its server (before its 'starting' status). */
  private resolving = false;
  private readonly now: () => number;

  constructor(private readonly deps: ExternalBackendDeps) {
    this.now = deps.now ?? Date.now;
  }

  private get timeoutMs() {
    return this.deps.checkTimeoutMs ?? 10_000;
  }

  status(): BackendStatus {
    return this.st;
  }
  onStatus(l: (s: BackendStatus) => void): () => void {
    return this.cell.onChange(l);
  }
  endpoint(): Endpoint | null {
    return this.st.state === 'ready' ? (this.serving?.endpoint ?? null) : null;
  }
  capabilities(): BackendCapabilities | null {
    return this.st.state === 'ready' ? (this.serving?.capabilities ?? null) : null;
  }
  lastExit(): BackendExit | null {
    return this.exit;
  }
  recentLogs(limit?: number): LogLine[] {
    return this.deps.log.recent(limit);
  }
  onLog(l: (line: LogLine) => void): () => void {
    return this.deps.log.onLine(l);
  }
  note(text: string): void {
    this.deps.log.push('app', text);
  }

  waitReady(): Promise<void> {
    return this.cell.waitReady();
  }

  async health(): Promise<Health> {
    const t = this.serving?.target;
    if (!t) return 'unreachable';
    try {
      const r = await getText(`${t.url}/v1/models`, t.apiKey, Math.min(this.timeoutMs, 5000), tlsFor(t), 64 * 1024);
      return r.status >= 200 && r.status < 300 ? 'ok' : 'not-ready';
    } catch {
      return 'unreachable';
    }
  }

  async start(req: StartRequest): Promise<BackendStatus> {
    const s = this.st.state;
    if (s === 'starting' || s === 'loading' || s === 'stopping' || this.resolving)
      throw new AppError('BACKEND_BUSY', { state: this.resolving ? 'starting' : s });
    this.resolving = true;
    try {
      return await this.begin(req);
    } finally {
      this.resolving = false;
    }
  }

  private async begin(req: StartRequest): Promise<BackendStatus> {
    if (this.st.state === 'ready') await this.stop();
    const ext = req.external;
    if (!ext) throw new AppError('INVALID_PARAMS', { issues: 'an external start names a server and a model' });
    const runId = this.st.runId + 1;
    this.exit = null;
    this.failures = 0;
    let resolved: { server: StoredServer; apiKey: string };
    try {
      resolved = await this.deps.resolve(ext.serverId);
    } catch (e) {
      const error = e instanceof AppError ? e : new AppError('REMOTE_NOT_FOUND');
      this.exit = { kind: 'not-started', error };
      this.set({
        ...idleExternal(runId),
        state: 'crashed',
        error: error.toInfo(),
        model: req.model,
        options: req.options,
      });
      throw error;
    }
    const { server, apiKey } = resolved;
    const target: CheckTarget = { url: server.url, apiKey, trustFingerprint256: server.trustedFingerprint256 };
    this.set({
      ...idleExternal(runId),
      state: 'starting',
      phase: 'spawning',
      model: req.model,
      options: req.options,
      startedAt: this.now(),
      target: {
        kind: 'external',
        serverId: server.id,
        serverName: server.name,
        url: server.url,
        model: ext.model,
        flavor: server.lastCheck?.flavor ?? 'unknown',
      },
    });
    this.note(`connecting to ${server.name} (${server.url}) for model ${ext.model}`);
    void this.connect(runId, target, ext.model, req.options, server.lastCheck?.flavor ?? 'unknown');
    return this.st;
  }

  private async connect(runId: number, t: CheckTarget, model: string, options: LoadOptions, known: RemoteFlavor) {
    try {
      const list = await fetchModels(t, this.timeoutMs);
      if (this.st.runId !== runId || this.st.state !== 'starting') return;
      const found = list.models.find((m) => m.id === model);
      if (!found) throw new AppError('REMOTE_MODEL_NOT_FOUND', { model: model.slice(0, 200) });
      const flavor = known !== 'unknown' ? known : await probeFlavor(t.url, t.apiKey, tlsFor(t), list.ownedBy, 2000);
      const metrics = await this.metricsOf(t, flavor);
      if (this.st.runId !== runId || this.st.state !== 'starting') return;
      const endpoint: Endpoint = {
        baseUrl: t.url,
        apiKey: t.apiKey,
        model,
        remote: true,
        ...(t.url.startsWith('https:') ? { tls: { fingerprint256: t.trustFingerprint256 } } : {}),
      };
      this.serving = {
        endpoint,
        target: t,
        capabilities: { reasoning: 'separate', speculative: null, metrics, slotsUrl: null, embeddings: false },
      };
      const target = this.st.target?.kind === 'external' ? { ...this.st.target, flavor } : this.st.target;
      this.set({
        state: 'ready',
        phase: 'ready',
        progress: 1,
        readyAt: this.now(),
        model: { ...(this.st.model ?? remoteModelInfo(t.url, model)), contextLength: found.contextLength },
        options,
        target,
      });
      this.note(`connected in ${list.latencyMs} ms (${flavor}); metrics ${metrics ? metrics.url : 'none'}`);
      this.schedule(runId);
    } catch (e) {
      const error = e instanceof AppError ? e : new AppError('REMOTE_UNREACHABLE', { url: t.url, reason: String(e) });
      this.fail(
        runId,
        TRANSIENT.has(error.code)
          ? { kind: 'exited', phase: 'loading', code: null, signal: null, error }
          : { kind: 'not-started', error },
      );
    }
  }

  /** llama.cpp and vLLM serve Prometheus text at /metrics (llama-server only with --metrics): used when it answers. */
  private async metricsOf(t: CheckTarget, flavor: RemoteFlavor): Promise<BackendCapabilities['metrics']> {
    const dialect = flavor === 'llama.cpp' ? 'llamacpp' : flavor === 'vllm' ? 'vllm' : null;
    if (!dialect) return null;
    const url = `${t.url}/metrics`;
    try {
      const r = await getText(url, t.apiKey, 2000, tlsFor(t), 256 * 1024);
      return r.status === 200 && /^# (HELP|TYPE) /m.test(r.body) ? { url, dialect } : null;
    } catch {
      return null;
    }
  }

  private schedule(runId: number) {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.check(runId), this.deps.healthIntervalMs ?? 5000);
    this.timer.unref?.();
  }

  /** One health check of a ready run: the server answers and still lists the model. */
  private async check(runId: number) {
    this.timer = null;
    const serving = this.serving;
    if (!serving || this.st.runId !== runId || this.st.state !== 'ready') return;
    let error: AppError | null = null;
    try {
      const list = await fetchModels(serving.target, Math.min(this.timeoutMs, 5000));
      const model = serving.endpoint.model ?? '';
      if (!list.models.some((m) => m.id === model))
        error = new AppError('REMOTE_MODEL_NOT_FOUND', { model: model.slice(0, 200) });
    } catch (e) {
      error =
        e instanceof AppError ? e : new AppError('REMOTE_UNREACHABLE', { url: serving.target.url, reason: String(e) });
    }
    if (this.st.runId !== runId || this.st.state !== 'ready') return;
    if (!error) {
      this.failures = 0;
      return this.schedule(runId);
    }
    this.failures++;
    // A refused connection or a timeout may be a blip: one more try before the run counts as crashed.
    if (TRANSIENT.has(error.code) && this.failures < 2) {
      this.note(`health check failed (${error.code}); trying again`);
      return this.schedule(runId);
    }
    this.fail(runId, { kind: 'exited', phase: 'running', code: null, signal: null, error });
  }

  private fail(runId: number, exit: Failure) {
    // A run stopped while it was connecting stays stopped: its connect failing afterwards is no crash to recover from.
    if (this.st.runId !== runId || this.st.state === 'stopped') return;
    this.note(`error ${exit.error.code}: ${exit.error.message}`);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.exit = exit;
    this.serving = null;
    this.set({ state: 'crashed', error: exit.error.toInfo(), phase: null, progress: null });
  }

  async stop(): Promise<BackendStatus> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const wasRunning = this.st.state !== 'stopped' && this.st.state !== 'crashed';
    this.exit = { kind: 'stopped' };
    this.serving = null;
    if (wasRunning) this.note('disconnected');
    this.set({ ...idleExternal(this.st.runId) });
    return this.st;
  }

  async dispose(): Promise<void> {
    await this.stop();
  }

  private get st(): BackendStatus {
    return this.cell.current;
  }
  private set(patch: Partial<BackendStatus>) {
    this.cell.set(patch);
  }
}
