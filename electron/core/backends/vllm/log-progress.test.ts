/**
 * vLLM's startup log → phase and progress: the stand-in's 0.11 startup (fixtures/startup.log, each line's shape from
 * a public capture in scripts/fake-vllm/SOURCES.md) and lines of other releases quoted from public reports.
 */
import { describe, expect, it } from 'vitest';
import { splitVllmLine } from './log-line';
import { applyVllmLine, initialVllmProgress, vllmProgressOf, type VllmPhase } from './log-progress';
import { startupLines } from './test-fixtures';

describe('splitVllmLine', () => {
  it.each([
    [
      '(EngineCore_DP0 pid=3856547) INFO 10-26 21:47:45 [default_loader.py:267] Loading weights took 1.27 seconds',
      {
        proc: 'EngineCore_DP0',
        pid: 3856547,
        level: 'INFO',
        source: 'default_loader.py:267',
        msg: 'Loading weights took 1.27 seconds',
      },
    ],
    [
      // vllm-project/vllm#33756: colour codes around the prefix
      '^[[0;36m(APIServer pid=31)^[[0;0m INFO 02-03 19:00:05 [api_server.py:946] Starting vLLM API server 0 on http://0.0.0.0:8000',
      {
        proc: 'APIServer',
        pid: 31,
        level: 'INFO',
        source: 'api_server.py:946',
        msg: 'Starting vLLM API server 0 on http://0.0.0.0:8000',
      },
    ],
    [
      // vllm-project/vllm#7514 (0.6): no prefix, no bracket before the source
      'INFO 10-10 10:23:00 api_server.py:526] vLLM API server version 0.6.1.dev238+ge2c6e0a82',
      {
        proc: null,
        pid: null,
        level: 'INFO',
        source: 'api_server.py:526',
        msg: 'vLLM API server version 0.6.1.dev238+ge2c6e0a82',
      },
    ],
    [
      '(APIServer pid=7) INFO:     Application startup complete.',
      { proc: 'APIServer', pid: 7, level: 'INFO', source: null, msg: 'Application startup complete.' },
    ],
    [
      'Loading safetensors checkpoint shards:  67% Completed | 2/3 [00:00<00:00,  3.58it/s]',
      {
        proc: null,
        pid: null,
        level: null,
        source: null,
        msg: 'Loading safetensors checkpoint shards:  67% Completed | 2/3 [00:00<00:00,  3.58it/s]',
      },
    ],
  ])('%s', (raw, parts) => expect(splitVllmLine(raw)).toEqual(parts));
});

describe('the stand-in startup', () => {
  it('walks every phase in order, never backwards, and ends ready with its URL and figures', () => {
    const lines = startupLines();
    let p = initialVllmProgress();
    const seen: VllmPhase[] = [];
    for (const { line } of lines) {
      const n = applyVllmLine(p, line);
      expect(n.progress).toBeGreaterThanOrEqual(p.progress);
      if (n.phase !== p.phase) seen.push(n.phase);
      p = n;
    }
    expect(seen).toEqual(['config', 'engine', 'weights', 'kv-cache', 'listening', 'ready']);
    expect(p).toMatchObject({
      phase: 'ready',
      progress: 1,
      url: 'http://127.0.0.1:8123',
      version: '0.11.0',
      weightsGiB: 5.2013,
      kvTokens: 266848,
      maxModelLen: 8192,
      architecture: 'Qwen2ForCausalLM',
    });
  });
  it('is still loading (not listening) after the weights, before the server line', () => {
    const lines = startupLines();
    const upToKv = lines
      .slice(
        0,
        lines.findIndex((l) => l.stage === 'serve'),
      )
      .map((l) => l.line);
    const p = vllmProgressOf(upToKv);
    expect(p.phase).toBe('kv-cache');
    expect(p.url).toBeNull();
    expect(p.progress).toBeLessThan(0.95);
  });
});

describe('lines of other releases', () => {
  it('shard progress moves the bar within the weights phase (kyuz0/amd-strix-halo-vllm-toolboxes PR #5)', () => {
    const p = vllmProgressOf([
      '(EngineCore_0 pid=3856547) INFO 10-26 21:47:44 [gpu_model_runner.py:2602] Starting to load model Qwen/Qwen3-4B...',
      'Loading safetensors checkpoint shards:   0% Completed | 0/3 [00:00<?, ?it/s]',
      'Loading safetensors checkpoint shards:  67% Completed | 2/3 [00:00<00:00,  3.58it/s]',
    ]);
    expect(p.phase).toBe('weights');
    expect(p.progress).toBeCloseTo(0.2 + 0.6 * (2 / 3), 5);
  });
  it('2026 wording "Starting vLLM server on" (vllm-project/vllm#38820) and the banner version (vllm-project/vllm#34028)', () => {
    const p = vllmProgressOf([
      '(APIServer pid=44) INFO 02-06 23:24:30 [utils.py:325]  ▄▄ ▄█ █     █     █ ▀▄▀ █  version 0.15.1',
      '(APIServer pid=34165) INFO 05-06 21:00:52 [api_server.py:602] Starting vLLM server on http://0.0.0.0:8000',
      '(APIServer pid=34165) INFO 05-06 21:00:52 [launcher.py:37] Available routes are:',
    ]);
    expect(p).toMatchObject({ phase: 'listening', url: 'http://0.0.0.0:8000', version: '0.15.1' });
  });
  it('"Model loading took X GiB memory and …" (vllm-project/vllm#29335) and CUDA graph capture', () => {
    const p = vllmProgressOf([
      '(EngineCore_DP0 pid=441) INFO 11-24 11:43:54 [gpu_model_runner.py:3341] Model loading took 2.0513 GiB memory and 27.200487 seconds',
      '(EngineCore_DP0 pid=441) INFO 11-24 11:44:18 [kv_cache_utils.py:1234] GPU KV cache size: 1,587,648 tokens',
      'Capturing CUDA graphs (mixed prefill-decode, PIECEWISE): 100%|██████████| 51/51 [00:01<00:00, 33.44it/s]',
    ]);
    expect(p).toMatchObject({ phase: 'kv-cache', weightsGiB: 2.0513, kvTokens: 1587648 });
    expect(p.progress).toBeCloseTo(0.93, 5);
  });
  it('returns the same object for a line that says nothing new', () => {
    const p = initialVllmProgress();
    expect(applyVllmLine(p, '(APIServer pid=1) WARNING 10-26 21:47:44 [x.py:1] something unrelated')).toBe(p);
  });
});
