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
  server = await startHttpTransport({ core: { handlers, bus: createEventBus() }, endpoint: () => null, token, staticDir, maxBodyBytes: LIMIT });
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
    { name: 'RPC method name', line: 'POST /api/rpc/%ZZ HTTP/1.1', headers: `${auth}Content-Length: 2\r\n`, body: '{}' },
    { name: 'RPC method name, lone %', line: 'POST /api/rpc/app.info% HTTP/1.1', headers: `${auth}Content-Length: 2\r\n`, body: '{}' },
    { name: 'static file', line: 'GET /%ZZ HTTP/1.1', headers: '', body: '' },
    { name: 'static file, escapes that are not UTF-8', line: 'GET /assets/%C3%28.js HTTP/1.1', headers: '', body: '' },
  ])('$name → 400 BAD_REQUEST', async ({ line, headers, body }) => {
    const r = await raw(`${line}\r\nHost: 127.0.0.1:PORT\r\n${headers}Connection: close\r\n\r\n${body}`);
    expect(status(r)).toBe(400);
    expect(codeOf(r)).toBe('BAD_REQUEST');
  });
});
