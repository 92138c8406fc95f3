#!/usr/bin/env node
// The API for other programs against the llama-server it runs, measured in one run (issue 13, target >= 99 % tok/s):
//   direct   POST llama-server /v1/chat/completions (SSE)
//   openai   POST app /v1/chat/completions (our proxy; the body names the model, so it passes just-in-time loading)
//   ollama   POST app's Ollama-compatible /api/chat (NDJSON made from llama-server's SSE, think:true)
// Same prompt, sampling and token count on every path; rounds alternate the order. tokens/s by the client from first
// to last token, TTFT from request to first token; medians and the ratios against direct.
//   node scripts/bench/ollama.mjs [--rounds N] [--tokens N] [--preset tiny|small] [--json]
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { ensureTestModel } from '../make-test-model.mjs';
import { rpc, startApp } from './lib/headless-app.mjs';
import { alternatingRounds, benchArgs, streamMedians, timedChatStream } from './lib/streaming.mjs';

const values = benchArgs({ rounds: 12, tokens: 256, preset: 'tiny', json: false });
const ROUNDS = values.rounds;
const TOKENS = values.tokens;
// A fresh connection per request on every path (llama-server closes a streamed reply's connection anyway).
const agent = new http.Agent({ keepAlive: false });
const PROMPT = 'Tell me a story.';

async function freePort() {
  const s = net.createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

/** One OpenAI SSE stream (llama-server itself, or our proxy). */
const sseRound = (base, key, body) => timedChatStream(base, key, body, { agent });

/** One Ollama /api/chat stream read as NDJSON; the token count from the final line's eval_count. */
function ollamaRound(base, body) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let first = null;
    let last = null;
    let final = null;
    let buf = '';
    const req = http.request(
      `${base}/api/chat`,
      { method: 'POST', agent, headers: { 'content-type': 'application/json' } },
      (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          return reject(new Error(`ollama: HTTP ${res.statusCode}`));
        }
        res.setEncoding('utf8');
        res.on('data', (d) => {
          buf += d;
          let i;
          while ((i = buf.indexOf('\n')) >= 0) {
            const line = JSON.parse(buf.slice(0, i));
            buf = buf.slice(i + 1);
            if (line.error) return reject(new Error(`ollama: ${line.error}`));
            if (line.done) final = line;
            else if (line.message?.content || line.message?.thinking) {
              const now = performance.now();
              first ??= now;
              last = now;
            }
          }
        });
        res.on('end', () => {
          if (!final) return reject(new Error('ollama: no done line'));
          const tokens = final.eval_count;
          resolve({ ttft: first - t0, tps: ((tokens - 1) * 1000) / (last - first), tokens });
        });
        res.on('error', reject);
      },
    );
    req.setNoDelay(true);
    req.on('error', reject);
    req.end(body);
  });
}

async function main() {
  const model = await ensureTestModel({ preset: values.preset, seed: 1 });
  const ollamaPort = await freePort();
  const app = await startApp(model, { settings: { api: { ollamaEnabled: true, ollamaPort } } });
  try {
    const status = await rpc(app.base, app.token, 'api.status', {});
    if (!status.ollama.listening) throw new Error(`Ollama API not listening: ${JSON.stringify(status.ollama)}`);
    const ollamaBase = status.ollama.urls[0];
    const name = path.basename(model);
    const sampling = { temperature: 0.6, seed: 7 };
    const messages = [{ role: 'user', content: PROMPT }];
    const sse = JSON.stringify({ model: name, messages, stream: true, max_tokens: TOKENS, ...sampling });
    const nd = JSON.stringify({
      model: name,
      messages,
      stream: true,
      think: true,
      options: { num_predict: TOKENS, ...sampling },
    });
    const results = await alternatingRounds(
      {
        direct: () => sseRound(app.direct.base, app.direct.key, sse),
        openai: () => sseRound(app.base, app.token, sse),
        ollama: () => ollamaRound(ollamaBase, nd),
      },
      ROUNDS,
    );
    const summary = streamMedians(results);
    const out = {
      model: name,
      rounds: ROUNDS,
      tokensPerRound: TOKENS,
      ...summary,
      ratios: {
        openaiTps: summary.openai.tps / summary.direct.tps,
        ollamaTps: summary.ollama.tps / summary.direct.tps,
        openaiTtftDeltaMs: summary.openai.ttftMs - summary.direct.ttftMs,
        ollamaTtftDeltaMs: summary.ollama.ttftMs - summary.direct.ttftMs,
      },
    };
    if (values.json) console.log(JSON.stringify(out, null, 2));
    else {
      const f = (x, d = 1) => x.toFixed(d);
      const ok = (b) => (b ? 'ok' : 'MISS');
      console.log(`ollama  model=${out.model} rounds=${ROUNDS} tokens/round=${TOKENS} (medians)`);
      for (const k of ['direct', 'openai', 'ollama'])
        console.log(
          `  ${k.padEnd(8)} ${f(summary[k].tps).padStart(7)} tok/s   TTFT ${f(summary[k].ttftMs, 2).padStart(7)} ms   (${summary[k].tokens} tokens)`,
        );
      for (const k of ['openai', 'ollama']) {
        const r = out.ratios[`${k}Tps`];
        const d = out.ratios[`${k}TtftDeltaMs`];
        console.log(
          `  ${k} / direct: ${f(r * 100)}% tok/s (target >= 99%) ${ok(r >= 0.99)}; TTFT ${d >= 0 ? '+' : ''}${f(d, 2)} ms`,
        );
      }
    }
  } finally {
    await app.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
