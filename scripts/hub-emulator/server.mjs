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
//                                        [--snapshot owner/name …]   (a vLLM safetensors snapshot repo, snapshot.mjs)
//
// Here: the emulator's state, its routes and its command line; the pieces are repos.mjs (repos and their ids),
// listings.mjs (what the APIs list), faults.mjs (fault matching and range plans) and serve-data.mjs (the bytes).
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { matchingFaults } from './faults.mjs';
import { listen, sendJson as json, sendStatusFault as statusFault } from './http.mjs';
import { hfTreeResponse, msFileList } from './listings.mjs';
import { buildRepo, hex } from './repos.mjs';
import { serveData as sendData } from './serve-data.mjs';
import { snapshotRepoFiles } from './snapshot.mjs';

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

  async function addRepo(spec) {
    const repo = await buildRepo(spec, { lfsThreshold });
    for (const entry of repo.files.values()) blobs.set(entry.sha256, entry);
    repos.set(repo.id, repo);
    return repo;
  }

  /** Faults for this request, consuming their `times` when they fire. */
  const matching = (stage, hub, file) => matchingFaults(faults, stage, hub, file);

  const serveData = (req, res, file, hub, extraHeaders = {}) =>
    sendData(req, res, file, matching('data', hub, file), { extraHeaders, stats, log });

  function hfTree(req, res, repo, rev, url) {
    const { status, body, headers } = hfTreeResponse(repo, rev, url, pageSize);
    json(res, status, body, headers);
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
          for (const f of repo.files.values()) if (statusFault(res, matching('api', 'modelscope', f))) return;
          return json(res, 200, { Code: 200, Success: true, Message: 'success', Data: { Files: msFileList(repo) } });
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
  const { url, port: boundPort, close } = await listen(server, port, host);
  return {
    url,
    port: boundPort,
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
    close,
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      repo: { type: 'string', multiple: true, default: [] },
      snapshot: { type: 'string', multiple: true, default: [] },
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
  // --snapshot owner/name: a vLLM-format snapshot repo (snapshot.mjs) on the Hugging Face API.
  for (const id of values.snapshot) await emu.addRepo({ id, hubs: ['huggingface'], files: snapshotRepoFiles() });
  console.log(`hub emulator: ${emu.url}`);
  const stop = () => emu.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
