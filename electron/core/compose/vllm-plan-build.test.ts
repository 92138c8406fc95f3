import { describe, expect, it } from 'vitest';
import { VllmOptions, type VllmDetection, type VllmInstall, type VllmModel } from '../../shared/backends';
import { parseVllmConfig } from '../models/vllm';
import { buildVllmPlan, type PlanInputs } from './vllm-plan-build';

const GiB = 1024;
// DeepSeek-R1-Distill-Qwen-7B's config.json (AWQ checkpoint).
const facts = parseVllmConfig({
  architectures: ['Qwen2ForCausalLM'],
  hidden_size: 3584,
  num_hidden_layers: 28,
  num_attention_heads: 28,
  num_key_value_heads: 4,
  max_position_embeddings: 131072,
  torch_dtype: 'float16',
  quantization_config: { quant_method: 'awq', bits: 4 },
});
const model: VllmModel = {
  path: '/models/casperhansen/deepseek-r1-distill-qwen-7b-awq',
  name: 'deepseek-r1-distill-qwen-7b-awq',
  architecture: 'Qwen2ForCausalLM',
  quantization: 'awq',
  dtype: 'float16',
  sizeBytes: 5.57e9,
  shards: 2,
  contextLength: 131072,
  parameterCount: 7.6e9,
  reasoning: true,
};
const install = (over: Partial<VllmInstall> = {}): VllmInstall => ({
  id: 'venv:/home/u/.venvs/vllm',
  source: 'venv',
  command: ['/home/u/.venvs/vllm/bin/vllm'],
  version: '0.11.0',
  python: '3.12.3',
  torch: '2.8.0',
  cuda: '12.8',
  gpus: [{ index: 0, name: 'NVIDIA GeForce RTX 4090', memoryMiB: 24 * GiB, capability: '8.9' }],
  usable: true,
  problem: null,
  ...over,
});
const detection = (installs: VllmInstall[]): VllmDetection => ({
  installs,
  preferred: installs.find((i) => i.usable)?.id ?? null,
  guide: { platform: 'linux', steps: [] },
  checkedAt: 0,
});
const inputs = (over: Partial<PlanInputs> = {}, opts: Partial<VllmOptions> = {}): PlanInputs => ({
  model,
  facts,
  detection: detection([install()]),
  options: VllmOptions.parse(opts),
  contextSize: 0,
  parallel: 0,
  hardwareGpus: [],
  ...over,
});
const codes = (p: ReturnType<typeof buildVllmPlan>) => p.problems.map((x) => x.code);
const flag = (cmd: string[], f: string) => (cmd.includes(f) ? cmd[cmd.indexOf(f) + 1] : undefined);

describe('buildVllmPlan', () => {
  it('one 24 GiB GPU, the model context: fits as asked, R1 parser, the shown command without a key', () => {
    const p = buildVllmPlan(inputs());
    expect(codes(p)).toEqual([]);
    expect([p.tensorParallelSize, p.maxModelLen, p.reasoningParser, p.fit.fits]).toEqual([
      1,
      131072,
      'deepseek_r1',
      true,
    ]);
    expect(p.command.slice(0, 3)).toEqual(['/home/u/.venvs/vllm/bin/vllm', 'serve', model.path]);
    expect(flag(p.command, '--max-model-len')).toBe('131072');
    expect(flag(p.command, '--reasoning-parser')).toBe('deepseek_r1');
    expect(flag(p.command, '--served-model-name')).toBe('deepseek-r1-distill-qwen-7b-awq');
    expect(p.command).not.toContain('--api-key');
    expect(p.command.join(' ')).not.toContain('set-in-environment');
  });

  it.each([
    // [name, GPU MiB, asked context, want maxModelLen rule, problems]
    ['8 GiB GPU: the context is lowered to what fits', [8 * GiB], 0, 'capped', []],
    ['8 GiB GPU, asked 4096: fits as asked', [8 * GiB], 4096, 4096, []],
    ['6 GiB GPU: the weights alone do not fit', [6 * GiB], 0, 131072, ['VLLM_DOES_NOT_FIT']],
    ['asked more than the model knows: its own length', [24 * GiB], 1_000_000, 131072, []],
  ] as const)('%s', (_n, mem, ctx, want, problems) => {
    const p = buildVllmPlan(
      inputs({
        contextSize: ctx,
        detection: detection([
          install({ gpus: mem.map((m, index) => ({ index, name: 'GPU', memoryMiB: m, capability: '8.9' })) }),
        ]),
      }),
    );
    expect(codes(p)).toEqual(problems);
    if (want === 'capped') {
      expect(p.maxModelLen).toBe(p.fit.maxFittingLen);
      expect(p.maxModelLen).toBeLessThan(131072);
      expect(p.maxModelLen).toBeGreaterThanOrEqual(512);
      expect(p.fit.fits).toBe(true);
    } else expect(p.maxModelLen).toBe(want);
    expect(flag(p.command, '--max-model-len')).toBe(String(p.maxModelLen));
  });

  it('GPUs chosen set the tensor-parallel size; two small GPUs fit what one does not', () => {
    const gpus = [0, 1].map((index) => ({ index, name: 'RTX 3060', memoryMiB: 6 * GiB, capability: '8.6' }));
    const one = buildVllmPlan(inputs({ detection: detection([install({ gpus })]) }, { gpus: [0] }));
    const two = buildVllmPlan(inputs({ detection: detection([install({ gpus })]) }, { gpus: [0, 1] }));
    expect([one.tensorParallelSize, codes(one)]).toEqual([1, ['VLLM_DOES_NOT_FIT']]);
    expect([two.tensorParallelSize, codes(two), flag(two.command, '--tensor-parallel-size')]).toEqual([2, [], '2']);
  });

  it('a GPU index vLLM does not see is a problem', () => {
    expect(codes(buildVllmPlan(inputs({}, { gpus: [3] })))).toContain('VLLM_NO_GPU');
  });

  it('without GPU memory from the install, the hardware report decides', () => {
    const p = buildVllmPlan(
      inputs({
        detection: detection([install({ gpus: [{ index: 0, name: 'X', memoryMiB: null, capability: null }] })]),
        hardwareGpus: [{ index: 0, name: 'RTX 4090', memoryMiB: 24 * GiB }],
      }),
    );
    expect(p.fit.budgetBytes).toBeCloseTo(24 * 2 ** 30 * 0.9);
  });

  it.each([
    ['nothing installed', detection([]), ['VLLM_NOT_FOUND']],
    [
      'only an old install',
      detection([install({ usable: false, problem: { code: 'VLLM_TOO_OLD', params: {}, message: 'old' } })]),
      ['VLLM_TOO_OLD'],
    ],
  ])('%s', (_n, d, want) => {
    const p = buildVllmPlan(inputs({ detection: d }));
    expect(codes(p)).toEqual(want);
  });

  it('an install asked for by id that is not there: VLLM_NOT_FOUND', () => {
    expect(codes(buildVllmPlan(inputs({}, { install: 'conda:/nope' })))).toEqual(['VLLM_NOT_FOUND']);
  });

  it('Ray: tensor parallel per node, pipeline parallel across nodes, the fit counts every node', () => {
    const p = buildVllmPlan(inputs({}, { ray: { nodes: 2, gpusPerNode: 1 } }));
    expect(p.tensorParallelSize).toBe(1);
    expect(p.fit.budgetBytes).toBeCloseTo(2 * 24 * 2 ** 30 * 0.9);
    expect(flag(p.command, '--distributed-executor-backend')).toBe('ray');
    expect(flag(p.command, '--pipeline-parallel-size')).toBe('2');
    expect(flag(p.command, '--tensor-parallel-size')).toBe('1');
  });

  it('WSL: the model path as WSL sees it, behind the wsl prefix', () => {
    const p = buildVllmPlan(
      inputs({
        model: { ...model, path: 'C:\\Users\\u\\models\\m' },
        detection: detection([
          install({ id: 'wsl:Ubuntu', source: 'wsl', command: ['wsl', '-d', 'Ubuntu', '-e', 'vllm'] }),
        ]),
      }),
    );
    expect(p.command.slice(0, 7)).toEqual(['wsl', '-d', 'Ubuntu', '-e', 'vllm', 'serve', '/mnt/c/Users/u/models/m']);
  });

  it('parallel → --max-num-seqs; a non-R1 model has no reasoning parser', () => {
    const p = buildVllmPlan(
      inputs({ parallel: 4, model: { ...model, name: 'qwen2.5-7b-instruct-awq', reasoning: false } }),
    );
    expect(flag(p.command, '--max-num-seqs')).toBe('4');
    expect(p.reasoningParser).toBeNull();
    expect(p.command).not.toContain('--reasoning-parser');
  });
});
