/**
 * backend-requests against real local servers: one that answers like vLLM (no /apply-template: 404 {"detail":"Not
 * Found"}), and one that answers /apply-template and /tokenize like llama-server; plus the context of runs without
 * /props (runContext, a table).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BackendStatus } from '../../shared/schemas';
import { countPromptTokens, runContext } from './backend-requests';
import { roughTokens } from './prompt';

const messages = [{ role: 'user' as const, content: 'Tell me about the tides, and why there are two a day.' }];
let vllmLike: http.Server;
let llamaLike: http.Server;
let vllmBase = '';
let llamaBase = '';

async function listen(s: http.Server): Promise<string> {
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  vllmLike = http.createServer((_req, res) => {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"detail":"Not Found"}');
  });
  llamaLike = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    if (req.url === '/apply-template') res.end(JSON.stringify({ prompt: '<s>user: hi' }));
    else res.end(JSON.stringify({ tokens: [1, 2, 3, 4, 5, 6, 7] }));
  });
  vllmBase = await listen(vllmLike);
  llamaBase = await listen(llamaLike);
});
afterAll(async () => {
  await new Promise((r) => vllmLike.close(r));
  await new Promise((r) => llamaLike.close(r));
});

describe('countPromptTokens', () => {
  it('a vLLM endpoint (Endpoint.model set, no /apply-template) gets the estimate instead of an error', async () => {
    const n = await countPromptTokens({ baseUrl: vllmBase, apiKey: 'k', model: 'served' }, messages);
    expect(n).toBe(roughTokens(messages));
    expect(n).toBeGreaterThan(0);
  });

  it('our llama-server (no model, not remote) is asked, and its failure is still an error', async () => {
    expect(await countPromptTokens({ baseUrl: llamaBase, apiKey: 'k' }, messages)).toBe(7);
    await expect(countPromptTokens({ baseUrl: vllmBase, apiKey: 'k' }, messages)).rejects.toMatchObject({
      code: 'UPSTREAM_ERROR',
    });
  });
});

describe('runContext: the context of a run that has no /props', () => {
  const model = (contextLength: number | null) => ({ contextLength }) as BackendStatus['model'];
  it.each<[string, Pick<BackendStatus, 'target' | 'model'>, number | null]>([
    [
      'vLLM: its --max-model-len',
      {
        target: { kind: 'vllm', install: 'i', servedName: 's', tensorParallelSize: 1, maxModelLen: 4096 },
        model: model(131072),
      },
      4096,
    ],
    [
      'external: what its model list says',
      {
        target: { kind: 'external', serverId: 'a', serverName: 'n', url: 'http://h', model: 'm', flavor: 'ollama' },
        model: model(32768),
      },
      32768,
    ],
    [
      'external without a context in its list: not known',
      {
        target: { kind: 'external', serverId: 'a', serverName: 'n', url: 'http://h', model: 'm', flavor: 'ollama' },
        model: model(null),
      },
      null,
    ],
    ['llama-server: ask /props', { target: { kind: 'llama-cpp', rpcWorkers: [] }, model: model(8192) }, null],
    ['nothing runs', { target: null, model: null }, null],
  ])('%s', (_name, s, want) => {
    expect(runContext(s)).toBe(want);
  });
});
