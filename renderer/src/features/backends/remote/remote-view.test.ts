import { describe, expect, it } from 'vitest';
import type { RemoteCheck, RemoteServer } from '@shared/backends';
import { idleStatus } from '@shared/idle-status';
import { BackendStatus } from '@shared/schemas';
import {
  canCheck,
  connectedServer,
  flavorKey,
  hintCode,
  lastCheck,
  needsTrust,
  pickedModel,
  remoteInput,
  shortFingerprint,
  sortServers,
} from './remote-view';

const FP = Array.from({ length: 32 }, (_, i) => i.toString(16).padStart(2, '0').toUpperCase()).join(':');

const check = (o: Partial<RemoteCheck> = {}): RemoteCheck => ({
  at: 1000,
  ok: true,
  latencyMs: 12,
  flavor: 'ollama',
  models: [
    { id: 'a', ownedBy: null, contextLength: null },
    { id: 'b', ownedBy: null, contextLength: 4096 },
  ],
  certificate: null,
  error: null,
  ...o,
});
const server = (o: Partial<RemoteServer> = {}): RemoteServer => ({
  id: 's1',
  name: 'Box',
  url: 'http://box:11434',
  hasKey: false,
  keyStorage: null,
  trustedFingerprint256: null,
  addedAt: 1,
  lastCheck: check(),
  ...o,
});
const status = (o: Record<string, unknown>) =>
  BackendStatus.parse({ ...idleStatus(1, { state: 'ready', seq: 1 }), ...o });

describe('remoteInput', () => {
  it.each([
    [{ url: ' http://h:1 ', apiKey: '', name: '' }, null, { url: 'http://h:1' }],
    [{ url: 'http://h:1', apiKey: ' sk-1\n', name: ' Lab ' }, null, { url: 'http://h:1', apiKey: 'sk-1', name: 'Lab' }],
    [{ url: 'https://h', apiKey: '', name: '' }, FP, { url: 'https://h', trustFingerprint256: FP }],
    [{ url: 'https://h', apiKey: '   ', name: '   ' }, null, { url: 'https://h' }],
  ])('%j trust=%s → %j', (draft, trust, want) => {
    expect(remoteInput(draft, trust)).toEqual(want);
  });
  it('needs a URL before checking', () => {
    expect(canCheck({ url: '  ', apiKey: 'k', name: 'n' })).toBe(false);
    expect(canCheck({ url: 'h', apiKey: '', name: '' })).toBe(true);
  });
});

describe('needsTrust', () => {
  const cert = { fingerprint256: FP, subject: 'CN=box', issuer: 'CN=box', validTo: 'Jan 1 2030', trusted: false };
  it.each([
    ['no check yet', null, false],
    ['http: no certificate', check(), false],
    ['a certificate the system trusts', check({ certificate: { ...cert, trusted: true } }), false],
    ['self-signed, failed check', check({ ok: false, certificate: cert }), true],
    ['self-signed, pinned and ok', check({ certificate: cert }), true],
  ] as const)('%s', (_n, c, want) => {
    expect(needsTrust(c)).toBe(want);
  });
});

describe('hintCode and flavorKey', () => {
  it.each([
    [{ code: 'REMOTE_AUTH', message: '' }, 'REMOTE_AUTH'],
    [{ code: 'REMOTE_TLS', message: '', params: { url: 'x' } }, 'REMOTE_TLS'],
    [{ code: 'INTERNAL', message: '' }, null],
    [new Error('x'), null],
    [null, null],
    ['REMOTE_AUTH', null],
  ])('%j → %s', (e, want) => {
    expect(hintCode(e)).toBe(want);
  });
  it('maps llama.cpp to a key without a dot and keeps the rest', () => {
    expect(flavorKey('llama.cpp')).toBe('llamacpp');
    expect(flavorKey('lmstudio')).toBe('lmstudio');
    expect(flavorKey('unknown')).toBe('unknown');
  });
});

describe('connectedServer', () => {
  const target = { kind: 'external', serverId: 's9', serverName: 'x', url: 'u', model: 'm', flavor: 'vllm' };
  it.each([
    ['an external run', status({ kind: 'external', target }), { id: 's9', model: 'm' }],
    ['stopping still counts', status({ state: 'stopping', kind: 'external', target }), { id: 's9', model: 'm' }],
    ['crashed', status({ state: 'crashed', kind: 'external', target }), null],
    ['llama.cpp', status({ kind: 'llama-cpp', target: { kind: 'llama-cpp', rpcWorkers: [] } }), null],
    ['no status', undefined, null],
  ] as const)('%s', (_n, s, want) => {
    expect(connectedServer(s)).toEqual(want);
  });
});

describe('pickedModel', () => {
  it.each([
    ['the user’s pick', 'b', null, 'b'],
    ['a pick the server no longer lists: the one in use', 'gone', 'b', 'b'],
    ['nothing picked: the one in use', null, 'b', 'b'],
    ['in use is not listed: the first', null, 'gone', 'a'],
    ['nothing: the first', null, null, 'a'],
  ])('%s', (_n, chosen, inUse, want) => {
    expect(pickedModel(server(), chosen, inUse)).toBe(want);
  });
  it('is null for a server with no models or no check', () => {
    expect(pickedModel(server({ lastCheck: check({ models: [] }) }), 'a', 'a')).toBeNull();
    expect(pickedModel(server({ lastCheck: null }), null, null)).toBeNull();
  });
});

describe('lastCheck', () => {
  it('reads never, ok with latency, failed with its error', () => {
    expect(lastCheck(server({ lastCheck: null }))).toEqual({ state: 'never' });
    expect(lastCheck(server())).toEqual({ state: 'ok', at: 1000, latencyMs: 12 });
    const error = { code: 'REMOTE_REFUSED' as const, message: 'no' };
    expect(lastCheck(server({ lastCheck: check({ ok: false, latencyMs: null, error }) }))).toEqual({
      state: 'failed',
      at: 1000,
      error,
    });
  });
});

describe('shortFingerprint and sortServers', () => {
  it('keeps the first and last four bytes of a SHA-256 fingerprint', () => {
    expect(shortFingerprint(FP)).toBe('00:01:02:03…1C:1D:1E:1F');
    expect(shortFingerprint('AB:CD')).toBe('AB:CD');
  });
  it('puts the connected server first, then sorts by name', () => {
    const list = [
      server({ id: 'a', name: 'Zed' }),
      server({ id: 'b', name: 'Alpha' }),
      server({ id: 'c', name: 'Mid' }),
    ];
    expect(sortServers(list, 'c').map((s) => s.id)).toEqual(['c', 'b', 'a']);
    expect(sortServers(list, null).map((s) => s.id)).toEqual(['b', 'c', 'a']);
  });
});
