// The release stand-in itself: GitHub-shaped JSON, the download redirect, Range, digests that match the bytes
// served, the serve-time faults, and archives laid out like the official ones (made by make-assets from a small
// build folder, so this needs no llama.cpp build).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { list } from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeReleaseAssets, type MadeAsset } from './make-assets.mjs';
import { startReleaseEmulator, type ReleaseEmulator } from './server.mjs';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const nth = <T>(xs: readonly T[], i: number): T => {
  const v = xs[i];
  if (v === undefined) throw new Error(`no item ${i} in a list of ${xs.length}`);
  return v;
};

interface AssetJson {
  name: string;
  size: number;
  digest: string | null;
  state: string;
  content_type: string;
  browser_download_url: string;
  url: string;
}
interface ReleaseJson {
  tag_name: string;
  name: string;
  draft: boolean;
  prerelease: boolean;
  assets: AssetJson[];
}

let tmp: string;
let made: MadeAsset[];
let emu: ReleaseEmulator;

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'release-emu-'));
  const build = path.join(tmp, 'build');
  fs.mkdirSync(build);
  // A build folder's shape: executables plus our build.json (which must not be packed).
  fs.writeFileSync(path.join(build, 'llama-server'), '#!/bin/sh\necho stand-in\n', { mode: 0o755 });
  fs.writeFileSync(path.join(build, 'llama-bench'), Buffer.alloc(300_000, 7), { mode: 0o755 });
  fs.writeFileSync(path.join(build, 'build.json'), JSON.stringify({ key: 'test-build-key' }));
  const opts = { builds: { cpu: build }, cacheDir: path.join(tmp, 'cache') };
  made = [
    ...(await makeReleaseAssets({ ...opts, tag: 'v0.5.0', variants: ['cpu', 'cuda-12'] })).assets,
    ...(await makeReleaseAssets({ ...opts, tag: 'v0.5.1', variants: ['cpu'], broken: { cpu: 'traversal' } })).assets,
  ];
  emu = await startReleaseEmulator({
    releases: [
      { tag: 'v0.5.0', assets: made.filter((a) => a.name.includes('v0.5.0')) },
      { tag: 'v0.5.1', assets: made.filter((a) => a.name.includes('v0.5.1')) },
    ],
  });
});
afterAll(async () => {
  await emu?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const getJson = async <T>(p: string) => {
  const r = await fetch(`${emu.url}${p}`);
  return { status: r.status, body: (await r.json()) as T, headers: r.headers };
};

describe('release emulator', () => {
  it('names and lays out archives like the official release', async () => {
    expect(made.map((a) => a.name)).toEqual([
      'llama-v0.5.0-bin-ubuntu-x64.tar.gz',
      'llama-v0.5.0-bin-ubuntu-cuda-12.8-x64.tar.gz',
      'cudart-llama-v0.5.0-bin-ubuntu-cuda-12.8-x64.tar.gz',
      'llama-v0.5.1-bin-ubuntu-x64.tar.gz',
    ]);
    const entries: string[] = [];
    await list({ file: nth(made, 0).path, onReadEntry: (e) => entries.push(e.path) });
    expect(entries.filter((e) => !e.endsWith('LICENSE'))).toEqual([
      'llama-v0.5.0/',
      'llama-v0.5.0/llama-bench',
      'llama-v0.5.0/llama-server',
    ]);
    const hostile: string[] = [];
    await list({ file: nth(made, 3).path, onReadEntry: (e) => hostile.push(e.path) });
    expect(hostile).toContain('../llama-escape.txt');
  });

  it('serves a release by tag, the latest and the list in the GitHub shape', async () => {
    const byTag = await getJson<ReleaseJson>('/repos/ggml-org/llama.cpp/releases/tags/v0.5.0');
    expect(byTag.status).toBe(200);
    expect(byTag.body.tag_name).toBe('v0.5.0');
    expect(byTag.body.assets).toHaveLength(3);
    const a = nth(byTag.body.assets, 0);
    expect(a).toMatchObject({
      name: nth(made, 0).name,
      size: nth(made, 0).size,
      state: 'uploaded',
      content_type: 'application/gzip',
    });
    expect(a.digest).toBe(`sha256:${nth(made, 0).sha256}`);
    expect(new URL(a.browser_download_url).pathname).toBe(
      '/ggml-org/llama.cpp/releases/download/v0.5.0/llama-v0.5.0-bin-ubuntu-x64.tar.gz',
    );
    const latest = await getJson<ReleaseJson>('/repos/ggml-org/llama.cpp/releases/latest');
    expect(latest.body.tag_name).toBe('v0.5.1');
    const all = await getJson<ReleaseJson[]>('/repos/ggml-org/llama.cpp/releases?per_page=1');
    expect(all.body.map((r) => r.tag_name)).toEqual(['v0.5.1']);
    expect(all.headers.get('link')).toMatch(/page=2>; rel="next"/);
    const missing = await getJson<{ message: string }>('/repos/ggml-org/llama.cpp/releases/tags/v9.9.9');
    expect(missing.status).toBe(404);
    expect(missing.body.message).toBe('Not Found');
  });

  it('redirects a download to the object store, whose bytes match the published digest, with Range', async () => {
    const { body } = await getJson<ReleaseJson>('/repos/ggml-org/llama.cpp/releases/tags/v0.5.0');
    const asset = nth(body.assets, 0);
    const hop = await fetch(asset.browser_download_url, { redirect: 'manual' });
    expect(hop.status).toBe(302);
    const location = hop.headers.get('location') ?? '';
    expect(location).toMatch(/\/objects\/github-production-release-asset\/\d+\/.+X-Amz-Signature=/);
    const full = Buffer.from(await (await fetch(asset.browser_download_url)).arrayBuffer());
    expect(full.length).toBe(asset.size);
    expect(`sha256:${sha256(full)}`).toBe(asset.digest);
    const part = await fetch(location, { headers: { range: 'bytes=100-299' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-299/${asset.size}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(full.subarray(100, 300))).toBe(true);
    const beyond = await fetch(location, { headers: { range: `bytes=${asset.size}-` } });
    expect(beyond.status).toBe(416);
  });

  it('publishes a wrong digest, no digest, or fewer bytes than the size under faults', async () => {
    const name = nth(made, 0).name;
    emu.setFaults([
      { kind: 'digest-mismatch', asset: name },
      { kind: 'no-digest', asset: 'cudart-' },
    ]);
    let { body } = await getJson<ReleaseJson>('/repos/ggml-org/llama.cpp/releases/tags/v0.5.0');
    expect(nth(body.assets, 0).digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(nth(body.assets, 0).digest).not.toBe(`sha256:${nth(made, 0).sha256}`);
    expect(nth(body.assets, 2).digest).toBeNull();
    expect(nth(body.assets, 1).digest).toBe(`sha256:${nth(made, 1).sha256}`);

    emu.setFaults([{ kind: 'truncated', asset: name, at: 1000 }]);
    ({ body } = await getJson<ReleaseJson>('/repos/ggml-org/llama.cpp/releases/tags/v0.5.0'));
    expect(nth(body.assets, 0).size).toBe(nth(made, 0).size);
    const got = Buffer.from(await (await fetch(nth(body.assets, 0).browser_download_url)).arrayBuffer());
    expect(got.length).toBe(1000);
    const rest = await fetch(nth(body.assets, 0).browser_download_url, { headers: { range: 'bytes=1000-' } });
    expect(rest.status).toBe(416);
    emu.clearFaults();
  });

  it('reuses cached assets for the same build and remakes them when the build changes', async () => {
    const build = path.join(tmp, 'build');
    const cacheDir = path.join(tmp, 'cache');
    const again = await makeReleaseAssets({ builds: { cpu: build }, cacheDir, tag: 'v0.5.0', variants: ['cpu'] });
    expect(nth(again.assets, 0).path).toBe(nth(made, 0).path);
    fs.writeFileSync(path.join(build, 'build.json'), JSON.stringify({ key: 'another-build' }));
    const changed = await makeReleaseAssets({ builds: { cpu: build }, cacheDir, tag: 'v0.5.0', variants: ['cpu'] });
    expect(nth(changed.assets, 0).path).not.toBe(nth(made, 0).path);
    const skipped = await makeReleaseAssets({
      builds: { cpu: build, vulkan: path.join(tmp, 'none') },
      cacheDir,
      variants: ['vulkan'],
    });
    expect(skipped.assets).toEqual([]);
    expect(nth(skipped.skipped, 0).variant).toBe('vulkan');
  });
});
