import { describe, expect, it } from 'vitest';
import { isBindableHost, isLoopback, workerAddresses, workerArgs, workerFailure } from './worker-args';

const base = { host: '127.0.0.1', port: 50052, devices: [] as string[], threads: 0, cache: false };

describe('ggml-rpc-server argv', () => {
  it.each([
    [base, ['-H', '127.0.0.1', '-p', '50052']],
    [{ ...base, cache: true }, ['-H', '127.0.0.1', '-p', '50052', '-c']],
    [{ ...base, host: '0.0.0.0', port: 6000, threads: 4 }, ['-H', '0.0.0.0', '-p', '6000', '-t', '4']],
    [
      { ...base, devices: ['Vulkan0', 'CUDA1'], cache: true },
      ['-H', '127.0.0.1', '-p', '50052', '-d', 'Vulkan0,CUDA1', '-c'],
    ],
  ])('%#', (s, want) => expect(workerArgs(s)).toEqual(want));
});

describe('hosts it can bind (inet_addr: IPv4 literals)', () => {
  it.each([
    ['127.0.0.1', true],
    ['0.0.0.0', true],
    ['192.168.1.7', true],
    ['255.255.255.255', true],
    ['256.0.0.1', false],
    ['01.2.3.4', false],
    ['localhost', false],
    ['::', false],
    ['', false],
  ])('%s → %s', (h, ok) => expect(isBindableHost(h)).toBe(ok));
  it('loopback', () => {
    expect(isLoopback('127.0.0.1')).toBe(true);
    expect(isLoopback('127.1.2.3')).toBe(true);
    expect(isLoopback('0.0.0.0')).toBe(false);
    expect(isLoopback('192.168.1.7')).toBe(false);
  });
});

describe('addresses to enter on the main machine', () => {
  const ifaces = {
    lo: [
      { address: '127.0.0.1', family: 'IPv4', internal: true },
      { address: '::1', family: 'IPv6', internal: true },
    ],
    eth0: [
      { address: '192.168.1.7', family: 'IPv4', internal: false },
      { address: 'fe80::1', family: 'IPv6', internal: false },
    ],
    wlan0: [{ address: '10.0.0.5', family: 4, internal: false }],
    docker0: undefined,
  };
  it.each([
    ['0.0.0.0', ifaces, ['192.168.1.7:50052', '10.0.0.5:50052']],
    ['0.0.0.0', { lo: ifaces.lo }, ['127.0.0.1:50052']],
    ['127.0.0.1', ifaces, ['127.0.0.1:50052']],
    ['192.168.1.7', ifaces, ['192.168.1.7:50052']],
  ])('%s %#', (host, i, want) => expect(workerAddresses(host, 50052, i)).toEqual(want));
});

describe('why a worker failed, in words', () => {
  it.each([
    [['error: unknown device: CUDA0', 'available devices:'], 1, null, /no device named CUDA0/],
    [['Starting RPC server v7.0.0', 'Failed to create server socket'], 0, null, /could not listen/],
    [['No devices found'], 1, null, /no device to offer/],
    [['Failed to create cache directory: /x/rpc/'], 1, null, /cache folder/],
    [['error: unknown argument: --bogus'], 0, null, /did not accept its arguments/],
    [['ggml.c:123: GGML_ASSERT(x) failed'], null, 'SIGABRT', /^signal SIGABRT: .*GGML_ASSERT/],
    [[], 0, null, /it ended \(exit code 0\)/],
    [[], null, 'SIGPIPE', /it ended \(signal SIGPIPE\)/],
  ])('%#', (lines, code, signal, want) => expect(workerFailure(lines, { code, signal })).toMatch(want));
});
