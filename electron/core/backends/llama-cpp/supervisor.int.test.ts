/**
 * The llama-cpp backend against the real llama-server and a synthetic model: lifecycle, progress, typed crash
 * reasons, what it says it serves, and no orphan backend when the app is killed.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { AppError } from '../../../shared/errors';
import { defaultLoadOptions, type BackendStatus } from '../../../shared/schemas';
import { pidAlive, startApp, tmpDir, waitForStatus, waitUntil, type AppUnderTest } from '../../../test/helpers';
import { inspectModel } from '../../models/inspect';
import { freePort } from '../../util/free-port';
import { LlamaCppBackend } from './supervisor';

const resourcesDir = inject('resourcesDir');
const llamaServer = inject('llamaServer');
const tinyModel = inject('tinyModel');
const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');

let app: AppUnderTest | null = null;
afterEach(async () => {
  await app?.close();
  app = null;
});

describe('llama-server supervisor', () => {
  it('goes stopped → loading (with progress) → ready → stopping → stopped, and can start again', async () => {
    app = await startApp(resourcesDir);
    const seen: BackendStatus[] = [];
    app.core.backend.onStatus((s) => seen.push(s));

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
    expect(app.core.backend.lastExit()).toBeNull();
    expect(await app.core.backend.health()).toBe('ok');

    // What it says it serves is what the real server answers: /metrics (we pass --metrics), /slots (on by default),
    // and no embeddings (those need --embeddings, which would make it an embeddings-only server).
    const ep = app.core.backend.endpoint()!;
    const caps = app.core.backend.capabilities()!;
    expect(caps).toEqual({
      reasoning: 'separate',
      speculative: null,
      metrics: { url: `${ep.baseUrl}/metrics`, dialect: 'llamacpp' },
      slotsUrl: `${ep.baseUrl}/slots`,
      embeddings: false,
    });
    const auth = { authorization: `Bearer ${ep.apiKey}` };
    expect((await fetch(caps.metrics!.url, { headers: auth })).status).toBe(200);
    expect((await fetch(caps.slotsUrl!, { headers: auth })).status).toBe(200);
    const embed = await fetch(`${ep.baseUrl}/v1/embeddings`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ input: 'hi' }),
    });
    expect(embed.status).toBe(501);

    const stopped = await app.core.handlers['backend.stop']({}, { transport: 'direct' });
    expect(stopped.state).toBe('stopped');
    expect(seen.some((s) => s.state === 'stopping')).toBe(true);
    expect(await waitUntil(() => !pidAlive(pid), 5000)).toBe(true);
    expect(app.core.backend.lastExit()).toEqual({ kind: 'stopped' });
    expect(app.core.backend.capabilities()).toBeNull();
    expect(await app.core.backend.health()).toBe('unreachable');

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
    // The typed reason a restart policy will read: it was serving, and a signal ended it.
    expect(app.core.backend.lastExit()).toMatchObject({
      kind: 'exited',
      phase: 'running',
      code: null,
      signal: 'SIGKILL',
      error: { code: 'BACKEND_CRASHED' },
    });
    expect(app.core.backend.endpoint()).toBeNull();
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
      const err = await app.core.handlers['backend.start']({ modelPath: file }, { transport: 'direct' }).catch(
        (e: unknown) => e,
      );
      expect(err, file).toBeInstanceOf(AppError);
      expect((err as AppError).code, file).toBe(code);
    }
    expect(app.core.backend.status().state).toBe('stopped');
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
    for (
      let i = buf.indexOf(Buffer.from('qwen2.'));
      i !== -1 && i < 1 << 20;
      i = buf.indexOf(Buffer.from('qwen2.'), i + 1)
    )
      buf.write('zzzz9', i);
    fs.writeFileSync(file, buf);
    await app.core.handlers['backend.start']({ modelPath: file }, { transport: 'direct' });
    const crashed = await waitForStatus(app.core, (s) => s.state === 'crashed');
    expect(crashed.error?.code).toBe('MODEL_UNSUPPORTED_ARCH');
    expect(crashed.error?.params?.arch).toBe('zzzz9');
    expect(crashed.error?.details).toMatch(/unknown model architecture/);
    expect(app.core.backend.lastExit()).toMatchObject({
      kind: 'exited',
      phase: 'loading',
      code: 1,
      error: { code: 'MODEL_UNSUPPORTED_ARCH' },
    });
  });

  it('fails with BACKEND_BINARY_MISSING when llama-server is not where settings say', async () => {
    app = await startApp(resourcesDir, { llamaServerPath: '/nonexistent/llama-server' });
    const info = await app.core.handlers['app.info']({}, { transport: 'direct' });
    expect(info.backend.found).toBe(false);
    const err = await app.core.handlers['backend.start']({ modelPath: tinyModel }, { transport: 'direct' }).catch(
      (e: unknown) => e,
    );
    expect((err as AppError).code).toBe('BACKEND_BINARY_MISSING');
    expect(app.core.backend.status().state).toBe('crashed');
    expect(app.core.backend.lastExit()).toMatchObject({
      kind: 'not-started',
      error: { code: 'BACKEND_BINARY_MISSING' },
    });
  });

  it('recovers when its port is taken before llama-server binds it', async () => {
    // Occupy a port and hand it out first: llama-server fails to bind, and the backend asks the picker again.
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const taken = (blocker.address() as net.AddressInfo).port;
    const picked: number[] = [];
    const { backend, close } = llamaBackend({
      pickPort: async () => {
        const port = picked.length === 0 ? taken : await freePort();
        picked.push(port);
        return port;
      },
    });
    try {
      await backend.start({ model: await inspectModel(tinyModel), options: defaultLoadOptions() });
      await backend.waitReady();
      expect(picked).toHaveLength(2);
      expect(picked[0]).toBe(taken);
      expect(backend.endpoint()?.baseUrl).toBe(`http://127.0.0.1:${picked[1]}`);
      expect(
        backend
          .recentLogs(500)
          .map((l) => l.text)
          .join('\n'),
      ).toMatch(new RegExp(`port ${taken} was taken`));
    } finally {
      await close();
      blocker.close();
    }
  });

  it('ends a load that goes silent (SIGSTOP) as stalled, and the process with it', async () => {
    // A stopped process writes nothing and answers nothing: exactly a hung load, which must not wait forever.
    const { backend, close } = llamaBackend({ stallMs: 1500, healthIntervalMs: 100, killGraceMs: 300 });
    let pid = 0;
    backend.onStatus((s) => {
      if (s.state === 'loading' && s.pid && !pid) {
        pid = s.pid;
        process.kill(pid, 'SIGSTOP');
      }
    });
    try {
      await backend.start({ model: await inspectModel(tinyModel), options: defaultLoadOptions() });
      await expect(backend.waitReady()).rejects.toMatchObject({ code: 'BACKEND_LOAD_TIMEOUT' });
      expect(backend.lastExit()).toMatchObject({ kind: 'stalled', error: { code: 'BACKEND_LOAD_TIMEOUT' } });
      expect(await waitUntil(() => !pidAlive(pid) || isZombie(pid), 10_000)).toBe(true);
    } finally {
      await close();
    }
  });

  it('leaves no llama-server behind when the headless app is killed with SIGKILL', async () => {
    const dataDir = tmpDir();
    const child = spawn(
      process.execPath,
      [path.join(repoRoot, 'dist/electron/headless.mjs'), '--model', tinyModel, '--data-dir', dataDir],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    expect(await waitUntil(() => /Model ready/.test(out), 30_000)).toBe(true);
    const pid = (
      JSON.parse(fs.readFileSync(path.join(dataDir, 'run', 'llama-server.pid'), 'utf8')) as { backendPid: number }
    ).backendPid;
    expect(pidAlive(pid)).toBe(true);
    child.kill('SIGKILL');
    // llama-server watches its stdin; our death closes it and it exits by itself.
    expect(await waitUntil(() => !pidAlive(pid) || isZombie(pid), 10_000)).toBe(true);
  });
});

/** A backend of our own (not the app's), so a test can hand it its port picker and timings. */
function llamaBackend(over: Partial<ConstructorParameters<typeof LlamaCppBackend>[0]>) {
  const runDir = tmpDir();
  const backend = new LlamaCppBackend({
    spawn,
    fetch: globalThis.fetch,
    pickPort: () => freePort(),
    binaryPath: async () => llamaServer,
    runDir,
    ...over,
  });
  return {
    backend,
    async close() {
      await backend.dispose();
      fs.rmSync(runDir, { recursive: true, force: true });
    },
  };
}

function isZombie(pid: number): boolean {
  try {
    return /^\d+ \([^)]*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}
