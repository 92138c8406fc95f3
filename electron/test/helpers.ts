import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { afterAll } from 'vitest';
import { createCore, type Core } from '../core/app';
import type { Elevate } from '../core/power/power-service';
import type { MonitoringOptions } from '../core/compose/monitoring';
import type { BackendStatus } from '../shared/schemas';
import { connectWs, type SocketLike, type WsClient } from '../shared/ws-client';
import { startHttpTransport, type HttpTransport } from '../transport/http';

export const tmpDir = (prefix = 'dl-test-') => fs.mkdtempSync(path.join(os.tmpdir(), prefix));

/** Resolves when a status satisfying `pred` is seen (including the current one). */
export function waitForStatus(
  core: Core,
  pred: (s: BackendStatus) => boolean,
  timeoutMs = 30_000,
): Promise<BackendStatus> {
  return new Promise((resolve, reject) => {
    if (pred(core.backend.status())) return resolve(core.backend.status());
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out waiting for status; last: ${JSON.stringify(core.backend.status()).slice(0, 400)}`));
    }, timeoutMs);
    const off = core.backend.onStatus((s) => {
      if (pred(s)) {
        clearTimeout(timer);
        off();
        resolve(s);
      }
    });
  });
}

export interface AppUnderTest {
  core: Core;
  http: HttpTransport;
  token: string;
  dataDir: string;
  ws(): Promise<WsClient>;
  close(): Promise<void>;
}

export interface StartAppOptions {
  llamaServerPath?: string;
  /** Initial settings.json content (merged with llamaServerPath). */
  settings?: Record<string, unknown>;
  /** The core's environment (PATH with the fake nvidia-smi first …); process.env is left alone. */
  env?: NodeJS.ProcessEnv;
  elevate?: Elevate;
  monitoring?: MonitoringOptions;
}

/** The headless composition (core + HTTP transport), in-process, on a random port. */
export async function startApp(resourcesDir: string, opts: StartAppOptions = {}): Promise<AppUnderTest> {
  const dataDir = tmpDir();
  const initial = {
    ...(opts.settings ?? {}),
    ...(opts.llamaServerPath !== undefined ? { llamaServerPath: opts.llamaServerPath } : {}),
  };
  if (Object.keys(initial).length) fs.writeFileSync(path.join(dataDir, 'settings.json'), JSON.stringify(initial));
  const core = await createCore({
    dataDir,
    resourcesDirs: [resourcesDir],
    shell: 'browser',
    version: 'test',
    ...(opts.env ? { env: opts.env } : {}),
    ...(opts.elevate ? { elevate: opts.elevate } : {}),
    ...(opts.monitoring ? { monitoring: opts.monitoring } : {}),
  });
  const token = 'test-token-' + Math.random().toString(36).slice(2);
  const http = await startHttpTransport({ core, endpoint: () => core.backend.endpoint(), token, staticDir: null });
  const clients: WsClient[] = [];
  return {
    core,
    http,
    token,
    dataDir,
    async ws() {
      const c = connectWs(http.url, token, (url, protocols) => new WebSocket(url, protocols) as unknown as SocketLike);
      await c.ready;
      clients.push(c);
      return c;
    },
    async close() {
      for (const c of clients) c.close();
      await core.dispose();
      await http.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Reads an SSE response into its data payloads. */
export async function readSse(res: Response): Promise<string[]> {
  const text = await res.text();
  return text
    .split('\n')
    .filter((l) => l.startsWith('data:'))
    .map((l) => l.slice(5).trim());
}

/** The fake nvidia-smi (scripts/fake-nvidia-smi), for PATH. */
export const FAKE_NVIDIA_SMI_DIR = path.resolve(__dirname, '..', '..', 'scripts', 'fake-nvidia-smi');
const GPU_TOOLS = ['nvidia-smi', 'amd-smi', 'rocm-smi'];

/** PATH without any directory holding a real GPU tool, so tests behave the same on a machine with a GPU. */
export function pathWithoutGpuTools(pathVar = process.env.PATH ?? ''): string {
  return pathVar
    .split(path.delimiter)
    .filter((d) => d && !GPU_TOOLS.some((t) => fs.existsSync(path.join(d, t))))
    .join(path.delimiter);
}

export interface FakeGpu {
  env: NodeJS.ProcessEnv;
  /** The fake's shared state (limits, clock locks) as JSON file. */
  stateFile: string;
  /** One JSON line per fake invocation: {pid, argv}. */
  logFile: string;
  invocations(): { pid: number; argv: string[] }[];
  state(): { gpus: Record<string, { limit?: number; clocks?: number[] }> };
}

// The fake's state and log outlive the app under test (assertions read them after close): removed after the file.
const fakeDirs = new Set<string>();
afterAll(() => {
  for (const d of fakeDirs) fs.rmSync(d, { recursive: true, force: true });
  fakeDirs.clear();
});

/** An environment with the fake nvidia-smi first on PATH, its own state and invocation log. */
export function fakeGpuEnv(profile = 'one-gpu', extra: NodeJS.ProcessEnv = {}): FakeGpu {
  const dir = tmpDir('dl-fake-gpu-');
  fakeDirs.add(dir);
  const stateFile = path.join(dir, 'state.json');
  const logFile = path.join(dir, 'invocations.jsonl');
  return {
    env: {
      ...process.env,
      PATH: [FAKE_NVIDIA_SMI_DIR, pathWithoutGpuTools()].join(path.delimiter),
      FAKE_NVIDIA_SMI_PROFILE: profile,
      FAKE_NVIDIA_SMI_STATE: stateFile,
      FAKE_NVIDIA_SMI_LOG: logFile,
      ...extra,
    },
    stateFile,
    logFile,
    invocations: () =>
      fs.existsSync(logFile)
        ? fs
            .readFileSync(logFile, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l) as { pid: number; argv: string[] })
        : [],
    state: () => (fs.existsSync(stateFile) ? JSON.parse(fs.readFileSync(stateFile, 'utf8')) : { gpus: {} }),
  };
}

/** Resolves with the first event payload satisfying `pred`. */
export function nextEvent<T>(
  subscribe: (l: (p: T) => void) => () => void,
  pred: (p: T) => boolean = () => true,
  timeoutMs = 15_000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error('timed out waiting for an event'));
    }, timeoutMs);
    const off = subscribe((p) => {
      if (!pred(p)) return;
      clearTimeout(timer);
      off();
      resolve(p);
    });
  });
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function waitUntil(pred: () => boolean, timeoutMs: number, stepMs = 100): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (pred()) return true;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return pred();
}

export { spawn };
