/**
 * The decisions of installing a release runtime, apart from its I/O (install.ts): which SHA-256 an asset must have
 * (the release feed's digest and our pinned hash, both where both exist), which folder of an unpacked archive holds
 * its files (tarballs wrap them in `llama-<tag>/`, Windows zips do not), which files end up where after the merge,
 * and where llama-server is. Pure; table-tested in install-plan.test.ts.
 */
import { AppError } from '../../shared/errors';
import type { RuntimeFile } from '../../shared/runtimes';
import type { ReleaseAsset } from './assets';

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * The hash `asset` is downloaded against. The feed's digest and the pinned hash must agree where both are known; an
 * asset with neither is refused (RUNTIME_UNVERIFIABLE), as is a disagreement (a mirror serving another build).
 */
export function expectedSha256(asset: ReleaseAsset, pinned: Readonly<Record<string, string>>): string {
  const fromFeed = asset.sha256?.toLowerCase() ?? null;
  const pin = Object.hasOwn(pinned, asset.name) ? pinned[asset.name]!.toLowerCase() : null;
  if (fromFeed !== null && !SHA256.test(fromFeed)) throw new Error(`the feed's SHA-256 of ${asset.name} is malformed`);
  if (pin !== null && !SHA256.test(pin)) throw new Error(`the pinned SHA-256 of ${asset.name} is malformed`);
  if (fromFeed && pin && fromFeed !== pin)
    throw new AppError(
      'RUNTIME_UNVERIFIABLE',
      { asset: asset.name, reason: `the release feed gives SHA-256 ${fromFeed}, the app pins ${pin}` },
      `feed ${fromFeed} pinned ${pin}`,
    );
  const sha = pin ?? fromFeed;
  if (!sha)
    throw new AppError('RUNTIME_UNVERIFIABLE', {
      asset: asset.name,
      reason: 'the release feed gives no SHA-256 and the app pins none',
    });
  return sha;
}

/**
 * The folder inside an unpacked archive whose contents make up the runtime: the one top folder every entry is in
 * (`llama-<tag>/`, `cudart-llama-…/`), or '' when the entries sit at the root.
 */
export function contentRoot(files: readonly string[]): string {
  let top: string | null = null;
  for (const f of files) {
    const slash = f.indexOf('/');
    if (slash <= 0) return '';
    const first = f.slice(0, slash);
    if (top !== null && top !== first) return '';
    top = first;
  }
  return top ?? '';
}

/**
 * Where an archive's files are once its content root's entries were moved to the top of staging: paths below `root`
 * lose that prefix, and only those whose top name was `moved` (not already there from an earlier archive) remain.
 * `skip` (runtime.json, written over by the install) is left out. The sizes and hashes are the ones taken as the
 * files were unpacked.
 */
export function placedFiles(
  written: readonly RuntimeFile[],
  root: string,
  moved: ReadonlySet<string>,
  skip: string,
): RuntimeFile[] {
  const out: RuntimeFile[] = [];
  for (const f of written) {
    if (root && !f.path.startsWith(`${root}/`)) continue;
    const rel = root ? f.path.slice(root.length + 1) : f.path;
    if (rel === skip || !moved.has(rel.split('/')[0]!)) continue;
    out.push({ ...f, path: rel });
  }
  return out;
}

export const serverName = (platform: string): string => (platform === 'win32' ? 'llama-server.exe' : 'llama-server');

/** llama-server among the runtime's files: at the top preferably, else the shallowest one (e.g. `bin/`). */
export function findServer(files: readonly string[], platform: string): string | null {
  const name = serverName(platform);
  const hits = files.filter((f) => f === name || f.endsWith(`/${name}`));
  hits.sort((a, b) => a.split('/').length - b.split('/').length || a.localeCompare(b));
  return hits[0] ?? null;
}

/** The runtime id of a release build: `<tag>-<variant>` (a folder name: the tag was checked by the feed). */
export const releaseRuntimeId = (tag: string, variant: string): string => `${tag}-${variant}`;
