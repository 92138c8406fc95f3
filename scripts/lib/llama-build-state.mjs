// State kept by scripts/build-llama-server.mjs besides the build itself: remembered failures (so a build that
// failed is not retried on every start) and the runtime.json it writes beside installed binaries.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Writes via a temp file + rename, so a reader never sees half a file. */
export function writeFileAtomic(file, text) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

const failedFile = (cache, key) => path.join(cache, 'failed', `${key}.json`);

/** The remembered failure for this build key ({ key, variant, commit, toolchain, failedAt, error }), or null. */
export function readFailure(cache, key) {
  try {
    const f = JSON.parse(fs.readFileSync(failedFile(cache, key), 'utf8'));
    return f && f.key === key ? f : null;
  } catch {
    return null;
  }
}

/** Remembers a failed build with the last lines of its error output. */
export function rememberFailure(cache, { key, variant, commit, toolchain, error }) {
  const lines = String(error)
    .split('\n')
    .filter((l) => l.trim());
  const record = { key, variant, commit, toolchain, failedAt: new Date().toISOString(), error: lines.slice(-40) };
  writeFileAtomic(failedFile(cache, key), JSON.stringify(record, null, 2) + '\n');
  return record;
}

export function forgetFailure(cache, key) {
  fs.rmSync(failedFile(cache, key), { force: true });
}

/** The line that gives the error: the first "error:" line if there is one, else the last line. */
export function failureHeadline(record) {
  const lines = record?.error ?? [];
  return (lines.find((l) => /\berror\b/i.test(l)) ?? lines.at(-1) ?? 'unknown error').trim().slice(0, 300);
}

const sha256File = (file) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/**
 * Writes runtime.json (electron/shared/runtimes.ts RuntimeManifest, source 'source') into `dir`, listing every
 * other file there with its size and sha256. Written last and atomically.
 */
export function writeSourceRuntimeManifest(dir, { commit, variant, serverFile, platform, arch }) {
  const files = [];
  const walk = (rel) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else if (e.isFile() && r !== 'runtime.json' && !r.endsWith('.tmp')) {
        const abs = path.join(dir, r);
        files.push({ path: r, size: fs.statSync(abs).size, sha256: sha256File(abs) });
      }
    }
  };
  walk('');
  files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const manifest = {
    schema: 1,
    id: `source-${commit}-${variant}`,
    variant,
    source: 'source',
    tag: null,
    commit,
    platform,
    arch,
    assets: [],
    files,
    serverPath: serverFile,
    installedAt: Date.now(),
  };
  writeFileAtomic(path.join(dir, 'runtime.json'), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}
