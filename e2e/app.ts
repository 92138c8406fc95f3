/**
 * Starts the built headless app as a user would (`node dist/electron/headless.mjs`) with a fresh data dir and the
 * fake nvidia-smi first on PATH (scripts/fake-nvidia-smi: streams changing samples, applies or refuses -pl like the
 * real one). Used by global-setup for the shared app, and by specs that need a second one (e.g. without rights).
 * Also the specs' way to reach the shared app: its URL and a JSON-RPC call over its HTTP API.
 */
import { expect } from '@playwright/test';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const FAKE_NVIDIA_SMI_DIR = path.join(root, 'scripts', 'fake-nvidia-smi');

export interface AppOptions {
  /** FAKE_NVIDIA_SMI_PROFILE: one-gpu | two-gpus | laptop | na-fields | heating | no-driver. */
  profile?: string;
  /** Refuse power changes with "Insufficient Permissions", like a non-root user. */
  deny?: boolean;
  /** More environment (DEEPLOCAL_RELEASE_ENDPOINT, GGML_VK_VISIBLE_DEVICES …); a value of undefined removes one. */
  env?: NodeJS.ProcessEnv;
}

export interface StartedApp {
  url: string;
  dataDir: string;
  /** The fake's state file (limits and clock locks it applied). */
  stateFile: string;
  stop(): Promise<void>;
}

export async function startApp({ profile = 'two-gpus', deny = false, env = {} }: AppOptions = {}): Promise<StartedApp> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-e2e-'));
  const stateFile = path.join(dataDir, 'fake-nvidia-smi.json');
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    LANG: 'en_US.UTF-8',
    PATH: `${FAKE_NVIDIA_SMI_DIR}${path.delimiter}${process.env.PATH ?? ''}`,
    FAKE_NVIDIA_SMI_PROFILE: profile,
    FAKE_NVIDIA_SMI_STATE: stateFile,
    ...(deny ? { FAKE_NVIDIA_SMI_DENY: '1' } : {}),
    ...env,
  };
  for (const [k, v] of Object.entries(childEnv)) if (v === undefined) delete childEnv[k];
  const child = spawn(process.execPath, [path.join(root, 'dist/electron/headless.mjs'), '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: childEnv,
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const deadline = Date.now() + 30_000;
  let m: RegExpExecArray | null;
  while (!(m = /DeepLocal ready: (http:\/\/\S+)/.exec(out))) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`headless app did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url: m[1]!,
    dataDir,
    stateFile,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The shared app's URL with its token, as global-setup printed it. */
export const appUrl = () => process.env.DEEPLOCAL_E2E_URL!;
/** Calls a method of the shared app over HTTP and fails the test unless it answers 2xx. */
export async function rpc<T = unknown>(method: string, params: object): Promise<T> {
  return rpcAt<T>(appUrl(), method, params);
}

/** The same against any app started here (its URL with the token, as startApp returned it). */
export async function rpcAt<T = unknown>(url: string, method: string, params: object): Promise<T> {
  const u = new URL(url);
  const res = await fetch(`${u.origin}/api/rpc/${method}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${u.searchParams.get('token')!}`, 'content-type': 'application/json' },
    body: JSON.stringify(params),
  });
  expect(res.ok, `${method}: ${res.status} ${res.ok ? '' : await res.text()}`).toBe(true);
  return res.json() as Promise<T>;
}
