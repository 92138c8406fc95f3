#!/usr/bin/env node
// A local hub for tests, e2e and the download bench: the subset of the Hugging Face and ModelScope HTTP APIs that
// DeepLocal uses, with fault injection. Plain node:http, no dependencies.
//
// Hugging Face (and HF-compatible mirrors):
//   GET  /api/models/{owner}/{repo}/tree/{rev}?recursive=true   files with size, oid, lfs.oid (sha256); paged by Link
//   HEAD|GET /{owner}/{repo}/resolve/{rev}/{path}               LFS: 302 to /cdn/… with X-Linked-Etag (sha256),
//                                                               X-Linked-Size, X-Repo-Commit; small files: 200
//   GET  /cdn/{sha256}/{name}                                   the bytes (Range); its ETag is NOT the sha256
// ModelScope:
//   GET  /api/v1/models/{owner}/{repo}/repo/files?Revision=master&Recursive=true   Data.Files[] Path/Size/Sha256
//   GET  /api/v1/models/{owner}/{repo}/repo?Revision=master&FilePath={path}        the bytes (Range)
// Control (for tests in another process): POST /__emulator/faults (JSON array), GET /__emulator/stats.
// File paths are listed and served exactly as given to addRepo, so a test can play a hostile hub whose listing names
// '../x.gguf', '/abs.gguf', 'C:/x.gguf' or 'a\\b.gguf' (see electron/core/downloads/hostile-hub.int.test.ts).
//
// Faults (emu.setFaults([...]) or the control route), each matching by `file` (path or sha256, optional), `hub`
// ('huggingface' | 'modelscope', optional) and `stage` ('data' default, or 'resolve' / 'api'):
//   { kind: 'status', status: 500 }                      answer with a status instead (times: 1 by default)
//   { kind: 'status', status: 429, retryAfter: 2 }       … with Retry-After (seconds)
//   { kind: 'drop', at: BYTES }                          reset the connection when the response reaches byte `at`
//   { kind: 'truncate', at: BYTES }                      close the connection cleanly at `at` (body shorter than Content-Length)
//   { kind: 'stall', at: BYTES, ms?: N }                 stop sending at `at` for ms (default: until the client gives up)
//   { kind: 'corrupt', at: BYTES, length?: N }           flip bytes at `at` (wrong bytes, right length)
//   { kind: 'short', at: BYTES }                         a valid 206 that ends at `at` (servers may send less than asked)
//   { kind: 'rate', bytesPerSecond: N }                  slow link (times: unlimited by default)
// `at` is a file offset; a fault fires on the first response whose range contains it. `times` bounds how many
// responses it affects (Infinity for always).
//
//   node scripts/hub-emulator/server.mjs [--port N] [--host H] --repo owner/name=file1.gguf[,file2.gguf] …
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const hex = (s, n = 64) => createHash('sha256').update(s).digest('hex').slice(0, n);

async function sha256OfFile(file) {
  const h = createHash('sha256');
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 4 << 20 })) h.update(chunk);
  return h.digest('hex');
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts the emulator. Returns { url, port, addRepo, setFaults, addFault, clearFaults, stats, resetStats, close }.
 */
export async function startHubEmulator({
  port = 0,
  host = '127.0.0.1',
  pageSize = 50,
  lfsThreshold = 10 * 1024 * 1024,
  log = () => {},
} = {}) {
  /** repo id → { id, revision, msRevision, commit, hubs:Set, gated, files: Map<path, File> } */
  const repos = new Map();
  /** sha256 → File (CDN) */
  const blobs = new Map();
  let faults = [];
  const stats = { requests: [], bytesServed: 0, bytesByFile: {} };

  async function addRepo({
    id,
    revision = 'main',
    msRevision = 'master',
    hubs = ['huggingface', 'modelscope'],
    gated = false,
    files = [],
  }) {
    const repo = {
      id,
      revision,
      msRevision,
      commit: hex(`commit:${id}`, 40),
      hubs: new Set(hubs),
      gated,
      files: new Map(),
    };
    for (const f of files) {
      let size;
      let sha256 = f.sha256;
      let read;
      if (Buffer.isBuffer(f.data)) {
        const buf = f.data;
        size = buf.length;
        sha256 ??= createHash('sha256').update(buf).digest('hex');
        read = (start, end) => buf.subarray(start, end + 1);
      } else {
        const abs = path.resolve(f.source);
        size = fs.statSync(abs).size;
        sha256 ??= await sha256OfFile(abs);
        read = null;
        f.abs = abs;
      }
      const entry = {
        path: f.path,
        size,
        sha256,
        abs: f.abs ?? null,
        buf: Buffer.isBuffer(f.data) ? f.data : null,
        read,
        lfs: f.lfs ?? (size >= lfsThreshold || /\.gguf$/i.test(f.path)),
        gitOid: hex(`blob:${id}:${f.path}`, 40),
      };
      repo.files.set(f.path, entry);
      blobs.set(sha256, entry);
    }
    repos.set(id, repo);
    return repo;
  }

  /** Faults for this request, consuming their `times` when they fire. */
  function matching(stage, hub, file) {
    return faults.filter(
      (f) =>
        (f.stage ?? 'data') === stage &&
        (!f.hub || f.hub === hub) &&
        (!f.file || f.file === file.path || f.file === file.sha256 || file.path.endsWith(f.file)) &&
        (f.times ?? (f.kind === 'rate' ? Infinity : 1)) > 0,
    );
  }
  const consume = (f) => {
    f.times = (f.times ?? (f.kind === 'rate' ? Infinity : 1)) - 1;
    f.fired = (f.fired ?? 0) + 1;
  };

  function statusFault(res, list) {
    const f = list.find((x) => x.kind === 'status');
    if (!f) return false;
    consume(f);
    const headers = { 'content-type': 'text/plain' };
    if (f.retryAfter !== undefined) headers['retry-after'] = String(f.retryAfter);
    res.writeHead(f.status ?? 500, headers);
    res.end(`injected ${f.status ?? 500}`);
    return true;
  }

  const json = (res, status, body, headers = {}) => {
    const s = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(s), ...headers });
    res.end(s);
  };

  function parseRange(header, size) {
    if (!header) return null;
    const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
    if (!m || (m[1] === '' && m[2] === '')) return 'invalid';
    let start;
    let end;
    if (m[1] === '') {
      start = Math.max(0, size - Number(m[2]));
      end = size - 1;
    } else {
      start = Number(m[1]);
      end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
    }
    if (start >= size || end < start) return 'unsatisfiable';
    return { start, end };
  }

  async function serveData(req, res, file, hub, extraHeaders = {}) {
    const list = matching('data', hub, file);
    if (statusFault(res, list)) return;
    const range = parseRange(req.headers.range, file.size);
    if (range === 'invalid' || range === 'unsatisfiable') {
      res.writeHead(416, { 'content-range': `bytes */${file.size}` });
      res.end();
      return;
    }
    let { start, end } = range ?? { start: 0, end: file.size - 1 };
    const inRange = (f) => f.at === undefined || (f.at >= start && f.at <= end);
    const short = list.find((f) => f.kind === 'short' && inRange(f) && f.at > start);
    if (short) {
      consume(short);
      end = short.at - 1;
    }
    // Per-response copies: a fault without `at` fires at the first byte of this response.
    const active = list
      .filter((f) => ['drop', 'truncate', 'stall', 'corrupt'].includes(f.kind) && inRange(f))
      .map((f) => ({ ...f, at: f.at ?? start, orig: f }));
    for (const f of active) consume(f.orig);
    const rate = list.find((f) => f.kind === 'rate');
    if (rate) consume(rate);
    const headers = {
      'accept-ranges': 'bytes',
      'content-type': 'application/octet-stream',
      'content-length': end - start + 1,
      // A CDN's ETag: an md5-looking string, deliberately not the sha256.
      etag: `"${hex(`cdn:${file.sha256}`, 32)}"`,
      'last-modified': 'Tue, 21 Jan 2025 00:00:00 GMT',
      ...extraHeaders,
    };
    if (range || short) headers['content-range'] = `bytes ${start}-${end}/${file.size}`;
    res.writeHead(range || short ? 206 : 200, headers);
    if (req.method === 'HEAD') return res.end();
    const record = (n) => {
      stats.bytesServed += n;
      stats.bytesByFile[file.path] = (stats.bytesByFile[file.path] ?? 0) + n;
    };

    if (active.length === 0 && !rate) {
      if (file.buf) {
        record(end - start + 1);
        return res.end(file.buf.subarray(start, end + 1));
      }
      const stream = fs.createReadStream(file.abs, { start, end, highWaterMark: 1 << 20 });
      stream.on('data', (c) => record(c.length));
      stream.on('error', () => res.destroy());
      res.on('close', () => stream.destroy());
      stream.pipe(res);
      return;
    }

    // Slow path: chunk by chunk, so faults land on exact offsets.
    let closed = false;
    res.on('close', () => (closed = true));
    const fh = file.abs ? await fs.promises.open(file.abs, 'r') : null;
    const t0 = performance.now();
    let sent = 0;
    try {
      const chunkSize = rate ? Math.max(1024, Math.min(64 * 1024, Math.floor(rate.bytesPerSecond / 20))) : 256 * 1024;
      for (let pos = start; pos <= end && !closed;) {
        let n = Math.min(chunkSize, end + 1 - pos);
        const cut = active.find(
          (f) => ['drop', 'truncate', 'stall'].includes(f.kind) && f.at >= pos && f.at < pos + n && !f.done,
        );
        if (cut) n = cut.at - pos;
        if (n > 0) {
          let chunk;
          if (fh) {
            chunk = Buffer.allocUnsafe(n);
            await fh.read(chunk, 0, n, pos);
          } else chunk = Buffer.from(file.buf.subarray(pos, pos + n));
          for (const f of active.filter((x) => x.kind === 'corrupt')) {
            const a = Math.max(f.at, pos);
            const b = Math.min(f.at + (f.length ?? 1), pos + n);
            for (let i = a; i < b; i++) chunk[i - pos] ^= 0xff;
          }
          // (A response closed meanwhile never drains: waiting for it would leak the file handle.)
          if (!res.write(chunk) && !closed && !res.destroyed) {
            await new Promise((r) => {
              const done = () => {
                res.off('drain', done);
                res.off('close', done);
                r();
              };
              res.on('drain', done);
              res.on('close', done);
            });
          }
          record(n);
          pos += n;
          sent += n;
          if (rate) {
            const due = (sent / rate.bytesPerSecond) * 1000 - (performance.now() - t0);
            if (due > 0) await sleep(due);
          }
        }
        if (cut) {
          if (cut.kind === 'drop') {
            log(`fault: drop at ${cut.at}`);
            if (res.socket?.resetAndDestroy) res.socket.resetAndDestroy();
            else res.destroy();
            return;
          }
          if (cut.kind === 'truncate') {
            log(`fault: truncate at ${cut.at}`);
            // Flush what was written, then close: the body is shorter than its Content-Length.
            await new Promise((r) => (res.socket ? res.socket.end(r) : r()));
            res.destroy();
            return;
          }
          log(`fault: stall at ${cut.at}`);
          const until = performance.now() + (cut.ms ?? 600_000);
          while (!closed && performance.now() < until) await sleep(20);
          cut.done = true;
        }
      }
      if (!closed) res.end();
    } finally {
      await fh?.close();
    }
  }

  function hfTree(req, res, repo, rev, url) {
    if (rev !== repo.revision && rev !== repo.commit)
      return json(
        res,
        404,
        { error: `Revision Not Found for url: ${url.pathname}` },
        { 'x-error-code': 'RevisionNotFound' },
      );
    const entries = [];
    const dirs = new Set();
    for (const f of repo.files.values()) {
      const parts = f.path.split('/');
      for (let i = 1; i < parts.length; i++) dirs.add(parts.slice(0, i).join('/'));
    }
    for (const d of [...dirs].sort()) entries.push({ type: 'directory', oid: hex(`dir:${d}`, 40), size: 0, path: d });
    for (const f of [...repo.files.values()].sort((a, b) => a.path.localeCompare(b.path))) {
      entries.push({
        type: 'file',
        oid: f.gitOid,
        size: f.size,
        path: f.path,
        ...(f.lfs ? { lfs: { oid: f.sha256, size: f.size, pointerSize: 134 } } : {}),
      });
    }
    const recursive = url.searchParams.get('recursive') === 'true' || url.searchParams.get('recursive') === '1';
    const list = recursive ? entries : entries.filter((e) => !e.path.includes('/'));
    const cursor = Number(url.searchParams.get('cursor') ?? 0) || 0;
    const page = list.slice(cursor, cursor + pageSize);
    const headers = {};
    if (cursor + pageSize < list.length) {
      const next = new URL(url);
      next.searchParams.set('cursor', String(cursor + pageSize));
      headers.link = `<${next.toString()}>; rel="next"`;
    }
    json(res, 200, page, headers);
  }

  function hfResolve(req, res, repo, rev, filePath) {
    const file = repo.files.get(filePath);
    if (!file)
      return json(
        res,
        404,
        { error: 'Entry not found' },
        { 'x-error-code': 'EntryNotFound', 'x-repo-commit': repo.commit },
      );
    if (statusFault(res, matching('resolve', 'huggingface', file))) return;
    const common = { 'x-repo-commit': repo.commit, 'accept-ranges': 'bytes' };
    if (!file.lfs) return serveData(req, res, file, 'huggingface', { ...common, etag: `"${file.gitOid}"` });
    res.writeHead(302, {
      ...common,
      location: `/cdn/${file.sha256}/${encodeURIComponent(path.basename(file.path))}?X-Amz-Signature=${hex(`sig:${file.sha256}`, 16)}`,
      'x-linked-etag': `"${file.sha256}"`,
      'x-linked-size': String(file.size),
      etag: `"${file.sha256}"`,
      'content-length': 0,
    });
    res.end();
  }

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
    const p = url.pathname;
    stats.requests.push({ method: req.method, path: p + url.search, range: req.headers.range ?? null, at: Date.now() });
    if (stats.requests.length > 10_000) stats.requests.splice(0, 5000);
    try {
      if (p === '/' || p === '') return json(res, 200, { emulator: 'deeplocal-hub', repos: [...repos.keys()] });
      if (p === '/__emulator/faults' && req.method === 'POST') {
        let body = '';
        for await (const c of req) body += c;
        faults = JSON.parse(body || '[]');
        return json(res, 200, { ok: true, faults: faults.length });
      }
      if (p === '/__emulator/stats')
        return json(res, 200, {
          bytesServed: stats.bytesServed,
          bytesByFile: stats.bytesByFile,
          requests: stats.requests.length,
        });

      let m;
      if ((m = /^\/cdn\/([0-9a-f]{64})(?:\/.*)?$/.exec(p))) {
        const file = blobs.get(m[1]);
        if (!file) return json(res, 404, { error: 'no such blob' });
        return serveData(req, res, file, 'huggingface');
      }
      if ((m = /^\/api\/v1\/models\/([^/]+)\/([^/]+)\/repo(\/files)?$/.exec(p))) {
        const repo = repos.get(`${decodeURIComponent(m[1])}/${decodeURIComponent(m[2])}`);
        if (!repo || !repo.hubs.has('modelscope'))
          return json(res, 404, { Code: 10010205001, Success: false, Message: 'model not exist' });
        const rev = url.searchParams.get('Revision') ?? repo.msRevision;
        if (rev !== repo.msRevision && rev !== repo.commit)
          return json(res, 404, { Code: 10010205002, Success: false, Message: 'revision not exist' });
        if (m[3]) {
          const files = [...repo.files.values()].map((f) => ({
            Name: path.basename(f.path),
            Path: f.path,
            Size: f.size,
            Sha256: f.sha256,
            Type: 'blob',
            Revision: repo.commit,
          }));
          for (const f of repo.files.values()) if (statusFault(res, matching('api', 'modelscope', f))) return;
          return json(res, 200, { Code: 200, Success: true, Message: 'success', Data: { Files: files } });
        }
        const file = repo.files.get(url.searchParams.get('FilePath') ?? '');
        if (!file) return json(res, 404, { Code: 10010205003, Success: false, Message: 'file not exist' });
        return serveData(req, res, file, 'modelscope');
      }
      if ((m = /^\/api\/models\/([^/]+)\/([^/]+)\/tree\/([^/]+)(\/.*)?$/.exec(p))) {
        const repo = repos.get(`${decodeURIComponent(m[1])}/${decodeURIComponent(m[2])}`);
        // Like huggingface.co for anonymous users: an unknown repo is a 401 with RepoNotFound.
        if (!repo || !repo.hubs.has('huggingface'))
          return json(res, 401, { error: 'Repository Not Found' }, { 'x-error-code': 'RepoNotFound' });
        if (repo.gated) return json(res, 403, { error: 'gated' }, { 'x-error-code': 'GatedRepo' });
        for (const f of repo.files.values()) if (statusFault(res, matching('api', 'huggingface', f))) return;
        return hfTree(req, res, repo, decodeURIComponent(m[3]), url);
      }
      if ((m = /^\/([^/]+)\/([^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(p))) {
        const repo = repos.get(`${decodeURIComponent(m[1])}/${decodeURIComponent(m[2])}`);
        if (!repo || !repo.hubs.has('huggingface'))
          return json(res, 401, { error: 'Repository Not Found' }, { 'x-error-code': 'RepoNotFound' });
        if (repo.gated) return json(res, 403, { error: 'gated' }, { 'x-error-code': 'GatedRepo' });
        const rev = decodeURIComponent(m[3]);
        if (rev !== repo.revision && rev !== repo.commit)
          return json(res, 404, { error: 'Revision Not Found' }, { 'x-error-code': 'RevisionNotFound' });
        return hfResolve(req, res, repo, rev, m[4].split('/').map(decodeURIComponent).join('/'));
      }
      json(res, 404, { error: 'not found' });
    } catch (e) {
      log(`emulator error: ${e?.stack ?? e}`);
      if (!res.headersSent) json(res, 500, { error: String(e) });
      else res.destroy();
    }
  });
  // Keep-alive like a CDN; sockets are tracked so close() never waits on a client.
  const sockets = new Set();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const addr = server.address();
  const url = `http://${host}:${addr.port}`;
  return {
    url,
    port: addr.port,
    addRepo,
    /** Replaces all faults. */
    setFaults(list) {
      faults = list.map((f) => ({ ...f }));
    },
    addFault(f) {
      faults.push({ ...f });
    },
    clearFaults() {
      faults = [];
    },
    /** The fault objects (with `fired` counts). */
    faults: () => faults,
    stats,
    resetStats() {
      stats.requests.length = 0;
      stats.bytesServed = 0;
      stats.bytesByFile = {};
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      repo: { type: 'string', multiple: true, default: [] },
    },
  });
  const emu = await startHubEmulator({ port: Number(values.port), host: values.host, log: (m) => console.error(m) });
  for (const spec of values.repo) {
    const [id, list] = spec.split('=');
    await emu.addRepo({
      id,
      files: (list ?? '')
        .split(',')
        .filter(Boolean)
        .map((f) => ({ path: path.basename(f), source: f })),
    });
  }
  console.log(`hub emulator: ${emu.url}`);
  const stop = () => emu.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
