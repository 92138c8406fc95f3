// The built headless app as a child process with a model loaded, for benches that compare it with the llama-server
// it runs (serve-overhead.mjs, streams.mjs).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export async function rpc(base, token, method, params) {
  const res = await fetch(`${base}/api/rpc/${method}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(params),
  });
  if (!res.ok) throw new Error(`${method}: ${res.status} ${await res.text()}`);
  return res.json();
}

/**
 * Starts dist/electron/headless.mjs with `model` in a fresh data folder (`settings` become its settings.json, e.g.
 * `{ loadOptions: { parallel: 8 } }`) and waits until the model is ready. Returns the app's base URL and token, the
 * llama-server it runs (`direct`: base URL and key) and `stop()`.
 */
export async function startApp(model, { settings, timeoutMs = 120_000 } = {}) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-bench-'));
  if (settings) fs.writeFileSync(path.join(dataDir, 'settings.json'), JSON.stringify(settings));
  const child = spawn(
    process.execPath,
    [path.join(root, 'dist/electron/headless.mjs'), '--model', model, '--data-dir', dataDir],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const deadline = Date.now() + timeoutMs;
  while (!/Model ready/.test(out)) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGTERM');
      throw new Error(`app did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const m = /DeepLocal ready: (http:\/\/[^/]+)\/\?token=(\S+)/.exec(out);
  const base = m[1];
  const token = m[2];
  // The same llama-server the app runs: its port is in the logged command line, its key in the run dir.
  const logs = await rpc(base, token, 'backend.logs', { limit: 200 });
  const port = Number(/--port (\d+)/.exec(logs.map((l) => l.text).join('\n'))[1]);
  const key = fs.readFileSync(path.join(dataDir, 'run', 'llama-server.key'), 'utf8').trim();
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  return { child, dataDir, base, token, direct: { base: `http://127.0.0.1:${port}`, key }, stop };
}

/** The processes a bench's load spends CPU in: the app's llama-server and the app itself. */
export async function appPids(app) {
  return [(await rpc(app.base, app.token, 'backend.status', {})).pid, app.child.pid];
}
