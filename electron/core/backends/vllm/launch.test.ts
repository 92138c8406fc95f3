/** A vLLM start request → what is spawned and what the run serves (pure). */
import { describe, expect, it } from 'vitest';
import type { VllmInstall, VllmPlan } from '../../../shared/backends';
import { defaultLoadOptions } from '../../../shared/schemas';
import {
  isWslCommand,
  wslRunCommand,
  effectiveMaxModelLen,
  modelsListName,
  servedNameFor,
  servedNameOf,
  vllmCapabilities,
  vllmSpawn,
  WSL_RUN_SCRIPT,
} from './launch';

const install: VllmInstall = {
  id: 'venv:/home/u/.venvs/vllm/bin/vllm',
  source: 'venv',
  command: ['/home/u/.venvs/vllm/bin/vllm'],
  version: '0.11.0',
  python: '3.12.3',
  torch: '2.8.0+cu128',
  cuda: '12.8',
  gpus: [],
  usable: true,
  problem: null,
};

const plan = (over: Partial<VllmPlan> = {}, opts: Partial<VllmPlan['options']> = {}): VllmPlan => ({
  model: {
    path: '/models/DeepSeek-R1-Distill-Qwen-7B-AWQ',
    name: 'DeepSeek-R1-Distill-Qwen-7B-AWQ',
    architecture: 'Qwen2ForCausalLM',
    quantization: 'awq',
    dtype: 'float16',
    sizeBytes: 5_000_000_000,
    shards: 2,
    contextLength: 131072,
    parameterCount: 7.6e9,
    reasoning: true,
  },
  options: {
    install: null,
    gpuMemoryUtilization: 0.9,
    gpus: null,
    quantization: null,
    dtype: 'auto',
    enforceEager: false,
    ray: null,
    ...opts,
  },
  install,
  tensorParallelSize: 1,
  maxModelLen: 8192,
  reasoningParser: 'deepseek_r1',
  command: [],
  fit: {
    weightsBytes: 0,
    kvBytesPerToken: 0,
    kvBytes: 0,
    overheadBytes: 0,
    budgetBytes: 0,
    maxModelLen: 8192,
    maxFittingLen: 8192,
    fits: true,
  },
  problems: [],
  ...over,
});

const argOf = (args: string[], flag: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);

describe('vllmSpawn', () => {
  it('the install command + serve argv; the key only in the environment', () => {
    const s = vllmSpawn(plan(), defaultLoadOptions(), 8123, 'sk-secret', { PATH: '/usr/bin', VLLM_PORT: '1' });
    expect(s.exe).toBe('/home/u/.venvs/vllm/bin/vllm');
    expect(s.stdinStop).toBe(false);
    expect(s.args.slice(0, 2)).toEqual(['serve', '/models/DeepSeek-R1-Distill-Qwen-7B-AWQ']);
    expect(argOf(s.args, '--host')).toBe('127.0.0.1');
    expect(argOf(s.args, '--port')).toBe('8123');
    expect(argOf(s.args, '--served-model-name')).toBe('DeepSeek-R1-Distill-Qwen-7B-AWQ');
    expect(argOf(s.args, '--max-model-len')).toBe('8192');
    expect(argOf(s.args, '--reasoning-parser')).toBe('deepseek_r1');
    // vLLM reads the checkpoint's quantization itself (and picks awq_marlin where it can).
    expect(s.args).not.toContain('--quantization');
    expect(s.args.join(' ')).not.toContain('sk-secret');
    expect(s.env.VLLM_API_KEY).toBe('sk-secret');
    expect(s.env.VLLM_PORT).toBeUndefined();
    expect(s.target).toEqual({
      kind: 'vllm',
      install: install.id,
      servedName: 'DeepSeek-R1-Distill-Qwen-7B-AWQ',
      tensorParallelSize: 1,
      maxModelLen: 8192,
    });
  });

  it.each([
    [0, 8192],
    [4096, 4096],
    [8192, 8192],
    [16384, 8192],
  ])('options.contextSize %i with plan 8192 → --max-model-len %i', (ctx, want) => {
    const s = vllmSpawn(plan(), { ...defaultLoadOptions(), contextSize: ctx }, 1, 'k', {});
    expect(argOf(s.args, '--max-model-len')).toBe(String(want));
    expect(s.maxModelLen).toBe(want);
    expect(effectiveMaxModelLen({ maxModelLen: 8192 }, { contextSize: ctx })).toBe(want);
  });

  it('a python -m install: the module argv before serve', () => {
    const py = {
      ...install,
      source: 'python' as const,
      command: ['/usr/bin/python3', '-m', 'vllm.entrypoints.cli.main'],
    };
    const s = vllmSpawn(plan({ install: py }), defaultLoadOptions(), 1, 'k', {});
    expect([s.exe, ...s.args.slice(0, 4)]).toEqual([
      '/usr/bin/python3',
      '-m',
      'vllm.entrypoints.cli.main',
      'serve',
      '/models/DeepSeek-R1-Distill-Qwen-7B-AWQ',
    ]);
  });

  it('inside WSL: the model path as WSL mounts it, the key through WSLENV', () => {
    const wsl = {
      ...install,
      id: 'wsl:Ubuntu:/home/u/.venvs/vllm/bin/vllm',
      source: 'wsl' as const,
      command: ['wsl', '-d', 'Ubuntu', '-e', '/home/u/.venvs/vllm/bin/vllm'],
    };
    const p = plan({ install: wsl, model: { ...plan().model, path: 'C:\\models\\R1-7B' } });
    const s = vllmSpawn(p, defaultLoadOptions(), 1, 'k', { WSLENV: 'USERPROFILE/p' });
    expect(s.exe).toBe('wsl');
    // A shell inside WSL runs vLLM in its own group and ends it when stdin closes (wsl.exe's tree survives taskkill).
    expect(s.args.slice(0, 10)).toEqual([
      '-d',
      'Ubuntu',
      '-e',
      'sh',
      '-c',
      WSL_RUN_SCRIPT,
      'deeplocal-vllm',
      '/home/u/.venvs/vllm/bin/vllm',
      'serve',
      '/mnt/c/models/R1-7B',
    ]);
    expect(s.stdinStop).toBe(true);
    expect(s.env.WSLENV).toBe('USERPROFILE/p:VLLM_API_KEY/u:PYTHONUNBUFFERED/u');
  });

  it('GPUs chosen = tensor-parallel size: CUDA_VISIBLE_DEVICES; an explicit quantization and parallel pass on', () => {
    const s = vllmSpawn(
      plan({ tensorParallelSize: 2 }, { gpus: [1, 2], quantization: 'gptq', enforceEager: true }),
      { ...defaultLoadOptions(), parallel: 4 },
      1,
      'k',
      {},
    );
    expect(s.env.CUDA_VISIBLE_DEVICES).toBe('1,2');
    expect(argOf(s.args, '--tensor-parallel-size')).toBe('2');
    expect(argOf(s.args, '--quantization')).toBe('gptq');
    expect(argOf(s.args, '--max-num-seqs')).toBe('4');
    expect(s.args).toContain('--enforce-eager');
    expect(s.maxNumSeqs).toBe(4);
  });

  it('with Ray: the distributed executor and the pipeline over the nodes, as the plan shows', () => {
    const s = vllmSpawn(
      plan({ tensorParallelSize: 2 }, { ray: { nodes: 3, gpusPerNode: 2 } }),
      defaultLoadOptions(),
      1,
      'k',
      {},
    );
    expect(s.args.slice(-4)).toEqual(['--distributed-executor-backend', 'ray', '--pipeline-parallel-size', '3']);
    expect(argOf(s.args, '--tensor-parallel-size')).toBe('2');
    expect(s.env.CUDA_VISIBLE_DEVICES).toBeUndefined();
  });

  it('no install: VLLM_NOT_FOUND', () => {
    expect(() => vllmSpawn(plan({ install: null }), defaultLoadOptions(), 1, 'k', {})).toThrow(
      expect.objectContaining({ code: 'VLLM_NOT_FOUND' }),
    );
  });
});

describe('names and capabilities', () => {
  it.each([
    ['DeepSeek-R1-Distill-Qwen-7B-AWQ', 'DeepSeek-R1-Distill-Qwen-7B-AWQ'],
    ['my model (v2)', 'my-model-v2'],
    ['日本語', 'model'],
  ])('servedNameFor(%j) → %j', (name, want) => expect(servedNameFor({ name })).toBe(want));

  it('the shown command names the served model: the run uses the same', () => {
    expect(
      servedNameOf({ command: ['vllm', 'serve', '/m', '--served-model-name', 'r1-7b'], model: plan().model }),
    ).toBe('r1-7b');
    expect(servedNameOf({ command: [], model: plan().model })).toBe('DeepSeek-R1-Distill-Qwen-7B-AWQ');
  });

  it('capabilities: reasoning separate with a parser, vLLM metrics, no slots, no embeddings', () => {
    expect(vllmCapabilities({ reasoningParser: 'deepseek_r1' }, 'http://127.0.0.1:9')).toEqual({
      reasoning: 'separate',
      speculative: null,
      metrics: { url: 'http://127.0.0.1:9/metrics', dialect: 'vllm' },
      slotsUrl: null,
      embeddings: false,
    });
    expect(vllmCapabilities({ reasoningParser: null }, 'http://x').reasoning).toBe('inline');
  });

  it.each([
    [{ object: 'list', data: [{ id: 'r1', object: 'model' }] }, true],
    [{ object: 'list', data: [{ id: 'other' }] }, false],
    [{ data: 'nope' }, false],
    [null, false],
  ])('/v1/models %j lists r1: %s', (body, want) => expect(modelsListName(body, 'r1')).toBe(want));
});

describe('commands through wsl.exe', () => {
  it.each<[string[], boolean]>([
    [['wsl', '-d', 'Ubuntu', '-e', '/home/u/.venv/bin/ray'], true],
    [['C:\\Windows\\System32\\wsl.exe', '-d', 'Ubuntu', '-e', 'ray'], true],
    [['WSL.EXE', '-e', 'ray'], true],
    [['wsl', '--list'], false],
    [['/home/u/.venv/bin/ray'], false],
    [['/opt/wslkit/ray', '-e'], false],
    [[], false],
  ])('%j → %s', (cmd, want) => {
    expect(isWslCommand(cmd)).toBe(want);
  });

  it('wraps the Linux side in the group-ending shell, named for the log', () => {
    const out = wslRunCommand(['wsl', '-d', 'Ubuntu', '-e', '/v/bin/ray'], 'deeplocal-ray');
    expect(out.slice(0, 6)).toEqual(['wsl', '-d', 'Ubuntu', '-e', 'sh', '-c']);
    expect(out.slice(7)).toEqual(['deeplocal-ray', '/v/bin/ray']);
    expect(wslRunCommand(['/v/bin/ray'])).toEqual(['/v/bin/ray']);
  });
});
