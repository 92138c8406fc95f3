// The static file server over real HTTP (node:http and raw sockets): Accept-Encoding negotiation, the headers of
// each answer, and paths that try to leave the folder.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { negotiateEncoding, parseAcceptEncoding, serveStatic, staticFileFor } from './static-files';

describe('negotiateEncoding', () => {
  const both = ['br', 'gzip'] as const;
  it.each<[string | string[] | undefined, readonly ('br' | 'gzip')[], string]>([
    [undefined, both, 'identity'],
    ['', both, 'identity'],
    ['gzip, deflate, br, zstd', both, 'br'],
    ['gzip, deflate', both, 'gzip'],
    ['br', ['gzip'], 'identity'],
    ['gzip;q=1, br;q=0.5', both, 'gzip'],
    ['br;q=0.8, gzip;q=0.8', both, 'br'],
    ['br;q=0, gzip', both, 'gzip'],
    ['br;q=0, gzip;q=0', both, 'identity'],
    ['*', both, 'br'],
    ['*;q=0.5, br;q=0', both, 'gzip'],
    ['identity', both, 'identity'],
    ['identity;q=1, br;q=0.5', both, 'identity'],
    ['identity;q=0, *;q=0', both, 'identity'],
    ['BR', both, 'br'],
    ['x-gzip', both, 'gzip'],
    ['br;q=2', both, 'identity'],
    ['br;q=abc, gzip', both, 'gzip'],
    ['br;q=0.001', both, 'br'],
    ['br ; q = 0.5 , gzip ; q=0.4', both, 'br'],
    [['gzip', 'br'], both, 'br'],
    [',,,;;;=,', both, 'identity'],
    ['gzip;q=0.5, gzip;q=0', ['gzip'], 'gzip'],
  ])('%j (have %j) → %s', (header, available, want) => {
    expect(negotiateEncoding(header, available)).toBe(want);
  });

  it('a huge header is read only in part', () => {
    const header = `${'x, '.repeat(100_000)}br`;
    const t0 = performance.now();
    expect(parseAcceptEncoding(header).has('br')).toBe(false);
    expect(negotiateEncoding(header, ['br', 'gzip'])).toBe('identity');
    expect(performance.now() - t0).toBeLessThan(50);
  });
});

describe('staticFileFor', () => {
  const dir = path.resolve('/srv/ui');
  it.each([
    ['/', 'index.html'],
    ['/assets/a.js', 'assets/a.js'],
    ['//assets/a.js', 'assets/a.js'],
    ['/assets/%61.js', 'assets/a.js'],
  ])('%s → %s', (p, rel) => {
    expect(staticFileFor(dir, p)?.file).toBe(path.join(dir, rel));
  });
  it.each(['/..', '/../etc/passwd', '/%2e%2e/etc/passwd', '/assets/..%2f..%2fx', '/..%5c..%5cx', '/a%00.js'])(
    '%s is refused',
    (p) => {
      expect(staticFileFor(dir, p)).toBeNull();
    },
  );
  it('an encoded absolute path stays inside', () => {
    expect(staticFileFor(dir, '/%2f%2fetc/passwd')?.file).toBe(path.join(dir, 'etc/passwd'));
  });
});

describe('serveStatic over HTTP', () => {
  let dir: string;
  let server: http.Server;
  let port: number;
  const js = `export const a = ${JSON.stringify('x'.repeat(5000))};\n`;
  const css = 'body { color: red; }\n'.repeat(200);

  beforeAll(async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-static-'));
    dir = path.join(root, 'ui');
    fs.mkdirSync(path.join(dir, 'assets'), { recursive: true });
    fs.writeFileSync(path.join(root, 'secret.txt'), 'secret');
    fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><div id="root"></div>');
    fs.writeFileSync(path.join(dir, 'assets', 'a.js'), js);
    fs.writeFileSync(path.join(dir, 'assets', 'a.js.br'), zlib.brotliCompressSync(js));
    fs.writeFileSync(path.join(dir, 'assets', 'a.js.gz'), zlib.gzipSync(js));
    fs.writeFileSync(path.join(dir, 'assets', 'b.css'), css);
    fs.writeFileSync(path.join(dir, 'assets', 'b.css.gz'), zlib.gzipSync(css));
    fs.writeFileSync(path.join(dir, 'assets', 'stale.js'), js);
    fs.writeFileSync(path.join(dir, 'assets', 'stale.js.br'), zlib.brotliCompressSync('old'));
    const past = new Date(Date.now() - 60_000);
    fs.utimesSync(path.join(dir, 'assets', 'stale.js.br'), past, past);
    fs.mkdirSync(path.join(dir, 'assets', 'dir.js'));
    server = http.createServer((req, res) => {
      try {
        const pathname = (req.url ?? '/').split('?')[0]!;
        if (!serveStatic(dir, pathname, req, res, "default-src 'self'")) {
          res.writeHead(404);
          res.end();
        }
      } catch {
        res.writeHead(400);
        res.end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  });

  const get = (p: string, headers: Record<string, string> = {}, method = 'GET') =>
    new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: p, method, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      });
      req.on('error', reject);
      req.end();
    });

  it.each([
    ['br', 'gzip, deflate, br', (b: Buffer) => zlib.brotliDecompressSync(b)],
    ['gzip', 'gzip, deflate', (b: Buffer) => zlib.gunzipSync(b)],
    [undefined, 'identity', (b: Buffer) => b],
    [undefined, '', (b: Buffer) => b],
  ])('sends %s for Accept-Encoding %j, with its length and the type of the file', async (coding, ae, decode) => {
    const r = await get('/assets/a.js', { 'accept-encoding': ae });
    expect(r.status).toBe(200);
    expect(r.headers['content-encoding']).toBe(coding);
    expect(r.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(Number(r.headers['content-length'])).toBe(r.body.length);
    expect(r.headers.vary).toBe('Accept-Encoding');
    expect(r.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(decode(r.body).toString()).toBe(js);
  });

  it('uses the copies there are: gzip when only gzip was written', async () => {
    const r = await get('/assets/b.css', { 'accept-encoding': 'br, gzip' });
    expect(r.headers['content-encoding']).toBe('gzip');
    expect(zlib.gunzipSync(r.body).toString()).toBe(css);
  });

  it('ignores a precompressed copy older than the file', async () => {
    const r = await get('/assets/stale.js', { 'accept-encoding': 'br' });
    expect(r.headers['content-encoding']).toBeUndefined();
    expect(r.body.toString()).toBe(js);
  });

  it('index.html: no-store, the CSP, security headers', async () => {
    const r = await get('/', { 'accept-encoding': 'br' });
    expect(r.status).toBe(200);
    expect(r.headers['cache-control']).toBe('no-store');
    expect(r.headers['content-security-policy']).toBe("default-src 'self'");
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.body.toString()).toContain('id="root"');
  });

  it('HEAD: the headers of GET and no body', async () => {
    const r = await get('/assets/a.js', { 'accept-encoding': 'br' }, 'HEAD');
    expect(r.headers['content-encoding']).toBe('br');
    expect(Number(r.headers['content-length'])).toBe(zlib.brotliCompressSync(js).length);
    expect(r.body.length).toBe(0);
  });

  it('a folder or a missing file is not served', async () => {
    expect((await get('/assets/dir.js')).status).toBe(404);
    expect((await get('/assets/none.js')).status).toBe(404);
  });

  // Raw requests: a client (or a hostile page) sends the dots and escapes as it likes, not as URL parsing would.
  const raw = (target: string) =>
    new Promise<string>((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () =>
        s.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`),
      );
      let out = '';
      s.on('data', (d) => (out += d));
      s.on('end', () => resolve(out));
      s.on('error', reject);
    });
  it.each(['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/..%5csecret.txt', '/%00'])(
    'path %s does not leave the folder',
    async (target) => {
      const out = await raw(target);
      expect(out).not.toContain('secret\r\n');
      expect(out.split('\r\n\r\n')[1] ?? '').not.toBe('secret');
      expect(out).toMatch(/^HTTP\/1\.1 (400|404)/);
    },
  );
});
