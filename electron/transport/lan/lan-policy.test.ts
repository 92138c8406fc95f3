/**
 * LAN mode's pure decisions, as tables: where to listen and which Host names to accept (DNS rebinding: a page's
 * own name must never pass), which web origins CORS lets in (a foreign page must get no CORS headers), and which
 * credential each listener accepts (the loopback token must not open the LAN listener).
 */
import type { IncomingHttpHeaders } from 'node:http';
import type os from 'node:os';
import { describe, expect, it } from 'vitest';
import { codeOfCall } from '../../test/error-codes';
import { checkApiCredential, originMatches, type GuardConfig } from '../security';
import { decideCors, isPreflight, preflightHeaders } from './cors';
import { certificateSubject, planBinds, planLan } from './hosts';
import { altNames } from './certificate';
import { listenError } from './controller';

const iface = (address: string, family: 'IPv4' | 'IPv6', internal = false) =>
  ({ address, family, internal, netmask: '', mac: '', cidr: null }) as os.NetworkInterfaceInfo;
const IFACES = {
  lo: [iface('127.0.0.1', 'IPv4', true), iface('::1', 'IPv6', true)],
  eth0: [iface('192.168.1.20', 'IPv4'), iface('fe80::1', 'IPv6'), iface('2001:db8::20', 'IPv6')],
  wlan0: [iface('10.0.0.7', 'IPv4')],
};

describe('planBinds', () => {
  it.each<[string[], string[], string[]]>([
    [['0.0.0.0'], ['0.0.0.0'], []],
    // A wildcard covers its family: binding both on one port would fail with EADDRINUSE.
    [['192.168.1.20', '0.0.0.0'], ['0.0.0.0'], []],
    [['0.0.0.0', '2001:db8::20'], ['0.0.0.0', '2001:db8::20'], []],
    // `::` is dual-stack: it covers everything.
    [['::', '0.0.0.0', '10.0.0.7'], ['::'], []],
    [['192.168.1.20', ' 192.168.1.20 ', '[2001:DB8::20]'], ['192.168.1.20', '2001:db8::20'], []],
    // Names are not listened on (a name resolves to whatever DNS says at the time).
    [['myhost', '10.0.0.7', '300.1.1.1'], ['10.0.0.7'], ['myhost', '300.1.1.1']],
  ])('%j → binds %j, invalid %j', (chosen, binds, invalid) => {
    expect(planBinds(chosen)).toEqual({ binds, invalid });
  });
});

describe('planLan', () => {
  it('0.0.0.0: every IPv4 address and the machine name are accepted hosts; URLs are the non-internal ones', () => {
    const p = planLan(['0.0.0.0'], IFACES, 'Studio');
    expect(p.hosts.sort()).toEqual(['10.0.0.7', '127.0.0.1', '192.168.1.20', 'localhost', 'studio', 'studio.local']);
    expect(p.urlHosts).toEqual(['192.168.1.20', '10.0.0.7']);
  });
  it('one address: only it (and the names) are accepted, IPv6 bracketed; link-local is never a URL', () => {
    expect(planLan(['2001:db8::20'], IFACES, 'box')).toMatchObject({
      hosts: ['box', 'box.local', 'localhost', '[2001:db8::20]'],
      urlHosts: ['[2001:db8::20]'],
    });
    expect(planLan(['::'], IFACES, 'box').urlHosts).toEqual(['192.168.1.20', '[2001:db8::20]', '10.0.0.7']);
    // A chosen loopback address (tests, a tunnel) is shown: the user asked for it.
    expect(planLan(['127.0.0.1'], IFACES, 'box').urlHosts).toEqual(['127.0.0.1']);
  });
  it('the certificate names the machine and every address it can be reached at, never a wildcard', () => {
    const subj = certificateSubject(['0.0.0.0'], IFACES, 'Box');
    const sans = altNames(subj.names, subj.ips);
    expect(sans.filter((s) => s.type === 2).map((s) => s.value)).toEqual(['box', 'box.local', 'localhost']);
    expect(sans.filter((s) => s.type === 7).map((s) => s.ip)).toEqual([
      '127.0.0.1',
      '::1',
      '192.168.1.20',
      '2001:db8::20',
      '10.0.0.7',
    ]);
  });
});

describe('originMatches', () => {
  it.each<[string, string[], boolean]>([
    ['https://app.example.com', ['https://app.example.com'], true],
    ['HTTPS://App.Example.com', ['https://app.example.com/'], true],
    // Scheme and port are part of the origin.
    ['http://app.example.com', ['https://app.example.com'], false],
    ['https://app.example.com:8443', ['https://app.example.com'], false],
    ['https://a.b.example.com', ['https://*.example.com'], true],
    // A wildcard stands for host labels only: not a suffix trick, not the bare domain.
    ['https://evil-example.com', ['https://*.example.com'], false],
    ['https://example.com', ['https://*.example.com'], false],
    ['https://example.com.evil.net', ['https://*.example.com'], false],
    ['http://localhost:5173', ['http://localhost:*'], true],
    ['https://anything.net', ['*'], true],
    // "null" (sandboxed frames, file: pages) only when listed as such.
    ['null', ['*'], false],
    ['null', ['null'], true],
    ['https://app.example.com', [], false],
  ])('%s in %j → %s', (origin, patterns, want) => {
    expect(originMatches(origin, patterns)).toBe(want);
  });
});

describe('decideCors', () => {
  const guard: GuardConfig = { port: 8443, hosts: ['192.168.1.20'], scheme: 'https' };
  it.each<[string | undefined, string[], string]>([
    [undefined, [], 'none'],
    ['https://chat.example.com', ['https://chat.example.com'], 'allowed'],
    ['https://evil.example', ['https://chat.example.com'], 'forbidden'],
    // Our own origin is not a foreign page (https, this port).
    ['https://192.168.1.20:8443', [], 'allowed'],
    ['http://192.168.1.20:8443', [], 'forbidden'],
    ['https://' + 'a'.repeat(400) + '.example.com', ['*'], 'forbidden'],
  ])('Origin %s with %j → %s', (origin, list, kind) => {
    expect(decideCors(origin, guard, list).kind).toBe(kind);
  });

  it('preflight: echoes plain header names, never *; a hostile list falls back to the basic ones', () => {
    expect(isPreflight({ method: 'OPTIONS', headers: { origin: 'x', 'access-control-request-method': 'POST' } })).toBe(
      true,
    );
    expect(isPreflight({ method: 'OPTIONS', headers: { origin: 'x' } })).toBe(false);
    const h = preflightHeaders('https://chat.example.com', 'Authorization, Content-Type, X-Stainless-OS');
    expect(h).toMatchObject({
      'access-control-allow-origin': 'https://chat.example.com',
      'access-control-allow-headers': 'Authorization, Content-Type, X-Stainless-OS',
      vary: 'Origin',
    });
    expect(preflightHeaders('https://a', 'x\r\nset-cookie: y')['access-control-allow-headers']).toBe(
      'authorization, content-type, x-api-key',
    );
  });
});

describe('checkApiCredential', () => {
  const keys = new Set(['dl-good']);
  const verify = (k: string) => keys.has(k);
  it.each<[string, IncomingHttpHeaders, string | null, string]>([
    ['token on loopback', { authorization: 'Bearer tok' }, 'tok', 'ok'],
    ['named key on loopback', { authorization: 'Bearer dl-good' }, 'tok', 'ok'],
    ['named key as X-Api-Key', { 'x-api-key': 'dl-good' }, null, 'ok'],
    ['named key on LAN', { authorization: 'Bearer dl-good' }, null, 'ok'],
    // The loopback token is the UI's: it never opens the LAN listener.
    ['token on LAN', { authorization: 'Bearer tok' }, null, 'UNAUTHORIZED'],
    ['wrong key', { authorization: 'Bearer dl-bad' }, null, 'UNAUTHORIZED'],
    ['none', {}, 'tok', 'UNAUTHORIZED'],
  ])('%s', (_n, headers, token, want) => {
    expect(codeOfCall(() => checkApiCredential(headers, token, verify))).toBe(want);
  });
});

it('listen errors are LAN_LISTEN_FAILED with the errno as the reason', () => {
  const e = listenError(Object.assign(new Error('x'), { code: 'EADDRNOTAVAIL' }), '10.9.9.9', 8443);
  expect([e.code, e.params]).toEqual([
    'LAN_LISTEN_FAILED',
    { address: '10.9.9.9', port: 8443, reason: 'EADDRNOTAVAIL' },
  ]);
});
