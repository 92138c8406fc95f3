import { describe, expect, it } from 'vitest';
import {
  runtimeProblem,
  runtimeReason,
  type RuntimeCheck,
  type RuntimeInfo,
  type RuntimeJob,
  type RuntimeSelection,
} from '@shared/runtimes';
import {
  activeReason,
  checkProblem,
  checkState,
  installedFor,
  isFinished,
  jobForVariant,
  jobFraction,
  mergeRuntimeJobs,
  newerJob,
  offerFor,
  problemText,
  reasonText,
  runtimeOrigin,
  runtimeSize,
} from './view';

const job = (o: Partial<RuntimeJob> = {}): RuntimeJob => ({
  id: 'j1',
  variant: 'vulkan',
  tag: 'b6000',
  phase: 'download',
  receivedBytes: 0,
  totalBytes: 1000,
  bytesPerSecond: null,
  etaSeconds: null,
  startedAt: 1,
  runtimeId: null,
  error: null,
  ...o,
});

const check = (o: Partial<RuntimeCheck> = {}): RuntimeCheck => ({
  runtimeId: 'r',
  variant: 'vulkan',
  ok: true,
  devices: [],
  problem: null,
  checkedAt: 1,
  durationMs: 5,
  ...o,
});
const llvmpipe = { name: 'Vulkan0', description: 'llvmpipe (LLVM 15.0.6, 256 bits)', totalMiB: 2048, freeMiB: 2048 };

const runtime = (o: Partial<RuntimeInfo> = {}): RuntimeInfo => ({
  schema: 1,
  id: 'b6000-vulkan',
  variant: 'vulkan',
  source: 'release',
  tag: 'b6000',
  commit: null,
  platform: 'linux',
  arch: 'x64',
  assets: [],
  files: [],
  serverPath: 'llama-server',
  installedAt: 1,
  dir: '/data/runtimes/b6000-vulkan',
  server: '/data/runtimes/b6000-vulkan/llama-server',
  active: false,
  removable: true,
  lastCheck: null,
  ...o,
});

describe('newerJob: snapshots arrive in any order, a job only moves forward', () => {
  it.each([
    [
      'a later phase wins over more bytes',
      job({ phase: 'download', receivedBytes: 900 }),
      job({ phase: 'verify', receivedBytes: 0 }),
      'verify',
    ],
    [
      'an earlier phase arriving late loses',
      job({ phase: 'unpack' }),
      job({ phase: 'download', receivedBytes: 999 }),
      'unpack',
    ],
    ['same phase: more bytes wins', job({ receivedBytes: 500 }), job({ receivedBytes: 100 }), 500],
    ['same phase, more bytes arriving: taken', job({ receivedBytes: 100 }), job({ receivedBytes: 500 }), 500],
    ['a finished job stays finished', job({ phase: 'failed' }), job({ phase: 'check' }), 'failed'],
    [
      'cancel arriving after the last byte wins',
      job({ phase: 'download', receivedBytes: 999 }),
      job({ phase: 'cancelled', receivedBytes: 10 }),
      'cancelled',
    ],
  ])('%s', (_, a, b, want) => {
    const n = newerJob(a, b);
    expect(typeof want === 'number' ? n.receivedBytes : n.phase).toBe(want);
  });
});

it('mergeRuntimeJobs keeps one newest snapshot per job, newest job first', () => {
  const merged = mergeRuntimeJobs(
    [job({ id: 'a', startedAt: 1, receivedBytes: 300 }), job({ id: 'b', startedAt: 2 })],
    [job({ id: 'a', startedAt: 1, receivedBytes: 100 }), job({ id: 'c', startedAt: 3, phase: 'resolve' })],
  );
  expect(merged.map((j) => [j.id, j.receivedBytes])).toEqual([
    ['c', 0],
    ['b', 0],
    ['a', 300],
  ]);
});

describe('jobForVariant', () => {
  const jobs = [
    job({ id: 'old-failed', variant: 'vulkan', phase: 'failed', startedAt: 1 }),
    job({ id: 'running', variant: 'vulkan', phase: 'download', startedAt: 2 }),
    job({ id: 'newest-done', variant: 'vulkan', phase: 'done', startedAt: 3 }),
    job({ id: 'cuda', variant: 'cuda-12', phase: 'cancelled', startedAt: 4 }),
  ];
  it.each([
    ['a running job is shown before a newer finished one', 'vulkan', 'running'],
    ['else the most recent outcome', 'cuda-12', 'cuda'],
    ['nothing for a variant never fetched', 'rocm', null],
  ] as const)('%s', (_, v, want) => expect(jobForVariant(jobs, v)?.id ?? null).toBe(want));
  it('isFinished', () => {
    expect(['done', 'failed', 'cancelled'].every((p) => isFinished(p as RuntimeJob['phase']))).toBe(true);
    expect(['resolve', 'download', 'verify', 'unpack', 'check'].some((p) => isFinished(p as RuntimeJob['phase']))).toBe(
      false,
    );
  });
});

describe('runtimeOrigin', () => {
  it.each([
    [
      { source: 'release', tag: 'b6000', commit: null },
      { kind: 'release', tag: 'b6000' },
    ],
    [
      { source: 'source', tag: null, commit: 'de3ff81abcdef' },
      { kind: 'source', commit: 'de3ff81' },
    ],
    [
      { source: 'source', tag: null, commit: null },
      { kind: 'source', commit: null },
    ],
    [{ source: 'folder', tag: null, commit: null }, { kind: 'folder' }],
    [
      { source: 'bundled', tag: 'b6000', commit: null },
      { kind: 'bundled', tag: 'b6000' },
    ],
  ] as const)('%o', (r, want) => expect(runtimeOrigin(r)).toEqual(want));
});

describe('checkState', () => {
  it.each([
    ['never checked', null, 'unchecked'],
    ['listed a GPU', check({ devices: [llvmpipe] }), 'gpu'],
    ['the CPU build lists none, and works', check({ variant: 'cpu' }), 'cpu-only'],
    [
      'failed with a problem',
      check({ ok: false, problem: runtimeProblem('MISSING_LIBRARY', { library: 'libvulkan.so.1' }) }),
      'problem',
    ],
    ['failed without one', check({ ok: false }), 'problem'],
  ] as const)('%s', (_, c, want) => expect(checkState({ variant: 'vulkan', lastCheck: c })).toBe(want));
});

describe('jobFraction', () => {
  it.each([
    ['downloading with a size', job({ receivedBytes: 250, totalBytes: 1000 }), 0.25],
    ['size unknown', job({ receivedBytes: 250, totalBytes: null }), null],
    ['verifying: no byte count', job({ phase: 'verify' }), null],
    ['done', job({ phase: 'done' }), 1],
    ['never above 1', job({ receivedBytes: 2000, totalBytes: 1000 }), 1],
  ] as const)('%s', (_, j, want) => expect(jobFraction(j)).toBe(want));
});

it('offerFor finds the feed entry of the suggested variant', () => {
  const offers = [
    { variant: 'cpu' as const, tag: 'b6000', assets: [], totalBytes: 10, installed: true },
    { variant: 'vulkan' as const, tag: 'b6000', assets: [], totalBytes: 20, installed: false },
  ];
  expect(offerFor(offers, 'vulkan')?.totalBytes).toBe(20);
  expect(offerFor(offers, 'cuda-12')).toBeNull();
  expect(offerFor(offers, null)).toBeNull();
  expect(offerFor(undefined, 'vulkan')).toBeNull();
});

it('installedFor: the newest installed runtime of a variant that did not fail its check', () => {
  const list = [
    runtime({ id: 'old', installedAt: 1 }),
    runtime({ id: 'new', installedAt: 3 }),
    runtime({ id: 'broken', installedAt: 5, lastCheck: check({ ok: false }) }),
    runtime({ id: 'cpu', variant: 'cpu', installedAt: 9 }),
  ];
  expect(installedFor(list, 'vulkan')?.id).toBe('new');
  expect(installedFor(list, 'cuda-13')).toBeNull();
  expect(installedFor(list.slice(2, 3), 'vulkan')).toBeNull();
});

describe('activeReason', () => {
  const sel = (o: Partial<RuntimeSelection>): RuntimeSelection => ({
    setting: 'auto',
    active: runtime({ active: true }),
    devices: [],
    candidates: [
      { variant: 'vulkan', reason: runtimeReason('GPU_VULKAN') },
      { variant: 'cpu', reason: runtimeReason('CPU_FALLBACK') },
    ],
    fallbacks: [],
    gpuUnusable: null,
    summary: '',
    ...o,
  });
  it.each([
    ['automatic: the chooser reason for the active variant', sel({}), 'GPU_VULKAN'],
    ['automatic, on the CPU after a failure', sel({ active: runtime({ variant: 'cpu' }) }), 'CPU_FALLBACK'],
    ['chosen in Settings', sel({ setting: 'b6000-vulkan' }), 'USER_CHOICE'],
    ['no active runtime', sel({ active: null }), null],
    ['a variant the chooser did not list', sel({ active: runtime({ variant: 'rocm' }) }), null],
  ])('%s', (_, s, want) => expect(activeReason(s)?.code ?? null).toBe(want));
});

it('checkProblem: a failed check without a problem listed no GPU', () => {
  expect(checkProblem(check({ ok: false })).code).toBe('NO_GPU_LISTED');
  expect(checkProblem(check({ ok: false, problem: runtimeProblem('TIMEOUT', { ms: 8000 }) })).code).toBe('TIMEOUT');
});

describe('problemText / reasonText translate by code with params', () => {
  const missing = runtimeProblem('MISSING_LIBRARY', { library: 'cudart64_12.dll' });
  it.each([
    ['en', 'cudart64_12.dll missing'],
    ['zh-CN', '缺少 cudart64_12.dll'],
    [undefined, 'cudart64_12.dll missing'],
    ['fr', 'cudart64_12.dll missing'],
  ])('%s', (lng, want) => expect(problemText(lng, missing)).toBe(want));
  it('reasons, and a missing param shows as …', () => {
    expect(reasonText('zh-CN', runtimeReason('NVIDIA_CUDA12_DRIVER', { driver: '550.54' }))).toBe(
      '驱动 550.54 低于 CUDA 13 所需的 580',
    );
    expect(reasonText('en', runtimeReason('AMD_VULKAN'))).toBe(
      '…: ROCm does not support this card or system, Vulkan does',
    );
  });
  it('a code this build does not know falls back to the English message', () => {
    const future = { code: 'SOMETHING_NEW', params: {}, message: 'from a newer core' } as unknown as typeof missing;
    expect(problemText('zh-CN', future)).toBe('from a newer core');
  });
});

it('runtimeSize adds up its files', () => {
  const files = [
    { path: 'llama-server', size: 1000, sha256: 'a'.repeat(64) },
    { path: 'libggml-vulkan.so', size: 234, sha256: 'b'.repeat(64) },
  ];
  expect(runtimeSize({ files })).toBe(1234);
  expect(runtimeSize({ files: [] })).toBe(0);
});
