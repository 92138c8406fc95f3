import { describe, expect, it } from 'vitest';
import {
  runtimeProblem,
  runtimeReason,
  type RuntimeCandidate,
  type RuntimeCheck,
  type RuntimeProblemCode,
  type RuntimeVariant,
} from '../../shared/runtimes';
import type { BackendDevice } from '../../shared/telemetry';
import { autoOrder, selectRuntime, suggestVariant, type RuntimeLike } from './select';

const rt = (id: string, variant: RuntimeVariant, installedAt = 1): RuntimeLike => ({
  id,
  variant,
  source: 'release',
  tag: 'b1',
  installedAt,
});
const rtx: BackendDevice = { name: 'CUDA0', description: 'NVIDIA GeForce RTX 4070', totalMiB: 12282, freeMiB: 11000 };
const vk: BackendDevice = { name: 'Vulkan0', description: 'NVIDIA GeForce RTX 4070', totalMiB: 12282, freeMiB: 11000 };
const ok = (id: string, variant: RuntimeVariant, devices: BackendDevice[] = []): RuntimeCheck => ({
  runtimeId: id,
  variant,
  ok: true,
  devices,
  problem: null,
  checkedAt: 0,
  durationMs: 1,
});
const bad = (
  id: string,
  variant: RuntimeVariant,
  code: RuntimeProblemCode,
  params: Record<string, string | number> = {},
): RuntimeCheck => ({ ...ok(id, variant), ok: false, problem: runtimeProblem(code, params) });
const checks = (...c: RuntimeCheck[]) => new Map(c.map((x) => [x.runtimeId, x]));

const nvidia: RuntimeCandidate[] = [
  { variant: 'cuda-12', reason: runtimeReason('NVIDIA_CUDA12_DRIVER', { driver: '550.54' }) },
  { variant: 'vulkan', reason: runtimeReason('GPU_VULKAN') },
  { variant: 'cpu', reason: runtimeReason('CPU_FALLBACK') },
];
const noGpu: RuntimeCandidate[] = [{ variant: 'cpu', reason: runtimeReason('NO_GPU') }];

describe('autoOrder', () => {
  it.each([
    // The chooser's GPU order first, newest install first within a variant.
    [
      nvidia,
      [rt('c', 'cpu'), rt('v', 'vulkan'), rt('old', 'cuda-12', 1), rt('new', 'cuda-12', 5)],
      ['new', 'old', 'v', 'c'],
    ],
    // Installed GPU builds the chooser did not name are still tried (lavapipe, an unnamed card), before the CPU.
    [noGpu, [rt('c', 'cpu'), rt('v', 'vulkan'), rt('k', 'cuda-12')], ['k', 'v', 'c']],
    // Same install time: a stable order by id (newer tag-named ids sort later, so they come first).
    [noGpu, [rt('b1-cpu', 'cpu'), rt('b2-cpu', 'cpu')], ['b2-cpu', 'b1-cpu']],
    [nvidia, [], []],
  ])('case %#', (cands, runtimes, ids) => {
    expect(autoOrder(cands, runtimes).map((r) => r.id)).toEqual(ids);
  });
});

describe('suggestVariant', () => {
  it.each([
    [nvidia, 'cpu', [], 'cuda-12'],
    // CUDA 12 is active and lists nothing: offering it again would not help.
    [nvidia, 'cuda-12', [], 'vulkan'],
    [nvidia, 'cpu', ['cuda-12'], 'vulkan'],
    [nvidia, 'cpu', ['cuda-12', 'vulkan'], null],
    [noGpu, 'cpu', [], null],
  ] as const)('case %#', (cands, active, failed, want) => {
    expect(suggestVariant(cands, active, [...failed])).toBe(want);
  });
});

describe('selectRuntime', () => {
  const cuda = rt('b1-cuda-12', 'cuda-12');
  const vulkan = rt('b1-vulkan', 'vulkan');
  const cpu = rt('b1-cpu', 'cpu');
  const all = [cpu, vulkan, cuda];
  const gpus = ['NVIDIA GeForce RTX 4070'];

  it('auto: the first candidate whose check passes, on its devices', () => {
    const s = selectRuntime({
      setting: 'auto',
      candidates: nvidia,
      runtimes: all,
      gpus,
      checks: checks(ok(cuda.id, 'cuda-12', [rtx])),
    });
    expect(s.active?.id).toBe(cuda.id);
    expect(s.devices).toEqual([rtx]);
    expect(s.fallbacks).toEqual([]);
    expect(s.gpuUnusable).toBeNull();
    expect(s.reason?.code).toBe('NVIDIA_CUDA12_DRIVER');
    expect(s.listed).toBe(true);
    expect(s.summary).toBe('Using CUDA 12 (b1-cuda-12) on NVIDIA GeForce RTX 4070');
  });

  it('auto: a failed CUDA check falls back to Vulkan and says why', () => {
    const s = selectRuntime({
      setting: 'auto',
      candidates: nvidia,
      runtimes: all,
      gpus,
      checks: checks(
        bad(cuda.id, 'cuda-12', 'MISSING_LIBRARY', { library: 'cudart64_12.dll' }),
        ok(vulkan.id, 'vulkan', [vk]),
      ),
    });
    expect(s.active?.id).toBe(vulkan.id);
    expect(s.fallbacks.map((f) => f.runtimeId)).toEqual([cuda.id]);
    expect(s.summary).toBe(
      'CUDA 12 runtime: cudart64_12.dll missing — using Vulkan (b1-vulkan) on NVIDIA GeForce RTX 4070',
    );
    expect(s.reason?.code).toBe('GPU_VULKAN');
  });

  it('auto: every GPU build fails → CPU, the GPU is named unusable with nothing left to suggest', () => {
    const s = selectRuntime({
      setting: 'auto',
      candidates: nvidia,
      runtimes: all,
      gpus,
      checks: checks(
        bad(cuda.id, 'cuda-12', 'NO_GPU_LISTED'),
        bad(vulkan.id, 'vulkan', 'NO_GPU_LISTED'),
        ok(cpu.id, 'cpu'),
      ),
    });
    expect(s.active?.id).toBe(cpu.id);
    expect(s.fallbacks.map((f) => f.variant)).toEqual(['cuda-12', 'vulkan']);
    expect(s.devices).toEqual([]);
    expect(s.listed).toBe(true);
    expect(s.gpuUnusable).toEqual({ gpus, suggest: null });
    expect(s.summary).toMatch(
      /^CUDA 12 runtime: sees no GPU; Vulkan runtime: sees no GPU — using CPU \(b1-cpu\) on the CPU; NVIDIA GeForce RTX 4070 unused$/,
    );
  });

  it('auto: only the CPU build installed on an NVIDIA machine suggests getting CUDA 12', () => {
    const s = selectRuntime({
      setting: 'auto',
      candidates: nvidia,
      runtimes: [cpu],
      gpus,
      checks: checks(ok(cpu.id, 'cpu')),
    });
    expect(s.active?.id).toBe(cpu.id);
    expect(s.gpuUnusable).toEqual({ gpus, suggest: 'cuda-12' });
    expect(s.summary).toBe(
      'Using CPU (b1-cpu) on the CPU; NVIDIA GeForce RTX 4070 unused (the CUDA 12 runtime would use it)',
    );
  });

  it('auto: when nothing passes, a build that only lists no GPU is kept as a last resort (not left with none)', () => {
    const s = selectRuntime({
      setting: 'auto',
      candidates: noGpu,
      runtimes: [vulkan, cpu],
      gpus: [],
      checks: checks(
        bad(vulkan.id, 'vulkan', 'NO_GPU_LISTED'),
        bad(cpu.id, 'cpu', 'CRASHED', { exit: 1, output: 'x' }),
      ),
    });
    expect(s.active?.id).toBe(vulkan.id);
    expect(s.fallbacks.map((f) => f.runtimeId)).toEqual([cpu.id]);
    expect(s.listed).toBe(true);
    expect(s.summary).toMatch(
      /^CPU runtime: llama-server crashed .* — using Vulkan \(b1-vulkan\) on the CPU; its check failed: sees no GPU$/,
    );
  });

  it('auto: nothing works and nothing runs → no active runtime, unknown devices', () => {
    const s = selectRuntime({
      setting: 'auto',
      candidates: noGpu,
      runtimes: [cpu],
      gpus: [],
      checks: checks(bad(cpu.id, 'cpu', 'MISSING_LIBRARY', { library: 'libggml-base.so' })),
    });
    expect(s.active).toBeNull();
    expect(s.listed).toBe(false);
    expect(s.summary).toBe('CPU runtime: libggml-base.so missing — no llama.cpp runtime is installed that works here');
  });

  it('auto: a runtime not checked yet is taken as it comes, and says so', () => {
    const s = selectRuntime({ setting: 'auto', candidates: noGpu, runtimes: [cpu], gpus: [], checks: new Map() });
    expect(s.active?.id).toBe(cpu.id);
    expect(s.listed).toBe(false);
    expect(s.summary).toBe('Using CPU (b1-cpu) on the CPU; not checked yet');
  });

  it('a runtime chosen in Settings stays active when its check fails, and the summary says why', () => {
    const s = selectRuntime({
      setting: vulkan.id,
      candidates: nvidia,
      runtimes: all,
      gpus,
      checks: checks(ok(cuda.id, 'cuda-12', [rtx]), bad(vulkan.id, 'vulkan', 'NO_GPU_LISTED')),
    });
    expect(s.active?.id).toBe(vulkan.id);
    expect(s.reason?.code).toBe('USER_CHOICE');
    expect(s.fallbacks).toEqual([]);
    expect(s.gpuUnusable).toEqual({ gpus, suggest: 'cuda-12' });
    expect(s.summary).toBe(
      'Using Vulkan (b1-vulkan) on the CPU (chosen in Settings); its check failed: sees no GPU; NVIDIA GeForce RTX 4070 unused (the CUDA 12 runtime would use it)',
    );
  });

  it('a chosen id that is not installed falls back to auto and says so', () => {
    const s = selectRuntime({
      setting: 'gone-cuda-13',
      candidates: noGpu,
      runtimes: [cpu],
      gpus: [],
      checks: checks(ok(cpu.id, 'cpu')),
    });
    expect(s.active?.id).toBe(cpu.id);
    expect(s.setting).toBe('gone-cuda-13');
    expect(s.summary).toBe(
      'Runtime "gone-cuda-13" chosen in Settings is not installed; choosing automatically. Using CPU (b1-cpu) on the CPU',
    );
  });

  it('the legacy override wins over the setting and every check', () => {
    const mine = rt('override-abc', 'cpu');
    const s = selectRuntime({
      setting: cuda.id,
      candidates: nvidia,
      runtimes: all,
      gpus: [],
      checks: checks(ok(cuda.id, 'cuda-12', [rtx]), ok(mine.id, 'cpu')),
      override: { runtime: mine, from: 'DEEPLOCAL_LLAMA_SERVER' },
    });
    expect(s.active?.id).toBe(mine.id);
    expect(s.reason).toBeNull();
    expect(s.summary).toBe('Using CPU (override-abc) on the CPU (set by DEEPLOCAL_LLAMA_SERVER)');
  });
});
