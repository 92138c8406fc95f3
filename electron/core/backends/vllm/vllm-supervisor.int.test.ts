/**
 * VllmBackend against the stand-in (scripts/fake-vllm, a real llama-server on the tiny model underneath): load
 * progress from the log before the port opens, ready on /health + /v1/models, the key only in the environment, stop
 * ends the whole process group; the stand-in's failures become typed errors; a taken port is retried; the watchdog
 * ends the group when its pipe from the app closes (what happens when the app dies).
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import type { BackendStatus } from '../../../shared/schemas';
import { defaultLoadOptions } from '../../../shared/schemas';
import { freePort } from '../../util/free-port';
import { BackendLog } from '../backend-log';
import { writeBackendPidFile } from '../llama-cpp/backend-pidfile';
import { spawnGroup, startWatchdog } from './process-tree';
import { VLLM_PID_FILE, VllmBackend } from './supervisor';
import { vllmSpawn, WSL_RUN_SCRIPT } from './launch';
import { childrenOf, fakeInstall, fakeVenv, groupMembers, procText, testPlan } from './vllm-test-env';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-vllm-sup-'));
const venv = fakeVenv(path.join(root, 'venv'));
const snapshot = path.join(root, 'DeepSeek-R1-Distill-Qwen-Tiny');
fs.mkdirSync(snapshot);
const baseEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
  ...process.env,
  FAKE_VLLM_LLAMA_SERVER: inject('llamaServer'),
  FAKE_VLLM_GGUF: inject('tinyModel'),
  FAKE_VLLM_LOAD_MS: '800',
  ...extra,
});

const backends: VllmBackend[] = [];
afterEach(async () => {
  for (const b of backends.splice(0)) await b.dispose();
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function makeBackend(env: NodeJS.ProcessEnv, pickPort: () => Promise<number> = () => freePort()) {
  const runDir = fs.mkdtempSync(path.join(root, 'run-'));
  const b = new VllmBackend({
    spawn,
    fetch: globalThis.fetch,
    pickPort,
    runDir,
    env,
    log: new BackendLog(2000),
    healthIntervalMs: 100,
    killGraceMs: 3000,
  });
  backends.push(b);
  return { b, runDir };
}

const request = () => ({
  kind: 'vllm' as const,
  model: {
    path: snapshot,
    name: 'DeepSeek-R1-Distill-Qwen-Tiny',
    sizeBytes: 1000,
    architecture: 'Qwen2ForCausalLM',
    quantization: null,
    contextLength: 4096,
    parameterCount: 1e6,
    tensorCount: 0,
    ggufVersion: 0,
    splitCount: 1,
  },
  options: { ...defaultLoadOptions(), contextSize: 2048 },
  vllm: { plan: testPlan(snapshot, fakeInstall(venv.vllm)) },
});

function until(b: VllmBackend, pred: (s: BackendStatus) => boolean, ms = 60_000): Promise<BackendStatus> {
  return new Promise((resolve, reject) => {
    if (pred(b.status())) return resolve(b.status());
    const t = setTimeout(() => reject(new Error(`timed out; last ${JSON.stringify(b.status()).slice(0, 300)}`)), ms);
    const off = b.onStatus((s) => {
      if (!pred(s)) return;
      clearTimeout(t);
      off();
      resolve(s);
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function gone(pgid: number, ms = 10_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (groupMembers(pgid).length === 0) return true;
    await sleep(100);
  }
  return groupMembers(pgid).length === 0;
}

describe('VllmBackend with the stand-in', () => {
  it('progress from the log, ready on /health + /v1/models, key not in argv, stop ends the group', async () => {
    const { b, runDir } = makeBackend(baseEnv());
    const seen: BackendStatus[] = [];
    b.onStatus((s) => seen.push(s));
    const started = await b.start(request());
    expect(started).toMatchObject({ state: 'starting', kind: 'vllm', phase: 'spawning' });
    const ready = await until(b, (s) => s.state === 'ready');
    // Before the port opened: loading with progress rising from the log, then warming (KV cache, listening).
    const loading = seen.filter((s) => s.state === 'loading' && s.progress !== null).map((s) => s.progress!);
    expect(loading.length).toBeGreaterThan(3);
    expect(loading.every((p, i) => i === 0 || p >= loading[i - 1]!)).toBe(true);
    expect(seen.some((s) => s.state === 'loading' && s.phase === 'warming')).toBe(true);
    expect(ready).toMatchObject({
      kind: 'vllm',
      progress: 1,
      target: {
        kind: 'vllm',
        install: `setting:${venv.vllm}`,
        servedName: 'DeepSeek-R1-Distill-Qwen-Tiny',
        tensorParallelSize: 1,
        maxModelLen: 2048,
      },
    });
    const ep = b.endpoint()!;
    expect(ep.model).toBe('DeepSeek-R1-Distill-Qwen-Tiny');
    expect(ep.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(b.capabilities()).toEqual({
      reasoning: 'separate',
      speculative: null,
      metrics: { url: `${ep.baseUrl}/metrics`, dialect: 'vllm' },
      slotsUrl: null,
      embeddings: false,
    });
    expect(await b.health()).toBe('ok');
    const pid = ready.pid!;
    // The key: in the environment, never in the command line (nor in our log of it).
    expect(procText(pid, 'cmdline')).not.toContain(ep.apiKey);
    expect(procText(pid, 'environ')).toContain(`VLLM_API_KEY=${ep.apiKey}`);
    expect(b.recentLogs().some((l) => l.text.includes(ep.apiKey))).toBe(false);
    expect(JSON.parse(fs.readFileSync(path.join(runDir, VLLM_PID_FILE), 'utf8')).backendPid).toBe(pid);
    // Its own process group: vLLM (the stand-in) and its engine (llama-server).
    expect(groupMembers(pid).length).toBeGreaterThanOrEqual(2);
    const models = await fetch(`${ep.baseUrl}/v1/models`, { headers: { authorization: `Bearer ${ep.apiKey}` } });
    expect(((await models.json()) as { data: { id: string }[] }).data.map((m) => m.id)).toEqual([ep.model]);

    const stopped = await b.stop();
    expect(stopped.state).toBe('stopped');
    expect(b.lastExit()).toEqual({ kind: 'stopped' });
    expect(await gone(pid)).toBe(true);
    expect(fs.existsSync(path.join(runDir, VLLM_PID_FILE))).toBe(false);
    expect(b.recentLogs().some((l) => /Application shutdown complete/.test(l.text))).toBe(true);
  });

  it.each([
    ['no-gpu', 'VLLM_NO_GPU'],
    ['oom', 'BACKEND_OOM'],
    ['bad-arch', 'VLLM_UNSUPPORTED_ARCH'],
    ['import', 'VLLM_PYTHON_ENV'],
  ])('FAKE_VLLM_FAIL=%s → crashed with %s, nothing left', async (fail, code) => {
    const { b } = makeBackend(baseEnv({ FAKE_VLLM_FAIL: fail }));
    await b.start(request());
    const pid = (await until(b, (s) => s.pid !== null || s.state === 'crashed')).pid;
    const crashed = await until(b, (s) => s.state === 'crashed');
    expect(crashed.error?.code).toBe(code);
    expect(b.lastExit()).toMatchObject({ kind: 'exited', phase: 'loading', code: 1 });
    await expect(b.waitReady()).rejects.toMatchObject({ code });
    if (pid) expect(await gone(pid)).toBe(true);
  });

  it('a taken port: vLLM says so, the next spawn gets another one', async () => {
    const holder = net.createServer();
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', () => r()));
    const taken = (holder.address() as net.AddressInfo).port;
    let calls = 0;
    const { b } = makeBackend(baseEnv(), () => (++calls === 1 ? Promise.resolve(taken) : freePort()));
    try {
      await b.start(request());
      await until(b, (s) => s.state === 'ready');
      expect(calls).toBe(2);
      expect(b.endpoint()!.baseUrl).not.toContain(`:${taken}`);
      expect(b.recentLogs().some((l) => l.text === `port ${taken} was taken, retrying on another port`)).toBe(true);
    } finally {
      holder.close();
    }
  });

  it('SIGKILL of vLLM alone while serving: its engine is ended with it, the run is crashed (BACKEND_CRASHED)', async () => {
    const { b } = makeBackend(baseEnv());
    await b.start(request());
    const pid = (await until(b, (s) => s.state === 'ready')).pid!;
    const members = groupMembers(pid);
    process.kill(pid, 'SIGKILL');
    const crashed = await until(b, (s) => s.state === 'crashed');
    expect(crashed.error?.code).toBe('BACKEND_CRASHED');
    expect(b.lastExit()).toMatchObject({ kind: 'exited', phase: 'running', signal: 'SIGKILL' });
    expect(await gone(pid)).toBe(true);
    expect(members.length).toBeGreaterThanOrEqual(2);
  });
});

describe('a vLLM left by a DeepLocal that died', () => {
  it('is ended with its whole group at the next start (run/vllm.pid, owner gone)', async () => {
    const port = await freePort();
    const launch = vllmSpawn(testPlan(snapshot, fakeInstall(venv.vllm)), defaultLoadOptions(), port, 'k', baseEnv());
    const orphan = spawnGroup(spawn, launch.exe, launch.args, launch.env);
    orphan.stdout!.resume();
    orphan.stderr!.resume();
    const pgid = orphan.pid!;
    try {
      const end = Date.now() + 60_000;
      while (Date.now() < end && groupMembers(pgid).length < 2) await sleep(100);
      expect(groupMembers(pgid).length).toBeGreaterThanOrEqual(2);
      const { b, runDir } = makeBackend(baseEnv());
      const deadOwner = spawnSync(process.execPath, ['-e', '0']).pid!;
      await writeBackendPidFile(runDir, pgid, { pid: deadOwner, start: null }, VLLM_PID_FILE);
      await b.reapStale();
      expect(await gone(pgid)).toBe(true);
      expect(b.recentLogs().some((l) => l.text.includes(`ending ${VLLM_PID_FILE}'s process ${pgid}`))).toBe(true);
      expect(fs.existsSync(path.join(runDir, VLLM_PID_FILE))).toBe(false);
    } finally {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        /* reaped */
      }
    }
  });
});

describe('inside WSL2 (the run script, here without wsl.exe)', () => {
  it('runs vLLM in its own group; closing stdin ends the group and the script', async () => {
    const port = await freePort();
    const launch = vllmSpawn(testPlan(snapshot, fakeInstall(venv.vllm)), defaultLoadOptions(), port, 'k', baseEnv());
    const sh = spawn('sh', ['-c', WSL_RUN_SCRIPT, 'deeplocal-vllm', launch.exe, ...launch.args], {
      env: launch.env,
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    const exited = new Promise<number | null>((r) => sh.once('exit', (code) => r(code)));
    let vllmPid = 0;
    try {
      const end = Date.now() + 60_000;
      while (Date.now() < end && !(await fetch(`http://127.0.0.1:${port}/health`).catch(() => null))?.ok)
        await sleep(100);
      // vLLM leads a group of its own (setsid), its engine inside it.
      vllmPid = childrenOf(sh.pid!).find((p) => groupMembers(p).includes(p))!;
      expect(vllmPid).toBeGreaterThan(0);
      expect(groupMembers(vllmPid).length).toBeGreaterThanOrEqual(2);
      sh.stdin!.end();
      expect(await gone(vllmPid)).toBe(true);
      // The stand-in exits 0 on SIGTERM: the script passes its code on.
      expect(await exited).toBe(0);
    } finally {
      if (vllmPid)
        try {
          process.kill(-vllmPid, 'SIGKILL');
        } catch {
          /* ended */
        }
      sh.kill('SIGKILL');
    }
  });
});

describe('the watchdog', () => {
  it('ends vLLM and its engine when the pipe from the app closes', async () => {
    const port = await freePort();
    const launch = vllmSpawn(
      testPlan(snapshot, fakeInstall(venv.vllm)),
      defaultLoadOptions(),
      port,
      'k',
      baseEnv({ FAKE_VLLM_LOAD_MS: '300' }),
    );
    const child = spawnGroup(spawn, launch.exe, launch.args, launch.env);
    child.stdout!.resume();
    child.stderr!.resume();
    const pgid = child.pid!;
    const w = startWatchdog(spawn, pgid, 1000)!;
    try {
      // Serving (its llama-server is up), then the app "dies": the pipe closes.
      const end = Date.now() + 60_000;
      while (Date.now() < end && !(await fetch(`http://127.0.0.1:${port}/health`).catch(() => null))?.ok)
        await sleep(100);
      expect(groupMembers(pgid).length).toBeGreaterThanOrEqual(2);
      w.stdin!.destroy();
      expect(await gone(pgid)).toBe(true);
      await new Promise<void>((r) => (w.exitCode !== null ? r() : w.once('exit', () => r())));
    } finally {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {
        /* ended by the watchdog */
      }
      w.kill('SIGKILL');
    }
  });
});
