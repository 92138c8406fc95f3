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
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ensureTestModel } from '../make-test-model.mjs';
import { median, rpc, startApp } from './lib/headless-app.mjs';

const { values } = parseArgs({
  options: {
    streams: { type: 'string', default: '200' },
    tokens: { type: 'string', default: '16' },
    rounds: { type: 'string', default: '6' },
    parallel: { type: 'string', default: '8' },
    threads: { type: 'string', default: '1' },
    preset: { type: 'string', default: 'tiny' },
    json: { type: 'boolean', default: false },
  },
});
const STREAMS = Number(values.streams);
const TOKENS = Number(values.tokens);
const ROUNDS = Number(values.rounds);
const PARALLEL = Number(values.parallel);
const THREADS = Number(values.threads);
// A connection per stream, as 200 separate clients would open; no client-side limit in the way.
const agent = new http.Agent({ keepAlive: false });

/** One SSE stream: tokens received and whether it ended with [DONE]; never rejects (a failure is counted). */
function stream(base, key, i) {
  return new Promise((resolve) => {
    let tokens = 0;
    let done = false;
    let buf = '';
    const body = JSON.stringify({
      messages: [{ role: 'user', content: `Tell me story number ${i}.` }],
      stream: true,
      max_tokens: TOKENS,
      ignore_eos: true,
      temperature: 0.6,
      seed: i,
    });
    const req = http.request(
      `${base}/v1/chat/completions`,
      { method: 'POST', agent, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' } },
      (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          return resolve({ tokens, done, error: `HTTP ${res.statusCode}` });
        }
        res.setEncoding('utf8');
        res.on('data', (d) => {
          buf += d;
          let j;
          while ((j = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, j);
            buf = buf.slice(j + 1);
            if (!line.startsWith('data: ')) continue;
            if (line === 'data: [DONE]') {
              done = true;
              continue;
            }
            const delta = JSON.parse(line.slice(6)).choices?.[0]?.delta;
            if (delta && (delta.content || delta.reasoning_content)) tokens++;
          }
        });
        res.on('end', () => resolve({ tokens, done, error: done ? null : 'no [DONE]' }));
        res.on('error', (e) => resolve({ tokens, done, error: e.message }));
      },
    );
    req.setNoDelay(true);
    req.on('error', (e) => resolve({ tokens, done, error: e.message }));
    req.end(body);
  });
}

/** CPU seconds (user + system) a process has used so far; NaN where /proc is not there. */
function cpuSeconds(pid) {
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // utime and stime, in clock ticks (USER_HZ: 100 on Linux).
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return NaN;
  }
}

async function run(base, key, pids) {
  const cpu0 = pids.map(cpuSeconds);
  const t0 = performance.now();
  const rs = await Promise.all(Array.from({ length: STREAMS }, (_, i) => stream(base, key, i)));
  const secs = (performance.now() - t0) / 1000;
  const [llamaCpu, appCpu] = pids.map((p, i) => cpuSeconds(p) - cpu0[i]);
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
    const pids = [(await rpc(app.base, app.token, 'backend.status', {})).pid, app.child.pid];
    const paths = { raw: () => run(app.direct.base, app.direct.key, pids), app: () => run(app.base, app.token, pids) };
    // Warm-up: caches, JIT, the slots' first allocations.
    for (const f of Object.values(paths)) await f();
    const results = { raw: [], app: [] };
    for (let r = 0; r < ROUNDS; r++) {
      const order = r % 2 === 0 ? ['raw', 'app'] : ['app', 'raw'];
      for (const name of order) results[name].push(await paths[name]());
    }
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
