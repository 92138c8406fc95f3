#!/usr/bin/env node
// `npm start`: makes sure a llama.cpp runtime is here (one already installed; else the official build for this
// machine, fetched through the runtime manager; else, where the releases cannot be reached, a build from source:
// scripts/lib/start-decide.mjs), builds the app when stale, opens the Electron window, and where no Electron binary
// or display exists says so in one line and serves the same UI headless instead.
// `npm run serve -- [--model FILE] [--port N] [--host H] [--data-dir DIR]` goes straight to headless;
// `npm run serve -- --rpc-worker [--host IFACE] [--port N]` runs only this machine as a llama.cpp RPC worker.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildAll, isStale } from './build.mjs';
import { ensureBackend } from './build-llama-server.mjs';
import { decideStart } from './lib/start-decide.mjs';
import { buildInBackground, dataDirFrom, fetchOfficial, gatherStartState } from './lib/start-runtime.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const headlessOnly = argv.includes('--headless');
const passThrough = argv.filter((a) => a !== '--headless');
const say = (msg) => console.error(`DeepLocal: ${msg}`);

/** Builds `variant` from source in the foreground with a progress line; a failure is said, and the app starts anyway. */
async function buildWithProgress(variant) {
  let announced = false;
  const started = Date.now();
  let last = -1;
  try {
    await ensureBackend({
      variant,
      log: (m) => {
        if (!announced)
          say(
            `building llama-server (${variant}) once from the pinned llama.cpp source${variant === 'cpu' ? ' (about 5 minutes on 2 cores)' : ''}`,
          );
        announced = true;
        say(m);
      },
      progress: (pct) => {
        if (pct === last) return;
        last = pct;
        const secs = Math.round((Date.now() - started) / 1000);
        const eta = pct > 3 ? Math.round((secs * (100 - pct)) / pct) : null;
        const line = `Building llama-server: ${String(pct).padStart(3)}%  ${secs}s elapsed${eta !== null ? `, ~${eta}s left` : ''}`;
        if (process.stderr.isTTY) process.stderr.write(`\r${line}   `);
        else if (pct % 10 === 0) console.error(line);
      },
    });
    if (announced && process.stderr.isTTY) process.stderr.write('\n');
  } catch (e) {
    const lines = String(e.message ?? e).split('\n');
    const retry = lines.find((l) => l.startsWith('To retry:'));
    say(
      `could not build llama-server (${lines[0]}). The app starts anyway; set the llama-server path in Settings${retry ? `. ${retry}` : ' or run "npm run setup:backend"'}.`,
    );
  }
}

/** Stops the background source build, if one runs (when the app exits). */
let stopBackground = () => undefined;

async function ensureRuntime() {
  const dataDir = dataDirFrom(passThrough);
  const resourcesDir = process.env.DEEPLOCAL_RESOURCES || path.join(root, 'resources');
  const state = gatherStartState({ dataDir, resourcesDir });
  let d = decideStart(state);
  if (d.action === 'fetch') {
    for (const l of d.lines) say(l);
    state.fetch = await fetchOfficial({ root, dataDir });
    d = decideStart(state);
  }
  for (const l of d.lines) say(l);
  if (d.foreground) await buildWithProgress(d.foreground);
  if (d.background) stopBackground = buildInBackground({ root, variant: d.background, say });
}

/** Returns the Electron executable, or the reason there is none. electron 45+ downloads it on first require. */
function findElectron() {
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY)
    return { reason: 'no display (DISPLAY/WAYLAND_DISPLAY unset)' };
  const require = createRequire(import.meta.url);
  let pkgDir;
  try {
    pkgDir = path.dirname(require.resolve('electron/package.json'));
  } catch {
    return { reason: 'the electron package is not installed' };
  }
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(require(process.argv[1]))', pkgDir], {
    encoding: 'utf8',
    timeout: 180_000,
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
  });
  const exe = r.status === 0 ? r.stdout.trim() : '';
  if (exe && fs.existsSync(exe)) return { exe };
  const why =
    `${r.stderr ?? ''}`.split('\n').find((l) => /fetch failed|ENOTFOUND|ECONN|Error/.test(l)) ??
    `exit ${r.status ?? r.signal}`;
  return { reason: `the Electron binary is not available and could not be downloaded (${why.trim().slice(0, 120)})` };
}

function runHeadless() {
  const child = spawn(process.execPath, [path.join(root, 'dist', 'electron', 'headless.mjs'), ...passThrough], {
    stdio: 'inherit',
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => {
    stopBackground();
    process.exit(code ?? (signal ? 1 : 0));
  });
}

function runElectron(exe) {
  const started = Date.now();
  const child = spawn(exe, [root, ...passThrough], {
    stdio: 'inherit',
    env: { ...process.env, ELECTRON_RUN_AS_NODE: undefined },
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => {
    // A window that dies at once (missing system libraries, GPU process failure) falls back to the browser UI.
    if (code !== 0 && Date.now() - started < 5000) {
      say(`Electron exited at start (${signal ?? `code ${code}`}); running headless instead`);
      runHeadless();
      return;
    }
    stopBackground();
    process.exit(code ?? 0);
  });
}

async function main() {
  await ensureRuntime();
  if (process.env.DEEPLOCAL_SKIP_APP_BUILD !== '1' && isStale()) {
    say('building the app');
    await buildAll({ log: (m) => say(m) });
  }
  if (headlessOnly) return runHeadless();
  const found = findElectron();
  if (found.exe) return runElectron(found.exe);
  say(`${found.reason}; running headless instead — open the URL below in a browser.`);
  runHeadless();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
