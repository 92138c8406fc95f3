import { describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors';
import type { BackendStatus, LoadOptions, ModelFileInfo } from '../../shared/schemas';
import { LoadOptions as LoadOptionsSchema } from '../../shared/schemas';
import type { Backend, BackendKind, StartRequest } from './backend';
import { BackendLog } from './backend-log';
import { idle } from './llama-cpp/supervisor';
import { KindRouter } from './router';

/** A backend kind whose runs the test drives by hand (the router only sees the Backend interface). */
class HandDriven implements Backend {
  st: BackendStatus;
  private readonly listeners = new Set<(s: BackendStatus) => void>();
  starts: StartRequest[] = [];
  stops = 0;
  disposed = false;
  constructor(
    readonly kind: BackendKind,
    private readonly log: BackendLog,
  ) {
    this.st = idle(0, { kind });
  }
  emit(patch: Partial<BackendStatus>) {
    this.st = { ...this.st, ...patch, seq: this.st.seq + 1 };
    for (const l of this.listeners) l(this.st);
  }
  async start(req: StartRequest) {
    this.starts.push(req);
    this.emit({ ...idle(this.st.runId + 1, { kind: this.kind }), state: 'starting', model: req.model });
    return this.st;
  }
  async stop() {
    this.stops++;
    this.emit({ state: 'stopped' });
    return this.st;
  }
  status() {
    return this.st;
  }
  onStatus(l: (s: BackendStatus) => void) {
    this.listeners.add(l);
    return () => void this.listeners.delete(l);
  }
  waitReady() {
    return Promise.resolve();
  }
  endpoint() {
    return this.st.state === 'ready' ? { baseUrl: `http://${this.kind}`, apiKey: 'k' } : null;
  }
  capabilities() {
    return null;
  }
  async health() {
    return 'unreachable' as const;
  }
  lastExit() {
    return null;
  }
  recentLogs() {
    return [];
  }
  onLog() {
    return () => {};
  }
  note(text: string) {
    this.log.push('app', `${this.kind}: ${text}`);
  }
  async dispose() {
    this.disposed = true;
  }
}

const model: ModelFileInfo = {
  path: '/m.gguf',
  name: 'm',
  sizeBytes: 1,
  architecture: 'llama',
  quantization: null,
  contextLength: null,
  parameterCount: null,
  tensorCount: 1,
  ggufVersion: 3,
  splitCount: 1,
};
const options: LoadOptions = LoadOptionsSchema.parse({});

function setup() {
  const log = new BackendLog(100);
  const llama = new HandDriven('llama-cpp', log);
  const vllm = new HandDriven('vllm', log);
  const router = new KindRouter(llama, log);
  router.register(vllm);
  const seen: BackendStatus[] = [];
  router.onStatus((s) => seen.push(s));
  return { log, llama, vllm, router, seen };
}

describe('KindRouter', () => {
  it('sends a start without a kind to llama-cpp and one with a kind to that kind', async () => {
    const { llama, vllm, router } = setup();
    await router.start({ model, options });
    expect(llama.starts).toHaveLength(1);
    expect(router.kind).toBe('llama-cpp');
    llama.emit({ state: 'ready' });
    await router.start({ model, options, kind: 'vllm' });
    expect(vllm.starts).toHaveLength(1);
    expect(router.kind).toBe('vllm');
    expect(router.status().kind).toBe('vllm');
  });

  it('stops a running run of another kind before starting the new kind', async () => {
    const { llama, router } = setup();
    await router.start({ model, options });
    llama.emit({ state: 'ready' });
    await router.start({ model, options, kind: 'vllm' });
    expect(llama.stops).toBe(1);
  });

  it('refuses to switch kinds while the current run starts, loads or stops (BACKEND_BUSY)', async () => {
    const { router } = setup();
    await router.start({ model, options });
    const e = await router.start({ model, options, kind: 'vllm' }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe('BACKEND_BUSY');
  });

  it('answers UNSUPPORTED for a kind nobody registered', async () => {
    const { router } = setup();
    const e = await router.start({ model, options, kind: 'external' }).catch((x: unknown) => x);
    expect((e as AppError).code).toBe('UNSUPPORTED');
  });

  it('numbers statuses in one increasing sequence across kinds, and runs with increasing runIds', async () => {
    const { llama, router, seen } = setup();
    await router.start({ model, options });
    llama.emit({ state: 'ready' });
    await router.start({ model, options, kind: 'vllm' });
    const seqs = seen.map((s) => s.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    const llamaRun = seen.find((s) => s.kind === 'llama-cpp' && s.state === 'ready')!.runId;
    const vllmRun = seen.filter((s) => s.kind === 'vllm').at(-1)!.runId;
    expect(vllmRun).toBeGreaterThan(llamaRun);
  });

  it('forwards only the active kind: a late status of the previous kind is not shown', async () => {
    const { llama, vllm, router, seen } = setup();
    await router.start({ model, options });
    llama.emit({ state: 'ready' });
    await router.start({ model, options, kind: 'vllm' });
    const before = seen.length;
    llama.emit({ state: 'crashed' });
    expect(seen.length).toBe(before);
    vllm.emit({ state: 'ready' });
    expect(router.status().state).toBe('ready');
    expect(router.endpoint()?.baseUrl).toBe('http://vllm');
  });

  it('keeps one log for every kind, and disposes every kind', async () => {
    const { log, llama, vllm, router } = setup();
    router.note('from the app');
    llama.note('a');
    vllm.note('b');
    expect(router.recentLogs().map((l) => l.text)).toEqual(['from the app', 'llama-cpp: a', 'vllm: b']);
    expect(log.recent().map((l) => l.seq)).toEqual([1, 2, 3]);
    await router.dispose();
    expect(llama.disposed && vllm.disposed).toBe(true);
  });

  it('refuses to register a kind twice', () => {
    const { log, router } = setup();
    expect(() => router.register(new HandDriven('vllm', log))).toThrow(/twice/);
  });
});
