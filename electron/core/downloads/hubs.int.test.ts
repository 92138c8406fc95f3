/**
 * The hub API clients over real HTTP against the emulator: HF tree paging by Link header, LFS sha256 from lfs.oid and
 * from X-Linked-Etag (never the CDN's ETag), ModelScope's file API, error mapping, retries, and a probe that stays
 * within its time bound even when an endpoint accepts connections and never answers.
 */
import http from 'node:http';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHubEmulator, type HubEmulator } from '../../../scripts/hub-emulator/server.mjs';
import type { EndpointInfo } from '../../shared/models';
import { probeEndpoints } from './endpoints';
import { headFile, listRepoFiles, type HubHttp } from './hubs';

let emu: HubEmulator;
const files = Array.from({ length: 120 }, (_, i) => ({
  path: `dir${i % 3}/f${String(i).padStart(3, '0')}-Q4_K_M.gguf`,
  data: Buffer.from(`file ${i}`),
}));
const small = { path: 'README.md', data: Buffer.from('# readme\n') };
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const httpc: HubHttp = { fetch: globalThis.fetch, backoffBaseMs: 10, timeoutMs: 5000 };

beforeAll(async () => {
  emu = await startHubEmulator({ pageSize: 50 });
  await emu.addRepo({ id: 'o/many-GGUF', files: [...files, small] });
  await emu.addRepo({ id: 'o/gated-GGUF', gated: true, files: [small] });
});
afterAll(() => emu.close());

const hf = (): EndpointInfo => ({ id: 'huggingface', hub: 'huggingface', url: emu.url });
const ms = (): EndpointInfo => ({ id: 'modelscope', hub: 'modelscope', url: emu.url });

describe('listRepoFiles', () => {
  it('HF: follows Link rel=next through every page; sha256 from lfs.oid; non-LFS files have none', async () => {
    emu.resetStats();
    const r = await listRepoFiles(hf(), 'o/many-GGUF', 'main', httpc);
    expect(r.files.length).toBe(121);
    // 121 files + 3 directories = 124 entries, 50 per page.
    expect(emu.stats.requests.filter((q) => q.path.startsWith('/api/models/')).length).toBe(3);
    const f7 = r.files.find((f) => f.path === files[7]!.path)!;
    expect(f7).toEqual({ path: files[7]!.path, sizeBytes: files[7]!.data.length, sha256: sha(files[7]!.data) });
    expect(r.files.find((f) => f.path === 'README.md')!.sha256).toBeNull();
  });

  it('ModelScope: Data.Files with Sha256', async () => {
    const r = await listRepoFiles(ms(), 'o/many-GGUF', 'master', httpc);
    expect(r.files.length).toBe(121);
    expect(r.files.find((f) => f.path === 'README.md')!.sha256).toBe(sha(small.data));
  });

  it.each([
    ['HF unknown repo (401 RepoNotFound)', hf, 'o/nope', 'main', 'HUB_NOT_FOUND'],
    ['HF gated repo', hf, 'o/gated-GGUF', 'main', 'HUB_AUTH_REQUIRED'],
    ['HF unknown revision', hf, 'o/many-GGUF', 'v9', 'HUB_NOT_FOUND'],
    ['ModelScope unknown repo', ms, 'o/nope', 'master', 'HUB_NOT_FOUND'],
  ] as const)('%s → %s', async (_, ep, repo, rev, code) => {
    await expect(listRepoFiles(ep(), repo, rev, httpc)).rejects.toMatchObject({ code });
  });

  it('retries a 500 and a 429 with Retry-After', async () => {
    emu.setFaults([
      { kind: 'status', status: 500, stage: 'api', times: 1 },
      { kind: 'status', status: 429, retryAfter: 0, stage: 'api', times: 1 },
    ]);
    try {
      expect((await listRepoFiles(hf(), 'o/many-GGUF', 'main', { ...httpc, retries: 3 })).files.length).toBe(121);
    } finally {
      emu.clearFaults();
    }
  });

  it('an unreachable endpoint is HUB_UNREACHABLE naming it', async () => {
    await expect(
      listRepoFiles({ id: 'custom', hub: 'huggingface', url: 'http://127.0.0.1:9' }, 'o/r', 'main', {
        ...httpc,
        retries: 0,
      }),
    ).rejects.toMatchObject({ code: 'HUB_UNREACHABLE', params: { endpoint: 'http://127.0.0.1:9' } });
  });
});

describe('headFile', () => {
  it('reads X-Linked-Etag / X-Linked-Size / X-Repo-Commit from the resolve HEAD without following the redirect', async () => {
    const m = await headFile(hf(), 'o/many-GGUF', 'main', files[3]!.path, httpc);
    expect(m).toMatchObject({ sha256: sha(files[3]!.data), sizeBytes: files[3]!.data.length });
    expect(m.commit).toMatch(/^[0-9a-f]{40}$/);
    // The CDN's own ETag, after the redirect, is something else entirely.
    const cdn = await fetch(`${emu.url}/o/many-GGUF/resolve/main/${files[3]!.path}`, { method: 'HEAD' });
    expect(cdn.headers.get('etag')).not.toContain(sha(files[3]!.data));
  });

  it('a small non-LFS file has no sha256 (its ETag is a git blob id)', async () => {
    expect((await headFile(hf(), 'o/many-GGUF', 'main', 'README.md', httpc)).sha256).toBeNull();
  });

  it('a missing file is HUB_FILE_NOT_FOUND', async () => {
    await expect(headFile(hf(), 'o/many-GGUF', 'main', 'nope.gguf', httpc)).rejects.toMatchObject({
      code: 'HUB_FILE_NOT_FOUND',
    });
  });
});

describe('probeEndpoints', () => {
  it('measures the reachable ones and bounds the time spent on the rest', async () => {
    // A black hole: accepts connections, never answers.
    const hole = http.createServer(() => undefined);
    await new Promise<void>((r) => hole.listen(0, '127.0.0.1', r));
    const port = (hole.address() as { port: number }).port;
    try {
      const t0 = Date.now();
      const probes = await probeEndpoints(
        [
          hf(),
          { id: 'hf-mirror', hub: 'huggingface', url: `http://127.0.0.1:${port}` },
          { id: 'custom', hub: 'huggingface', url: 'http://127.0.0.1:9' },
        ],
        httpc,
        800,
      );
      expect(Date.now() - t0).toBeLessThan(2000);
      expect(probes.map((p) => p.ok)).toEqual([true, false, false]);
      expect(probes[0]!.latencyMs).toBeGreaterThanOrEqual(0);
      expect(probes[1]!.error).toMatch(/timed out|abort/i);
    } finally {
      hole.closeAllConnections();
      hole.close();
    }
  });
});
