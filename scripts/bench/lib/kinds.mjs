// What the backend-kind benches (external.mjs, vllm.mjs) share: the built headless app started WITHOUT a model (the
// kind under test is started through the contract), a plain llama-server as "the remote server", waiting for the
// backend to be ready, and the contract's chat (chat.start over the app's WebSocket, as serve-overhead.mjs does).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { median, rpc } from './headless-app.mjs';
import { cpuSeconds, streamMedians } from './streaming.mjs';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

/** Collects a child's output; `waitFor(re)` resolves with the match once it appears (rejects on exit or timeout). */
function watch(child, what) {
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  return {
    text: () => out,
    async waitFor(re, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const m = re.exec(out);
        if (m) return m;
        if (Date.now() > deadline || child.exitCode !== null || child.signalCode !== null)
          throw new Error(`${what} did not get ready:\n${out.slice(-4000)}`);
        await sleep(100);
      }
    },
  };
}

async function stopChild(child, { group = false } = {}) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  const kill = (sig) => {
    try {
      if (group) process.kill(-child.pid, sig);
      else child.kill(sig);
    } catch {
      /* already gone */
    }
  };
  kill('SIGTERM');
  const t = setTimeout(() => kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(t);
}

/**
 * dist/electron/headless.mjs in a fresh data folder with no model: { base, token, dataDir, child, call, stop }.
 * `env` is added to this process's environment (e.g. DEEPLOCAL_VLLM and FAKE_VLLM_* for the vLLM stand-in).
 */
export async function startBareApp({ env = {}, timeoutMs = 60_000 } = {}) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-bench-kind-'));
  const child = spawn(process.execPath, [path.join(root, 'dist/electron/headless.mjs'), '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LANG: 'en_US.UTF-8', ...env },
  });
  const w = watch(child, 'the headless app');
  const m = await w.waitFor(/DeepLocal ready: (http:\/\/[^/]+)\/\?token=(\S+)/, timeoutMs).catch(async (e) => {
    await stopChild(child);
    throw e;
  });
  const [, base, token] = m;
  return {
    base,
    token,
    dataDir,
    child,
    output: w.text,
    call: (method, params = {}) => rpc(base, token, method, params),
    async stop() {
      await stopChild(child);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls backend.status until `ready` (returns it); throws on `crashed`/`stopped` after a start, or on timeout. */
export async function waitBackendReady(app, timeoutMs = 180_000) {
  const deadline = Date.now() + timeoutMs;
  let s;
  for (;;) {
    s = await app.call('backend.status', {});
    if (s.state === 'ready') return s;
    if (s.state === 'crashed') throw new Error(`backend crashed: ${JSON.stringify(s.error)}`);
    if (Date.now() > deadline) throw new Error(`backend not ready in time: ${JSON.stringify(s)}`);
    await sleep(200);
  }
}

/**
 * A plain llama-server on loopback guarded by `apiKey`: the stand-in for a server someone else runs.
 * Returns { base, port, child, stop }.
 */
export async function startLlamaServer({ bin, model, apiKey, extra = [], timeoutMs = 120_000 }) {
  const port = await freePort();
  const args = [
    '-m',
    model,
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--api-key',
    apiKey,
    '-c',
    '4096',
    '-np',
    '1',
  ];
  const child = spawn(bin, [...args, ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  const w = watch(child, 'llama-server');
  const base = `http://127.0.0.1:${port}`;
  // Ready when /health says so (it answers 503 while loading).
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await fetch(`${base}/health`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) break;
    if (Date.now() > deadline || child.exitCode !== null) {
      await stopChild(child);
      throw new Error(`llama-server did not get ready:\n${w.text().slice(-4000)}`);
    }
    await sleep(100);
  }
  return { base, port, child, args, stop: () => stopChild(child) };
}

export { stopChild };

// ---- the contract's chat over the app's WebSocket ----

export function connectContract(base, token) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${base.replace('http', 'ws')}/api/ws`, ['deeplocal.v1', `deeplocal.token.${token}`]);
    ws.on('open', () => resolve(ws));
    ws.on('error', reject);
  });
}

let counter = 0;

/**
 * One chat.start (stateless chat) with `messages` and `sampling`; deltas as chat.event on its requestId topic.
 * Tokens/s from the first to the last delta over the final timings' predicted tokens (deltas are coalesced), TTFT from
 * the call to the first delta.
 */
export function contractChatRound(ws, messages, sampling) {
  return new Promise((resolve, reject) => {
    const id = ++counter;
    const requestId = `bench-kind-${id}`;
    let first = null;
    let last = null;
    let n = 0;
    const t0 = performance.now();
    const onMessage = (data) => {
      const f = JSON.parse(String(data));
      if (f.type === 'result' && f.id === id && !f.ok) {
        ws.off('message', onMessage);
        return reject(new Error(JSON.stringify(f.error)));
      }
      if (f.type !== 'event' || f.payload?.requestId !== requestId) return;
      if (f.payload.type === 'delta') {
        const now = performance.now();
        first ??= now;
        last = now;
        n++;
      } else if (f.payload.type === 'done' || f.payload.type === 'error') {
        ws.off('message', onMessage);
        ws.send(JSON.stringify({ type: 'unsub', event: 'chat.event', topic: requestId }));
        if (f.payload.type === 'error') return reject(new Error(JSON.stringify(f.payload.error)));
        const tokens = f.payload.timings?.predictedTokens ?? n;
        resolve({ ttft: first - t0, tps: ((tokens - 1) * 1000) / (last - first), tokens, events: n });
      }
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ type: 'sub', event: 'chat.event', topic: requestId }));
    ws.send(JSON.stringify({ type: 'call', id, method: 'chat.start', params: { requestId, messages, sampling } }));
  });
}

/**
 * Wraps each path of `paths` ({ name: async () => result }) so its result also carries `cpu`: the CPU seconds each
 * process of `pids` ({ label: pid }) spent during that round (Linux /proc). What the app spends per reply is its
 * overhead whatever the load on the machine; the server's is the work itself.
 */
export function withCpu(paths, pids) {
  return Object.fromEntries(
    Object.entries(paths).map(([name, f]) => [
      name,
      async () => {
        const before = Object.fromEntries(Object.entries(pids).map(([k, p]) => [k, cpuSeconds(p)]));
        const r = await f();
        return { ...r, cpu: Object.fromEntries(Object.entries(pids).map(([k, p]) => [k, cpuSeconds(p) - before[k]])) };
      },
    ]),
  );
}

/**
 * Lines to print: each path's median tok/s and TTFT; then each app path against `direct`, decided per round — each
 * round's app/direct tok/s ratio and TTFT difference, both measured back to back under the same load, then the median
 * of those (this box is shared: load moves single figures by more than the targets) — with the ratio of the medians
 * beside it. Targets: tok/s >= 97 %, TTFT <= +10 ms.
 */
export function report(title, results, appPaths) {
  const summary = streamMedians(results);
  const f = (x, d = 1) => x.toFixed(d);
  const sign = (x) => (x >= 0 ? '+' : '');
  const lines = [title];
  for (const [k, s] of Object.entries(summary))
    lines.push(
      `  ${k.padEnd(10)} ${f(s.tps).padStart(7)} tok/s   TTFT ${f(s.ttftMs, 2).padStart(8)} ms   (${s.tokens} tokens)`,
    );
  const ratios = {};
  let pass = true;
  for (const k of appPaths) {
    const perRoundTps = median(results[k].map((r, i) => r.tps / results.direct[i].tps));
    const perRoundTtft = median(results[k].map((r, i) => r.ttft - results.direct[i].ttft));
    const ofMediansTps = summary[k].tps / summary.direct.tps;
    const ofMediansTtft = summary[k].ttftMs - summary.direct.ttftMs;
    ratios[k] = {
      tps: perRoundTps,
      ttftDeltaMs: perRoundTtft,
      ofMedians: { tps: ofMediansTps, ttftDeltaMs: ofMediansTtft },
    };
    const okT = perRoundTps >= 0.97;
    const okF = perRoundTtft <= 10;
    pass &&= okT && okF;
    lines.push(
      `  ${k} / direct (per round): ${f(perRoundTps * 100)}% tok/s (target >= 97%) ${okT ? 'PASS' : 'MISS'}; TTFT ${sign(perRoundTtft)}${f(perRoundTtft, 2)} ms (target <= +10 ms) ${okF ? 'PASS' : 'MISS'}   [of medians: ${f(ofMediansTps * 100)}%, ${sign(ofMediansTtft)}${f(ofMediansTtft, 2)} ms]`,
    );
  }
  const cpuOf = (k, label) => median(results[k].map((r) => r.cpu?.[label] ?? NaN));
  const labels = Object.keys(results.direct[0]?.cpu ?? {});
  if (labels.length) {
    lines.push('  CPU ms per reply (medians; the app on the direct path is its idle cost):');
    for (const k of Object.keys(results))
      lines.push(`    ${k.padEnd(10)} ${labels.map((l) => `${l} ${f(cpuOf(k, l) * 1000, 0)}`).join('   ')}`);
  }
  return { lines, summary, ratios, pass };
}
