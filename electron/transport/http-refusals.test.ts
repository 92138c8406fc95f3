/**
 * Requests the transport refuses, over raw sockets against a real server (a stand-in core: these refusals happen
 * before the core is asked). Each must get its 4xx with a code, readable by the client, never a 500 or a reset.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Handlers } from '../shared/contract';
import { createEventBus } from '../core/util/event-bus';
import { startHttpTransport, type HttpTransport } from './http';

const token = 'refusal-test-token';
const LIMIT = 1024;
let server: HttpTransport;
let staticDir: string;

beforeAll(async () => {
  staticDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-refusals-'));
  fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><div id="root"></div>');
  const handlers = { 'app.info': async () => ({ ok: true }) } as unknown as Handlers;
  server = await startHttpTransport({
    core: { handlers, bus: createEventBus() },
    endpoint: () => null,
    token,
    staticDir,
    maxBodyBytes: LIMIT,
  });
});
afterAll(async () => {
  await server.close();
  fs.rmSync(staticDir, { recursive: true, force: true });
});

interface RawReply {
  text: string;
  /** The connection ended with an error (a reset) rather than a FIN. */
  reset: boolean;
}

/** Sends `head` then `body` (in pieces), reads until the server closes or `idleMs` passes without a byte. */
function raw(head: string, body: Buffer[] = [], idleMs = 3000): Promise<RawReply> {
  return new Promise((resolve) => {
    const s = net.connect(server.port, '127.0.0.1');
    let text = '';
    let reset = false;
    let timer = setTimeout(() => s.destroy(), idleMs);
    s.on('data', (d) => {
      text += d.toString('latin1');
      clearTimeout(timer);
      timer = setTimeout(() => s.destroy(), idleMs);
    });
    s.on('error', () => (reset = true));
    s.on('close', () => {
      clearTimeout(timer);
      resolve({ text, reset });
    });
    s.on('connect', () => {
      s.write(head.replaceAll('PORT', String(server.port)));
      for (const b of body) s.write(b);
    });
  });
}

const status = (r: RawReply) => Number(/^HTTP\/1\.1 (\d{3})/.exec(r.text)?.[1] ?? 0);
const codeOf = (r: RawReply) => /\{"error":\{"code":"([A-Z_]+)"/.exec(r.text)?.[1] ?? null;
const auth = `Authorization: Bearer ${token}\r\n`;

describe('bad %-escapes in the path', () => {
  it.each([
    {
      name: 'RPC method name',
      line: 'POST /api/rpc/%ZZ HTTP/1.1',
      headers: `${auth}Content-Length: 2\r\n`,
      body: '{}',
    },
    {
      name: 'RPC method name, lone %',
      line: 'POST /api/rpc/app.info% HTTP/1.1',
      headers: `${auth}Content-Length: 2\r\n`,
      body: '{}',
    },
    { name: 'static file', line: 'GET /%ZZ HTTP/1.1', headers: '', body: '' },
    { name: 'static file, escapes that are not UTF-8', line: 'GET /assets/%C3%28.js HTTP/1.1', headers: '', body: '' },
  ])('$name → 400 BAD_REQUEST', async ({ line, headers, body }) => {
    const r = await raw(`${line}\r\nHost: 127.0.0.1:PORT\r\n${headers}Connection: close\r\n\r\n${body}`);
    expect(status(r)).toBe(400);
    expect(codeOf(r)).toBe('BAD_REQUEST');
  });
});

describe('bodies over the limit', () => {
  const big = Buffer.alloc(2 * 1024 * 1024, 0x61);
  const chunk = Buffer.concat([
    Buffer.from(`${(64 * 1024).toString(16)}\r\n`),
    Buffer.alloc(64 * 1024, 0x61),
    Buffer.from('\r\n'),
  ]);
  const chunked = (n: number) => Array<Buffer>(n).fill(chunk);

  it.each([
    {
      name: 'declared by Content-Length, sent anyway',
      head: `POST /api/rpc/app.info HTTP/1.1\r\n${auth}Content-Length: ${big.length}\r\n`,
      body: [big],
    },
    {
      name: 'on the OpenAI endpoint',
      head: `POST /v1/chat/completions HTTP/1.1\r\n${auth}Content-Length: ${big.length}\r\n`,
      body: [big],
    },
    {
      name: 'chunked, no length given',
      head: `POST /api/rpc/app.info HTTP/1.1\r\n${auth}Transfer-Encoding: chunked\r\n`,
      body: [...chunked(32), Buffer.from('0\r\n\r\n')],
    },
  ])('$name → 413 PAYLOAD_TOO_LARGE, read in full, then a clean close', async ({ head, body }) => {
    const r = await raw(`${head}Host: 127.0.0.1:PORT\r\n\r\n`, body);
    expect(r.reset).toBe(false);
    expect(status(r)).toBe(413);
    expect(r.text).toMatch(/\r\nconnection: close\r\n/i);
    expect(codeOf(r)).toBe('PAYLOAD_TOO_LARGE');
  });

  it('Expect: 100-continue with a length over the limit: 413 at once, no 100, and no body is wanted', async () => {
    const t0 = Date.now();
    const r = await raw(
      `POST /api/rpc/app.info HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\n${auth}Content-Length: ${big.length}\r\nExpect: 100-continue\r\n\r\n`,
    );
    expect(r.text).not.toMatch(/100 Continue/);
    expect(status(r)).toBe(413);
    expect(r.reset).toBe(false);
    // Closed by the server right away, not after the idle timeout or the linger bound.
    expect(Date.now() - t0).toBeLessThan(1500);
  });

  it('Expect: 100-continue within the limit: 100, then the answer', async () => {
    const s = net.connect(server.port, '127.0.0.1');
    let text = '';
    s.on('data', (d) => {
      text += d;
      if (/100 Continue\r\n\r\n$/.test(text)) s.end('{}');
    });
    await new Promise((r) => s.on('connect', r));
    s.write(
      `POST /api/rpc/app.info HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n${auth}Content-Length: 2\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n`,
    );
    await new Promise((r) => s.on('close', r));
    expect(text).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK/);
    expect(text).toMatch(/\{"ok":true\}$/);
  });

  it('a body within the limit still goes through on the same kind of request', async () => {
    const r = await raw(
      `POST /api/rpc/app.info HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\n${auth}Content-Length: 2\r\nConnection: close\r\n\r\n{}`,
    );
    expect(status(r)).toBe(200);
  });
});

describe('/v1 routes take only their own methods', () => {
  // TRACE or DELETE on an OpenAI route used to be forwarded to llama-server as is.
  it.each([
    ['TRACE', '/v1/chat/completions', 'POST'],
    ['DELETE', '/v1/models', 'GET, HEAD'],
    ['GET', '/v1/chat/completions', 'POST'],
    ['PUT', '/v1/embeddings', 'POST'],
  ])('%s %s → 405 METHOD_NOT_ALLOWED naming %s', async (method, route, allowed) => {
    const r = await raw(`${method} ${route} HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\n${auth}Connection: close\r\n\r\n`);
    expect(status(r)).toBe(405);
    const body = JSON.parse(r.text.slice(r.text.indexOf('\r\n\r\n') + 4)) as {
      error: { code: string; message: string };
    };
    expect(body.error.code).toBe('METHOD_NOT_ALLOWED');
    expect(body.error.message).toContain(allowed);
  });

  it('the allowed method still reaches the proxy (no backend here: 503 BACKEND_NOT_READY, not 405)', async () => {
    const r = await raw(`GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1:PORT\r\n${auth}Connection: close\r\n\r\n`);
    expect(status(r)).toBe(503);
    expect(r.text).toMatch(/BACKEND_NOT_READY/);
  });
});
