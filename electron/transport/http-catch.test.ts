/**
 * The HTTP transport's catches with a stand-in core (no llama-server needed): a handler result that cannot be
 * serialised, and clients that go away at awkward moments. Each used to end in an unhandled rejection or an
 * uncaught 'error' event, which ends the process; here the answer is a typed error and the server keeps serving.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { Handlers } from '../shared/contract';
import { tokenProtocol, WS_PATH, WS_PROTOCOL } from '../shared/ws-client';
import { createEventBus } from '../core/util/event-bus';
import { startHttpTransport, type HttpTransport } from './http';

const token = 'catch-test-token';
let server: HttpTransport;
const internal: unknown[] = [];

beforeAll(async () => {
  const handlers = {
    // A core bug: a BigInt cannot go through JSON.stringify.
    'app.info': async () => ({ big: 10n }),
  } as unknown as Handlers;
  server = await startHttpTransport({
    core: { handlers, bus: createEventBus() },
    endpoint: () => null,
    token,
    staticDir: null,
    onInternalError: (e) => internal.push(e),
  });
});
afterAll(() => server.close());

function wsCall(method: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}${WS_PATH}`, [WS_PROTOCOL, tokenProtocol(token)]);
    ws.on('open', () => ws.send(JSON.stringify({ type: 'call', id: 7, method, params: {} })));
    ws.on('message', (d) => {
      resolve(JSON.parse(String(d)));
      ws.close();
    });
    ws.on('close', (code) => reject(new Error(`closed ${code} without an answer`)));
    ws.on('error', reject);
  });
}

async function health(): Promise<number> {
  return (await fetch(`http://127.0.0.1:${server.port}/health`)).status;
}

describe('top-level catches', () => {
  it('a WebSocket call whose result cannot be sent is answered with INTERNAL', async () => {
    const frame = (await wsCall('app.info')) as { id: number; ok: boolean; error?: { code: string } };
    expect(frame).toMatchObject({ id: 7, ok: false, error: { code: 'INTERNAL' } });
    expect(await health()).toBe(200);
  });

  it('the same over /api/rpc is a 500 INTERNAL answer (a core bug, not the client’s)', async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}/api/rpc/app.info`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(500);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('INTERNAL');
  });

  it('refused upgrades and CONNECTs whose client resets at once do not take the server down', async () => {
    const requests = [
      `GET ${WS_PATH} HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      `GET //x:99999/ HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n`,
      `CONNECT 127.0.0.1:PORT HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\n\r\n`,
    ];
    for (let i = 0; i < 60; i++) {
      const s = net.connect(server.port, '127.0.0.1');
      s.on('error', () => undefined);
      await new Promise((r) => s.once('connect', r));
      s.write(requests[i % requests.length]!.replaceAll('PORT', String(server.port)));
      // Give the server a moment to answer into a socket that is about to be reset.
      await new Promise((r) => setTimeout(r, i % 3));
      s.resetAndDestroy();
    }
    await new Promise((r) => setTimeout(r, 100));
    expect(await health()).toBe(200);
    expect(internal).toEqual([]);
  });
});
