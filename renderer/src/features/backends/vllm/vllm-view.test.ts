import { describe, expect, it } from 'vitest';
import type { VllmDetection, VllmFit, VllmInstall } from '@shared/backends';
import { vllmEn } from '../../../i18n/kinds/vllm.en';
import {
  chosenInstall,
  DEFAULT_FORM,
  displayCommand,
  fitBar,
  GUIDE_STEP_IDS,
  gpusInUse,
  knownGuideStep,
  rayParams,
  shellJoin,
  startParams,
  toggleGpu,
  validRayHost,
} from './vllm-view';

const install = (o: Partial<VllmInstall>): VllmInstall => ({
  id: 'path:/usr/bin/vllm',
  source: 'path',
  command: ['/usr/bin/vllm'],
  version: '0.11.0',
  python: '3.12.3',
  torch: '2.8.0',
  cuda: '12.8',
  gpus: [],
  usable: true,
  problem: null,
  ...o,
});

const detection = (installs: VllmInstall[], preferred: string | null): VllmDetection => ({
  installs,
  preferred,
  guide: { platform: 'linux', steps: [] },
  checkedAt: 1,
});

const GiB = 1024 ** 3;
const fit = (o: Partial<VllmFit>): VllmFit => ({
  weightsBytes: 4 * GiB,
  kvBytesPerToken: 1000,
  kvBytes: 2 * GiB,
  overheadBytes: 2 * GiB,
  budgetBytes: 16 * GiB,
  maxModelLen: 8192,
  maxFittingLen: 65536,
  fits: true,
  ...o,
});

describe('startParams', () => {
  it('is null without a folder', () => {
    expect(startParams(DEFAULT_FORM)).toBeNull();
    expect(startParams({ ...DEFAULT_FORM, modelPath: '   ' })).toBeNull();
  });
  it('trims the path, rounds and bounds the memory share, sorts the GPUs', () => {
    const p = startParams({
      ...DEFAULT_FORM,
      modelPath: '  /m/qwen-awq ',
      gpuMemoryUtilization: 0.8549,
      gpus: [2, 0],
      quantization: 'awq',
      dtype: 'bfloat16',
      contextSize: 4096.7,
    });
    expect(p).toEqual({
      modelPath: '/m/qwen-awq',
      vllm: { install: null, gpuMemoryUtilization: 0.85, gpus: [0, 2], quantization: 'awq', dtype: 'bfloat16' },
      options: { contextSize: 4096 },
    });
    expect(startParams({ ...DEFAULT_FORM, modelPath: 'x', gpuMemoryUtilization: 1.5 })!.vllm.gpuMemoryUtilization).toBe(
      0.99,
    );
    expect(startParams({ ...DEFAULT_FORM, modelPath: 'x', gpuMemoryUtilization: 0 })!.vllm.gpuMemoryUtilization).toBe(
      0.1,
    );
    expect(startParams({ ...DEFAULT_FORM, modelPath: 'x', gpus: [] })!.vllm.gpus).toBeNull();
  });
});

describe('chosenInstall', () => {
  const a = install({ id: 'a', usable: false });
  const b = install({ id: 'b' });
  const c = install({ id: 'c' });
  it.each([
    ['the chosen one', detection([a, b, c], 'b'), 'c', 'c'],
    ['the preferred when none is chosen', detection([a, b, c], 'b'), null, 'b'],
    ['the preferred when the chosen one is gone', detection([a, b, c], 'b'), 'zz', 'b'],
    ['the first usable without a preferred', detection([a, c], null), null, 'c'],
    ['nothing when none is usable', detection([a], null), null, null],
  ])('%s', (_n, d, id, want) => {
    expect(chosenInstall(d, id)?.id ?? null).toBe(want);
  });
  it('nothing before detection answered', () => expect(chosenInstall(undefined, 'a')).toBeNull());
});

describe('toggleGpu / gpusInUse', () => {
  const all = [0, 1, 2];
  it.each([
    [null, 1, [0, 2]],
    [[0, 2], 1, null],
    [[0, 2], 0, [2]],
    [[2], 2, null],
    [[1], 0, [0, 1]],
  ] as const)('%j toggling %i → %j', (sel, i, want) => {
    expect(toggleGpu(sel === null ? null : [...sel], all, i)).toEqual(want);
  });
  it('keeps only GPUs the install sees, all when none is left', () => {
    expect(gpusInUse(null, all)).toEqual(all);
    expect(gpusInUse([2, 5], all)).toEqual([2]);
    expect(gpusInUse([5], all)).toEqual(all);
  });
});

describe('fitBar', () => {
  it('shares of the budget when it fits', () => {
    expect(fitBar(fit({}))).toEqual({ weights: 25, kv: 12.5, overhead: 12.5, budgetAt: 100, over: false });
  });
  it('shares of the need when it does not, with the budget mark inside', () => {
    expect(fitBar(fit({ kvBytes: 10 * GiB, budgetBytes: 8 * GiB, fits: false }))).toEqual({
      weights: 25,
      kv: 62.5,
      overhead: 12.5,
      budgetAt: 50,
      over: true,
    });
  });
  it('survives a zero budget', () => {
    const b = fitBar(fit({ weightsBytes: 0, kvBytes: 0, overheadBytes: 0, budgetBytes: 0 }));
    expect(b).toEqual({ weights: 0, kv: 0, overhead: 0, budgetAt: 0, over: false });
  });
});

describe('shellJoin', () => {
  it('quotes only what a shell would split or expand', () => {
    expect(shellJoin(['vllm', 'serve', '/m/Qwen 7B', '--max-model-len', '8192', "it's", '$HOME', ''])).toBe(
      `vllm serve '/m/Qwen 7B' --max-model-len 8192 'it'\\''s' '$HOME' ''`,
    );
  });
});

describe('displayCommand', () => {
  it('never shows a key value', () => {
    expect(displayCommand(['vllm', 'serve', '/m', '--api-key', 'sk-secret', '--port', '8000'])).toBe(
      "vllm serve /m --api-key '•••' --port 8000",
    );
    expect(displayCommand(['vllm', 'serve', '--api-key=sk-secret'])).toBe("vllm serve '--api-key=•••'");
    expect(displayCommand(['vllm', 'serve', '/m'])).toBe('vllm serve /m');
  });
});

describe('guide steps', () => {
  it('every id the core writes has an English title and text', () => {
    for (const id of GUIDE_STEP_IDS) {
      expect(vllmEn.guide.steps[id].title.length).toBeGreaterThan(0);
      expect(vllmEn.guide.steps[id].text.length).toBeGreaterThan(0);
    }
  });
  it('an unknown id falls back to the generic texts', () => {
    expect(knownGuideStep('venv')).toBe('venv');
    expect(knownGuideStep('conda-new')).toBeNull();
    expect(knownGuideStep('toString')).toBeNull();
  });
});

describe('rayParams', () => {
  const head = { host: '192.168.1.10', gpus: 2 };
  it('null while something is missing or wrong', () => {
    expect(rayParams('', head, [{ host: 'b', gpus: 1 }], null)).toBeNull();
    expect(rayParams('/m', head, [], null)).toBeNull();
    expect(rayParams('/m', { host: 'a b', gpus: 1 }, [{ host: 'b', gpus: 1 }], null)).toBeNull();
    expect(rayParams('/m', head, [{ host: '', gpus: 1 }], null)).toBeNull();
  });
  it('trims hosts, bounds GPU counts, drops this machine’s GPU choice', () => {
    const vllm = { install: 'i', gpuMemoryUtilization: 0.8, gpus: [0], quantization: null, dtype: 'auto' as const };
    expect(rayParams(' /m ', head, [{ host: ' 10.0.0.2 ', gpus: 99 }], vllm)).toEqual({
      modelPath: '/m',
      head,
      workers: [{ host: '10.0.0.2', gpus: 64 }],
      vllm: { install: 'i', gpuMemoryUtilization: 0.8, quantization: null, dtype: 'auto' },
    });
  });
  it.each([
    ['gpu-box.local', true],
    ['[fe80::1]', true],
    ['10.0.0.2', true],
    ['a;rm -rf', false],
    ['', false],
  ])('host %s valid: %s', (h, ok) => expect(validRayHost(h)).toBe(ok));
});
