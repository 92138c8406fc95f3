#!/usr/bin/env node
// Many clients at once (issue 12 §5): 16 concurrent OpenAI clients, each streaming 128 tokens, against the app with
// its default slot count (LoadOptions.parallel 0 = auto: -np N -kvu), and the same load against the llama-server the
// app runs (same process, so the same flags and the same -np) in the same run.
// Per round, in alternating order (raw first on even rounds, app first on odd ones):
//   single  one client alone (the baseline a single stream reaches through the app)
//   app     N clients at once through the app's /v1/chat/completions (proxy + backend gate)
//   raw     N clients at once straight to llama-server
// A run's aggregate tokens/s is all tokens received over the time from the first request to the last stream's end;
// time to first token is per client, from its request to its first content delta. Medians over the rounds.
// Targets: every client completes (ends with [DONE], all tokens); app aggregate >= 1.5 x a single stream; app/raw
// aggregate >= 97 %. llama-server runs one generation thread, as streams.mjs explains (spinning ggml workers on a
// shared machine make rounds incomparable).
//   node scripts/bench/concurrency.mjs [--clients N] [--tokens N] [--rounds N] [--context N] [--parallel N]
//                                      [--threads N] [--preset tiny|small] [--json]
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { ensureTestModel } from '../make-test-model.mjs';
import { appPids, median, rpc, startApp } from './lib/headless-app.mjs';
import { alternatingRounds, benchArgs, chatStream, concurrently, isTokenChunk } from './lib/streaming.mjs';

const values = benchArgs({
  clients: 16,
  tokens: 128,
  rounds: 5,
  // Slots auto (the default): 16384 tokens of context → 8 slots sharing one KV pool (shared/parallel-slots.ts).
  context: 16384,
  parallel: 0,
  threads: 1,
  preset: 'tiny',
  json: false,
});
const CLIENTS = values.clients;
const TOKENS = values.tokens;
const ROUNDS = values.rounds;
const TARGET_SPEEDUP = 1.5;
const TARGET_RATIO = 0.97;
// A connection per client, as separate programs would open; no client-side limit in the way.
const agent = new http.Agent({ keepAlive: false });

/** One SSE stream: content deltas received, time to the first one, whether it ended with [DONE]; never rejects. */
async function stream(base, key, i) {
  const t0 = performance.now();
  let tokens = 0;
  let ttftMs = null;
  const body = JSON.stringify({
    messages: [{ role: 'user', content: `Client ${i}: tell me a long story.` }],
    stream: true,
    max_tokens: TOKENS,
    ignore_eos: true,
    temperature: 0.6,
    seed: i,
  });
  const { done, error } = await chatStream(base, key, body, {
    agent,
    onChunk: (chunk) => {
      if (!isTokenChunk(chunk)) return;
      tokens++;
      ttftMs ??= performance.now() - t0;
    },
  });
  return {
    tokens,
    ttftMs,
    done,
    ms: performance.now() - t0,
    error: error ?? (!done ? 'no [DONE]' : tokens < TOKENS ? `${tokens}/${TOKENS} tokens` : null),
  };
}

/** `n` clients at once; `pids` (llama-server, the app) for the CPU seconds they spent on it. */
async function load(base, key, n, pids) {
  const { results: rs, secs, cpu: cpus } = await concurrently(n, (i) => stream(base, key, i), pids);
  const cpu = cpus.reduce((a, c) => a + c, 0);
  const tokens = rs.reduce((a, r) => a + r.tokens, 0);
  const failed = rs.filter((r) => r.error);
  return {
    tps: tokens / secs,
    secs,
    // Tokens per CPU second of llama-server and the app together: what batching saves, whatever share of the
    // machine this run got (on a shared machine the wall-clock figures follow the other processes' load).
    tpcs: tokens / cpu,
    ttft: rs.map((r) => r.ttftMs ?? Infinity),
    completed: n - failed.length,
    errors: [...new Set(failed.map((r) => r.error))],
  };
}

/** The p-th percentile (0..1) by nearest rank. */
function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
}

/** The slots llama-server really runs (its /slots), so the figure printed is what it did, not what we asked. */
async function slotCount(direct) {
  const res = await fetch(`${direct.base}/slots`, { headers: { authorization: `Bearer ${direct.key}` } });
  if (!res.ok) return NaN;
  return (await res.json()).length;
}

function summary(rs) {
  const ttft = rs.flatMap((r) => r.ttft);
  return {
    tps: median(rs.map((r) => r.tps)),
    tokensPerCpuS: median(rs.map((r) => r.tpcs)),
    secs: median(rs.map((r) => r.secs)),
    ttftP50Ms: percentile(ttft, 0.5),
    ttftP95Ms: percentile(ttft, 0.95),
    completedMin: Math.min(...rs.map((r) => r.completed)),
    errors: [...new Set(rs.flatMap((r) => r.errors))],
  };
}

async function main() {
  const model = await ensureTestModel({ preset: values.preset, seed: 1 });
  const loadOptions = { contextSize: values.context, parallel: values.parallel };
  if (values.threads > 0) loadOptions.threads = values.threads;
  const app = await startApp(model, { settings: { loadOptions } });
  try {
    const slots = await slotCount(app.direct);
    const pids = await appPids(app);
    const args = (await rpc(app.base, app.token, 'backend.logs', { limit: 200 }))
      .map((l) => l.text)
      .find((t) => /\s-np \d+/.test(t));
    const flags = ['-np', '-kvu', '--cache-reuse'].filter((f) => args && args.includes(` ${f}`)).join(' ');
    const results = await alternatingRounds(
      {
        raw: () => load(app.direct.base, app.direct.key, CLIENTS, pids),
        single: () => load(app.base, app.token, 1, pids),
        app: () => load(app.base, app.token, CLIENTS, pids),
      },
      ROUNDS,
    );
    const single = summary(results.single);
    const viaApp = summary(results.app);
    const raw = summary(results.raw);
    const speedup = viaApp.tps / single.tps;
    const ratio = viaApp.tps / raw.tps;
    const pass = {
      appComplete: viaApp.completedMin === CLIENTS,
      rawComplete: raw.completedMin === CLIENTS,
      speedup: speedup >= TARGET_SPEEDUP,
      ratio: ratio >= TARGET_RATIO,
    };
    const out = {
      model: path.basename(model),
      clients: CLIENTS,
      tokensPerClient: TOKENS,
      contextSize: loadOptions.contextSize,
      parallel: loadOptions.parallel,
      slots,
      flags,
      threads: values.threads,
      rounds: ROUNDS,
      single,
      app: viaApp,
      raw,
      speedup,
      ratio,
      pass,
    };
    if (values.json) console.log(JSON.stringify(out, null, 2));
    else print(out);
    if (!pass.appComplete || !pass.rawComplete) process.exitCode = 1;
  } finally {
    await app.stop();
  }
}

function print(o) {
  const ok = (b) => (b ? 'PASS' : 'MISS');
  const f = (x, d = 1) => x.toFixed(d);
  const ms = (x) => (Number.isFinite(x) ? `${Math.round(x)} ms` : 'none');
  console.log(
    `concurrency  ${o.clients} OpenAI clients x ${o.tokensPerClient} tokens (streaming), model=${o.model}, context ${o.contextSize}, parallel ${o.parallel === 0 ? 'auto' : o.parallel} -> ${o.slots} slots (${o.flags}), ${o.threads || 'default'} thread(s), ${o.rounds} rounds alternating (medians), ${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(1)}`,
  );
  for (const [k, s, n] of [
    ['single stream (app)', o.single, 1],
    [`${o.clients} clients via app`, o.app, o.clients],
    [`${o.clients} clients raw`, o.raw, o.clients],
  ]) {
    console.log(
      `  ${k.padEnd(20)} ${f(s.tps).padStart(7)} tok/s aggregate  ${f(s.secs, 2).padStart(6)} s/run  ${Number.isNaN(s.tokensPerCpuS) ? '' : `${f(s.tokensPerCpuS, 0)} tok/CPU-s  `}TTFT p50 ${ms(s.ttftP50Ms)}, p95 ${ms(s.ttftP95Ms)}  completed ${s.completedMin}/${n} (worst round)${s.errors.length ? `  errors: ${s.errors.join(', ')}` : ''}`,
    );
  }
  console.log(`  all ${o.clients} complete: app ${ok(o.pass.appComplete)}, raw ${ok(o.pass.rawComplete)}`);
  console.log(
    `  app aggregate / single stream: ${f(o.speedup, 2)}x (target >= ${TARGET_SPEEDUP}x) ${ok(o.pass.speedup)}`,
  );
  console.log(`  app / raw aggregate: ${f(o.ratio * 100)}% (target >= ${TARGET_RATIO * 100}%) ${ok(o.pass.ratio)}`);
  if (!Number.isNaN(o.app.tokensPerCpuS))
    console.log(
      `  tokens per CPU second (llama-server + app), ${o.clients} clients via app / single stream: ${f(o.app.tokensPerCpuS / o.single.tokensPerCpuS, 2)}x (what batching saves, whatever share of the CPUs the run got; no target)`,
    );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
