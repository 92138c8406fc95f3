/**
 * Pure: ggml's RPC wire format at the pinned llama.cpp (de3ff81: ggml/include/ggml-rpc.h,
 * ggml/src/ggml-rpc/ggml-rpc.cpp, transport.h). Table-tested in protocol-codec.test.ts; the socket is protocol.ts.
 *
 *   request : | command (1 byte) | payload size (u64 little-endian) | payload |
 *   reply   : | payload size (u64 little-endian) | payload |         (only commands that answer)
 *
 * HELLO (14) must be the first command of a connection: the server closes it otherwise, and also when the HELLO
 * payload is not exactly 24 bytes (rpc_msg_hello_req: conn_caps, all zero = plain TCP, no RDMA upgrade). Its reply
 * is rpc_msg_hello_rsp: major, minor, patch, padding, conn_caps[24] (28 bytes). A client accepts a server with the
 * same major and a minor not above its own (negotiate_hello). DEVICE_COUNT (15, empty payload) answers a u32;
 * GET_DEVICE_MEMORY (11, payload u32 device) answers free and total as two u64. Devices have no names on the wire:
 * llama-server calls them RPC0, RPC1, … in the order of --rpc, and describes each by its endpoint.
 *
 * Every size read from a worker is checked against the one exact size its command answers with, so a hostile or
 * broken worker cannot make us wait for, or buffer, more than a few bytes.
 */

/** RPC_PROTO_*_VERSION of the pinned ggml-rpc.h (what our llama-server and ggml-rpc-server speak). */
export const RPC_PROTO = { major: 7, minor: 0, patch: 0 } as const;

export const RPC_CMD = {
  GET_DEVICE_MEMORY: 11,
  HELLO: 14,
  DEVICE_COUNT: 15,
} as const;

/** RPC_CONN_CAPS_SIZE (transport.h). */
export const CONN_CAPS_SIZE = 24;
export const HELLO_REPLY_SIZE = 4 + CONN_CAPS_SIZE;
export const DEVICE_COUNT_REPLY_SIZE = 4;
export const DEVICE_MEMORY_REPLY_SIZE = 16;
/** More devices than any real worker offers (a u32 from the wire could ask us to query four billion). */
export const MAX_DEVICES = 64;

export interface RpcVersion {
  major: number;
  minor: number;
  patch: number;
}

export function encodeRequest(cmd: number, payload: Uint8Array = new Uint8Array(0)): Buffer {
  if (!Number.isInteger(cmd) || cmd < 0 || cmd > 255) throw new RangeError(`bad RPC command ${cmd}`);
  const out = Buffer.alloc(9 + payload.length);
  out.writeUInt8(cmd, 0);
  out.writeBigUInt64LE(BigInt(payload.length), 1);
  out.set(payload, 9);
  return out;
}

/** HELLO with all-zero connection capabilities (TCP only). */
export function encodeHello(): Buffer {
  return encodeRequest(RPC_CMD.HELLO, new Uint8Array(CONN_CAPS_SIZE));
}

export function encodeDeviceCount(): Buffer {
  return encodeRequest(RPC_CMD.DEVICE_COUNT);
}

export function encodeDeviceMemory(device: number): Buffer {
  const p = Buffer.alloc(4);
  p.writeUInt32LE(device >>> 0, 0);
  return encodeRequest(RPC_CMD.GET_DEVICE_MEMORY, p);
}

/** The 8-byte size prefix of a reply, as a number; null when it is not exactly `expected` (never trust it). */
export function decodeReplySize(head: Uint8Array, expected: number): { size: number; ok: boolean } {
  if (head.length !== 8) throw new RangeError('a reply size is 8 bytes');
  const big = Buffer.from(head.buffer, head.byteOffset, 8).readBigUInt64LE(0);
  const size = big > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(big);
  return { size, ok: big === BigInt(expected) };
}

export function decodeHello(payload: Uint8Array): RpcVersion {
  if (payload.length !== HELLO_REPLY_SIZE) throw new RangeError(`HELLO reply of ${payload.length} bytes`);
  return { major: payload[0]!, minor: payload[1]!, patch: payload[2]! };
}

export function decodeDeviceCount(payload: Uint8Array): number {
  if (payload.length !== DEVICE_COUNT_REPLY_SIZE) throw new RangeError(`device count of ${payload.length} bytes`);
  return Buffer.from(payload.buffer, payload.byteOffset, 4).readUInt32LE(0);
}

/** free/total in bytes; a value beyond 2^53 (no real device) is malformed. */
export function decodeDeviceMemory(payload: Uint8Array): { freeBytes: number; totalBytes: number } {
  if (payload.length !== DEVICE_MEMORY_REPLY_SIZE) throw new RangeError(`device memory of ${payload.length} bytes`);
  const b = Buffer.from(payload.buffer, payload.byteOffset, 16);
  const free = b.readBigUInt64LE(0);
  const total = b.readBigUInt64LE(8);
  const max = BigInt(Number.MAX_SAFE_INTEGER);
  if (free > max || total > max) throw new RangeError('device memory beyond 2^53 bytes');
  // A device reporting more free than total: trust the smaller figure.
  const totalBytes = Number(total);
  return { freeBytes: Math.min(Number(free), totalBytes), totalBytes };
}

/** negotiate_hello's rule: the same major, and a minor not newer than ours (newer minors may send what we lack). */
export function isCompatible(v: RpcVersion, ours: RpcVersion = RPC_PROTO): boolean {
  return v.major === ours.major && v.minor <= ours.minor;
}

export function versionText(v: RpcVersion): string {
  return `${v.major}.${v.minor}.${v.patch}`;
}

/** What we accept, in words for RPC_INCOMPATIBLE's {{expected}}. */
export function expectedText(ours: RpcVersion = RPC_PROTO): string {
  return ours.minor === 0 ? `${ours.major}.0.x` : `${ours.major}.0–${ours.major}.${ours.minor}`;
}

/**
 * host:port as llama-server's --rpc takes it: llama.cpp splits the endpoint at the first ':' and connects over
 * IPv4 (gethostbyname), so an IPv6 literal cannot work; null for anything else it could not use.
 */
export function formatAddress(host: string, port: number): string | null {
  const h = host.trim();
  if (!/^[A-Za-z0-9.-]{1,253}$/.test(h) || h.startsWith('-') || h.startsWith('.')) return null;
  if (!Number.isInteger(port) || port < 1 || port > 65535) return null;
  return `${h}:${port}`;
}

/** "host:port" → parts (the inverse of formatAddress), null when it is not one. */
export function parseAddress(address: string): { host: string; port: number } | null {
  const m = /^([^:]+):(\d{1,5})$/.exec(address.trim());
  if (!m) return null;
  const port = Number(m[2]);
  return formatAddress(m[1]!, port) ? { host: m[1]!, port } : null;
}
