/**
 * Guards of the loopback HTTP API, as tables. Threats: a web page using DNS rebinding to reach us under its own
 * host name (Host check), a page on another origin calling us from the user's browser (Origin check), and any local
 * program without the token (token check). Each row says which of those it stands for.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import { AppError, type ErrorCode } from '../shared/errors';
import { tokenProtocol } from '../shared/ws-client';
import { codeOfCall } from '../test/error-codes';
import { checkHost, checkOrigin, checkToken, isLoopbackHost, LOOPBACK_HOSTS, type GuardConfig } from './security';

const PORT = 47123;
const cfg: GuardConfig = { port: PORT, hosts: [...LOOPBACK_HOSTS] };

describe('checkHost', () => {
  it.each<{ host: string | undefined; want: 'ok' | ErrorCode }>([
    { host: `127.0.0.1:${PORT}`, want: 'ok' },
    { host: `localhost:${PORT}`, want: 'ok' },
    { host: `[::1]:${PORT}`, want: 'ok' },
    // Host names are case-insensitive; browsers may send them as typed.
    { host: `LocalHost:${PORT}`, want: 'ok' },
    // Wrong port: another local service's page (e.g. a dev server on :3000) is a different origin.
    { host: `127.0.0.1:${PORT + 1}`, want: 'FORBIDDEN_HOST' },
    { host: `localhost:80`, want: 'FORBIDDEN_HOST' },
    // We never listen on a default port, so a Host without one cannot be ours.
    { host: 'localhost', want: 'FORBIDDEN_HOST' },
    { host: '127.0.0.1', want: 'FORBIDDEN_HOST' },
    // Missing Host: HTTP/1.0-style clients; rejecting is the safe side.
    { host: undefined, want: 'FORBIDDEN_HOST' },
    { host: '', want: 'FORBIDDEN_HOST' },
    // DNS rebinding: attacker.example resolves to 127.0.0.1, but the browser still sends the attacker's name.
    { host: `attacker.example:${PORT}`, want: 'FORBIDDEN_HOST' },
    { host: `127.0.0.1.nip.io:${PORT}`, want: 'FORBIDDEN_HOST' },
    { host: `localhost.attacker.example:${PORT}`, want: 'FORBIDDEN_HOST' },
    // A trailing dot is a different name to a browser's origin model; do not normalise it into "localhost".
    { host: `localhost.:${PORT}`, want: 'FORBIDDEN_HOST' },
    // Other loopback spellings are not on the allow-list (only the names the URL we print can contain).
    { host: `127.0.0.2:${PORT}`, want: 'FORBIDDEN_HOST' },
    { host: `0.0.0.0:${PORT}`, want: 'FORBIDDEN_HOST' },
    // IPv6 must be bracketed; an unbracketed ::1 is not a valid Host and must not parse as name "::1".
    { host: `::1:${PORT}`, want: 'FORBIDDEN_HOST' },
    { host: `[::ffff:127.0.0.1]:${PORT}`, want: 'FORBIDDEN_HOST' },
    // Smuggling tricks: userinfo, a second port, a path.
    { host: `evil@localhost:${PORT}`, want: 'FORBIDDEN_HOST' },
    { host: `localhost:${PORT}:${PORT}`, want: 'FORBIDDEN_HOST' },
    { host: `localhost:${PORT}/x`, want: 'FORBIDDEN_HOST' },
  ])('Host $host → $want', ({ host, want }) => {
    const headers: IncomingHttpHeaders = host === undefined ? {} : { host };
    expect(codeOfCall(() => checkHost(headers, cfg))).toBe(want);
  });

  it('keeps the offending host in the error (bounded), so the log says who tried', () => {
    const long = 'a'.repeat(1000) + `:${PORT}`;
    const err = (() => {
      try {
        checkHost({ host: long }, cfg);
      } catch (e) {
        return e as AppError;
      }
      return null;
    })();
    expect(err?.code).toBe('FORBIDDEN_HOST');
    expect(String(err?.params?.host).length).toBeLessThanOrEqual(200);
  });

  it('accepts an extra configured host name (e.g. the LAN name the server was bound to)', () => {
    const lan: GuardConfig = { port: PORT, hosts: [...LOOPBACK_HOSTS, 'my-pc.local'] };
    expect(codeOfCall(() => checkHost({ host: `my-pc.local:${PORT}` }, lan))).toBe('ok');
    expect(codeOfCall(() => checkHost({ host: `my-pc.local:${PORT}` }, cfg))).toBe('FORBIDDEN_HOST');
  });
});

describe('checkOrigin', () => {
  it.each<{ origin: string | undefined; want: 'ok' | ErrorCode }>([
    // No Origin: curl, scripts, the OpenAI SDK. They still need the token.
    { origin: undefined, want: 'ok' },
    // Our own page, under each name we print.
    { origin: `http://127.0.0.1:${PORT}`, want: 'ok' },
    { origin: `http://localhost:${PORT}`, want: 'ok' },
    { origin: `http://[::1]:${PORT}`, want: 'ok' },
    { origin: `HTTP://LOCALHOST:${PORT}`, want: 'ok' },
    // Cross-site: any other page the user has open.
    { origin: 'https://attacker.example', want: 'FORBIDDEN_ORIGIN' },
    { origin: `http://attacker.example:${PORT}`, want: 'FORBIDDEN_ORIGIN' },
    // Same host, other port: another local web app is another origin.
    { origin: `http://localhost:${PORT + 1}`, want: 'FORBIDDEN_ORIGIN' },
    { origin: 'http://localhost', want: 'FORBIDDEN_ORIGIN' },
    // We serve plain http on loopback; an https origin is not us.
    { origin: `https://localhost:${PORT}`, want: 'FORBIDDEN_ORIGIN' },
    // "null" is what sandboxed iframes and file:// pages send: never trusted.
    { origin: 'null', want: 'FORBIDDEN_ORIGIN' },
    { origin: '', want: 'FORBIDDEN_ORIGIN' },
    // Prefix tricks must not pass a startsWith-style check.
    { origin: `http://localhost:${PORT}.attacker.example`, want: 'FORBIDDEN_ORIGIN' },
    { origin: `http://localhost:${PORT}@attacker.example`, want: 'FORBIDDEN_ORIGIN' },
    { origin: `http://localhost:${PORT}/`, want: 'FORBIDDEN_ORIGIN' },
  ])('Origin $origin → $want', ({ origin, want }) => {
    const headers: IncomingHttpHeaders = origin === undefined ? {} : { origin };
    expect(codeOfCall(() => checkOrigin(headers, cfg))).toBe(want);
  });
});

describe('checkToken', () => {
  const T = 'tok_3f9a8c1d2e7b4a6f';
  const sameLength = T.slice(0, -1) + (T.endsWith('f') ? 'e' : 'f');

  it.each<{ name: string; headers: IncomingHttpHeaders; want: 'ok' | ErrorCode }>([
    { name: 'no credentials', headers: {}, want: 'UNAUTHORIZED' },
    // What llama-server and the OpenAI SDK send; the scheme name is case-insensitive (RFC 9110).
    { name: 'Bearer', headers: { authorization: `Bearer ${T}` }, want: 'ok' },
    { name: 'bearer (lower case)', headers: { authorization: `bearer ${T}` }, want: 'ok' },
    { name: 'Bearer with extra spaces', headers: { authorization: `Bearer   ${T}  ` }, want: 'ok' },
    { name: 'Basic is not a token', headers: { authorization: `Basic ${T}` }, want: 'UNAUTHORIZED' },
    { name: 'bare token without a scheme', headers: { authorization: T }, want: 'UNAUTHORIZED' },
    { name: 'X-Api-Key', headers: { 'x-api-key': T }, want: 'ok' },
    // Browsers cannot set headers on a WebSocket, so the token rides in the subprotocol list.
    {
      name: 'WebSocket subprotocol',
      headers: { 'sec-websocket-protocol': `deeplocal.v1, ${tokenProtocol(T)}` },
      want: 'ok',
    },
    {
      name: 'subprotocol first in the list',
      headers: { 'sec-websocket-protocol': `${tokenProtocol(T)},deeplocal.v1` },
      want: 'ok',
    },
    {
      name: 'subprotocol without our prefix',
      headers: { 'sec-websocket-protocol': `deeplocal.v1, ${T}` },
      want: 'UNAUTHORIZED',
    },
    {
      name: 'subprotocol with a wrong token',
      headers: { 'sec-websocket-protocol': tokenProtocol(sameLength) },
      want: 'UNAUTHORIZED',
    },
    // Wrong tokens of both kinds: same length exercises timingSafeEqual, other lengths its length guard (which throws
    // a RangeError if reached with unequal lengths: that would be a 500, not a 401).
    { name: 'wrong token, same length', headers: { authorization: `Bearer ${sameLength}` }, want: 'UNAUTHORIZED' },
    { name: 'wrong token, shorter', headers: { authorization: `Bearer ${T.slice(0, -1)}` }, want: 'UNAUTHORIZED' },
    { name: 'wrong token, longer', headers: { 'x-api-key': `${T}x` }, want: 'UNAUTHORIZED' },
    { name: 'empty token', headers: { authorization: 'Bearer ' }, want: 'UNAUTHORIZED' },
    { name: 'prefix of the token', headers: { 'x-api-key': T.slice(0, 4) }, want: 'UNAUTHORIZED' },
    // Multi-byte characters: a byte-length mismatch with equal string length must not throw.
    { name: 'non-ASCII of equal string length', headers: { 'x-api-key': 'é'.repeat(T.length) }, want: 'UNAUTHORIZED' },
    // One good credential is enough, wherever it is.
    {
      name: 'wrong Bearer but right X-Api-Key',
      headers: { authorization: `Bearer ${sameLength}`, 'x-api-key': T },
      want: 'ok',
    },
  ])('$name → $want', ({ headers, want }) => {
    expect(codeOfCall(() => checkToken(headers, T))).toBe(want);
  });
});

describe('isLoopbackHost', () => {
  it.each([
    { host: 'localhost', want: true },
    { host: '127.0.0.1', want: true },
    { host: '127.1.2.3', want: true },
    { host: '::1', want: true },
    { host: '[::1]', want: true },
    // Binding to these would expose the API to the network: they must not count as loopback.
    { host: '0.0.0.0', want: false },
    { host: '::', want: false },
    { host: '192.168.1.10', want: false },
    { host: '127.0.0.1.attacker.example', want: false },
    { host: 'localhost.attacker.example', want: false },
  ])('$host → $want', ({ host, want }) => {
    expect(isLoopbackHost(host)).toBe(want);
  });
});
