/**
 * Command line for headless users, through the same core as the app (catalog, hubs, downloader, library).
 *
 *   npm run cli -- pull <repo id | URL | catalog id>[:QUANT] [--file PATH] [--endpoint E] [--data-dir DIR]
 *   npm run cli -- models [--json] [--data-dir DIR]
 *   npm run cli -- ls <repo id | URL> [--endpoint E]
 *   npm run cli -- catalog [--json]
 *   npm run cli -- runtime ls|get|use|check …   (llama.cpp runtimes: electron/cli-runtime.ts)
 *   npm run cli -- bench <model> [--exhaustive] …  (auto-tune with llama-bench: electron/cli-bench.ts)
 *
 * `pull` shows a progress bar (bytes, speed, ETA), resumes when run again (or after Ctrl-C), and exits 1 with a
 * message in the language of LANG when the file cannot be downloaded or verified. The Hugging Face endpoint is the
 * one in settings, or HF_ENDPOINT when set.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BENCH_USAGE_EN, BENCH_USAGE_ZH, BenchUsageError, runBenchCommand } from './cli-bench';
import { duration, RUNTIME_USAGE, RUNTIME_WRITES, RuntimeUsageError, runRuntimeCommand } from './cli-runtime';
import { acquireDataDirLock } from './core/lock/data-dir-lock';
import { createModelsFeature, type ModelsFeature } from './core/compose/models';
import { defaultDataDir } from './core/paths';
import { SettingsStore } from './core/settings/store';
import { createEventBus } from './core/util/event-bus';
import type { EventBus } from './shared/contract';
import { AppError, fillMessage, formatError, pickLang, toErrorInfo, type Lang } from './shared/errors';
import { formatBytes } from './shared/format';
import { EndpointId, type DownloadJob, type DownloadRequest } from './shared/models';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot =
  [path.resolve(here, '..', '..'), path.resolve(here, '..')].find((d) => fs.existsSync(path.join(d, 'package.json'))) ??
  process.cwd();
const lang: Lang = pickLang(process.env.LC_ALL || process.env.LC_MESSAGES || process.env.LANG);

const MESSAGES: Record<Lang, Record<string, string>> = {
  en: {
    usage: `Usage:
  npm run cli -- pull <repo id | URL | catalog id>[:QUANT] [--file PATH] [--endpoint auto|huggingface|hf-mirror|modelscope|custom] [--data-dir DIR]
  npm run cli -- models [--json] [--data-dir DIR]
  npm run cli -- ls <repo id | URL> [--endpoint E] [--data-dir DIR]
  npm run cli -- catalog [--json] [--data-dir DIR]
${BENCH_USAGE_EN}
${RUNTIME_USAGE}`,
    resolving: 'Looking up {{what}} …',
    downloading: 'Downloading {{name}} {{quant}} ({{size}}) from {{endpoint}}',
    resuming: 'Resuming: {{got}} of {{size}} already here',
    already: 'Already installed: {{path}}',
    verifying: 'Verifying …',
    installed: 'Verified (SHA-256) and installed: {{path}}',
    paused: 'Paused. Run the same command again to resume.',
    switched: 'Continuing from {{endpoint}}',
    noModels: 'No models installed yet. Try: npm run cli -- pull deepseek-r1-distill-qwen-7b:Q4_K_M',
    eta: 'ETA',
  },
  'zh-CN': {
    usage: `用法：
  npm run cli -- pull <仓库 ID | 链接 | 目录 ID>[:量化] [--file 路径] [--endpoint auto|huggingface|hf-mirror|modelscope|custom] [--data-dir 目录]
  npm run cli -- models [--json] [--data-dir 目录]
  npm run cli -- ls <仓库 ID | 链接> [--endpoint 端点] [--data-dir 目录]
  npm run cli -- catalog [--json] [--data-dir 目录]
${BENCH_USAGE_ZH}
${RUNTIME_USAGE}`,
    resolving: '正在查询 {{what}} …',
    downloading: '正在从 {{endpoint}} 下载 {{name}} {{quant}}（{{size}}）',
    resuming: '继续下载：已有 {{got}} / {{size}}',
    already: '已安装：{{path}}',
    verifying: '正在校验 …',
    installed: '已通过 SHA-256 校验并安装：{{path}}',
    paused: '已暂停。再次运行同一命令即可继续。',
    switched: '改从 {{endpoint}} 继续下载',
    noModels: '尚未安装任何模型。可以试试：npm run cli -- pull deepseek-r1-distill-qwen-7b:Q4_K_M',
    eta: '剩余',
  },
};
const t = (key: string, params: Record<string, string | number> = {}) =>
  fillMessage(MESSAGES[lang][key] ?? key, params);

class UsageError extends Error {}

function fail(e: unknown): never {
  if (e instanceof UsageError || e instanceof RuntimeUsageError || e instanceof BenchUsageError) {
    if (e.message) console.error(e.message);
    console.error(t('usage'));
    process.exit(2);
  }
  const info = toErrorInfo(e);
  console.error(`DeepLocal: ${formatError(lang, info.code, info.params)}`);
  if (info.code === 'INTERNAL' && info.details) console.error(info.details.split('\n').slice(0, 8).join('\n'));
  process.exit(1);
}

/** One progress line: a bar on a terminal, otherwise a line every 10 % (logs stay readable). */
function progressPrinter() {
  const tty = process.stderr.isTTY;
  let lastPct = -10;
  let lastLine = 0;
  return {
    update(j: DownloadJob) {
      const pct = j.totalBytes ? (j.receivedBytes / j.totalBytes) * 100 : 0;
      const stats = `${pct.toFixed(1).padStart(5)}%  ${formatBytes(j.receivedBytes)} / ${formatBytes(j.totalBytes)}  ${formatBytes(j.bytesPerSecond)}/s  ${t('eta')} ${duration(j.etaSeconds)}`;
      if (tty) {
        const width = 28;
        const fill = Math.round((pct / 100) * width);
        process.stderr.write(`\r[${'#'.repeat(fill)}${'-'.repeat(width - fill)}] ${stats}\x1b[K`);
      } else if (pct - lastPct >= 10 || (Date.now() - lastLine > 10_000 && pct < 100)) {
        lastPct = Math.floor(pct / 10) * 10;
        lastLine = Date.now();
        process.stderr.write(`${stats}\n`);
      }
    },
    end() {
      if (tty) process.stderr.write('\n');
    },
  };
}

/** `name:QUANT` where name has no "/" is a catalog id when the catalog has it. */
async function toRequest(
  f: ModelsFeature,
  arg: string,
  file: string | undefined,
  endpoint: EndpointId | undefined,
): Promise<DownloadRequest> {
  const m = /^([a-z0-9][a-z0-9._-]*)(?::([A-Za-z0-9_.+-]+))?$/i.exec(arg);
  if (m && !arg.includes('/')) {
    const cat = (await f.catalog.list()).find((x) => x.id === m[1]!.toLowerCase());
    if (!cat) throw new AppError('CATALOG_MODEL_NOT_FOUND', { id: m[1]! });
    let quant = m[2];
    if (!quant) {
      // No quant given: what the planner recommends for this machine, else the usual 4-bit.
      const report = await f.handlers['models.fit']({ catalogId: cat.id }, { transport: 'direct' });
      quant =
        report.models[0]?.recommended?.quant ?? cat.quants.find((q) => q.id === 'Q4_K_M')?.id ?? cat.quants[0]!.id;
    }
    return { catalogId: cat.id, quant, ...(endpoint ? { endpoint } : {}) };
  }
  return { ref: arg, ...(file ? { file } : {}), ...(endpoint ? { endpoint } : {}) };
}

async function pull(
  f: ModelsFeature,
  bus: EventBus,
  arg: string,
  file: string | undefined,
  endpoint: EndpointId | undefined,
) {
  console.error(t('resolving', { what: arg }));
  const req = await toRequest(f, arg, file, endpoint);
  const bar = progressPrinter();
  let id: string | null = null;
  let lastEndpoint: string | null = null;
  let verifying = false;
  const off = bus.on('downloads.progress', (j) => {
    if (j.id !== id) return;
    if (lastEndpoint && j.endpoint && j.endpoint.url !== lastEndpoint) {
      bar.end();
      console.error(t('switched', { endpoint: j.endpoint.url }));
    }
    lastEndpoint = j.endpoint?.url ?? lastEndpoint;
    if (j.state === 'downloading') bar.update(j);
    if (j.state === 'verifying' && !verifying && j.files.every((x) => x.state !== 'downloading')) {
      verifying = true;
      bar.update(j);
      bar.end();
      console.error(t('verifying'));
    }
  });
  let interrupted = false;
  const onSignal = () => {
    if (interrupted || !id) process.exit(130);
    interrupted = true;
    void f.manager.pause(id);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const job = await f.manager.start(req);
    id = job.id;
    lastEndpoint = job.endpoint?.url ?? null;
    if (job.state === 'completed') {
      console.log(t('already', { path: job.targetPath }));
      return 0;
    }
    console.error(
      t('downloading', {
        name: job.name,
        quant: job.quant ?? '',
        size: formatBytes(job.totalBytes),
        endpoint: job.endpoint?.url ?? '?',
      }),
    );
    if (job.receivedBytes > 0)
      console.error(t('resuming', { got: formatBytes(job.receivedBytes), size: formatBytes(job.totalBytes) }));
    const end = await f.manager.waitFor(job.id);
    if (!verifying) bar.end();
    if (end.state === 'completed') {
      console.log(t('installed', { path: end.targetPath }));
      return 0;
    }
    if (end.state === 'paused') {
      console.error(t('paused'));
      return 130;
    }
    const info = end.error ?? toErrorInfo(new AppError('DOWNLOAD_FAILED', { file: end.name, reason: end.state }));
    console.error(`DeepLocal: ${formatError(lang, info.code, info.params)}`);
    return 1;
  } finally {
    off();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function table(rows: string[][]) {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  for (const r of rows) console.log(r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  '));
}

async function main() {
  // `bench` has options of its own and runs a whole core (it takes the data folder's lock there).
  if (process.argv[2] === 'bench')
    return runBenchCommand(process.argv.slice(3), {
      lang,
      resourcesDirs: [process.env.DEEPLOCAL_RESOURCES ?? path.join(repoRoot, 'resources')],
      defaultDataDir: defaultDataDir(),
      version: (JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string })
        .version,
    });
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    strict: true,
    options: {
      'data-dir': { type: 'string' },
      endpoint: { type: 'string' },
      file: { type: 'string' },
      tag: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [cmd, arg, ...extra] = positionals;
  if (values.help || !cmd) throw new UsageError('');
  // `runtime <sub> <variant|id>` has one positional more than the other commands.
  const runtimeArg = cmd === 'runtime' ? extra.shift() : undefined;
  if (extra.length) throw new UsageError(`unexpected: ${extra.join(' ')}`);
  let endpoint: EndpointId | undefined;
  if (values.endpoint !== undefined && values.endpoint !== 'auto') {
    const p = EndpointId.safeParse(values.endpoint);
    if (!p.success) throw new UsageError(`--endpoint ${values.endpoint}`);
    endpoint = p.data;
  }
  const dataDir = path.resolve(values['data-dir'] ?? process.env.DEEPLOCAL_DATA_DIR ?? defaultDataDir());
  fs.mkdirSync(dataDir, { recursive: true });
  // `pull` writes the models folder, its sidecars, downloads.json and library.json, which a running app writes too
  // (two downloads of one file would corrupt it; two writers of one list lose entries): it takes the data folder's
  // lock and is refused while the app runs there (use the app's Models page). The other commands only read.
  // `runtime get|use` write runtimes/ and settings.json the same way.
  const writes = cmd === 'pull' || (cmd === 'runtime' && RUNTIME_WRITES.has(arg ?? ''));
  const lock = writes ? await acquireDataDirLock(dataDir, { shell: 'cli' }) : null;
  try {
    if (cmd === 'runtime')
      return await runRuntimeCommand(arg, runtimeArg, {
        dataDir,
        resourcesDirs: [process.env.DEEPLOCAL_RESOURCES ?? path.join(repoRoot, 'resources')],
        settings: new SettingsStore(dataDir),
        json: values.json ?? false,
        tag: values.tag,
        env: process.env,
        verbose: process.env.DEEPLOCAL_VERBOSE === '1',
      });
    return await runCommand(cmd, arg, dataDir, endpoint, values);
  } finally {
    await lock?.release();
  }
}

async function runCommand(
  cmd: string,
  arg: string | undefined,
  dataDir: string,
  endpoint: EndpointId | undefined,
  values: { file?: string | undefined; json?: boolean | undefined },
): Promise<number> {
  const bus = createEventBus();
  const settings = new SettingsStore(dataDir);
  const verbose = process.env.DEEPLOCAL_VERBOSE === '1';
  const feature = await createModelsFeature({
    dataDir,
    resourcesDirs: [process.env.DEEPLOCAL_RESOURCES ?? path.join(repoRoot, 'resources')],
    settings,
    bus,
    env: process.env,
    log: (m) => {
      if (verbose) console.error(m);
    },
  });
  const ctx = { transport: 'direct' as const };
  try {
    switch (cmd) {
      case 'pull': {
        if (!arg) throw new UsageError('pull needs a repo id, URL or catalog id');
        return await pull(feature, bus, arg, values.file, endpoint);
      }
      case 'models': {
        const list = await feature.handlers['models.library']({}, ctx);
        if (values.json) console.log(JSON.stringify(list, null, 2));
        else if (!list.length) console.log(t('noModels'));
        else
          table([
            ['NAME', 'ARCH', 'QUANT', 'SIZE', 'CONTEXT', 'FILE'],
            ...list.map((m) => [
              m.name,
              m.architecture ?? '?',
              m.quantization ?? '?',
              formatBytes(m.sizeBytes),
              m.contextLength ? String(m.contextLength) : '?',
              m.error ? `${m.path} (${formatError(lang, m.error.code, m.error.params)})` : m.path,
            ]),
          ]);
        return 0;
      }
      case 'ls': {
        if (!arg) throw new UsageError('ls needs a repo id or URL');
        const r = await feature.handlers['models.openRepo']({ ref: arg, ...(endpoint ? { endpoint } : {}) }, ctx);
        if (values.json) console.log(JSON.stringify(r, null, 2));
        else
          table([
            ['QUANT', 'SIZE', 'FILES', 'PATH'],
            ...r.groups.map((g) => [g.quant ?? '-', formatBytes(g.sizeBytes), String(g.files.length), g.path]),
          ]);
        return 0;
      }
      case 'catalog': {
        const rep = await feature.handlers['models.fit']({}, ctx);
        if (values.json) console.log(JSON.stringify(rep, null, 2));
        else {
          const cat = await feature.catalog.list();
          table([
            ['ID', 'RECOMMENDED', 'FIT', 'SPEED', 'QUANTS'],
            ...rep.models.map((m) => {
              const r = m.recommended;
              return [
                m.modelId,
                r ? `${r.quant} ctx ${r.contextSize} kv ${r.kvType}` : '-',
                r?.mode ?? 'none',
                r ? `${r.speed}${r.tokensPerSecond ? ` ~${r.tokensPerSecond} t/s` : ''}` : '-',
                cat
                  .find((c) => c.id === m.modelId)!
                  .quants.map((q) => q.id)
                  .join(' '),
              ];
            }),
          ]);
          if (rep.recommended) console.log(`\n→ ${rep.recommended.modelId}:${rep.recommended.plan.quant}`);
        }
        return 0;
      }
      default:
        throw new UsageError(`unknown command ${cmd}`);
    }
  } finally {
    await feature.dispose();
  }
}

main().then((code) => process.exit(code), fail);
