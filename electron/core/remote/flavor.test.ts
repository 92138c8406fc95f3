import { describe, expect, it } from 'vitest';
import { decideFlavor, type FlavorProbes } from './flavor';

const ok = (json: unknown) => ({ status: 200, json });
describe('decideFlavor', () => {
  it.each<[string, string[], FlavorProbes, string]>([
    ['llama-server', ['llamacpp'], { deeplocal: { status: 404, json: null } }, 'llama.cpp'],
    ['llama-server by /props', [], { props: ok({ default_generation_settings: { n_ctx: 4096 } }) }, 'llama.cpp'],
    ['vLLM by owned_by', ['vllm'], {}, 'vllm'],
    ['vLLM by /version', ['someone'], { vllm: ok({ version: '0.11.0' }) }, 'vllm'],
    ['Ollama', ['library'], { ollama: ok({ version: '0.12.3' }) }, 'ollama'],
    ['Ollama by owned_by only', ['library'], {}, 'ollama'],
    ['LM Studio', ['organization_owner'], {}, 'lmstudio'],
    ['TGI', ['tgi'], { tgi: ok({ model_id: 'org/model', max_total_tokens: 4096, version: '3.0.0' }) }, 'tgi'],
    ['OpenAI', ['openai', 'system'], {}, 'openai'],
    [
      'DeepLocal (passes llama-server through)',
      ['llamacpp'],
      { deeplocal: { status: 401, json: { error: { code: 'UNAUTHORIZED', message: 'x' } } } },
      'deeplocal',
    ],
    ['unknown', [], {}, 'unknown'],
    ['a 200 HTML page on every probe says nothing', [], { ollama: ok('<html>'), props: ok('<html>') }, 'unknown'],
    ['a version that is not one', [], { ollama: ok({ version: 'x'.repeat(500) }) }, 'unknown'],
    [
      'an error code that is not ours',
      [],
      { deeplocal: { status: 404, json: { error: { code: 'NOPE' } } } },
      'unknown',
    ],
    ['an /info without TGI fields', [], { tgi: ok({ model_id: 'x' }) }, 'unknown'],
  ])('%s', (_name, owners, probes, want) => {
    expect(decideFlavor(owners, probes)).toBe(want);
  });
});
