#!/usr/bin/env node
// Chat through an external OpenAI-compatible server (issue 15 §2) against calling that server directly, in one run.
// "The remote server" is a real llama-server started here with --api-key on the synthetic model. The headless app
// starts with no model; remote.add saves the server (URL + key) and remote.connect makes it the active backend (kind
// 'external'). Then rounds, interleaved (direct, app, contract; the order reversed every other round):
//   direct    POST the server's /v1/chat/completions (SSE) with its key
//   openai    POST the app's /v1/chat/completions (our proxy forwards to the server, the model rewritten to its own)
//   contract  chat.start over the app's WebSocket (the app's chat client streams from the server), deltas as chat.event
// The same HTTP client (lib/streaming.mjs timedChatStream, a new connection per request) on both HTTP paths; same
// prompt, sampling and token count everywhere. Tokens/s by the client from first to last token, TTFT from request
// to first token; medians, then the app paths against direct. Targets: tok/s >= 97 %, TTFT <= +10 ms. The CPU time
// the app and the server spent per reply is printed too: the app's share holds whatever the load on the machine.
//   node scripts/bench/external.mjs [--rounds N] [--tokens N] [--preset tiny|small] [--threads N] [--json]
import http from 'node:http';
import path from 'node:path';
import { ensureBackend } from '../build-llama-server.mjs';
import { ensureTestModel } from '../make-test-model.mjs';
import {
  connectContract,
  contractChatRound,
  report,
  startBareApp,
  startLlamaServer,
  waitBackendReady,
  withCpu,
} from './lib/kinds.mjs';
import { alternatingRounds, benchArgs, timedChatStream } from './lib/streaming.mjs';

const values = benchArgs({ rounds: 9, tokens: 256, preset: 'tiny', threads: 1, json: false });
const KEY = 'sk-bench-remote-0123456789';
const PROMPT = [{ role: 'user', content: 'Tell me a story.' }];
const SAMPLING = { max_tokens: values.tokens, temperature: 0.6, seed: 7 };

async function main() {
  const dir = await ensureBackend({ variant: 'cpu', log: () => undefined });
  const model = await ensureTestModel({ preset: values.preset, seed: 1 });
  // One generation thread (as streams.mjs explains): a remote server runs on another machine, so here it must not
  // spin on the core the app and the client need; ggml's spinning workers made the rounds a lottery.
  const server = await startLlamaServer({
    bin: path.join(dir, 'llama-server'),
    model,
    apiKey: KEY,
    extra: ['-t', String(values.threads)],
  });
  let app = null;
  try {
    app = await startBareApp();
    const saved = await app.call('remote.add', { name: 'bench-remote', url: server.base, apiKey: KEY });
    const modelId = saved.lastCheck?.models?.[0]?.id;
    if (!saved.lastCheck?.ok || !modelId)
      throw new Error(`remote.add check failed: ${JSON.stringify(saved.lastCheck)}`);
    await app.call('remote.connect', { id: saved.id, model: modelId });
    const status = await waitBackendReady(app, 60_000);
    if (status.kind !== 'external') throw new Error(`active kind is ${status.kind}, not external`);

    // A fresh connection per request on both sides (llama-server closes a streamed reply's connection anyway; a
    // reused socket it is closing would fail the round).
    const agent = new http.Agent({ keepAlive: false });
    const body = (withModel) =>
      JSON.stringify({ ...(withModel ? { model: modelId } : {}), messages: PROMPT, stream: true, ...SAMPLING });
    const directBody = body(true);
    // The app's proxy takes the request as a client sends it to us; without `model` it uses the active backend.
    const appBody = body(false);
    const ws = await connectContract(app.base, app.token);
    const results = await alternatingRounds(
      withCpu(
        {
          direct: () => timedChatStream(server.base, KEY, directBody, { agent }),
          openai: () => timedChatStream(app.base, app.token, appBody, { agent }),
          contract: () => contractChatRound(ws, PROMPT, SAMPLING),
        },
        { app: app.child.pid, server: server.child.pid },
      ),
      values.rounds,
    );
    ws.close();
    agent.destroy();
    const r = report(
      `external  model=${path.basename(model)} (llama-server --api-key) rounds=${values.rounds} tokens/round=${values.tokens} (medians)`,
      results,
      ['openai', 'contract'],
    );
    if (values.json)
      console.log(
        JSON.stringify({ model: path.basename(model), rounds: values.rounds, ...r.summary, ratios: r.ratios }, null, 2),
      );
    else for (const l of r.lines) console.log(l);
  } finally {
    await app?.stop();
    await server.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
