/**
 * Seeded fuzz of the Ollama-compatible server (smaller than http-fuzz.int.test.ts, same rules): random methods,
 * targets, Host / Origin / framing headers and hostile JSON bodies, each on its own raw socket, against the real
 * server in front of the real core. Every case is answered (never a 500, never a connection dropped without a word,
 * never a hang) and `GET /` answers after every batch. Rerun a failure with FUZZ_SEED=<seed printed>.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createCore, type Core } from '../../core/app';
import { forEachConcurrently, int, mulberry32, pick, type Rand } from '../../test/http-fuzz-cases';
import { finalStatus, rawExchange } from '../../test/raw-http';
import { pathWithoutGpuTools, tmpDir } from '../../test/helpers';
import { startOllamaServer, type OllamaServer } from './server';

const SEED = Number(process.env.FUZZ_SEED ?? 20261202);
const CASES = Number(process.env.FUZZ_CASES ?? 1000);
const BATCH = 100;
const CONCURRENCY = 12;
const LIMIT = 64 * 1024;

const resourcesDir = inject('resourcesDir');
let core: Core;
let server: OllamaServer;
let dataDir: string;
const internalErrors: unknown[] = [];

beforeAll(async () => {
  dataDir = tmpDir('dl-ollama-fuzz-');
  core = await createCore({
    dataDir,
    resourcesDirs: [resourcesDir],
    shell: 'browser',
    version: 'test',
    env: { ...process.env, PATH: pathWithoutGpuTools() },
  });
  server = await startOllamaServer(
    {
      jit: core.jit,
      status: () => core.backend.status(),
      installed: () => core.models.library.list(),
      origins: () => ['https://allowed.example'],
      note: () => undefined,
      endpoint: () => core.backend.endpoint(),
      capabilities: () => core.backend.capabilities(),
      maxBodyBytes: LIMIT,
      onInternalError: (e) => internalErrors.push(e),
    },
    { port: 0 },
  );
});

afterAll(async () => {
  await server?.close();
  await core?.dispose();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const PATHS = [
  '/',
  '/api/version',
  '/api/tags',
  '/api/ps',
  '/api/show',
  '/api/chat',
  '/api/generate',
  '/api/pull',
  '/api/embed',
  '/v1/chat/completions',
  '/v1/models',
  '/v1/embeddings',
  '/v1/completions',
  '/api/blobs/sha256:00',
  '/api/chat/',
  '/API/CHAT',
  '/api/%63hat',
  '/api/ch%ZZat',
  '//evil.example/api/tags',
  'http://127.0.0.1:PORT/api/tags',
  'http://evil.example/api/tags',
  '*',
  '/api/tags?x=%',
  '/' + 'a'.repeat(9000),
];
const METHODS = ['GET', 'POST', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE', 'PATCH', 'CONNECT', 'G\tET', 'BREW'];
const HOSTS = [
  '127.0.0.1:PORT',
  'localhost:PORT',
  '[::1]:PORT',
  '0.0.0.0:PORT',
  'evil.example:PORT',
  '127.0.0.1',
  '127.0.0.1:1',
  'localhost:PORT\r\nHost: evil.example',
  '',
  'LOCALHOST:PORT',
];
const ORIGINS = [
  null,
  null,
  null,
  'http://localhost:3000',
  'https://evil.example',
  'null',
  'app://x',
  'https://allowed.example',
  'vscode-webview://abc',
  'http://localhost.evil.example',
  '\u00ff\u00fe',
];

function jsonBody(r: Rand): string {
  const big = 'x'.repeat(int(r, 3) === 0 ? 70_000 : 50);
  return pick(r, [
    '',
    '{',
    'null',
    '[]',
    '"str"',
    '{"model":"nope:latest","messages":[{"role":"user","content":"hi"}]}',
    '{"model":"nope","prompt":"hi","stream":false}',
    '{"model":"","messages":[]}',
    '{"model":123,"messages":"x"}',
    '{"messages":[{"role":"root","content":1}]}',
    '{"model":"m","options":{"temperature":"hot","num_predict":1e308,"top_k":-5}}',
    '{"model":"m","options":null,"format":{"$ref":"#"},"think":"yes"}',
    `{"model":"m","prompt":"${big}"}`,
    '{"name":"x","model":{"a":1}}',
    '{"__proto__":{"polluted":true},"model":"m"}',
    '['.repeat(5000),
    '{"model":"m","messages":[' + '{"role":"user","content":"a"},'.repeat(200) + '{"role":"user"}]}',
    '\u0000\u00ff\u00fe',
  ]);
}

interface Case {
  bytes: string;
  method: string;
  path: string;
  incomplete: boolean;
}

/** Ollama's model-management endpoints answer 501 UNSUPPORTED on purpose (models live in our library). */
const unsupported = (c: Case, status: number) =>
  (status === 501 && /^\/api\/(pull|blobs\/)/.test(c.path)) ||
  // No model is loaded here: the OpenAI API says so with 503 BACKEND_NOT_READY.
  (status === 503 && c.path.startsWith('/v1/'));

function generate(r: Rand): Case {
  const method = pick(r, METHODS);
  const path = pick(r, PATHS);
  const headers: string[] = [];
  const host = pick(r, HOSTS);
  if (host) headers.push(`Host: ${host}`);
  const origin = pick(r, ORIGINS);
  if (origin !== null) headers.push(`Origin: ${origin}`);
  if (int(r, 6) === 0) headers.push('Access-Control-Request-Headers: content-type, x-evil\r\n');
  if (int(r, 8) === 0) headers.push('Expect: 100-continue');
  let body = method === 'GET' && int(r, 2) === 0 ? '' : jsonBody(r);
  let incomplete = false;
  switch (int(r, 8)) {
    case 0:
      headers.push('Transfer-Encoding: chunked');
      body = `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`;
      break;
    case 1:
      headers.push(`Content-Length: ${body.length + 10}`);
      incomplete = true;
      break;
    case 2:
      headers.push(`Content-Length: ${body.length}`, `Content-Length: ${body.length + 1}`);
      break;
    default:
      headers.push(`Content-Length: ${body.length}`);
  }
  if (int(r, 3) === 0) headers.push('Content-Type: application/json');
  const bytes = `${method} ${path} HTTP/1.1\r\n${headers.join('\r\n')}\r\n\r\n${Buffer.from(body, 'utf8').toString('latin1')}`;
  return { bytes, method, path, incomplete };
}

type Outcome = { kind: 'answered'; status: number } | { kind: 'dropped' | 'hung'; status: 0 };

async function run(c: Case): Promise<Outcome> {
  const bytes = c.bytes.replaceAll('PORT', String(server.port));
  const { text, hung } = await rawExchange(server.port, [bytes], { method: c.method, end: c.incomplete });
  const status = finalStatus(text);
  return status === null ? { kind: hung ? 'hung' : 'dropped', status: 0 } : { kind: 'answered', status };
}

describe('Ollama API fuzz', () => {
  it(`${CASES} random requests (seed ${SEED}) are all answered, none with a 500`, { timeout: 180_000 }, async () => {
    const rand = mulberry32(SEED);
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    const started = Date.now();
    for (let done = 0; done < CASES; done += BATCH) {
      const batch = Array.from({ length: Math.min(BATCH, CASES - done) }, () => generate(rand));
      await forEachConcurrently(batch, CONCURRENCY, async (c, i) => {
        const o = await run(c);
        statuses.set(o.status, (statuses.get(o.status) ?? 0) + 1);
        if (o.kind !== 'answered' || (o.status >= 500 && !unsupported(c, o.status)))
          failures.push(`#${done + i} ${o.kind} ${o.status}: ${JSON.stringify(c.bytes.slice(0, 300))}`);
      });
      const alive = await fetch(`http://127.0.0.1:${server.port}/`).then(
        (r) => r.text(),
        () => '',
      );
      if (alive !== 'Ollama is running') failures.push(`GET / failed after case #${done + batch.length - 1}`);
      if (failures.length > 20) break;
    }
    console.log(
      `ollama fuzz seed ${SEED}: ${CASES} cases in ${((Date.now() - started) / 1000).toFixed(1)} s, statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
    );
    expect(failures, `seed ${SEED}:\n${failures.slice(0, 20).join('\n')}`).toEqual([]);
    expect(internalErrors).toEqual([]);
  });
});
