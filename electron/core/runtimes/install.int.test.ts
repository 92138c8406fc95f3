/**
 * installRelease for real: the release stand-in (scripts/release-emulator: GitHub's JSON, the download redirect,
 * Range) serves archives built here from our llama-server build — the release workflow's own tar command, a zip,
 * and hostile ones — and the app's downloader fetches them. After every failure nothing is left in runtimes/ but,
 * after a cancel, the resumable download.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReleaseEmulator, type ReleaseEmulator } from '../../../scripts/release-emulator/server.mjs';
import { AppError } from '../../shared/errors';
import { tmpDir } from '../../test/helpers';
import { tarGz, type FixtureEntry } from './archive-fixtures';
import { pickAssets } from './assets';
import { installRelease, type InstallProgress, type InstallReleaseOptions } from './install';
import { fetchRelease } from './release-feed';
import { hashTree, RuntimeStore } from './store';

const SERVER = path.resolve('resources/bin/linux-x64-cpu/llama-server');
const REPO = 'ggml-org/llama.cpp';
const work = tmpDir('dl-install-');
let emu: ReleaseEmulator;
let serverBytes: Buffer;
const assetsDir = path.join(work, 'assets');

/** build/bin of a release job: llama-server and a shared library with its SONAME link chain. */
function buildBin(): string {
  const bin = path.join(work, 'build-bin');
  fs.mkdirSync(bin, { recursive: true });
  fs.copyFileSync(SERVER, path.join(bin, 'llama-server'));
  fs.chmodSync(path.join(bin, 'llama-server'), 0o755);
  fs.writeFileSync(path.join(bin, 'libggml-base.so.0.0.1'), 'library bytes');
  fs.symlinkSync('libggml-base.so.0.0.1', path.join(bin, 'libggml-base.so.0'));
  fs.symlinkSync('libggml-base.so.0', path.join(bin, 'libggml-base.so'));
  return bin;
}

/** `tar -czvf … --transform "s,^\.,llama-<tag>," -C ./build/bin .` as in release.yml. */
function releaseTarball(tag: string, name: string, bin: string): string {
  const out = path.join(assetsDir, name);
  execFileSync('tar', ['-czf', out, '--transform', `s,^\\.,llama-${tag},`, '-C', bin, '.']);
  return out;
}

function fixture(name: string, entries: FixtureEntry[]): string {
  const out = path.join(assetsDir, name);
  fs.writeFileSync(out, tarGz(entries));
  return out;
}

async function serve(tag: string, assets: { name: string; path: string }[]) {
  await emu.addRelease({ tag, assets });
  return fetchRelease({ endpoint: emu.url, repo: REPO, tag, fetch });
}

function options(
  dataDir: string,
  release: { tag: string; assets: InstallReleaseOptions['assets'] },
  over: Partial<InstallReleaseOptions> = {},
): InstallReleaseOptions {
  return {
    dataDir,
    release,
    assets: release.assets,
    variant: 'cpu',
    platform: 'linux',
    arch: 'x64',
    fetch,
    signal: new AbortController().signal,
    tuning: { backoffBaseMs: 10, backoffMaxMs: 50, maxRetries: 2, checkpointMs: 50 },
    ...over,
  };
}

async function failure(p: Promise<unknown>): Promise<AppError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(AppError);
  return e as AppError;
}

/** What is left under runtimes/, '/'-separated, the (empty) downloads folder aside. */
function leftovers(dataDir: string): string[] {
  const root = path.join(dataDir, 'runtimes');
  if (!fs.existsSync(root)) return [];
  return (fs.readdirSync(root, { recursive: true }) as string[]).filter((p) => p !== '.downloads').sort();
}

beforeAll(async () => {
  fs.mkdirSync(assetsDir, { recursive: true });
  serverBytes = fs.readFileSync(SERVER);
  emu = await startReleaseEmulator({ releases: [] });
});
afterAll(async () => {
  await emu?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

describe('installRelease', () => {
  it('installs the release tarball: llama-server at the top, runnable, every file hashed, downloads gone', async () => {
    const tag = 'b7001';
    const name = `llama-${tag}-bin-ubuntu-x64.tar.gz`;
    const release = await serve(tag, [{ name, path: releaseTarball(tag, name, buildBin()) }]);
    const picked = pickAssets(release, 'linux', 'x64', 'cpu');
    expect(picked?.assets.map((a) => a.name)).toEqual([name]);
    const dataDir = tmpDir('dl-inst-good-');
    const progress: InstallProgress[] = [];
    const rt = await installRelease(
      options(dataDir, { tag, assets: picked!.assets }, { onProgress: (p) => progress.push({ ...p }) }),
    );

    expect(rt).toMatchObject({ id: `${tag}-cpu`, tag, source: 'release', variant: 'cpu', serverPath: 'llama-server' });
    expect(rt.assets).toEqual([{ name, size: release.assets[0]!.size, sha256: release.assets[0]!.sha256 }]);
    expect(rt.files.map((f) => f.path)).toEqual([
      'libggml-base.so',
      'libggml-base.so.0',
      'libggml-base.so.0.0.1',
      'llama-server',
    ]);
    expect(fs.readFileSync(rt.server).equals(serverBytes)).toBe(true);
    expect(
      execFileSync(rt.server, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }),
    ).toBeDefined();
    expect(fs.readlinkSync(path.join(rt.dir, 'libggml-base.so'))).toBe('libggml-base.so.0');
    // Hashed as unpacked, in one pass: the same list a fresh walk of the installed folder gives.
    expect(rt.files).toEqual(await hashTree(rt.dir));

    const store = new RuntimeStore(dataDir);
    expect((await store.list()).map((r) => r.id)).toEqual([`${tag}-cpu`]);
    expect(await store.verifyFiles(rt.id)).toBeNull();
    expect(leftovers(dataDir).filter((p) => !p.startsWith(`${tag}-cpu`))).toEqual([]);
    expect(fs.readdirSync(store.downloads)).toEqual([]);

    const phases = [...new Set(progress.map((p) => p.phase))];
    expect(phases).toEqual(['download', 'verify', 'unpack']);
    const last = progress.filter((p) => p.phase === 'download').at(-1)!;
    expect(last.receivedBytes).toBe(release.assets[0]!.size);
    expect(last.totalBytes).toBe(release.assets[0]!.size);
  });

  it('installs a CUDA build: the cudart archive unpacks beside llama-server', async () => {
    const tag = 'b7002';
    const main = `llama-${tag}-bin-ubuntu-cuda-12.8-x64.tar.gz`;
    const cudart = `cudart-llama-${tag}-bin-ubuntu-cuda-12.8-x64.tar.gz`;
    const cudartDir = path.join(work, 'cudart');
    fs.mkdirSync(cudartDir, { recursive: true });
    fs.writeFileSync(path.join(cudartDir, 'libcudart.so.12'), 'cuda runtime');
    // A name the main archive has too: its copy stays, and the manifest lists that one.
    fs.writeFileSync(path.join(cudartDir, 'libggml-base.so.0.0.1'), 'not the main archive copy');
    const cudartFile = path.join(assetsDir, cudart);
    // release.yml: --transform "s,^\.,cudart-llama-<tag>-bin-ubuntu-cuda-<v>-<arch>,"
    execFileSync('tar', [
      '-czf',
      cudartFile,
      '--transform',
      `s,^\\.,${cudart.replace('.tar.gz', '')},`,
      '-C',
      cudartDir,
      '.',
    ]);
    const release = await serve(tag, [
      { name: main, path: releaseTarball(tag, main, path.join(work, 'build-bin')) },
      { name: cudart, path: cudartFile },
    ]);
    const picked = pickAssets(release, 'linux', 'x64', 'cuda-12')!;
    const dataDir = tmpDir('dl-inst-cuda-');
    const rt = await installRelease(options(dataDir, { tag, assets: picked.assets }, { variant: 'cuda-12' }));
    expect(rt.id).toBe(`${tag}-cuda-12`);
    expect(fs.readFileSync(path.join(rt.dir, 'libcudart.so.12'), 'utf8')).toBe('cuda runtime');
    expect(rt.files.map((f) => f.path)).toContain('libcudart.so.12');
    expect(fs.readFileSync(path.join(rt.dir, 'libggml-base.so.0.0.1'), 'utf8')).toBe('library bytes');
    expect(rt.files).toEqual(await hashTree(rt.dir));
    expect(await new RuntimeStore(dataDir).verifyFiles(rt.id)).toBeNull();
    expect(rt.assets.map((a) => a.name)).toEqual([main, cudart]);
  });

  it('a digest mismatch deletes the download and installs nothing', async () => {
    const tag = 'b7003';
    const name = `llama-${tag}-bin-ubuntu-x64.tar.gz`;
    await emu.addRelease({ tag, assets: [{ name, path: releaseTarball(tag, name, path.join(work, 'build-bin')) }] });
    emu.setFaults([{ kind: 'digest-mismatch', asset: name }]);
    const release = await fetchRelease({ endpoint: emu.url, repo: REPO, tag, fetch });
    emu.clearFaults();
    const dataDir = tmpDir('dl-inst-digest-');
    const e = await failure(installRelease(options(dataDir, release)));
    expect(e.code).toBe('RUNTIME_DIGEST_MISMATCH');
    expect(e.params).toMatchObject({ asset: name, expected: release.assets[0]!.sha256 });
    expect(leftovers(dataDir)).toEqual([]);
  });

  it('an asset with no digest and no pinned hash is not downloaded; with a pinned hash it installs', async () => {
    const tag = 'b7004';
    const name = `llama-${tag}-bin-ubuntu-x64.tar.gz`;
    const file = releaseTarball(tag, name, path.join(work, 'build-bin'));
    const served = await emu.addRelease({ tag, assets: [{ name, path: file }] });
    emu.setFaults([{ kind: 'no-digest' }]);
    const release = await fetchRelease({ endpoint: emu.url, repo: REPO, tag, fetch });
    emu.clearFaults();
    expect(release.assets[0]!.sha256).toBeNull();
    const dataDir = tmpDir('dl-inst-nodigest-');
    const before = emu.stats.bytesServed;
    const e = await failure(installRelease(options(dataDir, release)));
    expect(e.code).toBe('RUNTIME_UNVERIFIABLE');
    expect(emu.stats.bytesServed).toBe(before);
    expect(leftovers(dataDir)).toEqual([]);

    const pinned = { [name]: served.assets[0]!.sha256 };
    const rt = await installRelease(options(dataDir, release, { pinned }));
    expect(rt.assets[0]!.sha256).toBe(served.assets[0]!.sha256);
  });

  const unsafeCases: [string, FixtureEntry[], string, string][] = [
    ['a ../ entry', [{ path: '../escaped-by-test', data: 'x' }], 'RUNTIME_ARCHIVE_UNSAFE', '../escaped-by-test'],
    [
      'an absolute entry',
      [{ path: '/tmp/dl-install-abs', data: 'x' }],
      'RUNTIME_ARCHIVE_UNSAFE',
      '/tmp/dl-install-abs',
    ],
    [
      'a symlink leaving the folder',
      [{ path: 'llama-x/libggml.so', type: 'SymbolicLink', linkpath: '../../../../etc/passwd' }],
      'RUNTIME_ARCHIVE_UNSAFE',
      'llama-x/libggml.so',
    ],
  ];

  it.each(unsafeCases)('refuses an archive with %s and leaves nothing', async (_n, bad, code, entry) => {
    const tag = `b71${unsafeCases.findIndex((c) => c[3] === entry)}`;
    const name = `llama-${tag}-bin-ubuntu-x64.tar.gz`;
    const file = fixture(name, [
      { path: 'llama-x/', type: 'Directory' },
      { path: 'llama-x/llama-server', data: serverBytes, mode: 0o755 },
      ...bad,
    ]);
    const release = await serve(tag, [{ name, path: file }]);
    const dataDir = tmpDir('dl-inst-unsafe-');
    const e = await failure(installRelease(options(dataDir, release)));
    expect(e.code).toBe(code);
    expect(e.params).toMatchObject({ asset: name, entry });
    expect(leftovers(dataDir)).toEqual([]);
    expect(fs.existsSync('/tmp/dl-install-abs')).toBe(false);
    expect(fs.existsSync(path.join(dataDir, 'escaped-by-test'))).toBe(false);
  });

  it('refuses a truncated archive (its digest matches the truncated bytes) and leaves nothing', async () => {
    const tag = 'b7005';
    const name = `llama-${tag}-bin-ubuntu-x64.tar.gz`;
    const whole = fs.readFileSync(releaseTarball(tag, name, path.join(work, 'build-bin')));
    fs.writeFileSync(path.join(assetsDir, name), whole.subarray(0, whole.length >> 1));
    const release = await serve(tag, [{ name, path: path.join(assetsDir, name) }]);
    const dataDir = tmpDir('dl-inst-trunc-');
    const e = await failure(installRelease(options(dataDir, release)));
    expect(e.code).toBe('RUNTIME_ARCHIVE_BAD');
    expect(e.params).toMatchObject({ asset: name });
    expect(leftovers(dataDir)).toEqual([]);
  });

  it('a cancel keeps only the resumable download; the next install resumes it', async () => {
    const tag = 'b7006';
    const name = `llama-${tag}-bin-ubuntu-x64.tar.gz`;
    const release = await serve(tag, [{ name, path: releaseTarball(tag, name, path.join(work, 'build-bin')) }]);
    const size = release.assets[0]!.size;
    emu.setFaults([{ kind: 'rate', file: name, bytesPerSecond: Math.ceil(size / 4) }]);
    const dataDir = tmpDir('dl-inst-resume-');
    const ac = new AbortController();
    let abortedAt = 0;
    const first = installRelease(
      options(dataDir, release, {
        signal: ac.signal,
        onProgress: (p) => {
          if (p.phase === 'download' && p.receivedBytes > size / 4 && !ac.signal.aborted) {
            abortedAt = p.receivedBytes;
            ac.abort(new Error('cancelled by the test'));
          }
        },
      }),
    );
    await expect(first).rejects.toThrow('cancelled by the test');
    expect(abortedAt).toBeGreaterThan(0);
    expect(leftovers(dataDir)).toEqual([`.downloads/${name}.partial`, `.downloads/${name}.partial.json`]);

    emu.clearFaults();
    const servedBefore = emu.stats.bytesServed;
    const rt = await installRelease(options(dataDir, release));
    const fetchedAgain = emu.stats.bytesServed - servedBefore;
    expect(fetchedAgain).toBeLessThan(size);
    expect(fetchedAgain).toBeLessThanOrEqual(size - abortedAt + (1 << 20));
    expect(fs.readFileSync(rt.server).equals(serverBytes)).toBe(true);
    expect(leftovers(dataDir).filter((p) => !p.startsWith(rt.id))).toEqual([]);
  });
});
