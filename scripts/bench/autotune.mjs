#!/usr/bin/env node
// Auto-tune against an exhaustive sweep of the same grid, in the same run, on the synthetic `small` model (qwen2,
// 4 layers, 256 wide, R1 vocabulary: the "0.5B-class" stand-in that a CPU box can sweep in minutes; the tiny one's
// 16-wide heads refuse a q8_0 KV cache, so a third of its grid would be error rows). Both go through the CLI
// (`npm run cli -- bench`), i.e. the app's own core: the machine's grid from the hardware probe, llama-bench beside
// the active runtime, the pick, the app check. Prints:
//   - the best generation tok/s of each sweep (auto: its pick as it measured it and as the exhaustive sweep did);
//   - the ratio pick/best (target >= 0.95), decided head to head: single sweep figures on a shared 2-core box move by
//     ±15 % run to run (and the top of 18 noisy figures is biased up), so when the pick is not the exhaustive best
//     the two are measured again, alternating, 3 rounds of -r 3 each, and the medians compared;
//   - the sweep time of each (the job's own, after the hardware probe) and the ratio auto/exhaustive (target <= 0.25).
//   node scripts/bench/autotune.mjs [--pp N] [--tg N] [--reps N] [--preset small|tiny] [--json] [--record FILE]
// --record writes the exhaustive sweep as { space, rows } (electron/core/tuning/search.test.ts replays such a file).
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureTestModel } from '../make-test-model.mjs';
import { median } from './lib/headless-app.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
// Not strict: `npm run bench -- --flag` passes every flag to every bench (run.mjs); the others' flags are ignored here.
const { values } = parseArgs({
  strict: false,
  options: {
    pp: { type: 'string', default: '32' },
    tg: { type: 'string', default: '16' },
    reps: { type: 'string', default: '2' },
    preset: { type: 'string', default: 'small' },
    json: { type: 'boolean', default: false },
    record: { type: 'string' },
  },
});

const key = (c) => `${c.threads}|${c.gpuLayers}|${c.flashAttention}|${c.batch}|${c.ubatch}|${c.cacheType}`;
const label = (c) =>
  `t${c.threads} ngl=${c.gpuLayers >= 999 ? 'all' : c.gpuLayers} fa=${c.flashAttention ? 'on' : 'off'} b=${c.batch}/${c.ubatch} kv=${c.cacheType}`;

function sweep(model, exhaustive) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-bench-tune-'));
  try {
    const args = [path.join(root, 'scripts', 'cli.mjs'), 'bench', model, '--json', '--data-dir', dataDir];
    args.push('--pp', values.pp, '--tg', values.tg, '--reps', values.reps);
    if (exhaustive) args.push('--exhaustive');
    const r = spawnSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    if (r.status !== 0) throw new Error(`cli bench ${exhaustive ? '--exhaustive ' : ''}exited ${r.status}`);
    return JSON.parse(r.stdout.trim().split('\n').at(-1));
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** One llama-bench run of `config` (the flags electron/core/tuning/bench-args.ts builds): its generation tok/s. */
function tgOf(bench, model, c, reps) {
  const args = ['-m', model, '-o', 'json', '-p', '0', '-n', values.tg, '-r', String(reps), '-t', String(c.threads)];
  args.push('-ngl', String(c.gpuLayers), '-fa', c.flashAttention ? '1' : '0', '-b', String(c.batch));
  args.push('-ub', String(c.ubatch), '-ctk', c.cacheType, '-ctv', c.cacheType);
  const out = JSON.parse(execFileSync(bench, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
  return out.find((t) => t.n_gen > 0).avg_ts;
}

/** The grid's dimensions from an exhaustive sweep's rows (in grid order: each value where it first appears). */
function spaceOf(rows) {
  const uniq = (f) => [...new Map(rows.map((r) => [JSON.stringify(f(r.config)), f(r.config)])).values()];
  return {
    gpuLayers: uniq((c) => c.gpuLayers),
    threads: uniq((c) => c.threads),
    attention: uniq((c) => ({ flashAttention: c.flashAttention, cacheType: c.cacheType })),
    batching: uniq((c) => ({ batch: c.batch, ubatch: c.ubatch })),
  };
}

async function main() {
  const model = await ensureTestModel({ preset: values.preset });
  // Both sweeps start with the model in the page cache.
  fs.readFileSync(model);
  // Auto first, then the exhaustive sweep: the same grid, the same run.
  const auto = sweep(model, false);
  const full = sweep(model, true);
  if (values.record) {
    const rows = full.job.rows.map(({ config, tgTps, ppTps, tgStd, ppStd, error }) => ({
      config,
      tgTps,
      ppTps,
      tgStd,
      ppStd,
      error: error ? { code: error.code, message: error.message } : null,
    }));
    fs.writeFileSync(values.record, JSON.stringify({ space: spaceOf(rows), rows }, null, 1) + '\n');
  }
  const fullRows = new Map(full.job.rows.map((r) => [key(r.config), r]));
  const best = full.job.rows.filter((r) => !r.error).reduce((a, b) => (b.tgTps > a.tgTps ? b : a));
  const pick = auto.job.best;
  const pickInFull = fullRows.get(key(pick));
  const pickOwn = auto.job.rows.find((r) => key(r.config) === key(pick));
  const out = {
    model: path.basename(model),
    grid: full.job.gridSize,
    measured: { auto: auto.job.rows.length, exhaustive: full.job.rows.length },
    exhaustiveBest: { config: label(best.config), tgTps: best.tgTps, ppTps: best.ppTps },
    exhaustivePick: { config: label(full.job.best), tgTps: fullRows.get(key(full.job.best)).tgTps },
    autoPick: { config: label(pick), tgTpsInExhaustive: pickInFull?.tgTps ?? null, tgTpsOwn: pickOwn.tgTps },
    sweepTgRatio: (pickInFull?.tgTps ?? 0) / best.tgTps,
    tgRatioOwn: pickOwn.tgTps / best.tgTps,
    headToHead: null,
    tgRatio: 1,
    sweepS: { auto: auto.sweepMs / 1000, exhaustive: full.sweepMs / 1000 },
    timeRatio: auto.sweepMs / full.sweepMs,
    appCheck: { auto: auto.job.appCheck, exhaustive: full.job.appCheck },
  };
  if (key(pick) !== key(best.config)) {
    const a = [];
    const b = [];
    for (let i = 0; i < 3; i++) {
      a.push(tgOf(auto.bench, model, pick, 3));
      b.push(tgOf(auto.bench, model, best.config, 3));
    }
    out.headToHead = { pickTgTps: median(a), bestTgTps: median(b), rounds: 3 };
    out.tgRatio = median(a) / median(b);
  }
  if (values.json) return console.log(JSON.stringify(out, null, 2));
  const f = (x, d = 1) => (x === null ? '-' : x.toFixed(d));
  const ok = (b) => (b ? 'ok' : 'MISS');
  console.log(`autotune  model=${out.model} grid=${out.grid} -p ${values.pp} -n ${values.tg} -r ${values.reps}`);
  console.log(
    `  exhaustive: best tg ${f(best.tgTps)} tok/s (${out.exhaustiveBest.config}), ${out.measured.exhaustive} configurations in ${f(out.sweepS.exhaustive)} s`,
  );
  console.log(
    `  auto:       pick ${out.autoPick.config}: tg ${f(out.autoPick.tgTpsInExhaustive)} tok/s in the exhaustive sweep (${f(out.autoPick.tgTpsOwn)} in its own), ${out.measured.auto} configurations in ${f(out.sweepS.auto)} s`,
  );
  console.log(
    `  in the sweeps: pick / best tg ${f(out.sweepTgRatio * 100)}% (exhaustive's figure), ${f(out.tgRatioOwn * 100)}% (auto's own)`,
  );
  const h = out.headToHead;
  if (h)
    console.log(
      `  head to head (3 rounds, alternating): pick ${f(h.pickTgTps)} tok/s, exhaustive best ${f(h.bestTgTps)} tok/s`,
    );
  else console.log('  the pick is the exhaustive best');
  console.log(`  pick / best tg: ${f(out.tgRatio * 100)}% (target >= 95%) ${ok(out.tgRatio >= 0.95)}`);
  console.log(
    `  auto / exhaustive sweep time: ${f(out.timeRatio * 100)}% (target <= 25%) ${ok(out.timeRatio <= 0.25)}`,
  );
  const a = auto.job.appCheck;
  if (a)
    console.log(
      `  app check (auto pick): app ${f(a.appTgTps)} tok/s vs llama-bench ${f(a.benchTgTps)} tok/s (${f(a.ratio * 100)}%)`,
    );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
