import { describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors';
import { contextLengthOf, MAX_MODELS, parseModelsResponse } from './classify';

const U = 'http://h:1';
const codeOf = (f: () => unknown) => {
  try {
    f();
    return 'ok';
  } catch (e) {
    return (e as AppError).code;
  }
};

describe('parseModelsResponse', () => {
  const json = (v: unknown) => JSON.stringify(v);
  it.each([
    [401, 'application/json', json({ error: { message: 'Invalid API Key' } }), 'REMOTE_AUTH'],
    [403, 'application/json', '{}', 'REMOTE_AUTH'],
    [404, 'text/plain', 'Not Found', 'REMOTE_NOT_OPENAI'],
    [500, 'application/json', '{}', 'REMOTE_NOT_OPENAI'],
    [200, 'text/html', '<!doctype html><html><body>Router login</body></html>', 'REMOTE_NOT_OPENAI'],
    [200, undefined, '<html><body>hi</body></html>', 'REMOTE_NOT_OPENAI'],
    [200, 'application/json', 'not json', 'REMOTE_NOT_OPENAI'],
    [200, 'application/json', json({ models: [] }), 'REMOTE_NOT_OPENAI'],
    [200, 'application/json', json([{ id: 'x' }]), 'REMOTE_NOT_OPENAI'],
    [200, 'application/json', 'null', 'REMOTE_NOT_OPENAI'],
    [200, 'application/json', json({ object: 'list', data: [] }), 'ok'],
  ])('HTTP %i %s %s → %s', (status, ct, body, code) => {
    expect(codeOf(() => parseModelsResponse(U, status, ct, body))).toBe(code);
  });

  it('keeps usable entries only: ids bounded, no repeats, at most MAX_MODELS', () => {
    const data = [
      { id: 'a', owned_by: 'llamacpp', meta: { n_ctx: 4096, n_ctx_train: 131072 } },
      { id: 'a' },
      { id: '' },
      { id: 'x'.repeat(501) },
      { id: 42 },
      null,
      'b',
      { id: 'b', owned_by: 'vllm', max_model_len: 32768 },
      { id: 'c', owned_by: { evil: true } },
      ...Array.from({ length: MAX_MODELS + 10 }, (_, i) => ({ id: `m${i}` })),
    ];
    const r = parseModelsResponse(U, 200, 'application/json', json({ data }));
    expect(r.models.slice(0, 2)).toEqual([
      { id: 'a', ownedBy: 'llamacpp', contextLength: 4096 },
      { id: 'b', ownedBy: 'vllm', contextLength: 32768 },
    ]);
    expect(r.models).toHaveLength(MAX_MODELS);
    expect(r.models.some((m) => m.id === 'c')).toBe(false);
    expect(r.ownedBy.slice(0, 2)).toEqual(['llamacpp', 'vllm']);
  });
});

describe('contextLengthOf', () => {
  it.each([
    [{ meta: { n_ctx: 2048 } }, 2048],
    [{ max_model_len: 8192 }, 8192],
    [{ context_length: 4096 }, 4096],
    [{ meta: { n_ctx_train: 100 } }, 100],
    [{ max_model_len: -1 }, null],
    [{ max_model_len: 1.5 }, null],
    [{ max_model_len: '8192' }, null],
    [{}, null],
  ])('%j → %s', (m, n) => {
    expect(contextLengthOf(m)).toBe(n);
  });
});
