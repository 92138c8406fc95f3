/**
 * fetchRelease over real HTTP against a feed that misbehaves: what GitHub sends when a release is missing or the
 * rate limit is spent (headers as documented in "Rate limits for the REST API"), a body that is not JSON, one far
 * too large, a connection that drops, a 5xx that passes. The good path runs against the release stand-in in
 * install.int.test.ts.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors';
import { fetchRelease, MAX_RELEASE_BODY_BYTES } from './release-feed';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;
let handler: Handler = (_q, res) => res.end();
const seen: { url: string; accept: string | undefined; ua: string | undefined }[] = [];
let server: http.Server;
let endpoint: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push({ url: req.url ?? '', accept: req.headers.accept, ua: req.headers['user-agent'] });
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Handler =>
  (_q, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
const noSleep = async () => undefined;
const get = (tag = 'b1') => fetchRelease({ endpoint, repo: 'ggml-org/llama.cpp', tag, fetch, sleep: noSleep });

async function failure(p: Promise<unknown>): Promise<AppError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(AppError);
  return e as AppError;
}

describe('fetchRelease against a misbehaving feed', () => {
  it("asks GitHub's way (path, Accept, User-Agent) and keeps only the usable assets", async () => {
    seen.length = 0;
    handler = json(200, {
      tag_name: 'b1',
      assets: [
        {
          name: 'llama-b1-bin-win-cpu-x64.zip',
          size: 10,
          digest: `sha256:${'c'.repeat(64)}`,
          browser_download_url: `${endpoint}/d/a.zip`,
        },
        { name: '../../evil.zip', size: 10, digest: null, browser_download_url: `${endpoint}/d/e.zip` },
        { name: 'x.zip', size: 10, digest: null, browser_download_url: 'file:///etc/passwd' },
      ],
    });
    const r = await get();
    expect(seen[0]).toEqual({
      url: '/repos/ggml-org/llama.cpp/releases/tags/b1',
      accept: 'application/vnd.github+json',
      ua: expect.stringContaining('DeepLocal'),
    });
    expect(r.assets.map((a) => a.name)).toEqual(['llama-b1-bin-win-cpu-x64.zip']);
    expect(r.skipped.map((s) => s.name)).toEqual(['../../evil.zip', 'x.zip']);
    await get('latest');
    expect(seen[1]?.url).toBe('/repos/ggml-org/llama.cpp/releases/latest');
  });

  it.each<[string, Handler, string]>([
    ['a missing release', json(404, { message: 'Not Found', status: '404' }), 'was not found (HTTP 404)'],
    [
      'a spent rate limit',
      json(
        403,
        { message: 'API rate limit exceeded' },
        { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 120) },
      ),
      'rate limited (HTTP 403), try again in',
    ],
    [
      'a body that is not JSON',
      (_q, res) => {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html>captive portal</html>');
      },
      'not JSON',
    ],
    ['JSON that is not a release', json(200, [{ tag_name: 'b1' }]), 'not a GitHub release'],
    [
      'a body over the cap (announced)',
      (_q, res) => {
        res.writeHead(200, { 'content-length': String(MAX_RELEASE_BODY_BYTES + 1) });
        res.end();
      },
      'larger than',
    ],
    [
      'a body over the cap (streamed without a length)',
      (_q, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        const chunk = Buffer.alloc(1 << 20, 0x20);
        let sent = 0;
        const more = () => {
          while (sent <= MAX_RELEASE_BODY_BYTES) {
            sent += chunk.length;
            if (!res.write(chunk)) return res.once('drain', more);
          }
          res.end();
        };
        more();
      },
      'larger than',
    ],
    ['a connection that drops', (req) => req.socket.destroy(), ''],
    ['a server that keeps failing', json(503, { message: 'unavailable' }), 'HTTP 503'],
  ])('%s is RELEASE_UNREACHABLE naming the endpoint and why', async (_n, h, reason) => {
    handler = h;
    const e = await failure(get());
    expect(e.code).toBe('RELEASE_UNREACHABLE');
    expect(e.params?.endpoint).toBe(endpoint);
    expect(String(e.params?.reason)).toContain(reason);
    expect(String(e.params?.reason)).not.toBe('');
  });

  it('asks again after a 5xx and takes the answer that follows', async () => {
    let n = 0;
    handler = (q, res) => (++n === 1 ? json(502, {})(q, res) : json(200, { tag_name: 'b1', assets: [] })(q, res));
    expect((await get()).tag).toBe('b1');
    expect(n).toBe(2);
  });

  it('an unreachable endpoint is RELEASE_UNREACHABLE with the network reason', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const e = await failure(
      fetchRelease({
        endpoint: `http://127.0.0.1:${port}`,
        repo: 'ggml-org/llama.cpp',
        tag: 'b1',
        fetch,
        sleep: noSleep,
      }),
    );
    expect(e.code).toBe('RELEASE_UNREACHABLE');
    expect(e.params).toEqual({ endpoint: `http://127.0.0.1:${port}`, reason: 'ECONNREFUSED' });
  });

  it("a cancel is the caller's reason, not a feed error", async () => {
    handler = () => undefined; // never answers
    const ac = new AbortController();
    const reason = new Error('cancelled by the test');
    const p = fetchRelease({
      endpoint,
      repo: 'ggml-org/llama.cpp',
      tag: 'b1',
      fetch,
      signal: ac.signal,
      sleep: noSleep,
    });
    setTimeout(() => ac.abort(reason), 50);
    await expect(p).rejects.toBe(reason);
  });
});
