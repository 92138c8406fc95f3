/**
 * Installs one official llama.cpp release runtime: downloads its archives with the resumable downloader (partial
 * files in `runtimes/.downloads/`, hashed as they arrive against the SHA-256 the release feed and our pin agree on),
 * unpacks each into the staging folder, merges them (the CUDA runtime libraries beside llama-server, where the
 * binaries' $ORIGIN rpath and Windows' DLL search find them), lists every file with the SHA-256 taken as it was
 * unpacked in the manifest and commits.
 *
 * What stays behind: after success, the runtime folder only. A digest mismatch deletes the download; a bad or unsafe
 * archive deletes the downloads and the staging folder; a cancel deletes the staging folder and keeps the downloads
 * (resumed next time, or unpacked straight away if complete). Speed and ETA are the caller's (downloads/speed.ts
 * over the receivedBytes reported here).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../shared/errors';
import type { EndpointInfo } from '../../shared/models';
import type { RuntimeFile, RuntimeManifest, RuntimeVariant } from '../../shared/runtimes';
import { FileDownload } from '../downloads/downloader';
import type { Fetch } from '../downloads/hubs';
import { SourcePool } from '../downloads/sources';
import type { DownloadTuning } from '../downloads/tuning';
import { unpackArchive } from './archive';
import type { ReleaseAsset } from './assets';
import { contentRoot, expectedSha256, findServer, placedFiles, releaseRuntimeId } from './install-plan';
import { TAG_PATTERN } from './release-parse';
import { MANIFEST_FILE, RuntimeStore, type InstalledRuntime } from './store';

export type InstallPhase = 'download' | 'verify' | 'unpack';

export interface InstallProgress {
  phase: InstallPhase;
  /** Bytes of all assets on disk so far (the download phase moves it; verify and unpack report the total). */
  receivedBytes: number;
  totalBytes: number;
}

export interface InstallReleaseOptions {
  dataDir: string;
  release: { tag: string };
  /** pickAssets(...).assets: the main archive first, then the CUDA runtime libraries where the variant has them. */
  assets: readonly ReleaseAsset[];
  variant: RuntimeVariant;
  platform: string;
  arch: string;
  fetch: Fetch;
  /** Asset name → SHA-256 from resources/backend-manifest.json (may be empty). */
  pinned?: Readonly<Record<string, string>>;
  signal: AbortSignal;
  onProgress?: (p: InstallProgress) => void;
  tuning?: Partial<DownloadTuning>;
  log?: (msg: string) => void;
  userAgent?: string;
  /** Hash downloads on a worker thread (default true). */
  hashInWorker?: boolean;
  now?: () => number;
}

const partialOf = (store: RuntimeStore, a: ReleaseAsset) => path.join(store.downloads, `${a.name}.partial`);
const sidecarOf = (partial: string) => `${partial}.json`;

async function removeDownload(store: RuntimeStore, a: ReleaseAsset): Promise<void> {
  const p = partialOf(store, a);
  await fs.rm(p, { force: true });
  await fs.rm(sidecarOf(p), { force: true });
}

/** A download failure in the words of the release feed (the downloader speaks of hubs). */
function asInstallError(e: unknown, a: ReleaseAsset, sha256: string): unknown {
  if (!(e instanceof AppError)) return e;
  const endpoint = (() => {
    try {
      return new URL(a.url).origin;
    } catch {
      return a.url;
    }
  })();
  switch (e.code) {
    case 'DOWNLOAD_HASH_MISMATCH':
      return new AppError('RUNTIME_DIGEST_MISMATCH', { asset: a.name, expected: sha256 }, e.message);
    case 'HUB_NOT_FOUND':
    case 'HUB_FILE_NOT_FOUND':
      return new AppError('RELEASE_UNREACHABLE', { endpoint, reason: `${a.name} is not there (HTTP 404)` }, e.message);
    case 'HUB_AUTH_REQUIRED':
      return new AppError('RELEASE_UNREACHABLE', { endpoint, reason: `${a.name}: access refused` }, e.message);
    case 'HUB_UNREACHABLE':
      return new AppError('RELEASE_UNREACHABLE', { endpoint, reason: String(e.params?.reason ?? e.message) });
    default:
      return e;
  }
}

/** Downloads every asset (sequentially; each with parallel segments), verified; returns the partial file paths. */
async function downloadAll(
  o: InstallReleaseOptions,
  store: RuntimeStore,
  hashes: string[],
  report: (p: InstallProgress) => void,
): Promise<string[]> {
  await fs.mkdir(store.downloads, { recursive: true });
  const total = o.assets.reduce((s, a) => s + a.size, 0);
  const files: string[] = [];
  let before = 0;
  for (const [i, a] of o.assets.entries()) {
    const partialPath = partialOf(store, a);
    const endpoint: EndpointInfo = { id: 'custom', hub: 'huggingface', url: new URL(a.url).origin };
    const fd = new FileDownload(
      {
        label: a.name,
        size: a.size,
        sha256: hashes[i]!,
        partialPath,
        sidecarPath: sidecarOf(partialPath),
        note: `llama.cpp ${o.release.tag}`,
      },
      o.tuning ?? {},
      { fetch: o.fetch, log: o.log, userAgent: o.userAgent, hashInWorker: o.hashInWorker },
      new SourcePool([{ endpoint, url: a.url }]),
      {
        signal: o.signal,
        onProgress: (n) => report({ phase: 'download', receivedBytes: before + n, totalBytes: total }),
      },
    );
    try {
      const r = await fd.run();
      // A complete, verified archive survives a cancel during the unpack: the next try goes straight there.
      if (!r.alreadyVerified) await fd.markVerified();
    } catch (e) {
      if (o.signal.aborted) throw o.signal.reason;
      // The server holds fewer bytes than the feed announced: resuming would never complete it, so nothing is kept.
      if (e instanceof AppError && e.code === 'DOWNLOAD_SIZE_MISMATCH') await removeDownload(store, a);
      throw asInstallError(e, a, hashes[i]!);
    }
    before += a.size;
    files.push(partialPath);
  }
  return files;
}

/**
 * Unpacks each archive into its own folder in staging, then moves its content root's entries to the top. Returns
 * every file now in staging (and each link to one) with the size and SHA-256 taken as it was written, sorted by path:
 * the manifest's list, without reading the tree again.
 */
async function unpackAll(o: InstallReleaseOptions, staging: string, files: string[]): Promise<RuntimeFile[]> {
  const tree: RuntimeFile[] = [];
  for (const [i, a] of o.assets.entries()) {
    const into = path.join(staging, `.unpack-${i}`);
    const written = await unpackArchive(files[i]!, into, { asset: a.name, signal: o.signal });
    const root = contentRoot(written.map((f) => f.path));
    const from = root ? path.join(into, root) : into;
    const moved = new Set<string>();
    for (const name of await fs.readdir(from)) {
      const to = path.join(staging, name);
      if (await fs.lstat(to).catch(() => null)) {
        // The same name in two archives (a licence file): the main archive's copy stays.
        o.log?.(`${a.name}: ${name} is already there from ${o.assets[0]!.name}; keeping that one`);
        continue;
      }
      await fs.rename(path.join(from, name), to);
      moved.add(name);
    }
    await fs.rm(into, { recursive: true, force: true });
    tree.push(...placedFiles(written, root, moved, MANIFEST_FILE));
  }
  return tree.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
}

/**
 * Downloads, verifies, unpacks and commits a release runtime; returns it as installed (`<tag>-<variant>`).
 * Errors: RUNTIME_ASSET_MISSING (no assets), RUNTIME_UNVERIFIABLE (no SHA-256 to check against, or the feed and the
 * pin disagree), RUNTIME_DIGEST_MISMATCH, RUNTIME_ARCHIVE_UNSAFE / _BAD, RELEASE_UNREACHABLE and the downloader's
 * DOWNLOAD_* codes; a cancel rethrows the signal's reason.
 */
export async function installRelease(o: InstallReleaseOptions): Promise<InstalledRuntime> {
  const { tag } = o.release;
  if (!TAG_PATTERN.test(tag)) throw new Error(`unusable release tag ${JSON.stringify(tag).slice(0, 120)}`);
  if (o.assets.length === 0)
    throw new AppError('RUNTIME_ASSET_MISSING', { tag, variant: o.variant, platform: o.platform, arch: o.arch });
  // Everything that can be refused without a byte downloaded, is.
  const hashes = o.assets.map((a) => expectedSha256(a, o.pinned ?? {}));
  for (const a of o.assets) {
    const u = new URL(a.url);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error(`${a.name}: not an http(s) URL`);
  }
  const store = new RuntimeStore(o.dataDir, o.now);
  const id = releaseRuntimeId(tag, o.variant);
  const total = o.assets.reduce((s, a) => s + a.size, 0);
  const report = (p: InstallProgress) => o.onProgress?.(p);

  const files = await downloadAll(o, store, hashes, report);
  // The hash was computed as the bytes arrived and compared as each download ended.
  report({ phase: 'verify', receivedBytes: total, totalBytes: total });
  o.signal.throwIfAborted();

  report({ phase: 'unpack', receivedBytes: total, totalBytes: total });
  const staging = await store.newStaging(id);
  try {
    const tree = await unpackAll(o, staging, files);
    const serverPath = findServer(
      tree.map((f) => f.path),
      o.platform,
    );
    if (!serverPath)
      throw new AppError('RUNTIME_ARCHIVE_BAD', { asset: o.assets[0]!.name, reason: 'no llama-server in it' });
    if (o.platform !== 'win32') await fs.chmod(path.join(staging, ...serverPath.split('/')), 0o755);
    o.signal.throwIfAborted();
    const manifest: RuntimeManifest = {
      schema: 1,
      id,
      variant: o.variant,
      source: 'release',
      tag,
      commit: null,
      platform: o.platform,
      arch: o.arch,
      assets: o.assets.map((a, i) => ({ name: a.name, size: a.size, sha256: hashes[i]! })),
      files: tree,
      serverPath,
      installedAt: (o.now ?? Date.now)(),
    };
    const installed = await store.commitStaging(staging, manifest);
    for (const a of o.assets) await removeDownload(store, a);
    return installed;
  } catch (e) {
    await store.discardStaging(staging).catch(() => undefined);
    if (o.signal.aborted) throw o.signal.reason;
    // A verified archive that is unsafe or damaged will be the same next time: nothing of it is kept.
    if (e instanceof AppError && (e.code === 'RUNTIME_ARCHIVE_UNSAFE' || e.code === 'RUNTIME_ARCHIVE_BAD'))
      for (const a of o.assets) await removeDownload(store, a);
    throw e;
  }
}
