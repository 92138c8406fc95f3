/**
 * The supervisor against the real llama-server and a synthetic model: lifecycle, progress, typed crash reasons,
 * and no orphan backend when the app is killed.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { AppError } from '../../shared/errors';
import type { BackendStatus } from '../../shared/schemas';
import { pidAlive, startApp, tmpDir, waitForStatus, waitUntil, type AppUnderTest } from '../../test/helpers';

const resourcesDir = inject('resourcesDir');
const tinyModel = inject('tinyModel');
const repoRoot = path.resolve(__dirname, '..', '..', '..');

let app: AppUnderTest | null = null;
afterEach(async () => {
  await app?.close();
  app = null;
});

describe('llama-server supervisor', () => {
  it('goes stopped → loading (with progress) → ready → stopping → stopped, and can start again', async () => {
    app = await startApp(resourcesDir);
    const seen: BackendStatus[] = [];
    app.core.supervisor.onStatus((s) => seen.push(s));

    const first = await app.core.handlers['backend.start']({ modelPath: tinyModel }, { transport: 'direct' });
    expect(['starting', 'loading']).toContain(first.state);
    const ready = await waitForStatus(app.core, (s) => s.state === 'ready');
    expect(ready.model?.architecture).toBe('qwen2');
    expect(ready.pid).toBeGreaterThan(0);
    expect(ready.readyAt).toBeGreaterThanOrEqual(ready.startedAt!);
    // Progress comes from llama-server's own load callback, so it must have moved through loading values.
    const states = seen.map((s) => s.state);
    expect(states.indexOf('loading')).toBeLessThan(states.indexOf('ready'));
    expect(seen.some((s) => s.state === 'loading' && s.progress !== null && s.progress > 0)).toBe(true);
    const pid = ready.pid!;

    const stopped = await app.core.handlers['backend.stop']({}, { transport: 'direct' });
    expect(stopped.state).toBe('stopped');
    expect(seen.some((s) => s.state === 'stopping')).toBe(true);
    expect(await waitUntil(() => !pidAlive(pid), 5000)).toBe(true);

    // A second run gets a new runId and a new process.
    await app.core.handlers['backend.start']({ modelPath: tinyModel }, { transport: 'direct' });
    const again = await waitForStatus(app.core, (s) => s.state === 'ready');
    expect(again.runId).toBe(ready.runId + 1);
    expect(again.pid).not.toBe(pid);
    // The model went to the recent list, written to disk.
    const settings = JSON.parse(fs.readFileSync(path.join(app.dataDir, 'settings.json'), 'utf8'));
    expect(settings.recentModels[0]).toBe(tinyModel);
  });

  it('reports kill -9 of llama-server as crashed, with the signal as reason, and keeps the log', async () => {
    app = await startApp(resourcesDir);
    await app.core.handlers['backend.start']({ modelPath: tinyModel }, { transport: 'direct' });
    const ready = await waitForStatus(app.core, (s) => s.state === 'ready');
    process.kill(ready.pid!, 'SIGKILL');
    const crashed = await waitForStatus(app.core, (s) => s.state === 'crashed');
    expect(crashed.error?.code).toBe('BACKEND_CRASHED');
    expect(crashed.error?.params?.reason).toMatch(/SIGKILL/);
    expect(app.core.supervisor.endpoint()).toBeNull();
    const logs = await app.core.handlers['backend.logs']({ limit: 50 }, { transport: 'direct' });
    expect(logs.some((l) => /exited \(signal SIGKILL\)/.test(l.text))).toBe(true);
    // The app keeps working: another start succeeds.
    await app.core.handlers['backend.start']({ modelPath: tinyModel }, { transport: 'direct' });
    await waitForStatus(app.core, (s) => s.state === 'ready');
  });

  it('rejects bad model files before spawning, with typed errors', async () => {
    app = await startApp(resourcesDir);
    const dir = tmpDir();
    const notGguf = path.join(dir, 'notes.gguf');
    fs.writeFileSync(notGguf, 'this is not a model');
    const truncated = path.join(dir, 'half.gguf');
    const full = fs.readFileSync(tinyModel);
    fs.writeFileSync(truncated, full.subarray(0, Math.floor(full.length / 2)));
    const cases: [string, string][] = [
      [path.join(dir, 'missing.gguf'), 'MODEL_NOT_FOUND'],
      [dir, 'MODEL_NOT_FILE'],
      [notGguf, 'MODEL_NOT_GGUF'],
      [truncated, 'MODEL_TRUNCATED'],
    ];
    for (const [file, code] of cases) {
      const err = await app.core.handlers['backend.start']({ modelPath: file }, { transport: 'direct' }).catch((e: unknown) => e);
      expect(err, file).toBeInstanceOf(AppError);
      expect((err as AppError).code, file).toBe(code);
    }
    expect(app.core.supervisor.status().state).toBe('stopped');
  });

  it('classifies a model llama-server refuses (unknown architecture) from its stderr', async () => {
    app = await startApp(resourcesDir);
    const dir = tmpDir();
    const file = path.join(dir, 'alien.gguf');
    // Same bytes as the tiny model but the architecture renamed in place (same length keeps offsets valid).
    const buf = fs.readFileSync(tinyModel);
    const at = buf.indexOf(Buffer.from('general.architecture'));
    const value = buf.indexOf(Buffer.from('qwen2'), at);
    buf.write('zzzz9', value);
    for (let i = buf.indexOf(Buffer.from('qwen2.')); i !== -1 && i < 1 << 20; i = buf.indexOf(Buffer.from('qwen2.'), i + 1)) buf.write('zzzz9', i);
    fs.writeFileSync(file, buf);
    await app.core.handlers['backend.start']({ modelPath: file }, { transport: 'direct' });
    const crashed = await waitForStatus(app.core, (s) => s.state === 'crashed');
    expect(crashed.error?.code).toBe('MODEL_UNSUPPORTED_ARCH');
    expect(crashed.error?.params?.arch).toBe('zzzz9');
    expect(crashed.error?.details).toMatch(/unknown model architecture/);
  });

  it('fails with BACKEND_BINARY_MISSING when llama-server is not where settings say', async () => {
    app = await startApp(resourcesDir, { llamaServerPath: '/nonexistent/llama-server' });
    const info = await app.core.handlers['app.info']({}, { transport: 'direct' });
    expect(info.backend.found).toBe(false);
    const err = await app.core.handlers['backend.start']({ modelPath: tinyModel }, { transport: 'direct' }).catch((e: unknown) => e);
    expect((err as AppError).code).toBe('BACKEND_BINARY_MISSING');
    expect(app.core.supervisor.status().state).toBe('crashed');
  });

  it('recovers when its port is taken before llama-server binds it', async () => {
    app = await startApp(resourcesDir);
    // Occupy a port and make the supervisor pick it first: llama-server fails to bind and we retry elsewhere.
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const taken = (blocker.address() as net.AddressInfo).port;
    const sup = app.core.supervisor as unknown as { deps: { pickPort: () => Promise<number> } };
    const original = sup.deps.pickPort;
    let calls = 0;
    sup.deps.pickPort = async () => (calls++ === 0 ? taken : original());
    try {
      await app.core.handlers['backend.start']({ modelPath: tinyModel }, { transport: 'direct' });
      const ready = await waitForStatus(app.core, (s) => s.state === 'ready' || s.state === 'crashed');
      expect(ready.state).toBe('ready');
      expect(calls).toBeGreaterThanOrEqual(2);
      const logs = app.core.supervisor.recentLogs(500).map((l) => l.text).join('\n');
      expect(logs).toMatch(new RegExp(`port ${taken} was taken`));
    } finally {
      blocker.close();
    }
  });

  it('leaves no llama-server behind when the headless app is killed with SIGKILL', async () => {
    const dataDir = tmpDir();
    const child = spawn(process.execPath, [path.join(repoRoot, 'dist/electron/headless.mjs'), '--model', tinyModel, '--data-dir', dataDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    expect(await waitUntil(() => /Model ready/.test(out), 30_000)).toBe(true);
    const pid = (JSON.parse(fs.readFileSync(path.join(dataDir, 'run', 'llama-server.pid'), 'utf8')) as { backendPid: number }).backendPid;
    expect(pidAlive(pid)).toBe(true);
    child.kill('SIGKILL');
    // llama-server watches its stdin; our death closes it and it exits by itself.
    expect(await waitUntil(() => !pidAlive(pid) || isZombie(pid), 10_000)).toBe(true);
  });
});

function isZombie(pid: number): boolean {
  try {
    return /^\d+ \([^)]*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}
