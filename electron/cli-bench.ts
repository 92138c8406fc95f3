/**
 * `npm run cli -- bench <model> [--exhaustive] [--json] [--data-dir DIR] [--pp N] [--tg N] [--reps N]`: auto-tune
 * from the command line through the same core as the app (compose/tuning.ts): llama-bench over the grid (a progress
 * bar with ETA on stderr; Ctrl-C cancels and saves nothing), the table, the pick for chat, the app check (one real
 * generation through the app's chat path) and where the pick was saved. It takes the data folder's lock: refused
 * while the app runs on the same folder (use the Model page there).
 *
 * `--json` prints one object on stdout at the end: { job, sweepMs, bench } (the TuneJob, the sweep's own time, the
 * llama-bench it ran; scripts/bench/autotune.mjs reads it).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { duration } from './cli-runtime';
import { createCore } from './core/app';
import { configLabel } from './core/tuning/bench-args';
import { locateBench } from './core/tuning/runner';
import { fillMessage, formatError, type Lang } from './shared/errors';
import type { TuneJob } from './shared/tuning';

export const BENCH_USAGE_EN = `  npm run cli -- bench <model.gguf> [--exhaustive] [--json] [--pp N] [--tg N] [--reps N] [--data-dir DIR]`;
export const BENCH_USAGE_ZH = `  npm run cli -- bench <模型.gguf> [--exhaustive] [--json] [--pp N] [--tg N] [--reps N] [--data-dir 目录]`;

const MESSAGES: Record<Lang, Record<string, string>> = {
  en: {
    start: 'Benchmarking {{model}}: {{count}} of {{grid}} configurations ({{mode}})',
    auto: 'auto-tune',
    exhaustive: 'every combination',
    eta: 'ETA',
    checking: 'Checking the pick through the app’s own chat path …',
    best: 'Best for chat: {{config}} — generation {{tg}} tok/s, prompt {{pp}} tok/s',
    app: 'The app reaches {{app}} tok/s with these options (llama-bench: {{bench}} tok/s, {{pct}} %)',
    saved: 'Saved as this model’s default load options on this machine ({{file}})',
    cancelled: 'Cancelled; nothing was saved.',
    failed: 'failed',
  },
  'zh-CN': {
    start: '正在测试 {{model}}：{{grid}} 种配置中的 {{count}} 种（{{mode}}）',
    auto: '自动调优',
    exhaustive: '全部组合',
    eta: '剩余',
    checking: '正在通过应用自己的对话路径检验所选配置 …',
    best: '最适合对话：{{config}} — 生成 {{tg}} token/s，提示处理 {{pp}} token/s',
    app: '应用在这些选项下达到 {{app}} token/s（llama-bench：{{bench}} token/s，{{pct}}%）',
    saved: '已保存为此模型在本机上的默认加载选项（{{file}}）',
    cancelled: '已取消；没有保存任何内容。',
    failed: '失败',
  },
};

export class BenchUsageError extends Error {}

export interface BenchCliContext {
  lang: Lang;
  resourcesDirs: string[];
  defaultDataDir: string;
  version: string;
}

const fmt = (n: number | null) => (n === null ? '-' : n >= 100 ? n.toFixed(0) : n.toFixed(1));

export async function runBenchCommand(argv: string[], ctx: BenchCliContext): Promise<number> {
  const t = (key: string, params: Record<string, string | number> = {}) =>
    fillMessage(MESSAGES[ctx.lang][key] ?? key, params);
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      exhaustive: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      'data-dir': { type: 'string' },
      pp: { type: 'string' },
      tg: { type: 'string' },
      reps: { type: 'string' },
    },
  });
  const [model, ...extra] = positionals;
  if (!model) throw new BenchUsageError('bench needs a model file');
  if (extra.length) throw new BenchUsageError(`unexpected: ${extra.join(' ')}`);
  const int = (v: string | undefined, name: string, dflt: number) => {
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > 100_000) throw new BenchUsageError(`--${name} ${v}`);
    return n;
  };
  const benchSize = {
    promptTokens: int(values.pp, 'pp', 128),
    genTokens: int(values.tg, 'tg', 32),
    repetitions: int(values.reps, 'reps', 2),
  };
  const dataDir = path.resolve(values['data-dir'] ?? process.env.DEEPLOCAL_DATA_DIR ?? ctx.defaultDataDir);
  const core = await createCore({
    dataDir,
    resourcesDirs: ctx.resourcesDirs,
    shell: 'browser',
    version: ctx.version,
    env: process.env,
    tuning: { benchSize },
  });
  const tty = process.stderr.isTTY && !values.json;
  let sweepEnded: number | null = null;
  let lastLine = 0;
  const bar = (j: TuneJob) => {
    const pct = j.progress * 100;
    const stats = `${pct.toFixed(0).padStart(3)}%  ${j.done}/${j.total}  ${t('eta')} ${duration(j.etaS)}`;
    if (tty) {
      const width = 28;
      const fill = Math.round((pct / 100) * width);
      process.stderr.write(`\r[${'#'.repeat(fill)}${'-'.repeat(width - fill)}] ${stats}\x1b[K`);
    } else if (Date.now() - lastLine > 2000 || j.phase !== 'sweep') {
      lastLine = Date.now();
      process.stderr.write(`${stats}\n`);
    }
  };
  // The sweep's own time: from the job's first event (after the hardware probe and the model check) to its end.
  let sweepStarted: number | null = null;
  let announced = false;
  const off = core.bus.on('tune.progress', (j) => {
    if (!announced) {
      announced = true;
      sweepStarted = performance.now();
      process.stderr.write(
        `${t('start', { model: j.modelPath, count: j.total, grid: j.gridSize, mode: t(j.mode) })}\n`,
      );
    }
    if (j.phase === 'sweep') bar(j);
    else if (sweepEnded === null) {
      sweepEnded = performance.now();
      bar(j);
      if (tty) process.stderr.write('\n');
      if (j.phase === 'app-check') process.stderr.write(`${t('checking')}\n`);
    }
  });
  const onSignal = () => void core.handlers['tune.cancel']({}, { transport: 'direct' });
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await core.handlers['tune.start'](
      { modelPath: model, mode: values.exhaustive ? 'exhaustive' : 'auto' },
      { transport: 'direct' },
    );
    const job = (await core.tuning.jobs.settled())!;
    const sweepMs = (sweepEnded ?? performance.now()) - (sweepStarted ?? performance.now());
    if (values.json) {
      const bench = locateBench((await core.runtimes.manager.activeServer()).path);
      console.log(JSON.stringify({ job, sweepMs, bench }));
      return job.state === 'done' ? 0 : job.state === 'cancelled' ? 130 : 1;
    }
    printTable(job, ctx.lang, t);
    if (job.state === 'cancelled') {
      console.error(t('cancelled'));
      return 130;
    }
    if (job.state === 'failed') {
      console.error(`DeepLocal: ${formatError(ctx.lang, job.error!.code, job.error!.params)}`);
      return 1;
    }
    const best = job.rows.find((r) => job.best && configLabel(r.config) === configLabel(job.best));
    if (best) console.log(t('best', { config: configLabel(best.config), tg: fmt(best.tgTps), pp: fmt(best.ppTps) }));
    if (job.appCheck)
      console.log(
        t('app', {
          app: fmt(job.appCheck.appTgTps),
          bench: fmt(job.appCheck.benchTgTps),
          pct: (job.appCheck.ratio * 100).toFixed(0),
        }),
      );
    if (job.saved) console.log(t('saved', { file: core.tuning.profiles.file }));
    return 0;
  } finally {
    off();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await core.dispose();
  }
}

function printTable(job: TuneJob, lang: Lang, t: (k: string) => string) {
  if (!job.rows.length) return;
  const rows = [
    ['#', 'CONFIG', 'PP t/s', 'TG t/s', ''],
    ...job.rows.map((r, i) => [
      String(i + 1),
      configLabel(r.config),
      fmt(r.ppTps),
      fmt(r.tgTps),
      r.error
        ? `${t('failed')}: ${formatError(lang, r.error.code, r.error.params)}`
        : job.best && configLabel(job.best) === configLabel(r.config)
          ? '← best'
          : '',
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  for (const r of rows) console.log(r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  '));
}
