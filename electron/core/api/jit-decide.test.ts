import { describe, expect, it } from 'vitest';
import type { BackendState } from '../../shared/schemas';
import { decide, loadable, type Current } from './jit-decide';

const a = { path: '/m/alpha-Q4_K_M.gguf', name: 'Alpha', catalogId: 'alpha' };
const b = { path: '/m/beta.gguf', name: 'Beta' };
const installed = [a, b];
const loadedA = (state: BackendState = 'ready'): Current => ({ state, model: a });
const none: Current = { state: 'stopped', model: null };

const kind = (x: ReturnType<typeof decide>) =>
  x.kind === 'error' ? x.error.code : x.kind === 'load' ? `load ${x.model.name}` : x.kind;

describe('jit decide', () => {
  // Each row: request, current, installed (null = not looked up yet), jit on, expected.
  it.each([
    ['no name, loaded', { strict: true }, loadedA(), null, true, 'serve'],
    ['no name, nothing loaded', { strict: true }, none, null, true, 'BACKEND_NOT_READY'],
    [
      'the loaded one by file name: no lookup',
      { model: 'alpha-Q4_K_M.gguf', strict: true },
      loadedA(),
      null,
      true,
      'serve',
    ],
    [
      'the loading one by ollama name: waits for it',
      { model: 'alpha-q4_k_m:latest', strict: true },
      loadedA('loading'),
      null,
      true,
      'serve',
    ],
    ['another name: look it up first', { model: 'beta', strict: true }, loadedA(), null, true, 'lookup'],
    ['another installed one: load it', { model: 'beta', strict: true }, loadedA(), installed, true, 'load Beta'],
    ['installed, nothing loaded: load it', { model: 'beta:latest', strict: false }, none, installed, true, 'load Beta'],
    ['crashed run: load again', { model: 'alpha', strict: true }, loadedA('crashed'), installed, true, 'load Alpha'],
    [
      'unknown name (Ollama): 404',
      { model: 'llama3', strict: true },
      loadedA(),
      installed,
      true,
      'MODEL_NOT_INSTALLED',
    ],
    // An OpenAI client's placeholder name was always served by the loaded model.
    [
      'unknown name (OpenAI), one loaded: served',
      { model: 'gpt-4o', strict: false },
      loadedA(),
      installed,
      true,
      'serve',
    ],
    [
      'unknown name (OpenAI), none loaded: 404',
      { model: 'gpt-4o', strict: false },
      none,
      installed,
      true,
      'MODEL_NOT_INSTALLED',
    ],
    [
      'JIT off (Ollama): another installed one is refused',
      { model: 'beta', strict: true },
      loadedA(),
      installed,
      false,
      'MODEL_NOT_LOADED',
    ],
    ['JIT off (OpenAI): the loaded one serves', { model: 'beta', strict: false }, loadedA(), installed, false, 'serve'],
    ['JIT off, nothing loaded', { model: 'beta', strict: false }, none, installed, false, 'MODEL_NOT_LOADED'],
    [
      'by catalog id, found on the same path: serve',
      { model: 'ALPHA:latest', strict: true },
      { state: 'ready', model: { path: a.path, name: 'x' } },
      installed,
      true,
      'serve',
    ],
    // A vLLM run or an external server is the user's: a request does not swap it for a llama.cpp load.
    [
      'vLLM running (Ollama): another installed one is refused, not loaded over it',
      { model: 'beta', strict: true },
      { ...loadedA(), kind: 'vllm' },
      installed,
      true,
      'MODEL_BACKEND_IN_USE',
    ],
    [
      'external server (OpenAI): it serves',
      { model: 'beta', strict: false },
      { ...loadedA(), kind: 'external' },
      installed,
      true,
      'serve',
    ],
    [
      'vLLM loading (Ollama): still not replaced',
      { model: 'beta', strict: true },
      { ...loadedA('loading'), kind: 'vllm' },
      installed,
      true,
      'MODEL_BACKEND_IN_USE',
    ],
    [
      'vLLM stopped: JIT loads on llama.cpp as before',
      { model: 'beta', strict: true },
      { ...loadedA('stopped'), kind: 'vllm' },
      installed,
      true,
      'load Beta',
    ],
    [
      'vLLM running, its own model named: served',
      { model: 'alpha', strict: true },
      { ...loadedA(), kind: 'vllm' },
      null,
      true,
      'serve',
    ],
  ] as const)('%s', (_, req, current, list, jit, want) => {
    expect(kind(decide(req, current, list, jit))).toBe(want);
  });
});

describe('loadable: what a request may load', () => {
  const ok = { path: '/m/a.gguf', name: 'A', error: null };
  const broken = { path: '/m/b.gguf', name: 'B', error: { code: 'MODEL_NOT_GGUF' } };
  const gguf = { path: '/m/c.gguf', name: 'C', error: null, format: 'gguf' };
  const snapshot = { path: '/m/org/Qwen-AWQ', name: 'Qwen-AWQ', error: null, format: 'safetensors' };
  it('readable GGUFs only: a vLLM snapshot folder is not offered to JIT or Ollama clients', () => {
    expect(loadable([ok, broken, gguf, snapshot]).map((m) => m.name)).toEqual(['A', 'C']);
  });
  it('so a request naming the snapshot finds nothing to load', () => {
    const x = decide({ model: 'Qwen-AWQ', strict: true }, none, loadable([ok, snapshot]), true);
    expect(kind(x)).toBe('MODEL_NOT_INSTALLED');
  });
});

describe('MODEL_BACKEND_IN_USE', () => {
  it('names the model asked for, the running one and where it runs', () => {
    const where = 'http://gpu-box.lan:8000';
    const x = decide({ model: 'beta', strict: true }, { ...loadedA(), kind: 'external', where }, installed, true);
    expect(x.kind === 'error' && x.error.params).toEqual({ model: 'beta', loaded: 'Alpha', where });
  });
});
