import { describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors';
import { BackendSettings } from '../../../shared/backend-options';
import { defaultLoadOptions, type LoadOptions } from '../../../shared/schemas';
import type { BackendExit } from '../backend';
import {
  backoffMs,
  contextRung,
  isOutOfMemory,
  MAX_ATTEMPTS,
  nextRung,
  planRecovery,
  type PlanInput,
} from './recovery-plan';

const settings = BackendSettings.parse({});
const opts = (o: Partial<LoadOptions> = {}): LoadOptions => ({ ...defaultLoadOptions(), ...o });
const crashed = (code = 'BACKEND_CRASHED', details?: string): BackendExit => ({
  kind: 'exited',
  phase: 'running',
  code: null,
  signal: 'SIGKILL',
  error: new AppError(code as 'BACKEND_CRASHED', { reason: 'signal SIGKILL' }, details),
});
const loadFailed = (code: string, details?: string): BackendExit => ({
  kind: 'exited',
  phase: 'loading',
  code: 1,
  signal: null,
  error: new AppError(code as 'MODEL_LOAD_FAILED', { reason: 'x' }, details),
});
const input = (p: Partial<PlanInput> = {}): PlanInput => ({
  exit: crashed(),
  attempt: 0,
  restarts: 0,
  steps: 0,
  settings,
  options: opts(),
  model: { contextLength: 4096, blockCount: 4 },
  now: 1000,
  ...p,
});

describe('planRecovery', () => {
  it('backs off 1 s, 2 s, 4 s and gives up after MAX_ATTEMPTS failed tries in a row', () => {
    const delays: number[] = [];
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const d = planRecovery(input({ attempt, restarts: attempt }));
      expect(d).toMatchObject({ kind: 'restart', attempt: attempt + 1, step: null, options: opts() });
      if (d.kind === 'restart') delays.push(d.delayMs);
    }
    expect(delays).toEqual([1000, 2000, 4000]);
    expect(planRecovery(input({ attempt: MAX_ATTEMPTS, restarts: 3 }))).toMatchObject({
      kind: 'give-up',
      error: { code: 'BACKEND_CRASHED' },
    });
    expect(backoffMs(10)).toBe(8000);
  });

  it.each<[string, Partial<PlanInput>, string]>([
    ['stopped by the user', { exit: { kind: 'stopped' } }, 'none'],
    ['no exit yet', { exit: null }, 'none'],
    ['auto-restart off', { settings: { ...settings, autoRestart: false } }, 'none'],
    ['auto-restart off after a restart', { settings: { ...settings, autoRestart: false }, restarts: 1 }, 'give-up'],
    ['unsupported architecture at the first start', { exit: loadFailed('MODEL_UNSUPPORTED_ARCH') }, 'none'],
    ['model file gone during a restart', { exit: loadFailed('MODEL_NOT_FOUND'), restarts: 2 }, 'give-up'],
    ['vLLM sees no GPU at the first start', { exit: loadFailed('VLLM_NO_GPU') }, 'none'],
    ['vLLM cannot run the quantization', { exit: loadFailed('VLLM_UNSUPPORTED_QUANT') }, 'none'],
    ["vLLM's Python is broken after a restart", { exit: loadFailed('VLLM_PYTHON_ENV'), restarts: 1 }, 'give-up'],
    ['an external server refuses the key', { exit: loadFailed('REMOTE_AUTH') }, 'none'],
    ['an external server went away (refused): retried', { exit: loadFailed('REMOTE_REFUSED') }, 'restart'],
    [
      'binary missing',
      { exit: { kind: 'not-started', error: new AppError('BACKEND_BINARY_MISSING', { path: '/x' }) } },
      'none',
    ],
    [
      'a stalled load',
      { exit: { kind: 'stalled', error: new AppError('BACKEND_LOAD_TIMEOUT', { seconds: 1 }) } },
      'restart',
    ],
    [
      'hung',
      { exit: { ...(crashed() as object), error: new AppError('BACKEND_HUNG', { seconds: 30 }) } as BackendExit },
      'restart',
    ],
    ['a plain load failure', { exit: loadFailed('MODEL_LOAD_FAILED', 'error loading model') }, 'restart'],
  ])('%s → %s', (_name, p, kind) => {
    expect(planRecovery(input(p)).kind).toBe(kind);
  });

  it('steps one rung down after out of memory, not bounded by the crash attempts', () => {
    const d = planRecovery(
      input({ exit: loadFailed('BACKEND_OOM'), attempt: 5, options: opts({ contextSize: 32768 }) }),
    );
    expect(d).toMatchObject({
      kind: 'restart',
      attempt: 6,
      options: { contextSize: 16384 },
      step: { what: 'context', from: '32768', to: '16384', because: 'BACKEND_OOM', at: 1000 },
    });
  });

  it('reads an allocation failure filed as a load failure as out of memory', () => {
    expect(
      isOutOfMemory(
        new AppError('MODEL_LOAD_FAILED', { reason: 'x' }, 'ggml_gallocr: failed to allocate Vulkan0 buffer'),
      ),
    ).toBe(true);
    expect(isOutOfMemory(new AppError('MODEL_LOAD_FAILED', { reason: 'x' }, 'error loading model'))).toBe(false);
    const d = planRecovery(
      input({
        exit: loadFailed('MODEL_LOAD_FAILED', 'ggml_backend_cpu_buffer_type_alloc_buffer: failed to allocate buffer'),
      }),
    );
    expect(d).toMatchObject({ kind: 'restart', step: { what: 'context' } });
  });

  it('with the ladder off an out-of-memory failure is restarted as is', () => {
    const d = planRecovery(input({ exit: loadFailed('BACKEND_OOM'), settings: { ...settings, oomLadder: false } }));
    expect(d).toMatchObject({ kind: 'restart', step: null, options: opts() });
  });

  it('gives up on out of memory when no rung is left', () => {
    const bottom = opts({
      contextSize: 2048,
      cacheTypeK: 'q8_0',
      cacheTypeV: 'q8_0',
      gpuLayers: 0,
      gpus: { ...opts().gpus, devices: [] },
    });
    expect(planRecovery(input({ exit: loadFailed('BACKEND_OOM'), options: bottom }))).toMatchObject({
      kind: 'give-up',
      error: { code: 'BACKEND_OOM' },
    });
    expect(planRecovery(input({ exit: loadFailed('BACKEND_OOM'), steps: 16 })).kind).toBe('give-up');
  });
});

describe('the ladder (nextRung), one rung at a time from the user options to CPU only', () => {
  it('walks context → KV cache → GPU layers → CPU only', () => {
    let o = opts({ contextSize: 16384, gpuLayers: 'all', flashAttention: 'off' });
    const steps: string[] = [];
    for (let i = 0; i < 20; i++) {
      const r = nextRung(o, { contextLength: 4096, blockCount: 28 }, 4096, 'BACKEND_OOM', 0);
      if (!r) break;
      steps.push(`${r.step.what} ${r.step.from} → ${r.step.to}`);
      o = r.options;
    }
    expect(steps).toEqual([
      'context 16384 → 8192',
      'context 8192 → 4096',
      'kv-cache f16 → q8_0',
      'gpu-layers all → 14',
      'gpu-layers 14 → 7',
      'gpu-layers 7 → 3',
      'gpu-layers 3 → 1',
      'cpu-only 1 → 0',
    ]);
    expect(o).toMatchObject({ contextSize: 4096, cacheTypeK: 'q8_0', cacheTypeV: 'q8_0', flashAttention: 'on' });
    expect(o.gpuLayers).toBe(0);
    expect(o.gpus.devices).toEqual([]);
  });

  it.each<[string, Partial<LoadOptions>, { contextLength: number | null; blockCount: number | null }, string | null]>([
    [
      "context 0 is the model's own",
      { contextSize: 0 },
      { contextLength: 131072, blockCount: 4 },
      'context 131072 → 65536',
    ],
    ['never below the floor', { contextSize: 3000 }, { contextLength: 4096, blockCount: 4 }, 'context 3000 → 2048'],
    ['at the floor: KV next', { contextSize: 2048 }, { contextLength: 4096, blockCount: 4 }, 'kv-cache f16 → q8_0'],
    ['unknown context: KV next', { contextSize: 0 }, { contextLength: null, blockCount: 4 }, 'kv-cache f16 → q8_0'],
    [
      'mixed KV: only the unquantized half',
      { contextSize: 2048, cacheTypeK: 'f16', cacheTypeV: 'q4_0' },
      { contextLength: 4096, blockCount: 4 },
      'kv-cache f16/q4_0 → q8_0/q4_0',
    ],
    [
      "'auto' layers from the block count",
      { contextSize: 2048, cacheTypeK: 'q8_0', cacheTypeV: 'q8_0' },
      { contextLength: 4096, blockCount: 61 },
      'gpu-layers auto → 30',
    ],
    [
      'unknown block count: CPU only',
      { contextSize: 2048, cacheTypeK: 'q8_0', cacheTypeV: 'q8_0', gpuLayers: 'all' },
      { contextLength: 4096, blockCount: null },
      'cpu-only all → 0',
    ],
  ])('%s', (_n, o, model, expected) => {
    const r = nextRung(opts(o), model, 2048, 'BACKEND_OOM', 0);
    expect(r ? `${r.step.what} ${r.step.from} → ${r.step.to}` : null).toBe(expected);
  });

  it("keeps flash attention 'auto' (llama.cpp turns it on where it can) and 'on'", () => {
    for (const fa of ['auto', 'on'] as const) {
      const r = nextRung(
        opts({ contextSize: 2048, flashAttention: fa }),
        { contextLength: 4096, blockCount: 4 },
        2048,
        'BACKEND_OOM',
        0,
      );
      expect(r?.options.flashAttention).toBe(fa);
    }
  });

  it('CPU only clears the split so -dev none stands alone', () => {
    const o = opts({
      contextSize: 2048,
      cacheTypeK: 'q8_0',
      cacheTypeV: 'q8_0',
      gpuLayers: 1,
      gpus: { devices: ['Vulkan0', 'Vulkan1'], splitMode: 'row', mainGpu: 1, tensorSplit: [1, 1] },
    });
    const r = nextRung(o, { contextLength: 4096, blockCount: 4 }, 2048, 'BACKEND_OOM', 5);
    expect(r?.options.gpus).toEqual({ devices: [], splitMode: 'layer', mainGpu: 0, tensorSplit: null });
    expect(r?.step).toEqual({ what: 'cpu-only', from: '1', to: '0', because: 'BACKEND_OOM', at: 5 });
  });
});

describe('an RPC worker that dropped out (RPC_WORKER_LOST): the next run goes without it', () => {
  const lost = (address: string, phase: 'loading' | 'running' = 'running'): BackendExit => ({
    kind: 'exited',
    phase,
    code: null,
    signal: 'SIGABRT',
    error: new AppError('RPC_WORKER_LOST', { address, reason: 'recv failed (bytes_recv=0, size_to_recv=8)' }),
  });
  const two = opts({ rpcServers: ['10.0.0.2:50052', '10.0.0.3:50052'] });
  it.each<[string, Partial<PlanInput>, { to: string[] | null; from?: string; toText?: string }]>([
    [
      'the named worker of two',
      { exit: lost('10.0.0.3:50052'), options: two },
      { to: ['10.0.0.2:50052'], from: '10.0.0.2:50052,10.0.0.3:50052', toText: '10.0.0.2:50052' },
    ],
    [
      'the first of two, at load',
      { exit: lost('10.0.0.2:50052', 'loading'), options: two },
      { to: ['10.0.0.3:50052'], from: '10.0.0.2:50052,10.0.0.3:50052', toText: '10.0.0.3:50052' },
    ],
    [
      'the only worker, unnamed (cut mid-reply)',
      { exit: lost('?'), options: opts({ rpcServers: ['10.0.0.2:50052'] }) },
      { to: [], from: '10.0.0.2:50052', toText: '' },
    ],
    // several workers and no name: the same options again; the next load says which one is gone
    ['one of two, unnamed', { exit: lost('?'), options: two }, { to: null }],
    ['a worker not in this run', { exit: lost('10.9.9.9:1'), options: two }, { to: null }],
  ])('%s', (_name, p, want) => {
    const d = planRecovery(input(p));
    expect(d.kind).toBe('restart');
    if (d.kind !== 'restart') return;
    if (want.to === null) {
      expect(d.step).toBeNull();
      expect(d.options).toEqual(p.options);
    } else {
      expect(d.options.rpcServers).toEqual(want.to);
      expect(d.step).toEqual({
        what: 'rpc-worker',
        from: want.from,
        to: want.toText,
        because: 'RPC_WORKER_LOST',
        at: 1000,
      });
      // nothing else changes
      expect({ ...d.options, rpcServers: [] }).toEqual({ ...p.options, rpcServers: [] });
    }
  });

  it('leaving a worker out is progress: it does not give up at MAX_ATTEMPTS', () => {
    const d = planRecovery(input({ exit: lost('10.0.0.3:50052'), options: two, attempt: MAX_ATTEMPTS, restarts: 3 }));
    expect(d).toMatchObject({ kind: 'restart', options: { rpcServers: ['10.0.0.2:50052'] } });
  });

  it('an unnamed loss with several workers still counts against MAX_ATTEMPTS', () => {
    expect(planRecovery(input({ exit: lost('?'), options: two, attempt: MAX_ATTEMPTS, restarts: 3 })).kind).toBe(
      'give-up',
    );
  });

  it('auto-restart off: not restarted', () => {
    const s = { ...settings, autoRestart: false };
    expect(planRecovery(input({ exit: lost('10.0.0.3:50052'), options: two, settings: s })).kind).toBe('none');
  });
});

describe('vLLM (kind vllm): only the context rung of the OOM ladder', () => {
  const oom = loadFailed('BACKEND_OOM');
  it('halves --max-model-len (options.contextSize) like the llama.cpp context', () => {
    const d = planRecovery(input({ kind: 'vllm', exit: oom, options: opts({ contextSize: 4096 }) }));
    expect(d).toMatchObject({
      kind: 'restart',
      options: { contextSize: 2048 },
      step: { what: 'context', from: '4096', to: '2048', because: 'BACKEND_OOM' },
    });
  });
  it('at the floor it gives up: the KV-cache, GPU-layers and CPU-only rungs change nothing vLLM runs with', () => {
    const floor = opts({ contextSize: settings.minContext });
    expect(planRecovery(input({ kind: 'vllm', exit: oom, options: floor }))).toMatchObject({
      kind: 'give-up',
      error: { code: 'BACKEND_OOM' },
    });
    // llama.cpp at the same floor goes on down its ladder.
    expect(planRecovery(input({ exit: oom, options: floor }))).toMatchObject({
      kind: 'restart',
      step: { what: 'kv-cache' },
    });
  });
  it("contextRung is nextRung's first rung or nothing", () => {
    const m = { contextLength: 4096, blockCount: 28 };
    expect(contextRung(opts({ contextSize: 8192 }), m, 2048, 'BACKEND_OOM', 0)?.options.contextSize).toBe(4096);
    expect(contextRung(opts({ contextSize: 2048 }), m, 2048, 'BACKEND_OOM', 0)).toBeNull();
  });
});
