/**
 * The vLLM stand-in (scripts/fake-vllm) end to end, driven the way the vLLM backend will drive real vLLM: argv and env
 * from buildVllmLaunch, load progress from its log, readiness from /health (its port opens only once loaded), a
 * streamed chat with the key and a 401 without, /metrics through our parser, SIGTERM → it and its llama-server gone.
 * Underneath it runs the real llama-server on the synthetic tiny model.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { applyVllmLine, initialVllmProgress, type VllmProgress } from './log-progress';
import { vllmMetricsFrom } from './metrics-parse';
import { classifyVllmExit } from './stderr-classifier';
import { buildVllmLaunch, type VllmPlan } from './vllm-args';

const FAKE = path.resolve(__dirname, '../../../../scripts/fake-vllm/vllm');
const KEY = 'sk-test-key';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Children of `pid`, from /proc (Linux). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(d));
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

interface Run {
  child: ChildProcess;
  lines: string[];
  progress: () => VllmProgress;
  exited: Promise<{ code: number | null; signal: string | null }>;
}

const runs: Run[] = [];

function startFake(plan: VllmPlan, extraEnv: Record<string, string> = {}): Run {
  const { args, env } = buildVllmLaunch(plan, process.env);
  const child = spawn(process.execPath, [FAKE, ...args], {
    env: {
      ...env,
      FAKE_VLLM_LLAMA_SERVER: inject('llamaServer'),
      FAKE_VLLM_GGUF: inject('tinyModel'),
      FAKE_VLLM_LOAD_MS: '300',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const lines: string[] = [];
  let progress = initialVllmProgress();
  for (const stream of [child.stdout!, child.stderr!]) {
    let buf = '';
    stream.setEncoding('utf8');
    stream.on('data', (d: string) => {
      buf += d;
      const parts = buf.split('\n');
      buf = parts.pop()!;
      for (const l of parts) {
        lines.push(l);
        progress = applyVllmLine(progress, l);
      }
    });
  }
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    // 'close': exited and both streams drained, so every line is in.
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  const run = { child, lines, progress: () => progress, exited };
  runs.push(run);
  return run;
}

afterEach(() => {
  for (const r of runs.splice(0)) {
    if (r.child.exitCode === null && r.child.signalCode === null) {
      try {
        process.kill(-r.child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }
});

async function until<T>(what: string, f: () => Promise<T | null> | T | null, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== null && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const plan = (port: number): VllmPlan => ({
  model: '/models/DeepSeek-R1-Distill-Qwen-1.5B',
  servedName: 'r1-tiny',
  port,
  apiKey: KEY,
  maxModelLen: 1024,
  gpuMemoryUtilization: 0.9,
  tensorParallelSize: 1,
  quantization: null,
  dtype: 'auto',
  reasoningParser: 'deepseek_r1',
});

describe('fake vllm', () => {
  it('loads (port closed until then), serves a streamed chat with the key, guards /v1 only, reports metrics, stops cleanly', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const run = startFake(plan(port));

    // Like vLLM: nothing listens while it loads; the log says how far it is.
    await until('the weights phase', () => (run.progress().phase === 'weights' ? true : null));
    await expect(fetch(`${base}/health`)).rejects.toThrow();

    await until('/health', async () => ((await fetch(`${base}/health`).catch(() => null))?.ok ? true : null));
    await until('startup complete in the log', () => (run.progress().phase === 'ready' ? true : null));
    expect(run.progress().url).toBe(base);
    expect(run.lines.join('\n')).not.toContain(KEY);

    const auth = { authorization: `Bearer ${KEY}` };
    const models = (await (await fetch(`${base}/v1/models`, { headers: auth })).json()) as { data: { id: string }[] };
    expect(models.data.map((m) => m.id)).toEqual(['r1-tiny']);
    expect((await fetch(`${base}/v1/models`)).status).toBe(401);
    expect((await fetch(`${base}/v1/models`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);

    const body = JSON.stringify({
      model: 'r1-tiny',
      messages: [{ role: 'user', content: 'Hello' }],
      max_tokens: 8,
      stream: true,
    });
    const unauth = await fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
    });
    expect(unauth.status).toBe(401);
    const res = await fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      body,
      headers: { ...auth, 'content-type': 'application/json' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const sse = await res.text();
    const events = sse
      .split('\n')
      .filter((l) => l.startsWith('data: '))
      .map((l) => l.slice(6));
    expect(events.at(-1)).toBe('[DONE]');
    const chunks = events
      .slice(0, -1)
      .map((e) => JSON.parse(e) as { model: string; choices: { finish_reason: string | null }[] });
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks[0]!.model).toBe('r1-tiny');
    // Random weights may stop early: either way the stream ends with a finish reason.
    expect(chunks.some((c) => ['length', 'stop'].includes(c.choices[0]?.finish_reason ?? ''))).toBe(true);

    // /metrics is open (no key), in vLLM's names.
    const metricsRes = await fetch(`${base}/metrics`);
    expect(metricsRes.status).toBe(200);
    const m = vllmMetricsFrom(await metricsRes.text(), 'r1-tiny');
    expect(m.running).toBe(0);
    expect(m.waiting).toBe(0);
    expect(m.generationTokens).toBeGreaterThanOrEqual(1);
    expect(m.promptTokens).toBeGreaterThanOrEqual(1);
    expect(m.kvUsage).toBe(0);
    expect(m.ttft?.count).toBe(1);

    const kids = childrenOf(run.child.pid!);
    expect(kids.length).toBe(1);
    run.child.kill('SIGTERM');
    expect(await run.exited).toEqual({ code: 0, signal: null });
    await until('llama-server gone', () => (kids.every((k) => !alive(k)) ? true : null), 5000);
    expect(run.lines.join('\n')).toMatch(/Application shutdown complete/);
  });

  it.each([
    ['oom', 'oom', 'weights'],
    ['no-gpu', 'no-gpu', 'engine'],
    ['bad-arch', 'unsupported-architecture', 'starting'],
  ] as const)('FAKE_VLLM_FAIL=%s: exits 1, classified %s, in the %s phase', async (fail, reason, phase) => {
    const port = await freePort();
    const run = startFake(plan(port), { FAKE_VLLM_FAIL: fail });
    const end = await run.exited;
    expect(end.code).toBe(1);
    expect(run.progress().phase).toBe(phase);
    expect(classifyVllmExit(run.lines, end).reason).toBe(reason);
    expect(childrenOf(run.child.pid!)).toEqual([]);
  });

  it('a port that is really taken: the bind error before loading', async () => {
    const holder = net.createServer();
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (holder.address() as net.AddressInfo).port;
      const run = startFake(plan(port));
      const end = await run.exited;
      expect(end.code).toBe(1);
      expect(classifyVllmExit(run.lines, end).reason).toBe('port-in-use');
      expect(run.progress().phase).toBe('starting');
    } finally {
      holder.close();
    }
  });

  it('an unknown flag: argparse usage error, exit 2', async () => {
    const child = spawn(process.execPath, [FAKE, 'serve', '/m', '--enable-reasoning'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    expect(code).toBe(2);
    expect(err).toMatch(/^usage: vllm \[-h\] \[-v\]\n.*\nvllm: error: unrecognized arguments: --enable-reasoning\n$/s);
    expect(classifyVllmExit(err.split('\n'), { code, signal: null }).reason).toBe('bad-arguments');
  });
});
