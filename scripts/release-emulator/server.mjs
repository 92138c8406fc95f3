#!/usr/bin/env node
// A local stand-in for GitHub releases (tests and the runtime-install bench): the part of the REST API and the
// download path that the runtime installer uses, for one repository (ggml-org/llama.cpp by default). Plain node:http.
// SOURCES.md names the public captures the shapes follow.
//
//   GET /repos/{owner}/{repo}/releases/tags/{tag}      a release: tag_name, name, assets[] { name, size,
//                                                      digest: "sha256:<hex>", content_type, state,
//                                                      browser_download_url, … }; 404 with GitHub's body
//   GET /repos/{owner}/{repo}/releases/latest          the newest release that is not a draft or prerelease
//   GET /repos/{owner}/{repo}/releases?per_page&page   newest first, Link header paging
//   GET /repos/{owner}/{repo}/releases/assets/{id}     one asset; with Accept: application/octet-stream a 302
//   GET|HEAD /{owner}/{repo}/releases/download/{tag}/{name}   302 to the object store path (like github.com →
//                                                      objects.githubusercontent.com)
//   GET|HEAD /objects/github-production-release-asset/{id}/{name}?…   the bytes (Range, 206, 416)
//
// Faults (option `faults`, or emu.setFaults), each { kind, asset?: name or regex source }:
//   { kind: 'digest-mismatch' }   the published digest is wrong (the bytes are the real ones)
//   { kind: 'no-digest' }         digest: null (assets uploaded before GitHub computed digests)
//   { kind: 'truncated', at? }    only the first `at` bytes (default half) exist behind the download; size says more
//   and the hub emulator's byte faults with `file: <asset name>` (drop, truncate, stall, corrupt, short, rate,
//   status; see scripts/hub-emulator/server.mjs), stage 'data' (default) or 'api' for the JSON routes.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { matchingFaults } from '../hub-emulator/faults.mjs';
import { listen, sendJson as json, sendStatusFault } from '../hub-emulator/http.mjs';
import { serveData } from '../hub-emulator/serve-data.mjs';
import {
  downloadPath,
  latestRelease,
  notFound,
  numericId,
  objectPath,
  releaseJson,
  servedSize,
  assetJson,
} from './releases.mjs';

export const DEFAULT_REPO = 'ggml-org/llama.cpp';
/** The hub emulator's byte and status faults, applied to asset bytes (matched by `file`: the asset name). */
const HUB_KINDS = ['status', 'drop', 'truncate', 'stall', 'corrupt', 'short', 'rate'];

async function sha256Of(asset) {
  if (asset.data) return createHash('sha256').update(asset.data).digest('hex');
  const h = createHash('sha256');
  for await (const c of fs.createReadStream(asset.path, { highWaterMark: 1 << 20 })) h.update(c);
  return h.digest('hex');
}

/** A release as given (tag + assets | assetsDir) → the emulator's record with ids, sizes and hashes. */
async function buildRelease(spec, index) {
  const list = [...(spec.assets ?? [])];
  if (spec.assetsDir)
    for (const e of fs.readdirSync(spec.assetsDir, { withFileTypes: true }))
      if (e.isFile() && !e.name.startsWith('.') && !e.name.endsWith('.json'))
        list.push({ name: e.name, path: path.join(spec.assetsDir, e.name) });
  const assets = [];
  for (const a of list) {
    const data = a.data ? Buffer.from(a.data) : undefined;
    const size = data ? data.length : fs.statSync(a.path).size;
    const sha256 = a.sha256 ?? (await sha256Of({ ...a, data }));
    const id = numericId(`${spec.tag}/${a.name}`);
    assets.push({ ...a, data, size, sha256, id });
  }
  // Later releases (by list order) are newer unless publishedAt says otherwise.
  const publishedAt = spec.publishedAt ?? new Date(Date.UTC(2026, 0, 1 + index)).toISOString().replace('.000', '');
  return { ...spec, id: numericId(`release/${spec.tag}`), publishedAt, assets };
}

/**
 * Starts the emulator. `releases: [{ tag, assets?: [{ name, path | data, sha256? }], assetsDir?, draft?,
 * prerelease?, publishedAt? }]`, or the shorthand `tag` + `assets`/`assetsDir` for one release.
 * Returns { url, port, repo, addRelease, setFaults, addFault, clearFaults, faults, stats, stop, close }.
 */
export async function startReleaseEmulator({
  repo = DEFAULT_REPO,
  tag,
  assets,
  assetsDir,
  releases: releaseSpecs,
  faults: initialFaults = [],
  port = 0,
  host = '127.0.0.1',
  perPageDefault = 30,
  log = () => {},
} = {}) {
  const specs = releaseSpecs ?? (tag ? [{ tag, assets, assetsDir }] : []);
  const releases = [];
  for (const s of specs) releases.push(await buildRelease(s, releases.length));
  let faults = initialFaults.map((f) => ({ ...f }));
  const stats = { requests: [], bytesServed: 0, bytesByFile: {} };
  let base = '';

  const findAsset = (pred) => {
    for (const r of releases) for (const a of r.assets) if (pred(r, a)) return { release: r, asset: a };
    return null;
  };
  const apiFault = (res) => sendStatusFault(res, matchingFaults(faults, 'api', undefined, { path: '', sha256: '' }));

  function serveObject(req, res, asset) {
    const file = {
      path: asset.name,
      size: servedSize(asset, faults),
      sha256: asset.sha256,
      abs: asset.path,
      buf: asset.data,
    };
    const hubFaults = matchingFaults(faults, 'data', undefined, file).filter((f) => HUB_KINDS.includes(f.kind));
    return serveData(req, res, file, hubFaults, {
      extraHeaders: {
        'content-type': 'application/octet-stream',
        'content-disposition': `attachment; filename=${asset.name}`,
      },
      stats,
      log,
    });
  }

  function listReleases(res, url) {
    const perPage = Math.max(1, Math.min(100, Number(url.searchParams.get('per_page') ?? perPageDefault) || 30));
    const page = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1);
    const sorted = [...releases].sort((a, b) => (a.publishedAt < b.publishedAt ? 1 : -1));
    const items = sorted.slice((page - 1) * perPage, page * perPage);
    const headers = {};
    const last = Math.max(1, Math.ceil(sorted.length / perPage));
    if (page < last) {
      const link = (p) => `<${base}/repos/${repo}/releases?per_page=${perPage}&page=${p}>`;
      headers.link = `${link(page + 1)}; rel="next", ${link(last)}; rel="last"`;
    }
    json(
      res,
      200,
      items.map((r) => releaseJson(base, repo, r, faults)),
      headers,
    );
  }

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
    const p = url.pathname;
    stats.requests.push({ method: req.method, path: p, range: req.headers.range ?? null, at: Date.now() });
    if (stats.requests.length > 10_000) stats.requests.splice(0, 5000);
    try {
      const apiPrefix = `/repos/${repo}/releases`;
      let m;
      if (p === '/' || p === '') return json(res, 200, { emulator: 'deeplocal-releases', repo });
      if (p === apiPrefix || p === `${apiPrefix}/`) return apiFault(res) || listReleases(res, url);
      if (p === `${apiPrefix}/latest`) {
        if (apiFault(res)) return;
        const r = latestRelease(releases);
        return r
          ? json(res, 200, releaseJson(base, repo, r, faults))
          : json(res, 404, notFound('releases#get-the-latest-release'));
      }
      if ((m = /^\/tags\/(.+)$/.exec(p.slice(apiPrefix.length))) && p.startsWith(apiPrefix)) {
        if (apiFault(res)) return;
        const r = releases.find((x) => x.tag === decodeURIComponent(m[1]) && !x.draft);
        return r
          ? json(res, 200, releaseJson(base, repo, r, faults))
          : json(res, 404, notFound('releases#get-a-release-by-tag-name'));
      }
      if ((m = /^\/assets\/(\d+)$/.exec(p.slice(apiPrefix.length))) && p.startsWith(apiPrefix)) {
        const found = findAsset((_, a) => a.id === Number(m[1]));
        if (!found) return json(res, 404, notFound('assets#get-a-release-asset'));
        if (/application\/octet-stream/.test(req.headers.accept ?? '')) {
          res.writeHead(302, {
            location: `${base}${objectPath(found.asset.id, found.asset.name)}`,
            'content-length': 0,
          });
          return res.end();
        }
        return json(res, 200, assetJson(base, repo, found.release, found.asset, faults));
      }
      const dl = `/${repo}/releases/download/`;
      if (p.startsWith(dl)) {
        const found = findAsset((r, a) => downloadPath(repo, r.tag, a.name) === p);
        if (!found) return res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
        res.writeHead(302, { location: `${base}${objectPath(found.asset.id, found.asset.name)}`, 'content-length': 0 });
        return res.end();
      }
      if ((m = /^\/objects\/github-production-release-asset\/(\d+)\/[^/]+$/.exec(p))) {
        const found = findAsset((_, a) => a.id === Number(m[1]));
        if (!found || !url.searchParams.get('X-Amz-Signature'))
          return res
            .writeHead(403, { 'content-type': 'application/xml' })
            .end('<Error><Code>AccessDenied</Code></Error>');
        return serveObject(req, res, found.asset);
      }
      json(res, 404, notFound('releases'));
    } catch (e) {
      log(`release emulator error: ${e?.stack ?? e}`);
      if (!res.headersSent) json(res, 500, { message: String(e) });
      else res.destroy();
    }
  });
  const listening = await listen(server, port, host);
  base = listening.url;
  const { close } = listening;
  return {
    /** The API base: what DEEPLOCAL_RELEASE_ENDPOINT is set to. */
    url: base,
    port: listening.port,
    repo,
    /** The releases as served: { tag, id, publishedAt, assets: [{ name, size, sha256, id, path | data }] }. */
    releases: () => releases,
    async addRelease(spec) {
      const r = await buildRelease(spec, releases.length);
      releases.push(r);
      return r;
    },
    setFaults(list) {
      faults = list.map((f) => ({ ...f }));
    },
    addFault(f) {
      faults.push({ ...f });
    },
    clearFaults() {
      faults = [];
    },
    faults: () => faults,
    stats,
    stop: close,
    close,
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      release: { type: 'string', multiple: true, default: [] },
    },
  });
  // --release v0.5.0=DIR (every file in DIR is an asset of that tag)
  const releases = values.release.map((s) => {
    const [tag, dir] = s.split('=');
    return { tag, assetsDir: dir };
  });
  const emu = await startReleaseEmulator({
    releases,
    port: Number(values.port),
    host: values.host,
    log: (m) => console.error(m),
  });
  console.log(`release emulator: ${emu.url} (DEEPLOCAL_RELEASE_ENDPOINT=${emu.url})`);
  const stop = () => emu.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
