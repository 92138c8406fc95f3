/**
 * Issue 9's HIGH item, end to end: the real headless app (dist/electron/headless.mjs with the tiny model loaded)
 * gets hostile request lines and headers over raw TCP. `GET //x:99999/` alone used to kill it, before any token
 * check, from any web page (<img src="http://127.0.0.1:PORT//x:99999/">). Each row must get a 4xx answer, not a
 * reset; then a chat through the same server proves the process and its model are alive.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { tmpDir, waitUntil } from './helpers';
import { responseComplete } from './raw-http';

const repoRoot = path.resolve(__dirname, '..', '..');
const tinyModel = inject('tinyModel');
const token = 'hostile-test-token-0123456789';

let child: ChildProcess;
let output = '';
let port = 0;
let dataDir: string;

beforeAll(async () => {
  dataDir = tmpDir();
  child = spawn(
    process.execPath,
    [path.join(repoRoot, 'dist/electron/headless.mjs'), '--model', tinyModel, '--data-dir', dataDir, '--token', token],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  expect(await waitUntil(() => /Model ready/.test(output) || child.exitCode !== null, 60_000)).toBe(true);
  port = Number(/DeepLocal ready: http:\/\/127\.0\.0\.1:(\d+)\//.exec(output)?.[1]);
  expect(port).toBeGreaterThan(0);
});

afterAll(async () => {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
});

/** One request on its own connection; reads until the answer is complete or the server closes (at most 5 s). */
function send(request: string): Promise<{ text: string; reset: boolean }> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let text = '';
    let reset = false;
    const timer = setTimeout(() => s.destroy(), 5000);
    s.on('data', (d) => {
      text += d.toString('latin1');
      if (responseComplete(text, request.slice(0, request.indexOf(' ')))) s.end();
    });
    s.on('error', () => (reset = true));
    s.on('close', () => {
      clearTimeout(timer);
      resolve({ text, reset });
    });
    s.on('connect', () => s.write(request.replaceAll('PORT', String(port)).replaceAll('TOKEN', token)));
  });
}

const HOST = 'Host: 127.0.0.1:PORT\r\n';
const AUTH = 'Authorization: Bearer TOKEN\r\n';
const WS =
  'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n';

/** `code: null` = refused by Node's own HTTP parser (plain 400, no JSON): fine, it answers and closes. */
const rows: { name: string; request: string; status: number; code: string | null }[] = [
  {
    name: 'the crash: scheme-relative-looking path',
    request: `GET //x:99999/ HTTP/1.1\r\n${HOST}\r\n`,
    status: 404,
    code: 'NOT_FOUND',
  },
  {
    name: 'same, authenticated, under /v1',
    request: `GET //x:99999/v1/models HTTP/1.1\r\n${HOST}${AUTH}\r\n`,
    status: 404,
    code: 'NOT_FOUND',
  },
  {
    name: 'absolute-form with a bad port',
    request: `GET http://x:99999/ HTTP/1.1\r\n${HOST}\r\n`,
    status: 400,
    code: 'BAD_REQUEST',
  },
  {
    name: 'absolute-form naming another host',
    request: `GET http://evil.example:PORT/v1/models HTTP/1.1\r\n${HOST}${AUTH}\r\n`,
    status: 403,
    code: 'FORBIDDEN_HOST',
  },
  {
    name: 'absolute-form with https',
    request: `GET https://127.0.0.1:PORT/health HTTP/1.1\r\n${HOST}\r\n`,
    status: 400,
    code: 'BAD_REQUEST',
  },
  {
    name: 'absolute-form with credentials',
    request: `GET http://a:b@127.0.0.1:PORT/health HTTP/1.1\r\n${HOST}\r\n`,
    status: 400,
    code: 'BAD_REQUEST',
  },
  {
    name: 'dot segments out of /v1',
    request: `GET /v1/../../x:99999/ HTTP/1.1\r\n${HOST}\r\n`,
    status: 404,
    code: 'NOT_FOUND',
  },
  {
    name: 'bad %-escape in an RPC name',
    request: `POST /api/rpc/%ZZ HTTP/1.1\r\n${HOST}${AUTH}Content-Length: 2\r\n\r\n{}`,
    status: 400,
    code: 'BAD_REQUEST',
  },
  { name: 'asterisk-form with GET', request: `GET * HTTP/1.1\r\n${HOST}\r\n`, status: 400, code: 'BAD_REQUEST' },
  { name: 'asterisk-form with OPTIONS', request: `OPTIONS * HTTP/1.1\r\n${HOST}\r\n`, status: 404, code: 'NOT_FOUND' },
  { name: 'CONNECT', request: `CONNECT 127.0.0.1:PORT HTTP/1.1\r\n${HOST}\r\n`, status: 400, code: 'BAD_REQUEST' },
  {
    name: 'two Host headers',
    request: `GET /health HTTP/1.1\r\n${HOST}Host: evil.example\r\n\r\n`,
    status: 400,
    code: 'BAD_REQUEST',
  },
  {
    name: 'Host with an out-of-range port',
    request: `GET /health HTTP/1.1\r\nHost: x:99999\r\n\r\n`,
    status: 403,
    code: 'FORBIDDEN_HOST',
  },
  {
    name: 'Host with a broken IPv6 literal',
    request: `GET /health HTTP/1.1\r\nHost: [::1\r\n\r\n`,
    status: 403,
    code: 'FORBIDDEN_HOST',
  },
  {
    name: 'Origin null',
    request: `GET /health HTTP/1.1\r\n${HOST}Origin: null\r\n\r\n`,
    status: 403,
    code: 'FORBIDDEN_ORIGIN',
  },
  {
    name: 'Origin with a bad port',
    request: `GET /health HTTP/1.1\r\n${HOST}Origin: http://x:99999\r\n\r\n`,
    status: 403,
    code: 'FORBIDDEN_ORIGIN',
  },
  {
    name: 'token of another byte length',
    request: `GET /v1/models HTTP/1.1\r\n${HOST}Authorization: Bearer \xff\xfe\r\n\r\n`,
    status: 401,
    code: 'UNAUTHORIZED',
  },
  {
    name: 'bad JSON to the OpenAI API',
    request: `POST /v1/chat/completions HTTP/1.1\r\n${HOST}${AUTH}Content-Length: 5\r\n\r\n{"a":`,
    status: 400,
    code: 'BAD_JSON',
  },
  {
    name: 'body declared over the limit',
    request: `POST /api/rpc/app.info HTTP/1.1\r\n${HOST}${AUTH}Content-Length: 99999999999\r\n\r\n`,
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
  },
  {
    name: 'WebSocket upgrade on the crash path',
    request: `GET //x:99999/ HTTP/1.1\r\n${HOST}${WS}\r\n`,
    status: 404,
    code: 'NOT_FOUND',
  },
  {
    name: 'WebSocket upgrade, absolute-form with a bad port',
    request: `GET http://x:99999/api/ws HTTP/1.1\r\n${HOST}${WS}\r\n`,
    status: 400,
    code: 'BAD_REQUEST',
  },
  {
    name: 'WebSocket upgrade, two Host headers',
    request: `GET /api/ws HTTP/1.1\r\n${HOST}${HOST}${WS}\r\n`,
    status: 400,
    code: 'BAD_REQUEST',
  },
  {
    name: 'WebSocket upgrade, empty subprotocol list',
    request: `GET /api/ws HTTP/1.1\r\n${HOST}${WS}Sec-WebSocket-Protocol: ,,,\r\n\r\n`,
    status: 401,
    code: 'UNAUTHORIZED',
  },
  { name: 'HTTP/1.1 without Host', request: `GET /health HTTP/1.1\r\n\r\n`, status: 400, code: null },
  {
    name: 'Content-Length that is not a number',
    request: `POST /v1/chat/completions HTTP/1.1\r\n${HOST}Content-Length: abc\r\n\r\n`,
    status: 400,
    code: null,
  },
  {
    name: 'Content-Length and chunked together',
    request: `POST /api/rpc/app.info HTTP/1.1\r\n${HOST}Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
    status: 400,
    code: null,
  },
  { name: 'control character in the path', request: `GET /\x01 HTTP/1.1\r\n${HOST}\r\n`, status: 400, code: null },
  { name: 'no request target at all', request: `GET  HTTP/1.1\r\n${HOST}\r\n`, status: 400, code: null },
];

describe('hostile requests to the headless app', () => {
  it.each(rows)('$name → $status $code', async ({ request, status, code }) => {
    const r = await send(request);
    expect(r.text, `no answer (reset: ${r.reset}); app output:\n${output.slice(-2000)}`).toMatch(/^HTTP\/1\.1 \d{3} /);
    expect(Number(r.text.slice(9, 12))).toBe(status);
    if (code !== null) {
      expect(r.reset).toBe(false);
      const body = JSON.parse(r.text.slice(r.text.indexOf('\r\n\r\n') + 4)) as { error: { code: string } };
      expect(body.error.code).toBe(code);
    }
  });

  it('is still alive afterwards and chats with its model', async () => {
    expect(child.exitCode).toBeNull();
    const res = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'Hello' }], max_tokens: 8 }),
    });
    expect(res.status).toBe(200);
    const json = (await res.json()) as { object: string; usage: { completion_tokens: number } };
    expect(json.object).toBe('chat.completion');
    expect(json.usage.completion_tokens).toBe(8);
    // Nothing reached the process-level net: every row was answered by its handler.
    expect(output).not.toMatch(/unhandledRejection|uncaughtException|TypeError/);
  });
});
