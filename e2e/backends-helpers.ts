/**
 * For the backends-*.spec.ts (issue 15): the real programs the #/backends page talks to, started here on loopback —
 * a llama-server with --api-key (an external server), a ggml-rpc-server (an RPC worker) — the vLLM stand-in's
 * environment, and waiting for the app's backend. Every process started here is stopped by its `stop()`.
 */
import { expect, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BackendStatus } from '../electron/shared/schemas';
import { rpcAt } from './app';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Our CPU build (resources/bin): llama-server and ggml-rpc-server (built with GGML_RPC=ON). */
export const cpuBin = path.join(root, 'resources', 'bin', `${process.platform}-${process.arch}-cpu`);
export const FAKE_VLLM_DIR = path.join(root, 'scripts', 'fake-vllm');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

export interface Started {
  child: ChildProcess;
  port: number;
  output: () => string;
  stop(): Promise<void>;
}

function launch(bin: string, args: string[], port: number): Started {
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return {
    child,
    port,
    output: () => out,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    },
  };
}

async function until(what: string, s: Started, ok: () => Promise<boolean>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok().catch(() => false))) {
    if (Date.now() > deadline || s.child.exitCode !== null) {
      await s.stop();
      throw new Error(`${what} did not start:\n${s.output().slice(-3000)}`);
    }
    await sleep(100);
  }
}

/** A llama-server guarded by `apiKey` on the synthetic model: "a server someone else runs". Ready when /health is. */
export async function startKeyedLlamaServer(model: string, apiKey: string): Promise<Started & { base: string }> {
  const port = await freePort();
  const args = ['-m', model, '--host', '127.0.0.1', '--port', String(port), '--api-key', apiKey];
  const s = launch(path.join(cpuBin, 'llama-server'), [...args, '-c', '2048', '-np', '1', '--metrics'], port);
  const base = `http://127.0.0.1:${port}`;
  await until('llama-server', s, async () => (await fetch(`${base}/health`)).ok, 120_000);
  return { ...s, base };
}

/** A ggml-rpc-server (CPU device) on loopback: an RPC worker as another machine would run it. */
export async function startRpcWorker(): Promise<Started> {
  const port = await freePort();
  const s = launch(path.join(cpuBin, 'ggml-rpc-server'), ['-H', '127.0.0.1', '-p', String(port)], port);
  const accepts = () =>
    new Promise<boolean>((resolve) => {
      const c = net.connect(port, '127.0.0.1');
      c.once('connect', () => {
        c.destroy();
        resolve(true);
      });
      c.once('error', () => resolve(false));
    });
  await until('ggml-rpc-server', s, accepts, 30_000);
  return s;
}

/** llama-server's own count of generated tokens (its /metrics): shows a reply really came from that server. */
export async function tokensPredicted(base: string, apiKey: string): Promise<number> {
  const res = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${apiKey}` } });
  const m = /^llamacpp:tokens_predicted_total\s+(\S+)/m.exec(await res.text());
  return m ? Number(m[1]) : NaN;
}

/** Waits until the app's backend is ready (and returns its status); fails at once with the error when it crashed. */
export async function backendReady(url: string, timeoutMs = 120_000): Promise<BackendStatus> {
  let last: BackendStatus | null = null;
  await expect
    .poll(
      async () => {
        last = await rpcAt<BackendStatus>(url, 'backend.status', {});
        if (last.state === 'crashed') throw new Error(`backend crashed: ${JSON.stringify(last.error)}`);
        return last.state;
      },
      { timeout: timeoutMs },
    )
    .toBe('ready');
  return last!;
}

/** `url` (with its token) showing the route `hash`. */
export function withHash(url: string, hash: string): string {
  const u = new URL(url);
  u.hash = hash;
  return u.toString();
}

/** Opens #/backends from the sidebar, as a user would. */
export async function openBackends(page: Page, url: string) {
  await page.goto(url);
  await page.getByTestId('nav-backends').click();
  await expect(page.getByTestId('backends-page')).toBeVisible();
}

/**
 * Sends `text` from the chat composer and waits for the reply to end; returns the reply's locator. No speed is
 * assumed: the reply is short (the caller sets max_tokens) and the wait generous.
 */
export async function askInChat(page: Page, text: string) {
  const count = await page.getByTestId('message-assistant').count();
  await page.getByTestId('chat-input').fill(text);
  await page.getByTestId('chat-input').press('Enter');
  const reply = page.getByTestId('message-assistant').nth(count);
  await expect(reply).toHaveAttribute('data-streaming', 'false', { timeout: 120_000 });
  return reply;
}
