import { describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors';
import { classifyConnectError, contextLengthOf, MAX_MODELS, parseModelsResponse } from './classify';
import { PinMismatchError, TimeoutError } from '../util/upstream-http';

const U = 'http://h:1';
const err = (code: string, message = code) => Object.assign(new Error(message), { code });
const codeOf = (f: () => unknown) => {
  try {
    f();
    return 'ok';
  } catch (e) {
    return (e as AppError).code;
  }
};

describe('classifyConnectError', () => {
  it.each([
    [err('ECONNREFUSED'), 'REMOTE_REFUSED'],
    [err('ENOTFOUND', 'getaddrinfo ENOTFOUND nope.invalid'), 'REMOTE_UNREACHABLE'],
    [err('EAI_AGAIN'), 'REMOTE_UNREACHABLE'],
    [err('EHOSTUNREACH'), 'REMOTE_UNREACHABLE'],
    [err('ENETUNREACH'), 'REMOTE_UNREACHABLE'],
    [new TimeoutError(1500), 'REMOTE_TIMEOUT'],
    [err('ETIMEDOUT'), 'REMOTE_TIMEOUT'],
    [err('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'), 'REMOTE_TLS'],
    [err('CERT_HAS_EXPIRED', 'certificate has expired'), 'REMOTE_TLS'],
    [err('ERR_TLS_CERT_ALTNAME_INVALID'), 'REMOTE_TLS'],
    [new PinMismatchError('AA:BB', 'CC:DD'), 'REMOTE_TLS'],
    [err('ERR_SSL_WRONG_VERSION_NUMBER', 'wrong version number'), 'REMOTE_TLS'],
    [err('ECONNRESET', 'socket hang up'), 'REMOTE_UNREACHABLE'],
    [new Error('something odd'), 'REMOTE_UNREACHABLE'],
    ['not even an error', 'REMOTE_UNREACHABLE'],
  ])('%s → %s', (e, code) => {
    expect(classifyConnectError(e, U, 1500).code).toBe(code);
  });

  it('says the timeout in seconds and that https was spoken to an http port', () => {
    expect(classifyConnectError(new TimeoutError(1500), U, 1500).params).toMatchObject({ seconds: 1.5 });
    const tls = classifyConnectError(err('ERR_SSL_WRONG_VERSION_NUMBER', 'ssl3_get_record:wrong version number'), U, 1);
    expect(tls.params?.reason).toMatch(/does not speak https/);
  });

  it('passes an AppError through and carries certificate facts on TLS errors', () => {
    const a = new AppError('REMOTE_AUTH', { url: U, status: 401 });
    expect(classifyConnectError(a, U, 1)).toBe(a);
    const cert = { fingerprint256: 'AA', subject: 'CN=x', issuer: 'CN=x', validTo: 'soon' };
    expect(classifyConnectError(err('DEPTH_ZERO_SELF_SIGNED_CERT'), U, 1, cert).params).toMatchObject(cert);
  });
});

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
