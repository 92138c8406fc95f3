/**
 * Tests only: real ggml-rpc-server processes on loopback (CPU, or a lavapipe Vulkan device with
 * GGML_VK_VISIBLE_DEVICES=0 -d Vulkan0), started and ended by the test that asked for them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import net from 'node:net';
import { freePort } from '../util/free-port';

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export interface TestWorker {
  port: number;
  address: string;
  proc: ChildProcess;
  /** stdout + stderr so far. */
  output(): string;
  /** SIGKILL, resolved when it has exited. */
  kill(): Promise<void>;
}

export async function startTestWorker(
  resourcesDir: string,
  o: { variant: 'cpu' | 'vulkan'; threads?: number; timeoutMs?: number } = { variant: 'cpu' },
): Promise<TestWorker> {
  const bin = path.join(resourcesDir, 'bin', `linux-x64-${o.variant}`, 'ggml-rpc-server');
  const port = await freePort();
  const args = ['-H', '127.0.0.1', '-p', String(port), '-t', String(o.threads ?? 1)];
  const env = { ...process.env };
  if (o.variant === 'vulkan') {
    env.GGML_VK_VISIBLE_DEVICES = '0';
    args.push('-d', 'Vulkan0');
  }
  const proc = spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  // Its stdout is block-buffered into a pipe, so readiness is its port accepting (a connection closed at once
  // ends that client's session and the worker accepts the next).
  const deadline = Date.now() + (o.timeoutMs ?? 60_000);
  while (!(await accepts(port))) {
    if (proc.exitCode !== null || proc.signalCode !== null)
      throw new Error(`ggml-rpc-server exited before listening:\n${out}`);
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`ggml-rpc-server did not start in time:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    address: `127.0.0.1:${port}`,
    proc,
    output: () => out,
    async kill() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
    },
  };
}
