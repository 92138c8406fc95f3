import { describe, expect, it } from 'vitest';
import type { BackendTarget } from '@shared/backends';
import { idleStatus } from '@shared/idle-status';
import { BackendStatus } from '@shared/schemas';
import { kindBadge, runModel, runningNow, shortModelId } from './kind-view';

const status = (o: Partial<BackendStatus> & { target?: BackendTarget | null }): BackendStatus =>
  BackendStatus.parse({ ...idleStatus(1, { state: 'ready', seq: 1 }), ...o });

const external: BackendTarget = {
  kind: 'external',
  serverId: 's1',
  serverName: 'Lab box',
  url: 'https://lab:8000',
  model: 'qwen2.5:7b',
  flavor: 'ollama',
};
const vllm: BackendTarget = {
  kind: 'vllm',
  install: 'path:/x/vllm',
  servedName: 'r1-distill',
  tensorParallelSize: 2,
  maxModelLen: 8192,
};

describe('kindBadge', () => {
  it.each([
    ['nothing known', undefined, null],
    ['stopped', status({ state: 'stopped' }), null],
    ['built-in llama.cpp alone', status({ kind: 'llama-cpp', target: { kind: 'llama-cpp', rpcWorkers: [] } }), null],
    ['llama.cpp without a target (older core)', status({ kind: 'llama-cpp', target: null }), null],
    [
      'llama.cpp with two RPC workers',
      status({ kind: 'llama-cpp', target: { kind: 'llama-cpp', rpcWorkers: ['10.0.0.2:50052', '10.0.0.3:50052'] } }),
      { kind: 'rpc', workers: ['10.0.0.2:50052', '10.0.0.3:50052'] },
    ],
    ['vLLM loading', status({ state: 'loading', kind: 'vllm', target: vllm }), { kind: 'vllm' }],
    [
      'an external server by its name',
      status({ kind: 'external', target: external }),
      { kind: 'external', name: 'Lab box', url: 'https://lab:8000' },
    ],
    [
      'an external server without a name: its URL',
      status({ kind: 'external', target: { ...external, serverName: '' } }),
      { kind: 'external', name: 'https://lab:8000', url: 'https://lab:8000' },
    ],
    ['crashed vLLM', status({ state: 'crashed', kind: 'vllm', target: vllm }), null],
  ] as const)('%s', (_name, s, want) => {
    expect(kindBadge(s)).toEqual(want);
  });
});

describe('runningNow', () => {
  it('names the server, its URL and the model of an external run', () => {
    expect(runningNow(status({ kind: 'external', target: external }))).toEqual({
      kind: 'external',
      state: 'ready',
      server: 'Lab box',
      url: 'https://lab:8000',
      model: 'qwen2.5:7b',
    });
  });
  it('names vLLM’s served model', () => {
    expect(runningNow(status({ state: 'starting', kind: 'vllm', target: vllm }))).toEqual({
      kind: 'vllm',
      state: 'starting',
      model: 'r1-distill',
    });
  });
  it('lists the RPC workers of a llama.cpp run, none without a target', () => {
    const t: BackendTarget = { kind: 'llama-cpp', rpcWorkers: ['h:1'] };
    expect(runningNow(status({ target: t }))).toEqual({
      kind: 'llama-cpp',
      state: 'ready',
      model: '',
      rpcWorkers: ['h:1'],
    });
    expect(runningNow(status({ target: null }))).toEqual({
      kind: 'llama-cpp',
      state: 'ready',
      model: '',
      rpcWorkers: [],
    });
  });
  it('is "none" when nothing runs', () => {
    expect(runningNow(status({ state: 'stopped' }))).toEqual({ kind: 'none' });
    expect(runningNow(undefined)).toEqual({ kind: 'none' });
  });
});

describe('runModel', () => {
  // Only the name of the model file matters here; the rest of ModelFileInfo is left out.
  const withFile = (s: BackendStatus): BackendStatus => ({ ...s, model: { name: 'tiny' } as BackendStatus['model'] });
  it.each([
    ['the model file of a llama.cpp run', withFile(status({})), 'tiny'],
    ['a file wins over the target', withFile(status({ kind: 'external', target: external })), 'tiny'],
    ['an external run without a file: the remote model', status({ kind: 'external', target: external }), 'qwen2.5:7b'],
    ['vLLM without a file: the served name', status({ kind: 'vllm', target: vllm }), 'r1-distill'],
    ['nothing known', status({ target: null }), null],
    ['stopped', withFile(status({ state: 'stopped' })), null],
    ['no status', undefined, null],
  ])('%s', (_n, s, want) => {
    expect(runModel(s)).toBe(want);
  });
});

describe('shortModelId', () => {
  it.each([
    ['/root/.cache/deeplocal/test-models/tiny-s1.gguf', 'tiny-s1.gguf'],
    ['C:\\models\\r1.gguf', 'r1.gguf'],
    ['D:/models/r1.gguf', 'r1.gguf'],
    ['deepseek-ai/DeepSeek-R1-Distill-Qwen-7B', 'deepseek-ai/DeepSeek-R1-Distill-Qwen-7B'],
    ['qwen2.5:7b', 'qwen2.5:7b'],
    ['/', '/'],
  ])('%s → %s', (id, want) => {
    expect(shortModelId(id)).toBe(want);
  });
  it('shortens the path-named model of a remote llama.cpp in the status bar', () => {
    const s = status({ kind: 'external', target: { ...external, model: '/srv/models/m.gguf' } });
    expect(runModel(s)).toBe('m.gguf');
  });
});
