// The facts `npm start` decides on (scripts/lib/start-decide.mjs) and the steps it carries out: which llama.cpp
// runtimes are already here, whether the official build could be fetched (through the CLI, the same
// RuntimeManager as the app), and source builds in the foreground or the background.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildKey, cacheRoot, detectVariant, installDir } from '../build-llama-server.mjs';
import { failureHeadline, readFailure } from './llama-build-state.mjs';
import { resolveVariantName, toolchainFor } from './llama-toolchain.mjs';

/** The same folder as electron/core/paths.ts defaultDataDir (Electron's userData for "DeepLocal"). */
export function defaultDataDir(platform = process.platform, env = process.env, home = os.homedir()) {
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'DeepLocal');
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'DeepLocal');
  return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), 'DeepLocal');
}

/** `--data-dir DIR` or `--data-dir=DIR` among the arguments passed to the app, else DEEPLOCAL_DATA_DIR, else the default. */
export function dataDirFrom(argv, env = process.env) {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--data-dir' && argv[i + 1]) return path.resolve(argv[i + 1]);
    if (argv[i].startsWith('--data-dir=')) return path.resolve(argv[i].slice('--data-dir='.length));
  }
  return path.resolve(env.DEEPLOCAL_DATA_DIR || defaultDataDir(process.platform, env));
}

const exe = (name) => name + (process.platform === 'win32' ? '.exe' : '');
const readJson = (file) => {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
};
const listDirs = (dir) => {
  try {
    return fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory() && !e.name.startsWith('.'));
  } catch {
    return [];
  }
};

/** A runtime folder's runtime.json when it names a llama-server that is there, inside the folder. */
function manifestRuntime(dir, source) {
  const m = readJson(path.join(dir, 'runtime.json'));
  if (!m || typeof m.id !== 'string' || typeof m.variant !== 'string' || typeof m.serverPath !== 'string') return null;
  const server = path.resolve(dir, m.serverPath);
  const rel = path.relative(dir, server);
  if (!rel || rel.startsWith('..') || path.isAbsolute(rel) || !fs.existsSync(server)) return null;
  return { id: m.id, variant: m.variant, source };
}

/**
 * Whether a runtime is here, as the app's sources.ts would find one: the data folder's runtimes, the app's bundled
 * ones, source builds in resources/bin (with or without runtime.json), and folders the user added. Only what the
 * decision needs (id, variant, source); the app's RuntimeManager checks and chooses among them.
 */
export function installedRuntimes({
  dataDir,
  resourcesDir,
  settings,
  platform = process.platform,
  arch = process.arch,
}) {
  const found = [];
  for (const e of listDirs(path.join(dataDir, 'runtimes'))) {
    const r = manifestRuntime(path.join(dataDir, 'runtimes', e.name), 'release');
    if (r) found.push(r);
  }
  for (const e of listDirs(path.join(resourcesDir, 'runtimes'))) {
    const r = manifestRuntime(path.join(resourcesDir, 'runtimes', e.name), 'bundled');
    if (r) found.push(r);
  }
  const prefix = `${platform}-${arch}-`;
  for (const e of listDirs(path.join(resourcesDir, 'bin'))) {
    if (!e.name.startsWith(prefix)) continue;
    const dir = path.join(resourcesDir, 'bin', e.name);
    const variant = e.name.slice(prefix.length);
    const r = manifestRuntime(dir, 'source');
    if (r) found.push(r);
    else if (fs.existsSync(path.join(dir, exe('llama-server'))))
      found.push({ id: `source-${variant}`, variant, source: 'source' });
  }
  for (const folder of settings?.runtime?.folders ?? [])
    if (typeof folder === 'string' && fs.existsSync(path.join(folder, exe('llama-server'))))
      found.push({ id: `folder:${folder}`, variant: 'unknown', source: 'folder' });
  return found;
}

/** What the build decisions need: the variant this machine would build, its toolchain, and remembered failures. */
export function buildFacts(installed, env = process.env) {
  const wanted = env.DEEPLOCAL_BACKEND_VARIANT ? resolveVariantName(env.DEEPLOCAL_BACKEND_VARIANT) : detectVariant();
  const toolchain = toolchainFor(wanted);
  const failure = (variant, tc) => {
    const f = tc.complete ? readFailure(cacheRoot(), buildKey(variant, tc)) : null;
    return f ? { failedAt: f.failedAt, headline: failureHeadline(f) } : null;
  };
  return {
    wanted,
    toolchain: { complete: toolchain.complete, missing: toolchain.missing },
    wantedBuilt: installed.some((r) => r.source === 'source' && r.variant === wanted),
    wantedFailed: wanted === 'cpu' ? null : failure(wanted, toolchain),
    cpuFailed: failure('cpu', wanted === 'cpu' ? toolchain : toolchainFor('cpu')),
  };
}

/** Facts for decideStart, before any fetch. The build facts (tool probes) only where a decision reads them. */
export function gatherStartState({ dataDir, resourcesDir, env = process.env }) {
  const settings = readJson(path.join(dataDir, 'settings.json'));
  const installed = installedRuntimes({ dataDir, resourcesDir, settings });
  const skip = env.DEEPLOCAL_SKIP_BACKEND_BUILD === '1';
  const override =
    env.DEEPLOCAL_LLAMA_SERVER || (typeof settings?.llamaServerPath === 'string' ? settings.llamaServerPath : null);
  const needsBuild = !skip && !override && installed.every((r) => r.source === 'source');
  return {
    skip,
    override: override || null,
    installed,
    fetch: null,
    // Unread by decideStart when a runtime other than a source build is here (it starts on that one).
    build: needsBuild
      ? buildFacts(installed, env)
      : {
          wanted: 'cpu',
          toolchain: { complete: true, missing: [] },
          wantedBuilt: true,
          wantedFailed: null,
          cpuFailed: null,
        },
  };
}

/**
 * `npm run cli -- runtime get auto --json`: progress on stderr as it goes, the result as the last stdout line.
 * Resolves { ok: true, id } or { ok: false, code, message }.
 */
export function fetchOfficial({ root, dataDir, env = process.env }) {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [path.join(root, 'scripts', 'cli.mjs'), 'runtime', 'get', 'auto', '--json', '--data-dir', dataDir],
      { stdio: ['ignore', 'pipe', 'inherit'], env },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', (e) => resolve({ ok: false, code: 'INTERNAL', message: String(e.message ?? e) }));
    child.on('exit', (code, signal) => {
      const last = out.trim().split('\n').at(-1) ?? '';
      let r = null;
      try {
        r = JSON.parse(last);
      } catch {
        /* no result line: the CLI failed before it could say */
      }
      if (r && r.ok === true && typeof r.id === 'string') return resolve({ ok: true, id: r.id });
      if (r && r.ok === false && typeof r.code === 'string')
        return resolve({ ok: false, code: r.code, message: String(r.message ?? r.code) });
      resolve({ ok: false, code: 'INTERNAL', message: `the runtime fetch ended with ${signal ?? `exit ${code}`}` });
    });
  });
}

/**
 * Builds `variant` from source in a child process while the app runs; its output goes to a log file. Says one line
 * when it ends. Returns a stop function (the app's exit stops it; cmake resumes where it stopped next time).
 */
export function buildInBackground({ root, variant, say }) {
  const logFile = path.join(cacheRoot(), 'logs', `build-${variant}.log`);
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const fd = fs.openSync(logFile, 'w');
  const child = spawn(process.execPath, [path.join(root, 'scripts', 'build-llama-server.mjs'), '--variant', variant], {
    stdio: ['ignore', fd, fd],
    // Its own process group, so stopping it stops cmake and the compilers too (and Ctrl-C goes to the app first).
    detached: true,
  });
  fs.closeSync(fd);
  say(`the ${variant} build's output goes to ${logFile}`);
  let stopping = false;
  child.on('exit', (code) => {
    if (stopping) return;
    if (code === 0)
      say(`the ${variant} build is ready in ${path.relative(root, installDir(variant))}; restart DeepLocal to use it`);
    else {
      const last = fs
        .readFileSync(logFile, 'utf8')
        .trim()
        .split('\n')
        .filter((l) => l.trim());
      const retry =
        last.find((l) => l.startsWith('To retry:')) ??
        `To retry: npm run setup:backend -- --variant ${variant} --retry`;
      say(`the ${variant} build failed (see ${logFile}); it is not retried on every start. ${retry}`);
    }
  });
  return () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    stopping = true;
    try {
      process.kill(process.platform === 'win32' ? child.pid : -child.pid, 'SIGTERM');
    } catch {
      child.kill('SIGTERM');
    }
    say(`stopped the background ${variant} build; the next start continues it`);
  };
}
