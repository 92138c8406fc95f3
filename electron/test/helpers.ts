import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { createCore, type Core } from '../core/app';
import type { BackendStatus } from '../shared/schemas';
import { connectWs, type SocketLike, type WsClient } from '../shared/ws-client';
import { startHttpTransport, type HttpTransport } from '../transport/http';

export const tmpDir = (prefix = 'dl-test-') => fs.mkdtempSync(path.join(os.tmpdir(), prefix));

/** Resolves when a status satisfying `pred` is seen (including the current one). */
export function waitForStatus(core: Core, pred: (s: BackendStatus) => boolean, timeoutMs = 30_000): Promise<BackendStatus> {
  return new Promise((resolve, reject) => {
    if (pred(core.supervisor.status())) return resolve(core.supervisor.status());
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out waiting for status; last: ${JSON.stringify(core.supervisor.status()).slice(0, 400)}`));
    }, timeoutMs);
    const off = core.supervisor.onStatus((s) => {
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

/** The headless composition (core + HTTP transport), in-process, on a random port. */
export async function startApp(resourcesDir: string, opts: { llamaServerPath?: string } = {}): Promise<AppUnderTest> {
  const dataDir = tmpDir();
  if (opts.llamaServerPath !== undefined) {
    fs.writeFileSync(path.join(dataDir, 'settings.json'), JSON.stringify({ llamaServerPath: opts.llamaServerPath }));
  }
  const core = await createCore({ dataDir, resourcesDirs: [resourcesDir], shell: 'browser', version: 'test' });
  const token = 'test-token-' + Math.random().toString(36).slice(2);
  const http = await startHttpTransport({ core, endpoint: () => core.supervisor.endpoint(), token, staticDir: null });
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
