#!/usr/bin/env node
// Speculative decoding: generation tok/s with and without it, and the share of drafted tokens accepted, through the
// app (headless, its own start steps and flags) and, in the same run, straight from the llama-server it started.
//   (a) the tiny model drafted by its own Q8_0 copy: high acceptance, the mechanism works;
//   (b) the small model (4 layers) drafted by the tiny one (other random weights, same vocabulary). Greedy, every
//       synthetic model picks "." (make-test-model.mjs gives it the top output bias), so this pair agrees anyway;
//   (b') the small model drafted by a tiny whose "." is suppressed: every guess rejected, the cost of drafting shows;
//   (c) n-gram lookup (ngram-simple) on the tiny model: no draft model, guesses from the text so far.
// Greedy (temperature 0), the same prompt and token count everywhere. Draft p-min is 0: a random synthetic model is
// never 75 % sure of a token, so at llama.cpp's usual 0.75 it would never draft (real models are).
//   node scripts/bench/speculative.mjs [--rounds N] [--tokens N] [--json]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readGGUF } from '../lib/gguf-writer.mjs';
import { ensureTestModel } from '../make-test-model.mjs';
import { median, rpc, startApp } from './lib/headless-app.mjs';
import { benchArgs, chatStream, isTokenChunk } from './lib/streaming.mjs';

const values = benchArgs({ rounds: 2, tokens: 96, json: false });
const ROUNDS = values.rounds;
const TOKENS = values.tokens;

const request = (maxTokens) =>
  JSON.stringify({
    messages: [
      {
        role: 'user',
        content: 'Repeat after me, many times: the quick brown fox jumps over the lazy dog. the quick brown fox jumps',
      },
    ],
    stream: true,
    max_tokens: maxTokens,
    temperature: 0,
    seed: 7,
  });

/** One streamed reply; the server's final timings (generation tok/s, drafted, accepted) and the client's tok/s. */
async function round(base, key, maxTokens = TOKENS) {
  let first = null;
  let last = null;
  let n = 0;
  let timings = null;
  const { error } = await chatStream(base, key, request(maxTokens), {
    onChunk: (chunk) => {
      if (chunk.timings) timings = chunk.timings;
      if (!isTokenChunk(chunk)) return;
      const now = performance.now();
      first ??= now;
      last = now;
      n++;
    },
  });
  if (error) throw new Error(`${base}: ${error}`);
  if (!timings) throw new Error(`no timings from ${base}`);
  return {
    tps: timings.predicted_per_second,
    clientTps: n > 1 ? ((n - 1) * 1000) / (last - first) : 0,
    tokens: timings.predicted_n,
    drafted: timings.draft_n ?? 0,
    accepted: timings.draft_n_accepted ?? 0,
  };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** (Re)loads `model` with `speculative` options in the running app and returns the llama-server it started. */
async function load(app, model, speculative) {
  await rpc(app.base, app.token, 'backend.stop', {});
  await rpc(app.base, app.token, 'backend.start', {
    modelPath: model,
    options: { contextSize: 2048, parallel: 1, speculative },
  });
  for (;;) {
    const s = await rpc(app.base, app.token, 'backend.status', {});
    if (s.state === 'ready') break;
    if (s.state === 'crashed' || s.state === 'stopped') throw new Error(`load failed: ${JSON.stringify(s.error)}`);
    await sleep(100);
  }
  // Its port is in the logged command line (the newest start's), its key in the run dir.
  const logs = await rpc(app.base, app.token, 'backend.logs', { limit: 500 });
  const ports = [
    ...logs
      .map((l) => l.text)
      .join('\n')
      .matchAll(/--port (\d+)/g),
  ];
  const key = fs.readFileSync(path.join(app.dataDir, 'run', 'llama-server.key'), 'utf8').trim();
  return { base: `http://127.0.0.1:${ports.at(-1)[1]}`, key };
}

/** Loads with `speculative`, measures `ROUNDS` replies through the app and straight from its llama-server. */
async function measure(app, model, speculative) {
  const direct = await load(app, model, speculative);
  await round(direct.base, direct.key, 8); // warm-up
  const viaApp = [];
  const raw = [];
  for (let r = 0; r < ROUNDS; r++) {
    viaApp.push(await round(app.base, app.token));
    raw.push(await round(direct.base, direct.key));
  }
  const sum = (rs, k) => rs.reduce((a, x) => a + x[k], 0);
  return {
    tps: median(viaApp.map((x) => x.tps)),
    rawTps: median(raw.map((x) => x.tps)),
    tokens: median(viaApp.map((x) => x.tokens)),
    drafted: sum(viaApp, 'drafted'),
    accepted: sum(viaApp, 'accepted'),
  };
}

/**
 * A tiny model that never agrees with the others: its output bias takes "." (every synthetic model's greedy token,
 * see make-test-model.mjs) down to the level of a special token, so it always proposes something else. Same vocabulary,
 * so the app accepts it as a draft; every guess is rejected, so the cost of drafting is all that shows.
 */
function disagreeingDraft(from) {
  const out = path.join(os.tmpdir(), 'deeplocal-bench-draft-disagrees.gguf');
  const g = readGGUF(from);
  const tokens = g.kv.get('tokenizer.ggml.tokens').value;
  const t = g.tensors.find((x) => x.name === 'output.bias');
  const buf = fs.readFileSync(from);
  buf.writeFloatLE(-30, g.dataOffset + t.offset + 4 * tokens.indexOf('.'));
  fs.writeFileSync(out, buf);
  return out;
}

const off = { mode: 'off' };
const draft = (file) => ({ mode: 'draft', draftModel: file, draftPMin: 0, draftMax: 4 });

async function main() {
  if (!values.json)
    console.log(
      `speculative decoding: ${TOKENS} tokens greedy, median of ${ROUNDS} replies (generation tok/s, server timings)`,
    );
  const tiny = await ensureTestModel({ preset: 'tiny', seed: 1 });
  const tinyQ8 = await ensureTestModel({ preset: 'tiny', seed: 1, type: 'q8_0' });
  const small = await ensureTestModel({ preset: 'small', seed: 1 });
  const cases = [
    { name: '(a) tiny F16, drafted by its own Q8_0 copy', target: tiny, spec: draft(tinyQ8) },
    { name: '(b) small, drafted by tiny (other weights)', target: small, spec: draft(tiny) },
    {
      name: "(b') small, drafted by a tiny that never agrees (its '.' suppressed)",
      target: small,
      spec: draft(disagreeingDraft(tiny)),
    },
    {
      name: '(c) tiny F16, n-gram lookup (ngram-simple)',
      target: tiny,
      spec: { mode: 'ngram', ngram: 'ngram-simple' },
    },
  ];
  const app = await startApp(tiny, { settings: { loadOptions: { contextSize: 2048, parallel: 1 } } });
  const baselines = new Map();
  const rows = [];
  try {
    for (const c of cases) {
      if (!baselines.has(c.target)) baselines.set(c.target, await measure(app, c.target, off));
      const base = baselines.get(c.target);
      const withSpec = await measure(app, c.target, c.spec);
      rows.push({
        case: c.name,
        offTps: base.tps,
        specTps: withSpec.tps,
        speedup: withSpec.tps / base.tps,
        acceptance: withSpec.drafted > 0 ? withSpec.accepted / withSpec.drafted : null,
        drafted: withSpec.drafted,
        accepted: withSpec.accepted,
        tokensPerPass: withSpec.tokens / Math.max(1, withSpec.tokens - withSpec.accepted / ROUNDS),
        rawOffTps: base.rawTps,
        rawSpecTps: withSpec.rawTps,
      });
      if (!values.json) print(rows.at(-1));
    }
  } finally {
    await app.stop();
  }
  if (values.json) {
    console.log(JSON.stringify({ rounds: ROUNDS, tokens: TOKENS, rows }, null, 2));
    return;
  }
}

function print(r) {
  const f1 = (x) => (x === null ? '—' : x.toFixed(1));
  const pct = (x) => (x === null ? '—' : `${(x * 100).toFixed(0)} %`);
  console.log(
    `${r.case}\n  app: off ${f1(r.offTps)} tok/s → on ${f1(r.specTps)} tok/s (× ${r.speedup.toFixed(2)}), ` +
      `accepted ${pct(r.acceptance)} (${r.accepted}/${r.drafted} drafted), ${r.tokensPerPass.toFixed(2)} tokens per model pass\n` +
      `  raw llama-server, same run: off ${f1(r.rawOffTps)} → on ${f1(r.rawSpecTps)} tok/s`,
  );
}

await main();
