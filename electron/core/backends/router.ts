/**
 * The kind router: one Backend in front of every backend kind (llama-cpp, vllm, external). A start names its kind
 * (StartRequest.kind, llama-cpp when absent); the router stops a run of another kind first, then hands the request
 * to that kind and forwards only the active kind's statuses. The self-healing supervision wraps the router, so crash
 * recovery, the hang watchdog and the OOM ladder apply to every kind the same way.
 *
 * Statuses get the router's own `seq` and `runId` (each kind counts its runs from 1; the app must see one increasing
 * sequence) and carry `kind`. All kinds write one shared BackendLog (pass `log` to each), so the Logs page is one
 * sequence too.
 */
import { AppError } from '../../shared/errors';
import type { BackendStatus, LogLine } from '../../shared/schemas';
import type { Backend, BackendCapabilities, BackendExit, BackendKind, Endpoint, Health, StartRequest } from './backend';
import type { BackendLog } from './backend-log';

const BUSY = new Set<BackendStatus['state']>(['starting', 'loading', 'stopping']);
const IDLE = new Set<BackendStatus['state']>(['stopped', 'crashed']);

export class KindRouter implements Backend {
  private readonly kinds = new Map<BackendKind, Backend>();
  private active: Backend;
  private st: BackendStatus;
  private seq = 0;
  private runId = 0;
  /** The active kind's runId that our runId stands for. */
  private innerRun: { backend: Backend; runId: number } | null = null;
  private readonly listeners = new Set<(s: BackendStatus) => void>();

  constructor(
    first: Backend,
    private readonly log: BackendLog,
  ) {
    this.active = first;
    this.st = this.map(first, first.status());
    this.register(first);
  }

  /** Adds a kind (compose/vllm.ts, compose/remote.ts register theirs once their dependencies exist). */
  register(backend: Backend): void {
    if (this.kinds.has(backend.kind)) throw new Error(`backend kind ${backend.kind} registered twice`);
    this.kinds.set(backend.kind, backend);
    backend.onStatus((s) => {
      if (backend !== this.active) return;
      this.st = this.map(backend, s);
      for (const l of this.listeners) l(this.st);
    });
  }

  /** The backend of one kind (for that kind's own handlers, e.g. vLLM telemetry); null when not registered. */
  of(kind: BackendKind): Backend | null {
    return this.kinds.get(kind) ?? null;
  }

  get kind(): BackendKind {
    return this.active.kind;
  }

  private map(backend: Backend, s: BackendStatus): BackendStatus {
    if (!this.innerRun || this.innerRun.backend !== backend || this.innerRun.runId !== s.runId) {
      // A new run of this kind (or the first status we see of it).
      if (s.runId !== 0 || this.innerRun) this.runId++;
      this.innerRun = { backend, runId: s.runId };
    }
    return { ...s, kind: backend.kind, runId: this.runId, seq: ++this.seq };
  }

  async start(req: StartRequest): Promise<BackendStatus> {
    const kind = req.kind ?? 'llama-cpp';
    const next = this.kinds.get(kind);
    if (!next) throw new AppError('UNSUPPORTED', { what: `backend kind ${kind}` });
    if (next !== this.active) {
      const cur = this.active.status().state;
      if (BUSY.has(cur)) throw new AppError('BACKEND_BUSY', { state: cur });
      if (!IDLE.has(cur)) await this.active.stop();
      this.active = next;
      this.st = this.map(next, next.status());
    }
    await next.start(req);
    return this.st;
  }

  stop(): Promise<BackendStatus> {
    return this.active.stop().then(() => this.st);
  }
  status(): BackendStatus {
    return this.st;
  }
  onStatus(listener: (s: BackendStatus) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }
  waitReady(): Promise<void> {
    return this.active.waitReady();
  }
  endpoint(): Endpoint | null {
    return this.active.endpoint();
  }
  capabilities(): BackendCapabilities | null {
    return this.active.capabilities();
  }
  health(): Promise<Health> {
    return this.active.health();
  }
  lastExit(): BackendExit | null {
    return this.active.lastExit();
  }
  recentLogs(limit?: number): LogLine[] {
    return this.log.recent(limit);
  }
  onLog(listener: (line: LogLine) => void): () => void {
    return this.log.onLine(listener);
  }
  note(text: string): void {
    this.log.push('app', text);
  }
  noteServed(): void {
    this.active.noteServed?.();
  }
  async dispose(): Promise<void> {
    await Promise.all([...this.kinds.values()].map((b) => b.dispose()));
  }
}
