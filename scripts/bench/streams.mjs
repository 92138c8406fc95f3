#!/usr/bin/env node
// Many streams at once through DeepLocal against the same run straight to llama-server.
// Starts the headless app with the synthetic model and N slots, then alternates rounds of
//   raw  N concurrent POST llama-server /v1/chat/completions (SSE)
//   app  N concurrent POST app /v1/chat/completions (our proxy and its backend gate)
// (raw first on even rounds, app first on odd ones, so neither always runs on a machine still busy with the other).
// Each stream asks for the same number of tokens; a run's aggregate tokens/s is all tokens received over the time
// from the first request to the last stream's end. Every stream must end with [DONE] on both paths. The CPU seconds
// llama-server and the app spent per run are printed too (Linux): the app's gate lets 2 x slots requests into
// llama-server and keeps the rest itself, which spares llama-server waking every waiting connection's thread on
// every token.
// llama-server runs one generation thread by default (--threads 0 = llama.cpp's own choice): ggml's worker threads
// spin at barriers, and on a machine whose cores other processes share, a descheduled spinning thread made the
// same run take 6.5 s or 48 s; one thread gives comparable rounds, and leaves a core for the clients, as a GPU does.
//   node scripts/bench/streams.mjs [--streams N] [--tokens N] [--rounds N] [--parallel N] [--threads N] [--preset tiny|small] [--json]
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { ensureTestModel } from '../make-test-model.mjs';
import { appPids, median, startApp } from './lib/headless-app.mjs';
import { alternatingRounds, benchArgs, chatStream, concurrently, isTokenChunk } from './lib/streaming.mjs';

const values = benchArgs({ streams: 200, tokens: 16, rounds: 6, parallel: 8, threads: 1, preset: 'tiny', json: false });
const STREAMS = values.streams;
const TOKENS = values.tokens;
const ROUNDS = values.rounds;
const PARALLEL = values.parallel;
const THREADS = values.threads;
// A connection per stream, as 200 separate clients would open; no client-side limit in the way.
const agent = new http.Agent({ keepAlive: false });

/** One SSE stream: tokens received and whether it ended with [DONE]; never rejects (a failure is counted). */
async function stream(base, key, i) {
  let tokens = 0;
  const body = JSON.stringify({
    messages: [{ role: 'user', content: `Tell me story number ${i}.` }],
    stream: true,
    max_tokens: TOKENS,
    ignore_eos: true,
    temperature: 0.6,
    seed: i,
  });
  const { done, error } = await chatStream(base, key, body, {
    agent,
    onChunk: (chunk) => {
      if (isTokenChunk(chunk)) tokens++;
    },
  });
  return { tokens, done, error: error ?? (done ? null : 'no [DONE]') };
}

async function run(base, key, pids) {
  const { results: rs, secs, cpu } = await concurrently(STREAMS, (i) => stream(base, key, i), pids);
  const [llamaCpu, appCpu] = cpu;
  const tokens = rs.reduce((a, r) => a + r.tokens, 0);
  const failed = rs.filter((r) => r.error);
  return {
    secs,
    tokens,
    tps: tokens / secs,
    llamaCpu,
    appCpu,
    completed: STREAMS - failed.length,
    errors: [...new Set(failed.map((r) => r.error))],
  };
}

async function main() {
  const model = await ensureTestModel({ preset: values.preset, seed: 1 });
  // Enough context for every slot's prompt and reply.
  const app = await startApp(model, {
    settings: { loadOptions: { parallel: PARALLEL, contextSize: PARALLEL * 256, threads: THREADS } },
  });
  try {
    const pids = await appPids(app);
    const results = await alternatingRounds(
      { raw: () => run(app.direct.base, app.direct.key, pids), app: () => run(app.base, app.token, pids) },
      ROUNDS,
    );
    const sum = (name) => {
      const rs = results[name];
      return {
        tps: median(rs.map((x) => x.tps)),
        secs: median(rs.map((x) => x.secs)),
        llamaCpu: median(rs.map((x) => x.llamaCpu)),
        appCpu: median(rs.map((x) => x.appCpu)),
        completedMin: Math.min(...rs.map((x) => x.completed)),
        errors: [...new Set(rs.flatMap((x) => x.errors))],
      };
    };
    const raw = sum('raw');
    const viaApp = sum('app');
    const out = {
      model: path.basename(model),
      streams: STREAMS,
      tokensPerStream: TOKENS,
      slots: PARALLEL,
      threads: THREADS,
      rounds: ROUNDS,
      raw,
      app: viaApp,
      ratio: viaApp.tps / raw.tps,
      perRound: results,
    };
    if (values.json) console.log(JSON.stringify(out, null, 2));
    else {
      const ok = (b) => (b ? 'ok' : 'MISS');
      const f = (x, d = 1) => x.toFixed(d);
      console.log(
        `streams  ${STREAMS} concurrent SSE streams x ${TOKENS} tokens, ${PARALLEL} slots, ${THREADS || 'default'} thread(s), model=${out.model}, ${ROUNDS} rounds alternating (medians), ${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(1)}`,
      );
      for (const [k, s] of [
        ['raw (llama-server)', raw],
        ['app (/v1 proxy)', viaApp],
      ]) {
        const cpu = Number.isNaN(s.llamaCpu)
          ? ''
          : `  CPU s/run: llama-server ${f(s.llamaCpu, 2)}, app ${f(s.appCpu, 2)}`;
        console.log(
          `  ${k.padEnd(19)} ${f(s.tps).padStart(8)} tok/s aggregate  ${f(s.secs, 2).padStart(6)} s/run${cpu}  completed ${s.completedMin}/${STREAMS} (worst round)${s.errors.length ? `  errors: ${s.errors.join(', ')}` : ''}`,
        );
      }
      console.log(
        `  all ${STREAMS} complete: raw ${ok(raw.completedMin === STREAMS)}, app ${ok(viaApp.completedMin === STREAMS)}`,
      );
      console.log(`  app / raw: ${f(out.ratio * 100)}% aggregate tok/s (target >= 97%) ${ok(out.ratio >= 0.97)}`);
    }
    if (raw.completedMin !== STREAMS || viaApp.completedMin !== STREAMS) process.exitCode = 1;
  } finally {
    await app.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
