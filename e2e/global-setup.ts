/**
 * Starts the built headless app exactly as a user would (`node dist/electron/headless.mjs`), with a fresh data dir,
 * and hands the printed URL to the specs. Returns the teardown that stops it (and its llama-server).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureTestModel } from '../scripts/make-test-model.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export default async function globalSetup() {
  const model = await ensureTestModel({ preset: 'tiny', seed: 1 });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-e2e-'));
  const child = spawn(process.execPath, [path.join(root, 'dist/electron/headless.mjs'), '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LANG: 'en_US.UTF-8' },
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const deadline = Date.now() + 30_000;
  let m: RegExpExecArray | null;
  while (!(m = /DeepLocal ready: (http:\/\/\S+)/.exec(out))) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`headless app did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  process.env.DEEPLOCAL_E2E_URL = m[1];
  process.env.DEEPLOCAL_E2E_MODEL = model;
  process.env.DEEPLOCAL_E2E_DATA = dataDir;
  return async () => {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
}
