#!/usr/bin/env node
// Quantization and quality checks (issue 14): what the app adds on top of the llama.cpp tool it runs, in one run.
//   quantize  llama-quantize run directly   vs  quant.start through the app's contract, until work.progress says
//             completed (checks, the tool, installing the result in the library with its provenance)
//   quality   llama-perplexity run directly  vs  quality.start { force: true, kld: 'off' } until completed
// Both sides run the SAME command: the raw side takes it from the line the app logs for its own run (backend.logs:
// "llama-quantize …" / "llama-perplexity …"), with only the output file changed; both commands are printed. Rounds
// alternate which side goes first, after one warm-up round each (page cache, the app's sha256 cache). Ratio = raw
// wall time / app wall time, per round (the two runs of a round ran back to back under the same load) and of the
// medians; the verdict is the median per-round ratio (target >= 0.98: the app adds nothing a user would notice).
// The app's time is also split by the job's phases (see splitOf); app - raw per round is what the app added.
// The model is the synthetic `small` F16 (256 wide, 152k vocabulary: ~160 MB, K-quants really quantize), so each run
// takes seconds and process start-up noise stays small. The app runs without a model loaded.
//   node scripts/bench/quant.mjs [--rounds N] [--type Q4_K_M] [--context N] [--chunks N] [--only quantize|quality] [--json]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { ensureTestModel } from '../make-test-model.mjs';
import { median } from './lib/headless-app.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
// Not strict: `npm run bench -- --flag` passes every flag to every bench (run.mjs); the others' flags are ignored here.
const { values } = parseArgs({
  strict: false,
  options: {
    rounds: { type: 'string', default: '5' },
    type: { type: 'string', default: 'Q4_K_M' },
    context: { type: 'string', default: '256' },
    chunks: { type: 'string', default: '8' },
    preset: { type: 'string', default: 'small' },
    only: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const ROUNDS = Math.max(1, Number(values.rounds));

/** The headless app with no model, small quality runs (the env compose/quant.ts reads), in a fresh data folder. */
async function startApp() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-bench-quant-'));
  const child = spawn(process.execPath, [path.join(root, 'dist/electron/headless.mjs'), '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      DEEPLOCAL_QUALITY_CONTEXT: values.context,
      DEEPLOCAL_QUALITY_CHUNKS: values.chunks,
    },
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const deadline = Date.now() + 60_000;
  let m;
  while (!(m = /DeepLocal ready: (http:\/\/[^/]+)\/\?token=(\S+)/.exec(out))) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGTERM');
      throw new Error(`app did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const [, base, token] = m;
  const ws = new WebSocket(`${base.replace('http', 'ws')}/api/ws`, ['deeplocal.v1', `deeplocal.token.${token}`]);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  // Every job snapshot, by id: a job may complete before its start call has answered.
  const jobs = new Map();
  const waiters = new Map();
  let nextId = 1;
  const pending = new Map();
  ws.on('message', (data) => {
    const f = JSON.parse(String(data));
    if (f.type === 'result') {
      const p = pending.get(f.id);
      pending.delete(f.id);
      if (f.ok) p?.resolve(f.result);
      else p?.reject(new Error(JSON.stringify(f.error)));
    } else if (f.type === 'event' && f.event === 'work.progress') {
      const at = performance.now();
      const phases = jobs.get(f.payload.id)?.phases ?? {};
      phases[f.payload.phase] ??= at;
      jobs.set(f.payload.id, { job: f.payload, at, phases });
      waiters.get(f.payload.id)?.();
    }
  });
  ws.send(JSON.stringify({ type: 'sub', event: 'work.progress' }));
  const call = (method, params) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      ws.send(JSON.stringify({ type: 'call', id, method, params }));
    });
  /** Resolves with the job's final snapshot and the time it arrived; rejects unless it completed. */
  const finished = (id) =>
    new Promise((resolve, reject) => {
      const check = () => {
        const s = jobs.get(id);
        if (!s || ['queued', 'running'].includes(s.job.state)) return;
        waiters.delete(id);
        if (s.job.state === 'completed') resolve(s);
        else reject(new Error(`job ${s.job.kind} ${s.job.state}: ${JSON.stringify(s.job.error)}`));
      };
      waiters.set(id, check);
      check();
    });
  const stop = async () => {
    ws.close();
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  return { dataDir, call, finished, stop };
}

/** Runs `bin args` as the app does (stdout and stderr read, not shown); its wall time in ms. */
function runRaw(bin, args) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    child.stdout.on('data', (d) => (tail = (tail + d).slice(-4000)));
    child.stderr.on('data', (d) => (tail = (tail + d).slice(-4000)));
    child.once('error', reject);
    child.once('close', (code) => {
      const ms = performance.now() - t0;
      if (code === 0) resolve(ms);
      else reject(new Error(`${path.basename(bin)} exited ${code}:\n${tail}`));
    });
  });
}

/**
 * The newest "<tool> arg arg …" line the app logged (its runners log each command they start, maybe after a prefix
 * such as a job tag), as argv. Paths here have no spaces (temp folders, the test-model cache).
 */
async function loggedCommand(app, tool) {
  const logs = await app.call('backend.logs', { limit: 2000 });
  for (const { text } of logs.reverse()) {
    const i = text.indexOf(`${tool} `);
    if (i < 0 || (i > 0 && !' ]:'.includes(text[i - 1]))) continue;
    return text
      .slice(i + tool.length + 1)
      .split(' ')
      .filter((a) => a !== '');
  }
  return null;
}

const show = (bin, args) => [path.basename(bin), ...args].join(' ');

/**
 * Where an app job's wall time went, from the first snapshot of each phase: until the tool's phase shows (the queue,
 * the checks, cached hashes — and the tool's own start-up, since the phase shows with its first progress line), the
 * tool's phase, and after it (reading the result back, hashing it, installing it: the app's alone).
 */
function splitOf(t0, end, toolPhase) {
  const entries = Object.entries(end.phases).sort((a, b) => a[1] - b[1]);
  const i = entries.findIndex(([p]) => p === toolPhase);
  if (i < 0) return null;
  const toolStart = entries[i][1];
  const toolEnd = entries[i + 1]?.[1] ?? end.at;
  return { beforeMs: toolStart - t0, toolMs: toolEnd - toolStart, afterMs: end.at - toolEnd };
}

/**
 * ROUNDS rounds of one app run and one raw run, alternating which goes first; each round's pair ran back to back,
 * so its ratio sees the same load (this box is shared: single runs move by ±20 %).
 */
async function rounds(appOnce, rawOnce) {
  const appMs = [];
  const rawMs = [];
  const splits = [];
  for (let r = 0; r < ROUNDS; r++) {
    const runApp = async () => {
      const a = await appOnce();
      appMs.push(a.ms);
      if (a.split) splits.push(a.split);
    };
    if (r % 2 === 0) {
      await runApp();
      rawMs.push(await rawOnce());
    } else {
      rawMs.push(await rawOnce());
      await runApp();
    }
  }
  return { appMs, rawMs, splits };
}

async function benchQuantize(app, model, tools) {
  const type = values.type;
  const plan = await app.call('quant.plan', { modelPath: model });
  const timed = async () => {
    const t0 = performance.now();
    const [job] = await app.call('quant.start', { modelPath: model, types: [type] });
    const end = await app.finished(job.id);
    // The next round makes the same file again: forget this one (the library entry and its file) and the job.
    if (end.job.libraryId) await app.call('models.delete', { id: end.job.libraryId });
    await app.call('work.remove', { id: job.id });
    return { ms: end.at - t0, split: splitOf(t0, end, 'quantize') };
  };
  await timed(); // warm-up: the page cache, the source's sha256 (cached by path, size and mtime)
  const logged = await loggedCommand(app, 'llama-quantize');
  const rawOut = path.join(plan.modelsDir, `bench-raw-${type}.gguf`);
  let args;
  let note;
  if (logged) {
    // Positional: [flags] source output type [threads]; only the output differs.
    const t = logged.lastIndexOf(type);
    if (t < 2) throw new Error(`unexpected logged command: ${logged.join(' ')}`);
    args = [...logged];
    args[t - 1] = rawOut;
    note = `app (as logged): ${show(tools.quantize, logged)}`;
  } else {
    args = [model, rawOut, type];
    note = 'app: did not log its command (backend.logs); compared with the plain command below';
  }
  const rawOnce = async () => {
    const ms = await runRaw(tools.quantize, args);
    fs.rmSync(rawOut, { force: true });
    return ms;
  };
  await rawOnce();
  return { name: 'quantize', note, raw: show(tools.quantize, args), ...(await rounds(timed, rawOnce)) };
}

async function benchQuality(app, model, tools) {
  const timed = async () => {
    const t0 = performance.now();
    const job = await app.call('quality.start', { modelPath: model, text: 'en', kld: 'off', force: true });
    const end = await app.finished(job.id);
    if (end.job.cached) throw new Error('quality.start with force answered from the cache');
    await app.call('work.remove', { id: job.id });
    return { ms: end.at - t0, split: splitOf(t0, end, 'perplexity'), result: end.job.result };
  };
  const first = await timed(); // warm-up: the page cache, the model's sha256
  const logged = await loggedCommand(app, 'llama-perplexity');
  if (!logged) throw new Error('the app logged no llama-perplexity command (backend.logs): cannot run the same one');
  await runRaw(tools.perplexity, logged);
  const res = first.result;
  return {
    name: 'quality',
    note: `app: ppl ${res?.ppl?.toFixed(2)} over ${res?.chunks} chunks of ${res?.contextSize} tokens`,
    raw: show(tools.perplexity, logged),
    ...(await rounds(timed, () => runRaw(tools.perplexity, logged))),
  };
}

async function main() {
  const model = await ensureTestModel({ preset: values.preset, seed: 1 });
  const app = await startApp();
  try {
    await app.call('settings.update', { setupWizard: 'dismissed' });
    await app.call('models.import', { path: model, mode: 'reference' });
    const info = await app.call('app.info', {});
    if (!info.backend.found) throw new Error(`no llama-server: ${info.backend.path}`);
    const dir = path.dirname(info.backend.path);
    const exe = process.platform === 'win32' ? '.exe' : '';
    const tools = {
      quantize: path.join(dir, `llama-quantize${exe}`),
      perplexity: path.join(dir, `llama-perplexity${exe}`),
    };
    const out = [];
    if (values.only !== 'quality') out.push(await benchQuantize(app, model, tools));
    if (values.only !== 'quantize') out.push(await benchQuality(app, model, tools));
    const rows = out.map((b) => ({
      ...b,
      appMedianS: median(b.appMs) / 1000,
      rawMedianS: median(b.rawMs) / 1000,
      ratio: median(b.rawMs) / median(b.appMs),
      pairRatios: b.rawMs.map((r, i) => r / b.appMs[i]),
      split: b.splits.length
        ? {
            beforeS: median(b.splits.map((x) => x.beforeMs)) / 1000,
            toolS: median(b.splits.map((x) => x.toolMs)) / 1000,
            afterS: median(b.splits.map((x) => x.afterMs)) / 1000,
          }
        : null,
    }));
    for (const r of rows) r.pairRatio = median(r.pairRatios);
    if (values.json) return console.log(JSON.stringify({ model: path.basename(model), rounds: ROUNDS, rows }, null, 2));
    const s2 = (ms) => (ms / 1000).toFixed(2);
    const pct = (x) => `${(x * 100).toFixed(1)}%`;
    console.log(`quant  model=${path.basename(model)} rounds=${ROUNDS} (alternating, after one warm-up each)`);
    for (const r of rows) {
      console.log(`  ${r.name}:`);
      console.log(`    ${r.note}`);
      console.log(`    raw:             ${r.raw}`);
      console.log(
        `    wall time: app ${r.appMedianS.toFixed(2)} s, raw ${r.rawMedianS.toFixed(2)} s (medians; app ${r.appMs.map(s2).join(' ')}, raw ${r.rawMs.map(s2).join(' ')})`,
      );
      if (r.split)
        console.log(
          `    app job (medians): ${r.split.beforeS.toFixed(2)} s until the tool's first progress line (queue, checks, the tool's start-up), ${r.split.toolS.toFixed(2)} s the tool's phase, ${r.split.afterS.toFixed(2)} s after it (read back, hash, install)`,
        );
      console.log(`    raw / app per round: ${r.pairRatios.map(pct).join(' ')}; median ${pct(r.pairRatio)}`);
      console.log(`    app - raw per round: ${r.appMs.map((a, i) => s2(a - r.rawMs[i])).join(' ')} s`);
      console.log(`    raw / app (medians): ${pct(r.ratio)} (target >= 98%) ${r.pairRatio >= 0.98 ? 'ok' : 'MISS'}`);
    }
  } finally {
    await app.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
