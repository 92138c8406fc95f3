#!/usr/bin/env node
// Stages the llama.cpp runtimes an installer ships: build/runtimes/<os>/<arch>/bundled-<variant>/ (electron-builder's
// `${os}`/`${arch}`; electron-builder.yml copies that folder of the TARGET to <resources>/runtimes/, where the app
// reads <resources>/runtimes/<id>/runtime.json). Every file is checked against runtime.json (size + sha256) while it
// is copied; runtime.json is written last. The folder is emptied first, so nothing stale ships.
//
//   node scripts/dist-runtimes.mjs [--from DIR]... [--no-repo] [--official-only] [--out DIR]
//
// Sources: the repo's resources/bin/*/ (source builds from build-llama-server.mjs, or release runtimes a release
// machine put there), unless --no-repo; and each --from DIR: a runtime folder (has runtime.json) or a folder of them
// (e.g. <data dir>/runtimes after `npm run cli -- runtime get vulkan`). DEEPLOCAL_DIST_RUNTIMES (path-list) adds more.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { planBundle } from './lib/bundle-runtimes.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const defaultOut = path.join(root, 'build', 'runtimes');

/** RuntimeManifest from electron/shared/runtimes.ts (bundled in memory: scripts run as plain Node). */
async function loadManifestSchema() {
  const r = await build({
    entryPoints: [path.join(root, 'electron', 'shared', 'runtimes.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'node',
    logLevel: 'silent',
  });
  const mod = await import(`data:text/javascript;base64,${Buffer.from(r.outputFiles[0].text).toString('base64')}`);
  return mod.RuntimeManifest;
}

/** Runtime folders under `dir`: itself when it holds runtime.json, else its direct subfolders that do. */
function runtimeDirs(dir) {
  if (!fs.existsSync(dir)) return [];
  if (fs.existsSync(path.join(dir, 'runtime.json'))) return [dir];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => path.join(dir, e.name))
    .filter((d) => fs.existsSync(path.join(d, 'runtime.json')));
}

/** Copies one file, hashing the bytes as they pass; refuses a size or sha256 that runtime.json does not name. */
async function copyVerified(src, dest, want) {
  const st = fs.statSync(src);
  if (!st.isFile()) throw new Error(`${src}: not a regular file`);
  if (st.size !== want.size) throw new Error(`${src}: ${st.size} bytes, runtime.json says ${want.size}`);
  const hash = createHash('sha256');
  const tap = new Transform({
    transform(chunk, _enc, cb) {
      hash.update(chunk);
      cb(null, chunk);
    },
  });
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  await pipeline(fs.createReadStream(src), tap, fs.createWriteStream(dest, { mode: st.mode & 0o777 }));
  const got = hash.digest('hex');
  if (got !== want.sha256) throw new Error(`${src}: sha256 ${got}, runtime.json says ${want.sha256}`);
}

const mib = (n) => `${(n / 1024 / 1024).toFixed(1)} MiB`;

/**
 * @param {{ from?: string[], repo?: boolean, officialOnly?: boolean, out?: string, log?: (m: string) => void }} o
 * @returns {Promise<{ shipped: { os: string, arch: string, id: string, dir: string, bytes: number }[], skipped: { from: string, reason: string }[] }>}
 */
export async function distRuntimes({
  from = [],
  repo = true,
  officialOnly = false,
  out = defaultOut,
  log = console.error,
} = {}) {
  const RuntimeManifest = await loadManifestSchema();
  const envFrom = (process.env.DEEPLOCAL_DIST_RUNTIMES ?? '').split(path.delimiter).filter(Boolean);
  const roots = [...(repo ? [path.join(root, 'resources', 'bin')] : []), ...from, ...envFrom];
  const candidates = [];
  const invalid = [];
  for (const dir of roots.flatMap(runtimeDirs)) {
    let json;
    try {
      json = JSON.parse(fs.readFileSync(path.join(dir, 'runtime.json'), 'utf8'));
    } catch (e) {
      invalid.push({ from: dir, reason: `runtime.json: ${e.message}` });
      continue;
    }
    const parsed = RuntimeManifest.safeParse(json);
    if (parsed.success) candidates.push({ dir, manifest: parsed.data });
    else invalid.push({ from: dir, reason: `runtime.json: ${parsed.error.issues[0]?.message ?? 'invalid'}` });
  }
  const plan = planBundle(candidates, { officialOnly });
  fs.rmSync(out, { recursive: true, force: true });
  const shipped = [];
  for (const s of plan.ship) {
    const dest = path.join(out, s.os, s.arch, s.manifest.id);
    for (const f of s.manifest.files) await copyVerified(path.join(s.from, f.path), path.join(dest, f.path), f);
    // Last: a folder without a valid runtime.json is not a runtime (the app ignores and cleans it).
    fs.writeFileSync(path.join(dest, 'runtime.json'), `${JSON.stringify(s.manifest, null, 2)}\n`);
    const bytes = s.manifest.files.reduce((n, f) => n + f.size, 0);
    shipped.push({ os: s.os, arch: s.arch, id: s.manifest.id, dir: dest, bytes });
    log(`runtime ${s.os}/${s.arch}/${s.manifest.id} (${s.manifest.tag ?? 'source'}) from ${s.from}: ${mib(bytes)}`);
  }
  const skipped = [...invalid, ...plan.skipped];
  for (const k of skipped) log(`runtime not shipped: ${k.from}: ${k.reason}`);
  if (shipped.length === 0) log('no runtimes staged: the installer will fetch one on first start');
  return { shipped, skipped };
}

export function parseArgs(argv) {
  const o = { from: [], repo: true, officialOnly: false, out: defaultOut };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--from' && argv[i + 1]) o.from.push(path.resolve(argv[++i]));
    else if (a === '--out' && argv[i + 1]) o.out = path.resolve(argv[++i]);
    else if (a === '--no-repo') o.repo = false;
    else if (a === '--official-only') o.officialOnly = true;
    else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  distRuntimes(parseArgs(process.argv.slice(2))).catch((e) => {
    console.error(`dist-runtimes: ${e.message}`);
    process.exit(1);
  });
}
