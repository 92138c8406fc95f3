// Which llama.cpp runtimes an installer ships, decided without touching the disk (scripts/dist-runtimes.mjs does the
// copying). Input: runtime folders with their parsed runtime.json (RuntimeManifest, electron/shared/runtimes.ts).
// Output: one runtime per target OS + arch + variant, each under the id the packaged app reads
// (`<resources>/runtimes/bundled-<variant>/runtime.json`), plus the folders left out and why.

/** Node's platform names → electron-builder's `${os}` macro (the TARGET os; `${platform}` is the build host's). */
export const BUILDER_OS = Object.freeze({ linux: 'linux', darwin: 'mac', win32: 'win' });

/** electron-builder `${arch}` values a runtime can be for (Node's names for these are the same). */
export const BUILDER_ARCHES = Object.freeze(['x64', 'arm64', 'ia32', 'armv7l']);

// Preference when two folders offer the same os/arch/variant: an official release over a build from source.
const RANK = { release: 3, bundled: 2, source: 1 };

/**
 * A path inside a runtime folder as the manifest names it: relative, '/'-separated, no empty, '.' or '..' segment,
 * no drive letter or backslash. (runtime.json is our own file, but a packaging step must not copy from outside.)
 */
export function isSafeRelativePath(p) {
  if (typeof p !== 'string' || p.length === 0 || p.length > 1000) return false;
  if (p.startsWith('/') || p.includes('\\') || /^[A-Za-z]:/.test(p) || p.includes('\0')) return false;
  return p.split('/').every((s) => s !== '' && s !== '.' && s !== '..');
}

/** Why a runtime cannot be shipped at all (null when it can). */
export function unshippableReason(manifest, { officialOnly }) {
  if (!Object.hasOwn(BUILDER_OS, manifest.platform)) return `platform ${manifest.platform} has no installer`;
  if (!BUILDER_ARCHES.includes(manifest.arch)) return `arch ${manifest.arch} has no installer`;
  if (manifest.source === 'folder') return 'a folder the user picked is never shipped';
  // Our source builds use GGML_NATIVE (tuned to the build machine's CPU): fine for a local package, not for users.
  if (officialOnly && manifest.source === 'source') return 'a build from source (--official-only ships release builds)';
  const bad = manifest.files.map((f) => f.path).find((p) => !isSafeRelativePath(p));
  if (bad !== undefined) return `unsafe file path in runtime.json: ${JSON.stringify(bad)}`;
  if (!isSafeRelativePath(manifest.serverPath)) return `unsafe serverPath: ${JSON.stringify(manifest.serverPath)}`;
  if (!manifest.files.some((f) => f.path === manifest.serverPath)) return 'serverPath is not among its files';
  return null;
}

/**
 * The manifest as the packaged app reads it: same files and provenance, id and source say "shipped with the app".
 * @param {import('../../electron/shared/runtimes').RuntimeManifest} manifest
 * @returns {import('../../electron/shared/runtimes').RuntimeManifest}
 */
export function bundledManifest(manifest) {
  return { ...manifest, id: `bundled-${manifest.variant}`, source: 'bundled' };
}

/** @typedef {import('../../electron/shared/runtimes').RuntimeManifest} RuntimeManifest */

/**
 * @param {{ dir: string, manifest: RuntimeManifest }[]} candidates
 * @param {{ officialOnly?: boolean }} [options]
 * @returns {{ ship: { from: string, os: string, arch: string, manifest: RuntimeManifest }[], skipped: { from: string, reason: string }[] }}
 */
export function planBundle(candidates, { officialOnly = false } = {}) {
  const skipped = [];
  const best = new Map();
  for (const c of candidates) {
    const reason = unshippableReason(c.manifest, { officialOnly });
    if (reason) {
      skipped.push({ from: c.dir, reason });
      continue;
    }
    const key = `${c.manifest.platform}/${c.manifest.arch}/${c.manifest.variant}`;
    const held = best.get(key);
    if (!held) {
      best.set(key, c);
      continue;
    }
    const better =
      RANK[c.manifest.source] > RANK[held.manifest.source] ||
      (RANK[c.manifest.source] === RANK[held.manifest.source] && c.manifest.installedAt > held.manifest.installedAt);
    const [kept, dropped] = better ? [c, held] : [held, c];
    best.set(key, kept);
    skipped.push({ from: dropped.dir, reason: `${kept.dir} is shipped as the ${c.manifest.variant} runtime instead` });
  }
  const ship = [...best.values()].map((c) => ({
    from: c.dir,
    os: BUILDER_OS[c.manifest.platform],
    arch: c.manifest.arch,
    manifest: bundledManifest(c.manifest),
  }));
  ship.sort((a, b) => `${a.os}/${a.arch}/${a.manifest.id}`.localeCompare(`${b.os}/${b.arch}/${b.manifest.id}`));
  return { ship, skipped };
}
