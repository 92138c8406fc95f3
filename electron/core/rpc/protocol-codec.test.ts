import { describe, expect, it } from 'vitest';
import {
  HELLO_REPLY_SIZE,
  RPC_CMD,
  decodeDeviceCount,
  decodeDeviceMemory,
  decodeHello,
  decodeReplySize,
  encodeDeviceCount,
  encodeDeviceMemory,
  encodeHello,
  encodeRequest,
  expectedText,
  formatAddress,
  isCompatible,
  parseAddress,
  versionText,
} from './protocol-codec';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const u64 = (n: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(n);
  return b;
};

describe('requests: | cmd u8 | size u64 LE | payload |', () => {
  it.each([
    ['HELLO: 24 zero bytes of conn_caps', encodeHello(), '0e' + '1800000000000000' + '00'.repeat(24)],
    ['DEVICE_COUNT: empty payload', encodeDeviceCount(), '0f' + '0000000000000000'],
    ['GET_DEVICE_MEMORY device 0', encodeDeviceMemory(0), '0b' + '0400000000000000' + '00000000'],
    ['GET_DEVICE_MEMORY device 258', encodeDeviceMemory(258), '0b' + '0400000000000000' + '02010000'],
    [
      'any command, 3 bytes',
      encodeRequest(RPC_CMD.HELLO, Uint8Array.of(1, 2, 3)),
      '0e' + '0300000000000000' + '010203',
    ],
  ])('%s', (_name, bytes, want) => {
    expect(hex(bytes)).toBe(want);
  });

  it('refuses a command outside a byte', () => {
    expect(() => encodeRequest(256)).toThrow(RangeError);
    expect(() => encodeRequest(-1)).toThrow(RangeError);
  });
});

describe('reply size prefix: must be exactly what the command answers', () => {
  it.each([
    [u64(28n), 28, true, 28],
    [u64(27n), 28, false, 27],
    [u64(0n), 4, false, 0],
    // a hostile length: never a number we would allocate or wait for
    [u64(0xffffffffffffffffn), 16, false, Number.MAX_SAFE_INTEGER],
    [u64(2n ** 53n + 16n), 16, false, Number.MAX_SAFE_INTEGER],
  ])('%#', (head, expected, ok, size) => {
    expect(decodeReplySize(head, expected)).toEqual({ ok, size });
  });
  it('needs 8 bytes', () => expect(() => decodeReplySize(new Uint8Array(4), 4)).toThrow(RangeError));
});

describe('HELLO reply', () => {
  const reply = (major: number, minor: number, patch: number, len = HELLO_REPLY_SIZE) => {
    const b = new Uint8Array(len);
    b.set([major, minor, patch, 0].slice(0, len));
    return b;
  };
  it.each([
    [reply(7, 0, 0), { major: 7, minor: 0, patch: 0 }, true, '7.0.0'],
    [reply(7, 0, 9), { major: 7, minor: 0, patch: 9 }, true, '7.0.9'],
    // a newer minor may send what this client lacks (negotiate_hello refuses it)
    [reply(7, 1, 0), { major: 7, minor: 1, patch: 0 }, false, '7.1.0'],
    [reply(6, 0, 0), { major: 6, minor: 0, patch: 0 }, false, '6.0.0'],
    [reply(3, 0, 0), { major: 3, minor: 0, patch: 0 }, false, '3.0.0'],
    [reply(8, 0, 0), { major: 8, minor: 0, patch: 0 }, false, '8.0.0'],
  ])('%#', (bytes, version, compatible, text) => {
    const v = decodeHello(bytes);
    expect(v).toEqual(version);
    expect(isCompatible(v)).toBe(compatible);
    expect(versionText(v)).toBe(text);
  });
  it.each([0, 4, 27, 29, 1024])('a reply of %i bytes is malformed', (n) => {
    expect(() => decodeHello(new Uint8Array(n))).toThrow(RangeError);
  });
  it('compatible against another client version', () => {
    expect(isCompatible({ major: 7, minor: 1, patch: 0 }, { major: 7, minor: 2, patch: 0 })).toBe(true);
    expect(isCompatible({ major: 7, minor: 3, patch: 0 }, { major: 7, minor: 2, patch: 0 })).toBe(false);
    expect(expectedText({ major: 7, minor: 0, patch: 0 })).toBe('7.0.x');
    expect(expectedText({ major: 7, minor: 2, patch: 0 })).toBe('7.0–7.2');
  });
});

describe('DEVICE_COUNT and GET_DEVICE_MEMORY replies', () => {
  it.each([
    [Uint8Array.of(1, 0, 0, 0), 1],
    [Uint8Array.of(2, 0, 0, 0), 2],
    [Uint8Array.of(0xff, 0xff, 0xff, 0xff), 0xffffffff],
  ])('count %#', (b, n) => expect(decodeDeviceCount(b)).toBe(n));
  it('count of the wrong size', () => expect(() => decodeDeviceCount(new Uint8Array(8))).toThrow(RangeError));

  const mem = (free: bigint, total: bigint) => Buffer.concat([u64(free), u64(total)]);
  it.each([
    [mem(2147483648n, 2147483648n), { freeBytes: 2147483648, totalBytes: 2147483648 }],
    [mem(1000n, 4000n), { freeBytes: 1000, totalBytes: 4000 }],
    // more free than total: the smaller figure
    [mem(9000n, 4000n), { freeBytes: 4000, totalBytes: 4000 }],
    [mem(0n, 0n), { freeBytes: 0, totalBytes: 0 }],
  ])('memory %#', (b, want) => expect(decodeDeviceMemory(b)).toEqual(want));
  it.each([
    ['beyond 2^53', mem(1n, 2n ** 60n)],
    ['wrong size', Buffer.alloc(15)],
  ])('memory malformed: %s', (_n, b) => expect(() => decodeDeviceMemory(b)).toThrow(RangeError));
});

describe('addresses as llama-server --rpc takes them', () => {
  it.each([
    ['127.0.0.1', 50052, '127.0.0.1:50052'],
    ['192.168.1.20', 1, '192.168.1.20:1'],
    ['gpu-box.local', 65535, 'gpu-box.local:65535'],
    [' worker2 ', 50052, 'worker2:50052'],
    ['::1', 50052, null],
    ['[::1]', 50052, null],
    ['fe80::1%eth0', 50052, null],
    ['', 50052, null],
    ['-H', 50052, null],
    ['a b', 50052, null],
    ['host', 0, null],
    ['host', 65536, null],
    ['host', 1.5, null],
  ])('%s %s → %s', (host, port, want) => expect(formatAddress(host, port)).toBe(want));
  it.each([
    ['127.0.0.1:50052', { host: '127.0.0.1', port: 50052 }],
    ['box:9', { host: 'box', port: 9 }],
    ['box', null],
    ['box:', null],
    ['box:99999', null],
    ['[::1]:50052', null],
    ['a:b:1', null],
  ])('parse %s', (a, want) => expect(parseAddress(a)).toEqual(want));
});
