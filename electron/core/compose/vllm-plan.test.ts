/**
 * The vLLM planning handlers on a real snapshot folder (written by the bench's snapshot helper) with a detection
 * answer as the stand-in's probe gives it: vllm.inspect, vllm.plan, vllm.rayCommands through the contract's schemas.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeVllmSnapshot } from '../../../scripts/bench/lib/vllm-snapshot.mjs';
import type { VllmDetection } from '../../shared/backends';
import { methods } from '../../shared/contract';
import { tmpDir } from '../../test/helpers';
import { SettingsStore } from '../settings/store';
import { createEventBus } from '../util/event-bus';
import { createVllmPlanning, type VllmPlanning } from './vllm-plan';

const detection: VllmDetection = {
  installs: [
    {
      id: 'venv:/opt/vllm',
      source: 'venv',
      command: ['/opt/vllm/bin/vllm'],
      version: '0.11.0',
      python: '3.12.3',
      torch: '2.8.0',
      cuda: '12.8',
      gpus: [{ index: 0, name: 'NVIDIA L4', memoryMiB: 23034, capability: '8.9' }],
      usable: true,
      problem: null,
    },
  ],
  preferred: 'venv:/opt/vllm',
  guide: { platform: 'linux', steps: [] },
  checkedAt: 0,
};

let dir: string;
let folder: string;
let planning: VllmPlanning;
const ctx = { transport: 'direct' as const };
beforeAll(() => {
  dir = tmpDir('vllm-plan-');
  folder = writeVllmSnapshot(path.join(dir, 'DeepSeek-R1-Distill-Qwen-Tiny'));
  planning = createVllmPlanning({
    dataDir: dir,
    runDir: dir,
    env: {},
    bus: createEventBus(),
    settings: new SettingsStore(dir),
    hardware: () => Promise.reject(new Error('no probe here')),
    detect: async () => detection,
    note: () => undefined,
  });
});
afterAll(async () => {
  await planning.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

const call = async <M extends keyof VllmPlanning['handlers']>(m: M, params: unknown) => {
  const h = planning.handlers[m] as (p: unknown, c: typeof ctx) => Promise<unknown>;
  return methods[m].result.parse(await h(methods[m].params.parse(params), ctx)) as Awaited<
    ReturnType<VllmPlanning['handlers'][M]>
  >;
};

describe('vLLM planning handlers', () => {
  it('vllm.inspect reads the folder', async () => {
    expect(await call('vllm.inspect', { path: folder })).toMatchObject({
      architecture: 'Qwen2ForCausalLM',
      shards: 1,
      contextLength: 4096,
      reasoning: true,
    });
  });

  it('vllm.plan: the install, its GPU, the model length asked, the shown command', async () => {
    const p = await call('vllm.plan', {
      modelPath: folder,
      options: { contextSize: 2048 },
      vllm: { gpuMemoryUtilization: 0.8 },
    });
    expect(p.problems).toEqual([]);
    expect(p.install?.id).toBe('venv:/opt/vllm');
    expect([p.maxModelLen, p.tensorParallelSize, p.reasoningParser, p.fit.fits]).toEqual([
      2048,
      1,
      'deepseek_r1',
      true,
    ]);
    expect(p.fit.budgetBytes).toBeCloseTo(23034 * 2 ** 20 * 0.8);
    expect(p.command.slice(0, 3)).toEqual(['/opt/vllm/bin/vllm', 'serve', folder]);
  });

  it('vllm.plan on a folder that is not a model: VLLM_BAD_MODEL', async () => {
    await expect(call('vllm.plan', { modelPath: dir })).rejects.toMatchObject({ code: 'VLLM_BAD_MODEL' });
  });

  it('vllm.rayCommands: head here, one command per worker, the serve across them', async () => {
    const r = await call('vllm.rayCommands', {
      modelPath: folder,
      head: { host: '192.168.1.10', gpus: 1 },
      workers: [{ host: '192.168.1.11', gpus: 1 }],
    });
    expect(r.head).toEqual([
      '/opt/vllm/bin/ray',
      'start',
      '--head',
      '--port',
      '6379',
      '--dashboard-host',
      '127.0.0.1',
      '--num-gpus',
      '1',
      '--block',
    ]);
    expect(r.workers).toEqual([
      {
        host: '192.168.1.11',
        command: [
          'env',
          'VLLM_HOST_IP=192.168.1.11',
          // Not this machine's path: the worker runs `ray` from its own vLLM environment, wherever that lives.
          'ray',
          'start',
          '--address',
          '192.168.1.10:6379',
          '--num-gpus',
          '1',
          '--block',
        ],
      },
    ]);
    expect([r.tensorParallelSize, r.pipelineParallelSize]).toEqual([1, 2]);
    expect(r.serve.join(' ')).toContain('--distributed-executor-backend ray --pipeline-parallel-size 2');
  });

  it('ray.status before any start: stopped', async () => {
    expect(await call('ray.status', {})).toMatchObject({ state: 'stopped', pid: null });
  });
});
