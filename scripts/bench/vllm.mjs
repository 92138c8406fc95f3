#!/usr/bin/env node
// Chat through the app's vLLM kind (issue 15 §1) against calling the same vLLM directly, in one run. vLLM cannot run
// here, so "vLLM" is the stand-in (scripts/fake-vllm/vllm: vLLM's command line, log and HTTP API, with a real
// llama-server on the synthetic model underneath). The headless app starts with no model and the stand-in as a vLLM
// candidate (DEEPLOCAL_VLLM); vllm.start plans and runs `vllm serve` under supervision. The direct side calls THAT
// process: its port and API key are read from /proc/<pid>/cmdline and /environ (the key is passed as VLLM_API_KEY,
// never on the command line), so both sides measure the same server. Rounds, interleaved as in external.mjs:
//   direct    POST the stand-in's /v1/chat/completions (SSE) with its key and served model name
//   openai    POST the app's /v1/chat/completions (our proxy to vLLM)
//   contract  chat.start over the app's WebSocket, deltas as chat.event
// Targets: tok/s >= 97 %, TTFT <= +10 ms (medians). CPU per reply of the app, the stand-in and its llama-server too.
//   node scripts/bench/vllm.mjs [--rounds N] [--tokens N] [--preset tiny|small] [--json]
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { ensureBackend } from '../build-llama-server.mjs';
import { ensureTestModel } from '../make-test-model.mjs';
import {
  connectContract,
  contractChatRound,
  report,
  root,
  startBareApp,
  waitBackendReady,
  withCpu,
} from './lib/kinds.mjs';
import { alternatingRounds, benchArgs, timedChatStream } from './lib/streaming.mjs';
import { writeVllmSnapshot } from './lib/vllm-snapshot.mjs';

const values = benchArgs({ rounds: 9, tokens: 256, preset: 'tiny', json: false });
const PROMPT = [{ role: 'user', content: 'Tell me a story.' }];
const SAMPLING = { max_tokens: values.tokens, temperature: 0.6, seed: 7 };
const FAKE_VLLM = path.join(root, 'scripts', 'fake-vllm', 'vllm');

/** Child processes of `pid` (/proc). */
function childrenOf(pid) {
  return fs
    .readdirSync('/proc')
    .filter((x) => /^\d+$/.test(x))
    .filter((d) => {
      try {
        const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** The vLLM process the app runs (status.pid, or its child running the stand-in): its --port and VLLM_API_KEY. */
function vllmEndpoint(pid) {
  const read = (p) => {
    const args = fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
    const env = fs.readFileSync(`/proc/${p}/environ`, 'utf8').split('\0');
    const i = args.indexOf('--port');
    const key = env.find((e) => e.startsWith('VLLM_API_KEY='))?.slice('VLLM_API_KEY='.length);
    return i >= 0 && args.includes('serve') ? { pid: p, port: Number(args[i + 1]), key: key ?? '' } : null;
  };
  const found = read(pid);
  if (found) return found;
  // A wrapper (a shell, `wsl -e`): look one level down.
  for (const c of childrenOf(pid)) {
    try {
      const r = read(c);
      if (r) return r;
    } catch {
      /* gone meanwhile */
    }
  }
  throw new Error(`no vllm serve process under pid ${pid}`);
}

async function main() {
  const dir = await ensureBackend({ variant: 'cpu', log: () => undefined });
  const gguf = await ensureTestModel({ preset: values.preset, seed: 1 });
  const snapshot = writeVllmSnapshot(fs.mkdtempSync(path.join(os.tmpdir(), 'dl-bench-vllm-')));
  let app = null;
  try {
    app = await startBareApp({
      env: {
        DEEPLOCAL_VLLM: FAKE_VLLM,
        FAKE_VLLM_GGUF: gguf,
        FAKE_VLLM_LLAMA_SERVER: path.join(dir, 'llama-server'),
        FAKE_VLLM_LOAD_MS: '300',
      },
    });
    const detection = await app.call('vllm.detect', { refresh: true });
    if (!detection.preferred) throw new Error(`no usable vLLM detected: ${JSON.stringify(detection.installs)}`);
    await app.call('vllm.start', { modelPath: snapshot, options: { contextSize: 4096 } });
    const status = await waitBackendReady(app, 180_000);
    if (status.kind !== 'vllm') throw new Error(`active kind is ${status.kind}, not vllm`);
    const ep = vllmEndpoint(status.pid);
    const direct = `http://127.0.0.1:${ep.port}`;
    const served = status.target?.servedName;
    if (!served) throw new Error(`no served model name in the status: ${JSON.stringify(status.target)}`);

    // A fresh connection per request on both sides (llama-server closes a streamed reply's connection anyway; a
    // reused socket it is closing would fail the round).
    const agent = new http.Agent({ keepAlive: false });
    const directBody = JSON.stringify({ model: served, messages: PROMPT, stream: true, ...SAMPLING });
    const appBody = JSON.stringify({ messages: PROMPT, stream: true, ...SAMPLING });
    const ws = await connectContract(app.base, app.token);
    const results = await alternatingRounds(
      withCpu(
        {
          direct: () => timedChatStream(direct, ep.key, directBody, { agent }),
          openai: () => timedChatStream(app.base, app.token, appBody, { agent }),
          contract: () => contractChatRound(ws, PROMPT, SAMPLING),
        },
        { app: app.child.pid, vllm: ep.pid, 'llama-server': childrenOf(ep.pid)[0] ?? -1 },
      ),
      values.rounds,
    );
    ws.close();
    agent.destroy();
    const r = report(
      `vllm (stand-in over llama-server, ${path.basename(gguf)}) rounds=${values.rounds} tokens/round=${values.tokens} (medians)`,
      results,
      ['openai', 'contract'],
    );
    if (values.json)
      console.log(
        JSON.stringify({ model: path.basename(gguf), rounds: values.rounds, ...r.summary, ratios: r.ratios }, null, 2),
      );
    else for (const l of r.lines) console.log(l);
  } finally {
    await app?.stop();
    fs.rmSync(snapshot, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
