import { describe, expect, it } from 'vitest';
import type { RpcCheck, RpcWorker, RpcWorkerMode } from '@shared/backends';
import {
  exposedNow,
  hostChoices,
  isLoopback,
  parseDevices,
  parseWorkerAddress,
  usableWorkers,
  workerState,
} from './rpc-view';

const GiB = 2 ** 30;
const check = (o: Partial<RpcCheck> = {}): RpcCheck => ({
  at: 1,
  ok: true,
  latencyMs: 3,
  protocol: '3.0.0',
  compatible: true,
  devices: [{ index: 0, name: 'CPU', description: null, freeBytes: 4 * GiB, totalBytes: 8 * GiB }],
  error: null,
  ...o,
});
const worker = (o: Partial<RpcWorker> = {}): RpcWorker => ({
  id: 'w1',
  host: '10.0.0.2',
  port: 50052,
  enabled: true,
  addedAt: 1,
  address: '10.0.0.2:50052',
  lastCheck: check(),
  ...o,
});

describe('parseWorkerAddress', () => {
  it.each([
    ['10.0.0.2', '50052', { ok: true, host: '10.0.0.2', port: 50052 }],
    [' gpu-box.local ', ' 50053 ', { ok: true, host: 'gpu-box.local', port: 50053 }],
    ['10.0.0.2:6000', '50052', { ok: true, host: '10.0.0.2', port: 6000 }],
    ['[fe80::1%eth0]:7000', '', { ok: true, host: 'fe80::1%eth0', port: 7000 }],
    ['[::1]', '50052', { ok: true, host: '::1', port: 50052 }],
    ['fd00::2', '50052', { ok: true, host: 'fd00::2', port: 50052 }],
    ['', '50052', { ok: false, problem: 'host' }],
    ['bad host', '50052', { ok: false, problem: 'host' }],
    ['h;rm -rf', '1', { ok: false, problem: 'host' }],
    ['10.0.0.2', '0', { ok: false, problem: 'port' }],
    ['10.0.0.2', '65536', { ok: false, problem: 'port' }],
    ['10.0.0.2', '12a', { ok: false, problem: 'port' }],
    ['10.0.0.2:', '50052', { ok: false, problem: 'port' }],
    ['x'.repeat(254), '1', { ok: false, problem: 'host' }],
  ])('%s / %s', (host, port, want) => {
    expect(parseWorkerAddress(host, port)).toEqual(want);
  });
});

describe('workerState', () => {
  it.each([
    ['never checked', null, 'unchecked'],
    ['fine', check(), 'ok'],
    [
      'answers with another major version',
      check({ ok: false, compatible: false, protocol: '2.0.0', error: { code: 'RPC_INCOMPATIBLE', message: '' } }),
      'incompatible',
    ],
    [
      'does not answer',
      check({
        ok: false,
        compatible: false,
        protocol: null,
        devices: [],
        error: { code: 'RPC_UNREACHABLE', message: '' },
      }),
      'unreachable',
    ],
  ] as const)('%s', (_n, c, want) => {
    expect(workerState(c)).toBe(want);
  });
});

describe('usableWorkers', () => {
  it('counts enabled workers whose check passed, and sums their devices’ memory', () => {
    const two = check({
      devices: [
        { index: 0, name: 'Vulkan0', description: null, freeBytes: 2 * GiB, totalBytes: 2 * GiB },
        { index: 1, name: 'CPU', description: null, freeBytes: 1 * GiB, totalBytes: 16 * GiB },
      ],
    });
    const list = [
      worker(),
      worker({ id: 'w2', lastCheck: two }),
      worker({ id: 'off', enabled: false }),
      worker({ id: 'down', lastCheck: check({ ok: false, error: { code: 'RPC_UNREACHABLE', message: '' } }) }),
      worker({ id: 'new', lastCheck: null }),
    ];
    expect(usableWorkers(list)).toEqual({ count: 2, freeBytes: 7 * GiB, totalBytes: 26 * GiB });
    expect(usableWorkers([])).toEqual({ count: 0, freeBytes: 0, totalBytes: 0 });
  });
  it('ignores negative figures from a misbehaving worker', () => {
    const bad = check({ devices: [{ index: 0, name: null, description: null, freeBytes: -5, totalBytes: -1 }] });
    expect(usableWorkers([worker({ lastCheck: bad })])).toEqual({ count: 1, freeBytes: 0, totalBytes: 0 });
  });
});

describe('parseDevices', () => {
  it.each([
    ['', { ok: true, devices: [] }],
    ['CUDA0, Vulkan0', { ok: true, devices: ['CUDA0', 'Vulkan0'] }],
    [' CUDA0 CUDA0,,CPU ', { ok: true, devices: ['CUDA0', 'CPU'] }],
    ['CUDA0, ../x', { ok: false, bad: '../x' }],
    ['Vulkan0;', { ok: false, bad: 'Vulkan0;' }],
  ])('%j', (text, want) => {
    expect(parseDevices(text)).toEqual(want);
  });
});

describe('listening', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['localhost', true],
    ['::1', true],
    ['0.0.0.0', false],
    ['192.168.1.5', false],
    ['1270.0.0.1', false],
  ])('isLoopback(%s) = %s', (h, want) => {
    expect(isLoopback(h)).toBe(want);
  });
  it('offers this machine only, all networks, each IPv4 address, and a saved address no longer present', () => {
    const ifaces = [
      { interface: 'eth0', address: '192.168.1.5', family: 'IPv4' },
      { interface: 'eth0', address: 'fe80::1', family: 'IPv6' },
      { interface: 'lo', address: '127.0.0.1', family: 'IPv4' },
    ];
    expect(hostChoices('10.9.9.9', ifaces)).toEqual([
      { host: '127.0.0.1', kind: 'local', iface: null },
      { host: '0.0.0.0', kind: 'all', iface: null },
      { host: '192.168.1.5', kind: 'iface', iface: 'eth0' },
      { host: '10.9.9.9', kind: 'iface', iface: null },
    ]);
    expect(hostChoices('0.0.0.0', []).map((c) => c.host)).toEqual(['127.0.0.1', '0.0.0.0']);
  });
  it('warns harder only while a worker listens on a network', () => {
    const mode = (o: Partial<RpcWorkerMode>): RpcWorkerMode => ({
      state: 'running',
      host: '0.0.0.0',
      port: 50052,
      addresses: [],
      exposed: true,
      devices: [],
      pid: 1,
      error: null,
      ...o,
    });
    expect(exposedNow(mode({}))).toBe(true);
    expect(exposedNow(mode({ state: 'starting' }))).toBe(true);
    expect(exposedNow(mode({ state: 'stopped' }))).toBe(false);
    expect(exposedNow(mode({ exposed: false }))).toBe(false);
    expect(exposedNow(undefined)).toBe(false);
  });
});
