/**
 * checkRpcWorker against the real ggml-rpc-server (CPU and a lavapipe Vulkan device), and against servers that
 * misbehave on purpose on the same wire format (each reply framed as ggml frames it, only its content wrong).
 */
import net from 'node:net';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { freePort } from '../util/free-port';
import { checkRpcWorker } from './protocol';
import { startTestWorker, type TestWorker } from './test-workers';

const resourcesDir = inject('resourcesDir');
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function worker(variant: 'cpu' | 'vulkan'): Promise<TestWorker> {
  const w = await startTestWorker(resourcesDir, { variant });
  cleanups.push(() => w.kill());
  return w;
}

/** A TCP server that answers each connection with `onData(request bytes so far, socket)`. */
async function misbehaving(onData: (all: Buffer, sock: net.Socket) => void): Promise<number> {
  const socks = new Set<net.Socket>();
  const srv = net.createServer((sock) => {
    socks.add(sock);
    sock.on('error', () => undefined);
    let all = Buffer.alloc(0);
    sock.on('data', (d: Buffer) => {
      all = Buffer.concat([all, d]);
      onData(all, sock);
    });
  });
  const port = await freePort();
  await new Promise<void>((r) => srv.listen(port, '127.0.0.1', r));
  cleanups.push(
    () =>
      new Promise<void>((r) => {
        for (const s of socks) s.destroy();
        srv.close(() => r());
      }),
  );
  return port;
}

const u64 = (n: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(n);
  return b;
};
const helloReply = (major: number, minor: number, patch: number) =>
  Buffer.concat([u64(28n), Buffer.from([major, minor, patch, 0]), Buffer.alloc(24)]);

describe('checkRpcWorker, real workers', () => {
  it('a CPU worker: protocol 7.0.0, compatible, one device with its memory', async () => {
    const w = await worker('cpu');
    const c = await checkRpcWorker('127.0.0.1', w.port, { timeoutMs: 15_000 });
    expect(c.error).toBeNull();
    expect(c).toMatchObject({ ok: true, protocol: '7.0.0', compatible: true });
    expect(c.latencyMs).toBeGreaterThanOrEqual(0);
    expect(c.devices).toHaveLength(1);
    expect(c.devices[0]!.index).toBe(0);
    expect(c.devices[0]!.totalBytes).toBeGreaterThan(0);
    expect(c.devices[0]!.freeBytes).toBeLessThanOrEqual(c.devices[0]!.totalBytes);
    // It serves the next client once we are gone: a second check works too.
    expect((await checkRpcWorker('127.0.0.1', w.port, { timeoutMs: 15_000 })).ok).toBe(true);
  });

  it('a Vulkan worker (lavapipe, -d Vulkan0) offers its 2048 MiB device', async () => {
    const w = await worker('vulkan');
    const c = await checkRpcWorker('127.0.0.1', w.port, { timeoutMs: 30_000 });
    expect(c.error).toBeNull();
    expect(c.ok).toBe(true);
    expect(c.devices).toEqual([
      { index: 0, name: null, description: null, freeBytes: 2048 * 2 ** 20, totalBytes: 2048 * 2 ** 20 },
    ]);
  });

  it('a worker busy with another client does not answer HELLO: unreachable, in words, within the timeout', async () => {
    const w = await worker('cpu');
    // Another client holds the worker (it serves one at a time).
    const holder = net.connect({ host: '127.0.0.1', port: w.port });
    cleanups.push(() => void holder.destroy());
    await new Promise<void>((r) => holder.once('connect', () => r()));
    const t0 = Date.now();
    const c = await checkRpcWorker('127.0.0.1', w.port, { timeoutMs: 1500 });
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(c.ok).toBe(false);
    expect(c.error?.code).toBe('RPC_UNREACHABLE');
    expect(c.error?.params?.reason).toMatch(/did not answer HELLO/);
    holder.destroy();
    // Free again once that client is gone.
    await expect
      .poll(async () => (await checkRpcWorker('127.0.0.1', w.port, { timeoutMs: 3000 })).ok, {
        timeout: 20_000,
        interval: 200,
      })
      .toBe(true);
    // Our given-up check was reset, not closed: the worker did not die writing its HELLO reply into it (SIGPIPE).
    expect(w.proc.exitCode).toBeNull();
    expect(w.proc.signalCode).toBeNull();
  });
});

describe('checkRpcWorker, failures', () => {
  it('nothing listening: refused', async () => {
    const port = await freePort();
    const c = await checkRpcWorker('127.0.0.1', port, { timeoutMs: 3000 });
    expect(c).toMatchObject({ ok: false, protocol: null, compatible: false, devices: [], latencyMs: null });
    expect(c.error).toMatchObject({ code: 'RPC_UNREACHABLE', params: { address: `127.0.0.1:${port}` } });
    expect(c.error?.params?.reason).toMatch(/refused/);
  });

  it('a bad address is RPC_BAD_ADDRESS without any connection', async () => {
    for (const [host, port] of [
      ['::1', 50052],
      ['a b', 50052],
      ['host', 0],
    ] as const) {
      const c = await checkRpcWorker(host, port);
      expect(c.error?.code).toBe('RPC_BAD_ADDRESS');
    }
  });

  it('an older or newer major: RPC_INCOMPATIBLE with both versions; no device queried', async () => {
    let requests = 0;
    const port = await misbehaving((all, sock) => {
      requests++;
      if (all.length >= 33) sock.write(helloReply(6, 2, 1));
    });
    const c = await checkRpcWorker('127.0.0.1', port, { timeoutMs: 3000 });
    expect(c).toMatchObject({ ok: false, protocol: '6.2.1', compatible: false, devices: [] });
    expect(c.error).toMatchObject({
      code: 'RPC_INCOMPATIBLE',
      params: { address: `127.0.0.1:${port}`, version: '6.2.1', expected: '7.0.x' },
    });
    expect(requests).toBeGreaterThan(0);
  });

  it('a newer minor of the same major is incompatible too (the client would refuse it)', async () => {
    const port = await misbehaving((all, sock) => {
      if (all.length === 33) sock.write(helloReply(7, 1, 0));
    });
    const c = await checkRpcWorker('127.0.0.1', port, { timeoutMs: 3000 });
    expect(c.error?.code).toBe('RPC_INCOMPATIBLE');
  });

  it.each([
    ['a hostile reply size (2^64-1) is never waited for', () => u64(0xffffffffffffffffn)],
    ['a HELLO reply of the wrong size', () => Buffer.concat([u64(4n), Buffer.from([7, 0, 0, 0])])],
    ['garbage', () => Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n')],
    ['a flood of bytes', () => Buffer.alloc(64 * 1024, 1)],
  ])('%s: malformed, quickly', async (_name, make) => {
    const port = await misbehaving((all, sock) => {
      if (all.length >= 9) sock.write(make());
    });
    const t0 = Date.now();
    const c = await checkRpcWorker('127.0.0.1', port, { timeoutMs: 20_000 });
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(c.ok).toBe(false);
    expect(c.error?.code).toBe('RPC_UNREACHABLE');
    expect(c.error?.params?.reason).toMatch(/malformed|closed/);
  });

  it('a hostile device count and device memory are refused', async () => {
    const port = await misbehaving((all, sock) => {
      // HELLO (33 bytes), then DEVICE_COUNT (9 bytes): four billion devices.
      if (all.length === 33) sock.write(helloReply(7, 0, 0));
      if (all.length === 42) sock.write(Buffer.concat([u64(4n), Buffer.from([0xff, 0xff, 0xff, 0xff])]));
    });
    const c = await checkRpcWorker('127.0.0.1', port, { timeoutMs: 3000 });
    expect(c).toMatchObject({ ok: false, protocol: '7.0.0', compatible: true, devices: [] });
    expect(c.error?.params?.reason).toMatch(/malformed/);

    const port2 = await misbehaving((all, sock) => {
      if (all.length === 33) sock.write(helloReply(7, 0, 0));
      if (all.length === 42) sock.write(Buffer.concat([u64(4n), Buffer.from([1, 0, 0, 0])]));
      if (all.length === 55) sock.write(Buffer.concat([u64(16n), u64(1n), u64(2n ** 62n)]));
    });
    const c2 = await checkRpcWorker('127.0.0.1', port2, { timeoutMs: 3000 });
    expect(c2.ok).toBe(false);
    expect(c2.error?.params?.reason).toMatch(/malformed/);
  });

  it('a server that accepts and never answers: the deadline holds', async () => {
    const port = await misbehaving(() => undefined);
    const t0 = Date.now();
    const c = await checkRpcWorker('127.0.0.1', port, { timeoutMs: 800 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(700);
    expect(Date.now() - t0).toBeLessThan(8000);
    expect(c.error?.code).toBe('RPC_UNREACHABLE');
  });

  it('a server that closes after HELLO (what ggml does with a HELLO of another size)', async () => {
    const port = await misbehaving((_all, sock) => sock.end());
    const c = await checkRpcWorker('127.0.0.1', port, { timeoutMs: 3000 });
    expect(c.error?.code).toBe('RPC_UNREACHABLE');
    expect(c.error?.params?.reason).toMatch(/closed the connection after HELLO/);
  });
});
