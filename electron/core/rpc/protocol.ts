/**
 * Checks an RPC worker (ggml-rpc-server) over ggml's own protocol: connect, HELLO (version), DEVICE_COUNT, then
 * GET_DEVICE_MEMORY for each device. The wire format is protocol-codec.ts (pure). Never throws: every failure is an
 * RpcCheck with ok false and a typed error. The worker is hostile until proven otherwise: one deadline covers the
 * whole check, each reply must have the exact size its command answers with, and at most a few bytes are buffered.
 *
 * A worker serves one client at a time (rpc_serve_client runs in its accept loop), so a worker busy with another
 * llama-server accepts the connection but answers HELLO only when that client is gone: reported as unreachable,
 * with that reason in words. A check that gives up ends its connection with a reset (RST), never a plain close: a
 * worker that later accepted a closed connection with our HELLO queued would write its reply into it and die of
 * SIGPIPE (ggml-rpc-server does not ignore it; reproduced at de3ff81), whereas a reset connection is dropped from
 * its accept queue unseen.
 */
import net from 'node:net';
import type { RpcCheck, RpcDevice } from '../../shared/backends';
import { AppError } from '../../shared/errors';
import {
  DEVICE_COUNT_REPLY_SIZE,
  DEVICE_MEMORY_REPLY_SIZE,
  HELLO_REPLY_SIZE,
  MAX_DEVICES,
  RPC_PROTO,
  decodeDeviceCount,
  decodeDeviceMemory,
  decodeHello,
  decodeReplySize,
  encodeDeviceCount,
  encodeDeviceMemory,
  encodeHello,
  expectedText,
  formatAddress,
  isCompatible,
  versionText,
} from './protocol-codec';

export const DEFAULT_CHECK_TIMEOUT_MS = 5000;
/** Bytes we hold from a worker at most: every reply we ask for is smaller. */
const MAX_BUFFERED = 4096;

class Failed extends Error {
  constructor(readonly stage: 'connect' | 'hello' | 'reply' | 'closed') {
    super(stage);
  }
}

/** A socket read as exact-length chunks, with one deadline and a bound on what it buffers. */
class Reader {
  private buf = Buffer.alloc(0);
  private want: { n: number; resolve: (b: Buffer) => void; reject: (e: Error) => void } | null = null;
  private failure: Error | null = null;

  constructor(sock: net.Socket) {
    sock.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      if (this.buf.length > MAX_BUFFERED) {
        this.fail(new Failed('reply'));
        sock.destroy();
        return;
      }
      this.pump();
    });
    sock.on('end', () => this.fail(new Failed('closed')));
    sock.on('close', () => this.fail(new Failed('closed')));
    sock.on('error', (e) => this.fail(e));
  }

  read(n: number): Promise<Buffer> {
    if (n > MAX_BUFFERED) return Promise.reject(new Failed('reply'));
    return new Promise((resolve, reject) => {
      this.want = { n, resolve, reject };
      this.pump();
    });
  }

  fail(e: Error) {
    if (!this.failure) this.failure = e;
    this.pump();
  }

  private pump() {
    const w = this.want;
    if (!w) return;
    if (this.buf.length >= w.n) {
      this.want = null;
      const out = this.buf.subarray(0, w.n);
      this.buf = this.buf.subarray(w.n);
      w.resolve(Buffer.from(out));
    } else if (this.failure) {
      this.want = null;
      w.reject(this.failure);
    }
  }
}

function connected(sock: net.Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => reject(e);
    sock.once('error', onError);
    sock.once('connect', () => {
      sock.off('error', onError);
      resolve();
    });
  });
}

class Timeout extends Error {}

/** One reply of exactly `size` bytes (its size prefix is checked before anything else is read). */
async function reply(r: Reader, size: number): Promise<Buffer> {
  const head = decodeReplySize(await r.read(8), size);
  if (!head.ok) throw new Failed('reply');
  return r.read(size);
}

function describe(e: unknown, stage: 'connect' | 'hello' | 'devices'): string {
  if (e instanceof Failed) {
    if (e.stage === 'reply') return 'it answered with a malformed reply (not a ggml RPC worker of this version?)';
    if (e.stage === 'closed')
      return stage === 'hello'
        ? 'it closed the connection after HELLO (a different RPC protocol version, or not a ggml RPC worker)'
        : 'it closed the connection';
  }
  const code = (e as NodeJS.ErrnoException | null)?.code;
  if (code === 'ECONNREFUSED') return 'connection refused (no worker listening on that port)';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'the host name does not resolve';
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'no route to that host';
  if (code === 'ECONNRESET') return 'the connection was reset';
  if (code) return code;
  return e instanceof Error ? e.message : String(e);
}

const TIMEOUT_REASON = {
  connect: 'no connection within the time allowed (host down or a firewall in the way?)',
  hello:
    'connected, but it did not answer HELLO in time: a worker serves one llama-server at a time and may be busy with another, or this is not a ggml RPC worker',
  devices: 'it stopped answering while listing its devices',
} as const;

/**
 * Checks the worker at host:port. ok: reachable, compatible, at least one device. Never throws.
 * `now` for tests; latencyMs is the HELLO round trip.
 */
export async function checkRpcWorker(
  host: string,
  port: number,
  o: { timeoutMs?: number; now?: () => number } = {},
): Promise<RpcCheck> {
  const now = o.now ?? Date.now;
  const at = now();
  const address = formatAddress(host, port) ?? `${host}:${port}`;
  const result = (over: Partial<RpcCheck>): RpcCheck => ({
    at,
    ok: false,
    latencyMs: null,
    protocol: null,
    compatible: false,
    devices: [],
    error: null,
    ...over,
  });
  if (!formatAddress(host, port)) return result({ error: new AppError('RPC_BAD_ADDRESS', { address }).toInfo() });

  let stage: 'connect' | 'hello' | 'devices' = 'connect';
  // IPv4, as llama.cpp's own client (gethostbyname) connects.
  const sock = net.connect({ host, port, family: 4, noDelay: true });
  sock.on('error', () => undefined);
  let timer: ReturnType<typeof setTimeout> | null = null;
  const partial: Partial<RpcCheck> = {};
  let complete = false;
  const timeoutMs = Math.max(1, o.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS);
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Timeout()), timeoutMs);
  });
  const unreachable = (reason: string) =>
    result({ ...partial, error: new AppError('RPC_UNREACHABLE', { address, reason }).toInfo() });

  try {
    const work = (async () => {
      await connected(sock);
      stage = 'hello';
      const r = new Reader(sock);
      const t0 = now();
      sock.write(encodeHello());
      const version = decodeHello(await reply(r, HELLO_REPLY_SIZE));
      partial.latencyMs = Math.max(0, now() - t0);
      partial.protocol = versionText(version);
      if (!isCompatible(version)) {
        complete = true;
        return { version, devices: [] as RpcDevice[] };
      }
      partial.compatible = true;
      stage = 'devices';
      sock.write(encodeDeviceCount());
      const count = decodeDeviceCount(await reply(r, DEVICE_COUNT_REPLY_SIZE));
      if (count > MAX_DEVICES) throw new Failed('reply');
      const devices: RpcDevice[] = [];
      for (let i = 0; i < count; i++) {
        sock.write(encodeDeviceMemory(i));
        const mem = decodeDeviceMemory(await reply(r, DEVICE_MEMORY_REPLY_SIZE));
        devices.push({ index: i, name: null, description: null, ...mem });
      }
      complete = true;
      return { version, devices };
    })();
    // The losing side of the race must not surface as an unhandled rejection.
    work.catch(() => undefined);
    const { version, devices } = await Promise.race([work, deadline]);
    if (!isCompatible(version)) {
      return result({
        ...partial,
        error: new AppError('RPC_INCOMPATIBLE', {
          address,
          version: versionText(version),
          expected: expectedText(RPC_PROTO),
        }).toInfo(),
      });
    }
    if (devices.length === 0) return unreachable('it offers no devices');
    return result({ ...partial, ok: true, devices });
  } catch (e) {
    if (e instanceof Timeout) return unreachable(TIMEOUT_REASON[stage]);
    if (e instanceof RangeError) return unreachable(describe(new Failed('reply'), stage));
    return unreachable(describe(e, stage));
  } finally {
    if (timer) clearTimeout(timer);
    if (complete || sock.destroyed) sock.destroy();
    else sock.resetAndDestroy();
  }
}
