/**
 * The segment downloader against the hub emulator over real HTTP, one test per fault the issue names: dropped
 * connection, stall, 500, 429 + Retry-After, truncated body, wrong bytes, slow link, plus short ranges, failover to
 * another endpoint mid-file, pause/resume (warm and cold), network loss, ENOSPC and size mismatch. Every download
 * either completes with the right SHA-256 or fails with a typed error — never a wrong file.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startHubEmulator, type Fault } from '../../../scripts/hub-emulator/server.mjs';
import { AppError } from '../../shared/errors';
import type { EndpointInfo } from '../../shared/models';
import { FileDownload } from './downloader';
import { downloadUrl } from './hubs';
import { openPartialFile, type PartialFile } from './partial-file';
import { SourcePool, type DownloadSource } from './sources';
import type { DownloadTuning } from './tuning';

type Emu = Awaited<ReturnType<typeof startHubEmulator>>;

const SIZE = 4 * 1024 * 1024 + 12345;
const SEG = 256 * 1024;
const data = randomBytes(SIZE);
const sha = createHash('sha256').update(data).digest('hex');
const REPO = 'test/dl-GGUF';
const FILE = 'model-Q4_K_M.gguf';
const SMALL = 'small-Q8_0.gguf';
const small = randomBytes(400_000);
const smallSha = createHash('sha256').update(small).digest('hex');
// The last segment is 100 bytes: its block comes from Node's shared Buffer pool and must be copied, not transferred.
const ODD = 'odd-Q4_0.gguf';
const odd = randomBytes(4 * 256 * 1024 + 100);
const oddSha = createHash('sha256').update(odd).digest('hex');

// All connections at once (no ramp-up), so the fault tests run with segments in parallel; the ramp has its own tests.
const tuning: Partial<DownloadTuning> = {
  connections: 4,
  enoughPerConnection: null,
  segmentBytes: SEG,
  stallMs: 400,
  backoffBaseMs: 10,
  backoffMaxMs: 100,
  maxRetries: 4,
  failoverAfter: 3,
  checkpointMs: 20,
};

let emu: Emu;
let dir: string;
beforeAll(async () => {
  emu = await startHubEmulator();
  await emu.addRepo({
    id: REPO,
    files: [
      { path: FILE, data },
      { path: SMALL, data: small },
      { path: ODD, data: odd },
    ],
  });
});
afterAll(async () => {
  await emu.close();
});
afterEach(() => {
  emu.clearFaults();
  emu.resetStats();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const hf = (url = emu.url): EndpointInfo => ({ id: 'huggingface', hub: 'huggingface', url });
const ms = (url = emu.url): EndpointInfo => ({ id: 'modelscope', hub: 'modelscope', url });
const src = (ep: EndpointInfo, file = FILE): DownloadSource => ({
  endpoint: ep,
  url: downloadUrl(ep, REPO, ep.hub === 'modelscope' ? 'master' : 'main', file),
});

function setup(
  opts: {
    file?: string;
    sources?: DownloadSource[];
    tuning?: Partial<DownloadTuning>;
    size?: number;
    openPartial?: (f: string) => Promise<PartialFile>;
    signal?: AbortSignal;
    warm?: FileDownload['warm'];
    switched?: string[];
  } = {},
) {
  dir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'dl-down-'));
  if (!fs.existsSync(dir)) fs.mkdirSync(dir, { recursive: true });
  const file = opts.file ?? FILE;
  const partialPath = path.join(dir, `${file}.partial`);
  const pool = new SourcePool(opts.sources ?? [src(hf(), file)], null, (s) => opts.switched?.push(s.endpoint.id));
  const logs: string[] = [];
  const d = new FileDownload(
    {
      label: file,
      size: opts.size ?? (file === SMALL ? small.length : file === ODD ? odd.length : SIZE),
      sha256: file === SMALL ? smallSha : file === ODD ? oddSha : sha,
      partialPath,
      sidecarPath: `${partialPath}.json`,
      note: REPO,
    },
    { ...tuning, ...opts.tuning },
    {
      fetch: globalThis.fetch,
      log: (m) => logs.push(m),
      ...(opts.openPartial ? { openPartial: opts.openPartial } : {}),
    },
    pool,
    { signal: opts.signal ?? new AbortController().signal, warm: opts.warm ?? null },
  );
  return { d, partialPath, logs };
}

async function expectComplete(d: FileDownload, partialPath: string) {
  const r = await d.run();
  expect(r.sha256).toBe(sha);
  expect(createHash('sha256').update(fs.readFileSync(partialPath)).digest('hex')).toBe(sha);
  return r;
}

async function expectError(p: Promise<unknown>, code: string): Promise<AppError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e, 'expected a failure').toBeInstanceOf(AppError);
  expect((e as AppError).code).toBe(code);
  return e as AppError;
}

describe('FileDownload', () => {
  it('downloads in parallel segments, hashing on the way: each byte fetched once, none read back', async () => {
    const { d, partialPath } = setup();
    const r = await expectComplete(d, partialPath);
    expect(emu.stats.bytesServed).toBe(SIZE);
    expect(r.diskBytesRead).toBe(0);
    // Several connections were used (ranges of different segments).
    const ranges = emu.stats.requests.filter((q) => q.range).map((q) => q.range);
    expect(new Set(ranges).size).toBeGreaterThanOrEqual(Math.ceil(SIZE / SEG));
  });

  it('a fast link stays on one connection: segments one after another', async () => {
    // Every rate is "enough" here, as loopback or a LAN mirror would be with the default 200 MB/s.
    const { d, partialPath, logs } = setup({ tuning: { enoughPerConnection: 1, rampEveryMs: 20 } });
    await expectComplete(d, partialPath);
    expect(logs.filter((l) => /\d connections/.test(l))).toEqual([]);
    expect(emu.stats.bytesServed).toBe(SIZE);
  });

  it('a slow link opens one more connection per interval, up to the most allowed', async () => {
    // 1 MB/s per response: each connection stays far below "enough".
    emu.setFaults([{ kind: 'rate', bytesPerSecond: 1_000_000 }]);
    const { d, partialPath, logs } = setup({ tuning: { enoughPerConnection: 100e6, rampEveryMs: 150 } });
    await expectComplete(d, partialPath);
    const ramp = logs.filter((l) => /\d connections/.test(l)).map((l) => Number(/(\d) connections/.exec(l)![1]));
    expect(ramp).toEqual([2, 3, 4]);
    expect(emu.stats.bytesServed).toBe(SIZE);
  });

  it('a file whose last segment is a few bytes long (small blocks, copied to the hash thread)', async () => {
    const { d, partialPath } = setup({ file: ODD });
    const r = await d.run();
    expect(r.sha256).toBe(oddSha);
    expect(fs.readFileSync(partialPath).equals(odd)).toBe(true);
  });

  it('follows the resolve redirect to the CDN and keeps the Range header', async () => {
    const { d, partialPath } = setup({ tuning: { connections: 1 } });
    await expectComplete(d, partialPath);
    const cdn = emu.stats.requests.filter((q) => q.path.startsWith('/cdn/'));
    expect(cdn.length).toBeGreaterThan(1);
    expect(cdn.every((q) => q.range?.startsWith('bytes='))).toBe(true);
  });

  it('ModelScope: the repo API serves Range directly', async () => {
    const { d, partialPath } = setup({ sources: [src(ms())] });
    await expectComplete(d, partialPath);
    expect(emu.stats.requests.some((q) => q.path.startsWith('/api/v1/models/'))).toBe(true);
  });

  it.each<{ name: string; fault: Fault }>([
    { name: 'connection dropped mid-file', fault: { kind: 'drop', at: 1_500_000 } },
    { name: 'truncated body (clean close before Content-Length)', fault: { kind: 'truncate', at: 2_000_000 } },
    { name: 'HTTP 500 twice', fault: { kind: 'status', status: 500, times: 2 } },
    { name: 'short 206 ranges', fault: { kind: 'short', at: 600_000, times: 3 } },
    { name: '500 at the resolve step', fault: { kind: 'status', status: 500, stage: 'resolve', times: 2 } },
  ])('recovers from: $name', async ({ fault }) => {
    emu.setFaults([fault]);
    const { d, partialPath } = setup();
    await expectComplete(d, partialPath);
    expect(emu.faults()[0]!.fired).toBeGreaterThan(0);
    // Only the interrupted segment's remainder is fetched again.
    expect(emu.stats.bytesServed).toBeLessThanOrEqual(SIZE + SEG);
  });

  it('a stall is retried after stallMs without using up a retry', async () => {
    emu.setFaults([{ kind: 'stall', at: 1_000_000, ms: 5000 }]);
    // No retries allowed at all: only a retry that does not count can save this download.
    const { d, partialPath, logs } = setup({ tuning: { maxRetries: 0 } });
    const t0 = Date.now();
    await expectComplete(d, partialPath);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(400);
    expect(logs.some((l) => /no bytes for 400 ms/.test(l))).toBe(true);
  });

  it('429 waits for Retry-After before asking again', async () => {
    emu.setFaults([{ kind: 'status', status: 429, retryAfter: 1, times: 1 }]);
    const { d, partialPath, logs } = setup({ tuning: { connections: 1 } });
    const t0 = Date.now();
    await expectComplete(d, partialPath);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    expect(logs.some((l) => /asks to wait 1000 ms/.test(l))).toBe(true);
  });

  it('wrong bytes: fails DOWNLOAD_HASH_MISMATCH and discards the partial file', async () => {
    emu.setFaults([{ kind: 'corrupt', at: 3_000_000, length: 16 }]);
    const { d, partialPath } = setup();
    const e = await expectError(d.run(), 'DOWNLOAD_HASH_MISMATCH');
    expect(e.params?.expected).toBe(sha);
    expect(fs.existsSync(partialPath)).toBe(false);
    expect(fs.existsSync(`${partialPath}.json`)).toBe(false);
  });

  it('slow link: completes, at about the link speed', async () => {
    emu.setFaults([{ kind: 'rate', bytesPerSecond: 1_000_000, file: SMALL }]);
    // The rate applies per response; one connection makes the arithmetic plain.
    const { d, partialPath } = setup({ tuning: { connections: 1 }, file: SMALL });
    const t0 = Date.now();
    const r = await d.run();
    expect(r.sha256).toBe(smallSha);
    expect(fs.statSync(partialPath).size).toBe(small.length);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(350);
  });

  it('moves to another endpoint with the same SHA-256 when one keeps failing, into the same partial file', async () => {
    // Hugging Face's bytes fail halfway through every response; ModelScope serves the same file.
    emu.setFaults([
      { kind: 'drop', at: 2_500_000, hub: 'huggingface', times: Infinity },
      { kind: 'status', status: 502, hub: 'huggingface', times: Infinity, at: 2_600_000 },
    ]);
    const switched: string[] = [];
    const { d, partialPath } = setup({ sources: [src(hf()), src(ms())], switched });
    await expectComplete(d, partialPath);
    expect(switched).toEqual(['modelscope']);
    expect(emu.stats.requests.some((q) => q.path.startsWith('/api/v1/models/') && q.range)).toBe(true);
  });

  it('a source that does not have the file (404) is left at once', async () => {
    const missing: DownloadSource = { endpoint: hf(), url: `${emu.url}/${REPO}/resolve/main/nope.gguf` };
    const switched: string[] = [];
    const { d, partialPath } = setup({ sources: [missing, src(ms())], switched });
    await expectComplete(d, partialPath);
    expect(switched).toEqual(['modelscope']);
  });

  it('a server with another size for the file fails DOWNLOAD_SIZE_MISMATCH', async () => {
    const { d } = setup({ size: SIZE + 1 });
    await expectError(d.run(), 'DOWNLOAD_SIZE_MISMATCH');
  });

  it('pause and resume in the same process keeps the hash: nothing already hashed is read back', async () => {
    emu.setFaults([{ kind: 'rate', bytesPerSecond: 2_000_000 }]);
    const ac = new AbortController();
    const first = setup({ signal: ac.signal });
    setTimeout(() => ac.abort(new Error('pause')), 250);
    await expect(first.d.run()).rejects.toThrow('pause');
    const got = first.d.received;
    expect(got).toBeGreaterThan(0);
    expect(got).toBeLessThan(SIZE);
    expect(first.d.warm).not.toBeNull();
    emu.clearFaults();
    emu.resetStats();
    const second = setup({ warm: first.d.warm });
    const r = await expectComplete(second.d, second.partialPath);
    // Re-fetched at most the unfinished tail of each segment that was in flight.
    expect(emu.stats.bytesServed).toBeLessThanOrEqual(SIZE - got + 4 * SEG);
    // Only bytes that were buffered for later segments at the pause are read back.
    expect(r.diskBytesRead).toBeLessThanOrEqual(3 * SEG);
  });

  it('cold resume (new process): reads the finished part once to rebuild the hash, fetches only the rest', async () => {
    emu.setFaults([{ kind: 'rate', bytesPerSecond: 2_000_000 }]);
    const ac = new AbortController();
    const first = setup({ signal: ac.signal });
    setTimeout(() => ac.abort(new Error('killed')), 250);
    await expect(first.d.run()).rejects.toThrow('killed');
    const sidecar = JSON.parse(fs.readFileSync(`${first.partialPath}.json`, 'utf8'));
    expect(sidecar.sha256).toBe(sha);
    emu.clearFaults();
    emu.resetStats();
    const second = setup();
    const r = await expectComplete(second.d, second.partialPath);
    expect(emu.stats.bytesServed).toBeLessThanOrEqual(SIZE - first.d.received + 4 * SEG);
    expect(r.diskBytesRead).toBeGreaterThan(0);
  });

  it('network loss: retries with backoff until the server is back', async () => {
    const port = emu.port;
    emu.setFaults([{ kind: 'rate', bytesPerSecond: 4_000_000 }]);
    const { d, partialPath } = setup({
      tuning: { maxRetries: 8, backoffBaseMs: 50, backoffMaxMs: 300, failoverAfter: 100 },
    });
    const run = d.run();
    await new Promise((r) => setTimeout(r, 300));
    await emu.close();
    await new Promise((r) => setTimeout(r, 400));
    emu = await startHubEmulator({ port });
    await emu.addRepo({ id: REPO, files: [{ path: FILE, data }] });
    const res = await run;
    expect(res.sha256).toBe(sha);
    expect(createHash('sha256').update(fs.readFileSync(partialPath)).digest('hex')).toBe(sha);
  });

  it('gives up with DOWNLOAD_FAILED after the retries, keeping the partial file for a later resume', async () => {
    emu.setFaults([{ kind: 'status', status: 503, times: Infinity, at: 0 }]);
    const { d, partialPath } = setup({ tuning: { maxRetries: 2 } });
    const e = await expectError(d.run(), 'DOWNLOAD_FAILED');
    expect(String(e.params?.reason)).toContain('503');
    expect(fs.existsSync(partialPath)).toBe(true);
    emu.clearFaults();
    await expectComplete(setup().d, partialPath);
  });

  it('ENOSPC stops at once with DOWNLOAD_DISK_FULL; the partial file resumes once there is space', async () => {
    let budget = 1_000_000;
    const full = async (f: string): Promise<PartialFile> => {
      const real = await openPartialFile(f);
      return {
        ...real,
        async write(buf, pos) {
          budget -= buf.length;
          if (budget < 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
          return real.write(buf, pos);
        },
      };
    };
    const first = setup({ openPartial: full });
    const t0 = Date.now();
    const e = await expectError(first.d.run(), 'DOWNLOAD_DISK_FULL');
    // At once: no retries, no backoff.
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(e.params?.needed).toBeDefined();
    const second = setup();
    await expectComplete(second.d, second.partialPath);
  });
});
