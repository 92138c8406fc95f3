#!/usr/bin/env node
// Release assets for the release stand-in, made from our own llama.cpp builds (resources/bin/linux-x64-<variant>,
// written by scripts/build-llama-server.mjs) and named and laid out like the official ones of the pinned release
// (.github/workflows/release.yml at de3ff81: `tar --transform "s,^\.,llama-<tag>," -C build/bin .`, so every entry
// sits under llama-<tag>/; the cudart archive under cudart-llama-<tag>-bin-ubuntu-cuda-<v>-x64/).
//
//   cpu       llama-<tag>-bin-ubuntu-x64.tar.gz            the CPU build
//   vulkan    llama-<tag>-bin-ubuntu-vulkan-x64.tar.gz     the real Vulkan build (skipped when it is not built)
//   cuda-12   llama-<tag>-bin-ubuntu-cuda-12.8-x64.tar.gz  the CPU build renamed: a "CUDA runtime" that really lists
//             + cudart-llama-<tag>-bin-ubuntu-cuda-12.8-x64.tar.gz   no GPU here (the honest fallback case); the
//             cudart stand-in holds a note instead of NVIDIA's libraries
//   cuda-13   the same with 13.4
//   win-cpu   llama-<tag>-bin-win-cpu-x64.zip              the CPU build's files at the zip root as <name>.exe (the
//             zip layout only, for the unzip path of the install bench: the bytes are the Linux binaries)
// Broken archives (option `broken: { <variant>: kind }`), same names:
//   exits-at-start   llama-server needs libcudart.so.<major> (patchelf --add-needed), which is not there: the real
//                    binary exits at start with "error while loading shared libraries"
//   traversal        an extra entry `../llama-escape.txt`
// Digest mismatch and truncation are served by the emulator (faults), not baked into files.
// Made assets are cached under ~/.cache/deeplocal/release-assets/<key>/ keyed by the build's hash.
//
//   node scripts/release-emulator/make-assets.mjs [--tag v0.5.0] [--variant cpu --variant vulkan …] [--zip]
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeTarGz, writeZip } from './archive-writer.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Bump when the archive layout changes, so cached assets are remade. */
const LAYOUT_VERSION = 2;
export const DEFAULT_TAG = 'v0.5.0';
export const CUDA_LABELS = { 'cuda-12': '12.8', 'cuda-13': '13.4' };

const cacheRoot = () => process.env.DEEPLOCAL_CACHE_DIR || path.join(os.homedir(), '.cache', 'deeplocal');
const buildDir = (variant) => path.join(repoRoot, 'resources', 'bin', `linux-x64-${variant}`);

/** The official asset names for a variant at `tag` (main archive first). */
export function assetNames(tag, variant) {
  if (variant === 'cpu') return [`llama-${tag}-bin-ubuntu-x64.tar.gz`];
  if (variant === 'vulkan') return [`llama-${tag}-bin-ubuntu-vulkan-x64.tar.gz`];
  if (variant === 'win-cpu') return [`llama-${tag}-bin-win-cpu-x64.zip`];
  const label = CUDA_LABELS[variant];
  if (label)
    return [
      `llama-${tag}-bin-ubuntu-cuda-${label}-x64.tar.gz`,
      `cudart-llama-${tag}-bin-ubuntu-cuda-${label}-x64.tar.gz`,
    ];
  throw new Error(`no stand-in asset for variant "${variant}"`);
}

/** The files of a build folder that go into an archive (not our own build.json / runtime.json). */
function buildFiles(dir) {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name !== 'build.json' && e.name !== 'runtime.json' && !e.name.endsWith('.tmp'))
    .map((e) => e.name)
    .sort();
}

/** The build's identity: its build.json key, else the hash of its files. */
function buildHash(dir) {
  const stamp = path.join(dir, 'build.json');
  if (fs.existsSync(stamp)) {
    const key = JSON.parse(fs.readFileSync(stamp, 'utf8')).key;
    if (typeof key === 'string' && key) return key;
  }
  const h = createHash('sha256');
  for (const f of buildFiles(dir)) h.update(f).update(fs.readFileSync(path.join(dir, f)));
  return h.digest('hex').slice(0, 16);
}

const licenseFile = () => {
  const commit = JSON.parse(fs.readFileSync(path.join(repoRoot, 'resources/backend-manifest.json'), 'utf8')).llamaCpp
    .commit;
  const f = path.join(cacheRoot(), 'src', `llama.cpp-${commit}`, 'LICENSE');
  return fs.existsSync(f) ? f : null;
};

function patchelfAddNeeded(file, lib) {
  const r = spawnSync('patchelf', ['--add-needed', lib, file], { encoding: 'utf8' });
  if (r.error || r.status !== 0)
    throw new Error(`patchelf failed (${r.error?.message ?? r.stderr?.trim()}); install it: apt-get install patchelf`);
}

/** Writes the archive(s) of one variant into `outDir`. Returns [{ name, path }]. */
async function writeVariant({ tag, variant, broken, dir, outDir }) {
  const names = assetNames(tag, variant);
  const files = buildFiles(dir);
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'deeplocal-assets-'));
  try {
    const srcOf = (f) => path.join(dir, f);
    let serverSource = srcOf('llama-server');
    if (broken === 'exits-at-start') {
      serverSource = path.join(stage, 'llama-server');
      fs.copyFileSync(srcOf('llama-server'), serverSource);
      fs.chmodSync(serverSource, 0o755);
      const major = variant === 'cuda-13' ? 13 : 12;
      patchelfAddNeeded(serverSource, `libcudart.so.${major}`);
    }
    const source = (f) => (f === 'llama-server' ? serverSource : srcOf(f));
    const out = [];
    if (variant === 'win-cpu') {
      // Windows names (llama-server.exe …) for the layout; the bytes are still the Linux build.
      const entries = files.map((f) => ({ name: `${f}.exe`, source: source(f) }));
      const lic = licenseFile();
      if (lic) entries.push({ name: 'LICENSE', source: lic });
      writeZip(path.join(outDir, names[0]), entries);
      return [{ name: names[0], path: path.join(outDir, names[0]) }];
    }
    const prefix = `llama-${tag}`;
    const entries = [{ path: `${prefix}/`, type: 'Directory' }];
    const lic = licenseFile();
    if (lic) entries.push({ path: `${prefix}/LICENSE`, source: lic, mode: 0o644 });
    for (const f of files) entries.push({ path: `${prefix}/${f}`, source: source(f) });
    if (broken === 'traversal')
      entries.push({ path: '../llama-escape.txt', data: Buffer.from('written outside the runtime folder\n') });
    await writeTarGz(path.join(outDir, names[0]), entries);
    out.push({ name: names[0], path: path.join(outDir, names[0]) });
    if (names[1]) {
      const cudart = names[1].replace(/\.tar\.gz$/, '');
      const major = variant === 'cuda-13' ? 13 : 12;
      const note =
        `Stand-in for ${names[1]}. The official archive holds libcudart.so.${major}, libcublas.so.${major} and ` +
        `libcublasLt.so.${major} (NVIDIA's CUDA runtime), which cannot be made on a machine without the CUDA toolkit.\n`;
      await writeTarGz(path.join(outDir, names[1]), [
        { path: `${cudart}/`, type: 'Directory' },
        { path: `${cudart}/STAND-IN.txt`, data: Buffer.from(note) },
      ]);
      out.push({ name: names[1], path: path.join(outDir, names[1]) });
    }
    return out;
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}

const sha256File = (file) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/**
 * Makes (or reuses from the cache) the assets of `variants` at `tag`. `builds` overrides where a variant's build is
 * (default resources/bin/linux-x64-<cpu|vulkan>; cuda-* and win-cpu use the cpu build). Returns
 * { tag, assets: [{ name, path, size, sha256, variant, broken }], skipped: [{ variant, reason }] }.
 */
export async function makeReleaseAssets({
  tag = DEFAULT_TAG,
  variants = ['cpu', 'vulkan', 'cuda-12'],
  broken = {},
  builds = {},
  cacheDir = path.join(cacheRoot(), 'release-assets'),
} = {}) {
  const assets = [];
  const skipped = [];
  for (const variant of variants) {
    const from = variant === 'vulkan' ? 'vulkan' : 'cpu';
    const dir = builds[from] ?? buildDir(from);
    if (!fs.existsSync(path.join(dir, 'llama-server'))) {
      skipped.push({
        variant,
        reason: `no ${from} build in ${dir} (node scripts/build-llama-server.mjs --variant ${from})`,
      });
      continue;
    }
    const kind = broken[variant] ?? null;
    const key = createHash('sha256')
      .update(JSON.stringify([LAYOUT_VERSION, tag, variant, kind, buildHash(dir), licenseFile() !== null]))
      .digest('hex')
      .slice(0, 16);
    const outDir = path.join(cacheDir, key);
    const index = path.join(outDir, 'assets.json');
    let made = fs.existsSync(index) ? JSON.parse(fs.readFileSync(index, 'utf8')) : null;
    if (!made || !made.every((a) => fs.existsSync(a.path) && fs.statSync(a.path).size === a.size)) {
      fs.rmSync(outDir, { recursive: true, force: true });
      fs.mkdirSync(outDir, { recursive: true });
      const written = await writeVariant({ tag, variant, broken: kind, dir, outDir });
      made = written.map((a) => ({ ...a, size: fs.statSync(a.path).size, sha256: sha256File(a.path) }));
      const tmp = `${index}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify(made, null, 2));
      fs.renameSync(tmp, index);
    }
    for (const a of made) assets.push({ ...a, variant, broken: kind });
  }
  return { tag, assets, skipped };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      tag: { type: 'string', default: DEFAULT_TAG },
      variant: { type: 'string', multiple: true },
      broken: { type: 'string', multiple: true, default: [] },
    },
  });
  const broken = Object.fromEntries(values.broken.map((s) => s.split('=')));
  const made = await makeReleaseAssets({ tag: values.tag, variants: values.variant, broken });
  for (const a of made.assets) console.log(`${a.sha256}  ${a.size.toString().padStart(10)}  ${a.path}`);
  for (const s of made.skipped) console.error(`skipped ${s.variant}: ${s.reason}`);
}
