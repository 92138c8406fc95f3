/**
 * Launch plan → `vllm serve` argv + env, as a table. Facts behind the rows (scripts/fake-vllm/SOURCES.md): the model
 * is positional, the key travels as VLLM_API_KEY (api_server.py reads it when --api-key is absent), --enable-reasoning
 * no longer exists, and the host is loopback because --api-key guards only /v1/*.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../shared/errors';
import {
  buildVllmLaunch,
  buildVllmServe,
  quantizationFromConfig,
  reasoningParserFor,
  vllmEnv,
  type VllmPlan,
} from './vllm-args';

const base: VllmPlan = {
  model: '/models/DeepSeek-R1-Distill-Qwen-7B-AWQ',
  servedName: 'deepseek-r1-7b',
  port: 8123,
  apiKey: 'sk-secret-123',
  maxModelLen: 8192,
  gpuMemoryUtilization: 0.9,
  tensorParallelSize: 1,
  quantization: 'awq',
  dtype: 'auto',
  reasoningParser: 'deepseek_r1',
};

function hasRun(args: readonly string[], frag: readonly string[]): boolean {
  for (let i = 0; i + frag.length <= args.length; i++) if (frag.every((f, j) => args[i + j] === f)) return true;
  return false;
}

const rows: { name: string; plan: Partial<VllmPlan>; has: string[][]; lacks: string[] }[] = [
  {
    name: 'an R1 distill in AWQ on one GPU',
    plan: {},
    has: [
      ['serve', '/models/DeepSeek-R1-Distill-Qwen-7B-AWQ'],
      ['--host', '127.0.0.1'],
      ['--port', '8123'],
      ['--served-model-name', 'deepseek-r1-7b'],
      ['--max-model-len', '8192'],
      ['--gpu-memory-utilization', '0.9'],
      ['--tensor-parallel-size', '1'],
      ['--quantization', 'awq'],
      ['--dtype', 'auto'],
      ['--reasoning-parser', 'deepseek_r1'],
    ],
    lacks: ['--api-key', '--enable-reasoning', '--model', 'sk-secret-123', '0.0.0.0'],
  },
  {
    name: 'an unquantized model across two GPUs, bf16, no reasoning parser, vLLM reads quantization itself',
    plan: { quantization: null, reasoningParser: null, tensorParallelSize: 2, gpuIndexes: [0, 1], dtype: 'bfloat16' },
    has: [
      ['--tensor-parallel-size', '2'],
      ['--dtype', 'bfloat16'],
    ],
    lacks: ['--quantization', '--reasoning-parser'],
  },
  {
    name: 'an FP8 checkpoint with a cap on sequences and eager mode',
    plan: { quantization: 'fp8', maxNumSeqs: 16, enforceEager: true, gpuMemoryUtilization: 0.85 },
    has: [
      ['--quantization', 'fp8'],
      ['--max-num-seqs', '16'],
      ['--enforce-eager'],
      ['--gpu-memory-utilization', '0.85'],
    ],
    lacks: [],
  },
];

describe('buildVllmServe', () => {
  for (const row of rows) {
    it(row.name, () => {
      const args = buildVllmServe({ ...base, ...row.plan });
      for (const frag of row.has) expect(hasRun(args, frag), `${frag.join(' ')} in ${args.join(' ')}`).toBe(true);
      for (const flag of row.lacks) expect(args).not.toContain(flag);
      expect(args[0]).toBe('serve');
    });
  }

  const bad: { name: string; plan: Partial<VllmPlan>; issue: RegExp }[] = [
    { name: 'utilization above 1', plan: { gpuMemoryUtilization: 1.2 }, issue: /utilization/ },
    { name: 'utilization 0', plan: { gpuMemoryUtilization: 0 }, issue: /utilization/ },
    { name: 'fractional TP', plan: { tensorParallelSize: 1.5 }, issue: /tensor-parallel/ },
    { name: 'GPU list not matching TP', plan: { tensorParallelSize: 2, gpuIndexes: [0] }, issue: /2/ },
    { name: 'no key', plan: { apiKey: '' }, issue: /API key/ },
    { name: 'port 0', plan: { port: 0 }, issue: /port/ },
    { name: 'empty served name', plan: { servedName: ' ' }, issue: /served/ },
  ];
  for (const b of bad) {
    it(`refuses ${b.name}`, () => {
      try {
        buildVllmServe({ ...base, ...b.plan });
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(AppError);
        expect((e as AppError).code).toBe('INVALID_PARAMS');
        expect(String((e as AppError).params?.issues)).toMatch(b.issue);
      }
    });
  }
});

describe('vllmEnv', () => {
  it('passes the key as VLLM_API_KEY, drops inherited VLLM_* and pins the chosen GPUs', () => {
    const env = vllmEnv(
      { PATH: '/usr/bin', VLLM_PORT: '9999', VLLM_API_KEY: 'stale', VLLM_HOST_IP: '10.0.0.2', HOME: '/h' },
      { apiKey: 'sk-secret-123', gpuIndexes: [1, 3] },
    );
    expect(env).toMatchObject({
      PATH: '/usr/bin',
      HOME: '/h',
      VLLM_API_KEY: 'sk-secret-123',
      CUDA_VISIBLE_DEVICES: '1,3',
    });
    expect(env.VLLM_PORT).toBeUndefined();
    expect(env.VLLM_HOST_IP).toBeUndefined();
  });
  it('leaves CUDA_VISIBLE_DEVICES alone when no GPUs were chosen', () => {
    expect(vllmEnv({ CUDA_VISIBLE_DEVICES: '0' }, { apiKey: 'k', gpuIndexes: null }).CUDA_VISIBLE_DEVICES).toBe('0');
  });
});

describe('reasoningParserFor / quantizationFromConfig', () => {
  it.each([
    ['deepseek-ai/DeepSeek-R1-Distill-Qwen-7B', 'deepseek_r1'],
    ['casperhansen/deepseek-r1-distill-llama-8b-awq', 'deepseek_r1'],
    ['deepseek-ai/DeepSeek-R1', 'deepseek_r1'],
    ['Qwen/Qwen2.5-7B-Instruct-AWQ', null],
    ['deepseek-ai/DeepSeek-V3', null],
  ])('%s → %s', (id, parser) => expect(reasoningParserFor(id)).toBe(parser));
  it.each([
    ['awq', 'awq'],
    ['GPTQ', 'gptq'],
    ['fp8', 'fp8'],
    ['compressed-tensors', 'compressed-tensors'],
    ['exl2', null],
    [42, null],
  ])('quant_method %s → %s', (m, q) => expect(quantizationFromConfig(m)).toBe(q));
});

describe('the stand-in accepts what the builder writes', () => {
  it('every flag passes the fake vllm argparse (checked by running it up to the point it needs a model file)', () => {
    const { args, env } = buildVllmLaunch(
      { ...base, tensorParallelSize: 2, gpuIndexes: [0, 1], maxNumSeqs: 8, enforceEager: true },
      { PATH: process.env.PATH },
    );
    const fake = path.resolve(__dirname, '../../../../scripts/fake-vllm/vllm');
    // No FAKE_VLLM_GGUF: after parsing and printing its first lines it stops with its own message (exit 1), never
    // with argparse's exit 2.
    const r = spawnSync(process.execPath, [fake, ...args], {
      env: { ...env, FAKE_VLLM_LOAD_MS: '0' },
      encoding: 'utf8',
    });
    expect(r.stderr).not.toMatch(/error: (unrecognized arguments|argument)/);
    expect(r.stdout).toMatch(/non-default args: .*'reasoning_parser': 'deepseek_r1'/);
    expect(r.stdout).not.toContain('sk-secret-123');
    expect(r.status).toBe(1);
  });
});
