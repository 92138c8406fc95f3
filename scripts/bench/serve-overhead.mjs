#!/usr/bin/env node
// Streaming overhead of DeepLocal against calling the same llama-server directly, measured in one run.
// Starts the headless app with the synthetic model, then interleaves rounds of
//   direct   POST llama-server /v1/chat/completions (SSE)
//   openai   POST app /v1/chat/completions (our proxy, SSE passed through)
//   contract chat.start over the app's WebSocket (stateless), deltas as chat.event
//   conversation chat.send over the app's WebSocket (what the UI uses): the question and the reply stored in the
//            conversation, the reply written to the database as it streams; deltas as conversation.stream. Each
//            round edits the first question (same prompt, a new branch), so the prompt stays the same size.
// Each round streams the same number of tokens; tokens/s is measured by the client from first to last token,
// TTFT from request to first token. Prints medians and the ratios against direct.
//   node scripts/bench/serve-overhead.mjs [--rounds N] [--tokens N] [--preset tiny|small] [--json]
import http from 'node:http';
import path from 'node:path';
import WebSocket from 'ws';
import { ensureTestModel } from '../make-test-model.mjs';
import { startApp } from './lib/headless-app.mjs';
import { benchArgs, streamMedians, timedChatStream } from './lib/streaming.mjs';

const values = benchArgs({ rounds: 12, tokens: 256, preset: 'tiny', json: false });
const ROUNDS = values.rounds;
const TOKENS = values.tokens;
const agent = new http.Agent({ keepAlive: true });

const body = JSON.stringify({
  messages: [{ role: 'user', content: 'Tell me a story.' }],
  stream: true,
  max_tokens: TOKENS,
  temperature: 0.6,
  seed: 7,
});

/** One SSE stream; returns client-side timings. */
const sseRound = (base, key) => timedChatStream(base, key, body, { agent });

function connectContract(base, token) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${base.replace('http', 'ws')}/api/ws`, ['deeplocal.v1', `deeplocal.token.${token}`]);
    ws.on('open', () => resolve(ws));
    ws.on('error', reject);
  });
}

let reqCounter = 0;
function contractRound(ws) {
  return new Promise((resolve, reject) => {
    const requestId = `bench-${++reqCounter}`;
    let first = null;
    let last = null;
    let n = 0;
    const t0 = performance.now();
    const onMessage = (data) => {
      const f = JSON.parse(String(data));
      if (f.type === 'result' && !f.ok) return reject(new Error(JSON.stringify(f.error)));
      if (f.type !== 'event' || f.payload.requestId !== requestId) return;
      if (f.payload.type === 'delta') {
        const now = performance.now();
        first ??= now;
        last = now;
        n++;
      } else {
        ws.off('message', onMessage);
        ws.send(JSON.stringify({ type: 'unsub', event: 'chat.event', topic: requestId }));
        if (f.payload.type === 'error') return reject(new Error(JSON.stringify(f.payload.error)));
        // Deltas are coalesced (several tokens per event after the first), so count tokens from the final timings.
        const tokens = f.payload.timings.predictedTokens;
        resolve({ ttft: first - t0, tps: ((tokens - 1) * 1000) / (last - first), tokens, events: n });
      }
    };
    ws.on('message', onMessage);
    // chat.event is topical: only the subscribers of this requestId get its deltas (as the UI does).
    ws.send(JSON.stringify({ type: 'sub', event: 'chat.event', topic: requestId }));
    ws.send(
      JSON.stringify({
        type: 'call',
        id: reqCounter,
        method: 'chat.start',
        params: {
          requestId,
          messages: [{ role: 'user', content: 'Tell me a story.' }],
          sampling: { max_tokens: TOKENS, temperature: 0.6, seed: 7 },
        },
      }),
    );
  });
}

/** Waits for one contract call's result on the raw socket. */
function call(ws, method, params) {
  const id = ++reqCounter;
  return new Promise((resolve, reject) => {
    const onMessage = (data) => {
      const f = JSON.parse(String(data));
      if (f.type !== 'result' || f.id !== id) return;
      ws.off('message', onMessage);
      if (f.ok) resolve(f.result);
      else reject(new Error(JSON.stringify(f.error)));
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ type: 'call', id, method, params }));
  });
}

/** One conversation for every round: created, subscribed, its first exchange (and its auto title) done. */
async function openConversation(ws) {
  const conv = await call(ws, 'conversations.create', {});
  ws.send(JSON.stringify({ type: 'sub', event: 'conversation.stream', topic: conv.id }));
  const first = await conversationRound(ws, conv.id, null);
  // The first exchange asks the model for a title: let it finish before measuring.
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const d = await call(ws, 'conversations.get', { id: conv.id });
    if (d.title) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return { id: conv.id, questionId: first.userMessageId };
}

/** chat.send as the UI sends it; tokens/s between the first and the last delta, as for the other paths. */
function conversationRound(ws, conversationId, editOf) {
  return new Promise((resolve, reject) => {
    let first = null;
    let last = null;
    let n = 0;
    let replyId = null;
    let ids = null;
    const t0 = performance.now();
    const onEvent = (p) => {
      if (p.type === 'delta' && p.messageId === replyId) {
        const now = performance.now();
        first ??= now;
        last = now;
        n++;
      } else if (p.type === 'message' && p.message.id === replyId && p.message.status !== 'streaming') {
        ws.off('message', onMessage);
        if (p.message.status !== 'done')
          return reject(new Error(`reply ${p.message.status}: ${JSON.stringify(p.message.error)}`));
        const tokens = p.message.timings.predictedTokens;
        resolve({ ttft: first - t0, tps: ((tokens - 1) * 1000) / (last - first), tokens, events: n, ...ids });
      }
    };
    const onMessage = (data) => {
      const f = JSON.parse(String(data));
      if (f.type === 'event' && f.event === 'conversation.stream' && f.payload.conversationId === conversationId) {
        // The reply node is announced before the call's result: learn its id from that event.
        if (replyId === null && f.payload.type === 'message' && f.payload.message.role === 'assistant')
          replyId = f.payload.message.id;
        onEvent(f.payload);
      }
    };
    ws.on('message', onMessage);
    call(ws, 'chat.send', {
      conversationId,
      content: 'Tell me a story.',
      ...(editOf ? { editOf } : {}),
      sampling: { max_tokens: TOKENS, temperature: 0.6, seed: 7 },
    })
      .then((r) => {
        ids = r;
        replyId ??= r.replyMessageId;
      })
      .catch((e) => {
        ws.off('message', onMessage);
        reject(e);
      });
  });
}

async function main() {
  const model = await ensureTestModel({ preset: values.preset, seed: 1 });
  const app = await startApp(model);
  try {
    const ws = await connectContract(app.base, app.token);
    const conv = await openConversation(ws);
    const paths = {
      direct: () => sseRound(app.direct.base, app.direct.key),
      openai: () => sseRound(app.base, app.token),
      contract: () => contractRound(ws),
      conversation: () => conversationRound(ws, conv.id, conv.questionId),
    };
    // Warm-up: caches, JIT, keep-alive sockets.
    for (const f of Object.values(paths)) await f();
    const results = { direct: [], openai: [], contract: [], conversation: [] };
    for (let r = 0; r < ROUNDS; r++) {
      // Rotate the order so no path always runs first after a pause.
      const order = Object.keys(paths);
      for (let k = 0; k < r % order.length; k++) order.push(order.shift());
      for (const name of order) results[name].push(await paths[name]());
    }
    ws.close();
    const summary = streamMedians(results);
    const out = {
      model: path.basename(model),
      rounds: ROUNDS,
      tokensPerRound: TOKENS,
      ...summary,
      ratios: {
        openaiTps: summary.openai.tps / summary.direct.tps,
        contractTps: summary.contract.tps / summary.direct.tps,
        openaiTtftDeltaMs: summary.openai.ttftMs - summary.direct.ttftMs,
        contractTtftDeltaMs: summary.contract.ttftMs - summary.direct.ttftMs,
        conversationTps: summary.conversation.tps / summary.direct.tps,
        conversationTtftDeltaMs: summary.conversation.ttftMs - summary.direct.ttftMs,
      },
    };
    if (values.json) console.log(JSON.stringify(out, null, 2));
    else {
      const f = (x, d = 1) => x.toFixed(d);
      console.log(`serve-overhead  model=${out.model} rounds=${ROUNDS} tokens/round=${TOKENS} (medians)`);
      for (const k of ['direct', 'openai', 'contract', 'conversation'])
        console.log(
          `  ${k.padEnd(12)} ${f(summary[k].tps).padStart(7)} tok/s   TTFT ${f(summary[k].ttftMs, 2).padStart(7)} ms`,
        );
      const ok = (b) => (b ? 'ok' : 'MISS');
      console.log(
        `  openai   / direct: ${f(out.ratios.openaiTps * 100)}% tok/s (target >= 97%) ${ok(out.ratios.openaiTps >= 0.97)}; TTFT ${out.ratios.openaiTtftDeltaMs >= 0 ? '+' : ''}${f(out.ratios.openaiTtftDeltaMs, 2)} ms (target <= +10 ms) ${ok(out.ratios.openaiTtftDeltaMs <= 10)}`,
      );
      console.log(
        `  contract / direct: ${f(out.ratios.contractTps * 100)}% tok/s (target >= 97%) ${ok(out.ratios.contractTps >= 0.97)}; TTFT ${out.ratios.contractTtftDeltaMs >= 0 ? '+' : ''}${f(out.ratios.contractTtftDeltaMs, 2)} ms (target <= +10 ms) ${ok(out.ratios.contractTtftDeltaMs <= 10)}`,
      );
      console.log(
        `  conversation / direct: ${f(out.ratios.conversationTps * 100)}% tok/s (target >= 99%) ${ok(out.ratios.conversationTps >= 0.99)}; TTFT ${out.ratios.conversationTtftDeltaMs >= 0 ? '+' : ''}${f(out.ratios.conversationTtftDeltaMs, 2)} ms (target <= +5 ms) ${ok(out.ratios.conversationTtftDeltaMs <= 5)}`,
      );
    }
  } finally {
    await app.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
