import { describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors';
import { classifyConnectError, upstreamConnectError, upstreamStatusError } from './upstream-errors';
import { PinMismatchError, TimeoutError } from './upstream-http';

const U = 'http://h:1';
const err = (code: string, message = code) => Object.assign(new Error(message), { code });

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

describe('classifyConnectError without a limit of ours', () => {
  it('a system timeout is REMOTE_UNREACHABLE saying so (no made-up number of seconds)', () => {
    const e = classifyConnectError(err('ETIMEDOUT', 'connect ETIMEDOUT 10.0.0.9:8000'), U);
    expect(e.code).toBe('REMOTE_UNREACHABLE');
    expect(e.params).toMatchObject({ url: U, reason: 'the connection timed out (ETIMEDOUT)' });
  });
});

describe('upstreamConnectError', () => {
  const remote = { baseUrl: 'https://gpu-box.lan:8443/', remote: true };
  const local = { baseUrl: 'http://127.0.0.1:41234' };

  it('a remote server: typed by what happened, named by its origin', () => {
    const e = upstreamConnectError(err('ECONNREFUSED', 'connect ECONNREFUSED'), remote, 'CHAT_FAILED');
    expect(e.code).toBe('REMOTE_REFUSED');
    expect(e.params).toMatchObject({ url: 'https://gpu-box.lan:8443' });
    expect(upstreamConnectError(err('DEPTH_ZERO_SELF_SIGNED_CERT'), remote, 'CHAT_FAILED').code).toBe('REMOTE_TLS');
  });

  it("our own backend keeps the caller's code with the reason; an AppError passes through", () => {
    const e = upstreamConnectError(
      err('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:41234'),
      local,
      'UPSTREAM_ERROR',
    );
    expect(e.code).toBe('UPSTREAM_ERROR');
    expect(e.params).toMatchObject({ reason: 'connect ECONNREFUSED 127.0.0.1:41234' });
    const a = new AppError('BACKEND_NOT_READY');
    expect(upstreamConnectError(a, remote, 'CHAT_FAILED')).toBe(a);
  });
});

describe('upstreamStatusError', () => {
  it('a remote 401/403 is REMOTE_AUTH; ours stays UPSTREAM_ERROR', () => {
    const body = '{"error":{"message":"Invalid API Key"}}';
    const remote = upstreamStatusError(401, body, { baseUrl: 'http://box:8000', remote: true });
    expect(remote.code).toBe('REMOTE_AUTH');
    expect(remote.params).toMatchObject({ url: 'http://box:8000', status: 401 });
    const ours = upstreamStatusError(401, body, { baseUrl: 'http://127.0.0.1:1' });
    expect(ours.code).toBe('UPSTREAM_ERROR');
    expect(ours.params).toMatchObject({ reason: 'Invalid API Key' });
  });

  it("the server's own message when its body is OpenAI-style JSON, else the status; bounded", () => {
    const ep = { baseUrl: 'http://127.0.0.1:1' };
    expect(upstreamStatusError(400, '{"error":{"message":"context too long"}}', ep).params?.reason).toBe(
      'context too long',
    );
    expect(upstreamStatusError(500, '<html>oops</html>', ep).params?.reason).toBe('HTTP 500');
    expect(upstreamStatusError(500, 'null', ep).params?.reason).toBe('HTTP 500');
    expect(upstreamStatusError(500, '{"error":{"message":42}}', ep).params?.reason).toBe('HTTP 500');
    const long = JSON.stringify({ error: { message: 'x'.repeat(5000) } });
    expect(String(upstreamStatusError(400, long, ep).params?.reason)).toHaveLength(500);
  });
});
