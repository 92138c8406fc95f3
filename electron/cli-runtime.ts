/**
 * `npm run cli -- runtime …`: the llama.cpp runtimes through the same RuntimeManager as the app (compose/runtimes.ts).
 *
 *   runtime ls [--json]                  installed and available, the active one marked, reasons and fallbacks
 *   runtime get <variant|auto> [--tag T] [--json]   fetch, verify, unpack and check one (progress with speed and ETA)
 *   runtime use <variant|id|auto>        make it active (runs the device check)
 *   runtime check [--json]               run every runtime's device check, print the devices each lists
 *
 * English only, like the reasons and problems it prints (their `message`, the English text of each code).
 * `get --json` prints one JSON line to stdout at the end ({ ok, id, variant } or { ok: false, code, message }):
 * scripts/start.mjs reads it to decide whether to build from source.
 */
import { createRuntimes, type RuntimesFeature } from './core/compose/runtimes';
import { probeFacts, type ProbeFacts } from './core/hardware/probe';
import type { SettingsStore } from './core/settings/store';
import { createEventBus } from './core/util/event-bus';
import { AppError, formatError, toErrorInfo } from './shared/errors';
import { formatBytes } from './shared/format';
import type { BackendDevice } from './shared/telemetry';
import {
  RuntimeVariant,
  runtimeVariantLabels,
  type RuntimeCheck,
  type RuntimeInfo,
  type RuntimeJob,
  type RuntimeJobPhase,
  type RuntimeSelection,
} from './shared/runtimes';

export const RUNTIME_USAGE = `  npm run cli -- runtime ls [--json] [--data-dir DIR]
  npm run cli -- runtime get <${RuntimeVariant.options.join('|')}|auto> [--tag T] [--json] [--data-dir DIR]
  npm run cli -- runtime use <variant|id|auto> [--data-dir DIR]
  npm run cli -- runtime check [--json] [--data-dir DIR]`;

/** Subcommands that write the data folder (runtimes/, settings.json): they take its lock, like `pull`. */
export const RUNTIME_WRITES = new Set(['get', 'use']);

export class RuntimeUsageError extends Error {}

export interface RuntimeCliOptions {
  dataDir: string;
  resourcesDirs: string[];
  settings: SettingsStore;
  json: boolean;
  tag: string | undefined;
  env: NodeJS.ProcessEnv;
  verbose: boolean;
}

export const duration = (s: number | null) => {
  if (s === null || !Number.isFinite(s)) return '--:--';
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = Math.floor(s % 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : `${m}:${String(sec).padStart(2, '0')}`;
};

const label = (v: string) => runtimeVariantLabels[v as RuntimeVariant] ?? v;
const english = (e: unknown) => {
  const info = toErrorInfo(e);
  return { code: info.code, message: formatError('en', info.code, info.params) };
};

function table(rows: string[][]) {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  for (const r of rows) console.log(r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  '));
}

const deviceText = (d: BackendDevice) =>
  `${d.name}${d.description ? ` ${d.description}` : ''}${d.totalMiB !== null ? ` (${d.totalMiB} MiB)` : ''}`;

const checkText = (c: RuntimeCheck | null) =>
  !c
    ? 'not checked'
    : c.ok
      ? c.devices.length
        ? c.devices.map((d) => `${deviceText(d)}`).join(', ')
        : 'ok, CPU only'
      : `failed: ${c.problem?.message ?? 'unknown'}`;

function printSelection(sel: RuntimeSelection) {
  console.log(
    `Active: ${sel.active ? `${sel.active.id} (${label(sel.active.variant)}, ${sel.active.source})` : 'none'}`,
  );
  console.log(`  ${sel.summary}`);
  if (sel.setting !== 'auto')
    console.log(`  chosen in settings: ${sel.setting} (npm run cli -- runtime use auto to undo)`);
  for (const f of sel.fallbacks)
    console.log(`  fell back from ${f.runtimeId} (${label(f.variant)}): ${f.problem?.message ?? 'check failed'}`);
  if (sel.devices.length) console.log(`  devices: ${sel.devices.map((d) => `${deviceText(d)}`).join(', ')}`);
  if (sel.gpuUnusable)
    console.log(
      `  this computer has ${sel.gpuUnusable.gpus.join(', ')}, which the active runtime cannot use` +
        (sel.gpuUnusable.suggest ? `; get it with: npm run cli -- runtime get ${sel.gpuUnusable.suggest}` : ''),
    );
  if (sel.candidates.length) {
    console.log('For this computer, best first:');
    sel.candidates.forEach((c, i) => console.log(`  ${i + 1}. ${label(c.variant)}: ${c.reason.message}`));
  }
}

const PHASE_LINES: Partial<Record<RuntimeJobPhase, string>> = {
  resolve: 'Looking up the {{variant}} build …',
  download: 'Downloading the {{variant}} build{{tag}} …',
  verify: 'Verifying (SHA-256) …',
  unpack: 'Unpacking …',
  check: 'Checking the devices it lists …',
};

const percent = (j: RuntimeJob) => (j.totalBytes ? (j.receivedBytes / j.totalBytes) * 100 : 0);
const stats = (j: RuntimeJob) =>
  `${percent(j).toFixed(1).padStart(5)}%  ${formatBytes(j.receivedBytes)} / ${j.totalBytes === null ? '?' : formatBytes(j.totalBytes)}  ` +
  `${j.bytesPerSecond === null ? '-' : formatBytes(j.bytesPerSecond)}/s  ETA ${duration(done(j) ? 0 : j.etaSeconds)}`;
/** Every byte is here: nothing left to wait for, whatever the speed window could say. */
const done = (j: RuntimeJob) => j.totalBytes !== null && j.totalBytes > 0 && j.receivedBytes >= j.totalBytes;

/** A progress line per phase; while bytes flow, a bar on a terminal, else a line every 10 %. */
function jobPrinter() {
  const tty = process.stderr.isTTY;
  let phase = '';
  let lastPct = -10;
  let barOpen = false;
  /** The download's last snapshot, and how many bytes the last line showed. */
  let last: RuntimeJob | null = null;
  let shownBytes = -1;
  const show = (j: RuntimeJob) => {
    const pct = percent(j);
    shownBytes = j.receivedBytes;
    if (tty) {
      const fill = Math.round((pct / 100) * 28);
      process.stderr.write(`\r[${'#'.repeat(fill)}${'-'.repeat(28 - fill)}] ${stats(j)}\x1b[K`);
      barOpen = true;
    } else process.stderr.write(`${stats(j)}\n`);
  };
  const endBar = () => {
    if (barOpen) process.stderr.write('\n');
    barOpen = false;
  };
  return {
    update(j: RuntimeJob) {
      if (j.phase !== phase) {
        // Leaving the download: the last line shows all of it (a fast one may have printed only its start).
        if (phase === 'download' && last?.totalBytes && shownBytes < last.totalBytes)
          show({ ...last, receivedBytes: last.totalBytes, etaSeconds: 0 });
        endBar();
        phase = j.phase;
        const line = PHASE_LINES[j.phase];
        if (line)
          console.error(line.replace('{{variant}}', label(j.variant)).replace('{{tag}}', j.tag ? ` ${j.tag}` : ''));
      }
      if (j.phase !== 'download') return;
      last = j;
      if (tty) show(j);
      else if (percent(j) - lastPct >= 10) {
        lastPct = Math.floor(percent(j) / 10) * 10;
        show(j);
      }
    },
    end: endBar,
  };
}

/** The variants `get auto` tries, in the chooser's order (CPU last), that the release offers for this platform. */
async function autoVariants(rt: RuntimesFeature, tag: string | undefined): Promise<RuntimeVariant[]> {
  const [sel, avail] = await Promise.all([rt.manager.selection(), rt.manager.available(tag)]);
  const offered = new Set(avail.runtimes.map((r) => r.variant));
  const picks = sel.candidates.filter((c) => offered.has(c.variant));
  if (!picks.length)
    throw new AppError('RUNTIME_ASSET_MISSING', {
      tag: avail.tag,
      variant: sel.candidates.map((c) => c.variant).join('/') || 'cpu',
      platform: process.platform,
      arch: process.arch,
    });
  console.error(`For this computer: ${label(picks[0]!.variant)} (${picks[0]!.reason.message})`);
  return picks.map((c) => c.variant);
}

async function getOne(
  rt: RuntimesFeature,
  bus: ReturnType<typeof createEventBus>,
  variant: RuntimeVariant,
  tag?: string,
) {
  const bar = jobPrinter();
  let id: string | null = null;
  const off = bus.on('runtimes.progress', (j) => {
    if (j.id === id) bar.update(j);
  });
  let interrupted = false;
  const onSignal = () => {
    if (interrupted || !id) process.exit(130);
    interrupted = true;
    try {
      rt.manager.cancel(id);
    } catch {
      // Already finished: nothing to cancel.
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const job = rt.manager.get(variant, tag);
    id = job.id;
    bar.update(job);
    const end = await rt.manager.waitJob(job.id);
    bar.end();
    return end;
  } finally {
    off();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

const jobError = (j: RuntimeJob) =>
  j.error ? AppError.from(j.error) : new AppError('INTERNAL', {}, `runtime job ${j.id} ended in ${j.phase}`);

function cancelled() {
  console.error('Cancelled; nothing was installed.');
  return 130;
}

async function get(rt: RuntimesFeature, bus: ReturnType<typeof createEventBus>, arg: string, o: RuntimeCliOptions) {
  const variants = arg === 'auto' ? await autoVariants(rt, o.tag) : [RuntimeVariant.parse(arg)];
  let end: RuntimeJob | null = null;
  // auto: a variant that cannot be had or does not run here (its check failed, it was removed) gives way to the next.
  for (const [i, v] of variants.entries()) {
    const job = await getOne(rt, bus, v, o.tag);
    if (job.phase === 'cancelled') return cancelled();
    if (job.phase === 'done' && job.runtimeId) {
      end = job;
      break;
    }
    const e = jobError(job);
    const next = variants[i + 1];
    if (!next || e.code === 'RELEASE_UNREACHABLE') throw e;
    console.error(`${label(v)} build: ${formatError('en', e.code, e.params)} — trying ${label(next)}`);
  }
  if (!end?.runtimeId) throw new AppError('INTERNAL', {}, 'no runtime job ended');
  const wanted = end.variant;
  console.error(`Installed ${end.runtimeId} (verified and checked)`);
  let sel = await rt.manager.selection();
  // auto: a GPU build that lists no GPU here leaves nothing to run on; the CPU build is the floor.
  if (arg === 'auto' && !sel.active && wanted !== 'cpu' && variants.includes('cpu')) {
    console.error(`${end.runtimeId} cannot run here; getting the CPU build as well`);
    const cpu = await getOne(rt, bus, 'cpu', o.tag);
    if (cpu.phase === 'cancelled') return cancelled();
    if (cpu.phase !== 'done') throw jobError(cpu);
    sel = await rt.manager.selection();
  }
  if (o.json)
    console.log(JSON.stringify({ ok: true, id: end.runtimeId, variant: wanted, active: sel.active?.id ?? null }));
  else printSelection(sel);
  return 0;
}

async function use(rt: RuntimesFeature, arg: string) {
  let id = arg;
  if (arg !== 'auto' && RuntimeVariant.safeParse(arg).success) {
    // A variant name: its newest installed runtime (the list is newest first within a variant).
    const list = await rt.manager.list();
    const of = list.installed.filter((r) => r.variant === arg).sort((a, b) => b.installedAt - a.installedAt);
    if (!of.length) {
      console.error(`No ${label(arg)} runtime is installed. Get it with: npm run cli -- runtime get ${arg}`);
      return 1;
    }
    id = of[0]!.id;
  }
  const sel = await rt.manager.use(id);
  printSelection(sel);
  return sel.active && (id === 'auto' || sel.active.id === id) ? 0 : 1;
}

function installedRows(list: RuntimeInfo[]) {
  return [
    ['', 'ID', 'VARIANT', 'SOURCE', 'TAG', 'CHECK', 'FOLDER'],
    ...list.map((r) => [
      r.active ? '*' : '',
      r.id,
      label(r.variant),
      r.source,
      r.tag ?? '-',
      checkText(r.lastCheck),
      r.dir,
    ]),
  ];
}

async function ls(rt: RuntimesFeature, o: RuntimeCliOptions) {
  const list = await rt.manager.list();
  const avail = await rt.manager.available(o.tag).then(
    (a) => ({ ok: true as const, ...a }),
    (e: unknown) => ({ ok: false as const, ...english(e) }),
  );
  if (o.json) {
    console.log(JSON.stringify({ ...list, available: avail }, null, 2));
    return 0;
  }
  printSelection(list.selection);
  console.log('\nInstalled (* active):');
  if (list.installed.length) table(installedRows(list.installed));
  else console.log('  none');
  if (avail.ok) {
    console.log(`\nAvailable in ${avail.tag} from ${avail.endpoint}:`);
    table([
      ['VARIANT', 'SIZE', 'INSTALLED', 'ASSETS'],
      ...avail.runtimes.map((r) => [
        label(r.variant),
        formatBytes(r.totalBytes),
        r.installed ? 'yes' : `no (npm run cli -- runtime get ${r.variant})`,
        r.assets.map((a) => a.name).join(' + '),
      ]),
    ]);
  } else console.log(`\nAvailable: the release feed ${list.releaseEndpoint} cannot be read: ${avail.message}`);
  return 0;
}

async function check(rt: RuntimesFeature, o: RuntimeCliOptions) {
  const sel = await rt.manager.check();
  const list = await rt.manager.list();
  if (o.json) {
    console.log(JSON.stringify({ selection: sel, runtimes: list.installed }, null, 2));
    return sel.active ? 0 : 1;
  }
  for (const r of list.installed) {
    console.log(`${r.active ? '*' : ' '} ${r.id} (${label(r.variant)}, ${r.source}): ${checkText(r.lastCheck)}`);
  }
  if (!list.installed.length) console.log('No runtime installed. Try: npm run cli -- runtime get auto');
  console.log('');
  printSelection(sel);
  return sel.active ? 0 : 1;
}

export async function runRuntimeCommand(sub: string | undefined, arg: string | undefined, o: RuntimeCliOptions) {
  if (!sub || !['ls', 'get', 'use', 'check'].includes(sub)) throw new RuntimeUsageError(`runtime ${sub ?? ''}`.trim());
  if ((sub === 'get' || sub === 'use') && !arg)
    throw new RuntimeUsageError(`runtime ${sub} needs a variant, id or auto`);
  if (sub === 'get' && arg !== 'auto' && !RuntimeVariant.safeParse(arg).success)
    throw new RuntimeUsageError(`unknown variant ${arg}`);
  const bus = createEventBus();
  let facts: Promise<ProbeFacts> | null = null;
  const rt = createRuntimes({
    dataDir: o.dataDir,
    resourcesDirs: o.resourcesDirs,
    settings: o.settings,
    bus,
    env: o.env,
    // The chooser's input: what the vendor tools and the OS see (probed once per command).
    hardwareFacts: () => (facts ??= probeFacts({ env: o.env, dataDir: o.dataDir })),
    backendRunning: () => false,
    invalidateHardware: () => undefined,
    log: (m) => {
      if (o.verbose) console.error(m);
    },
  });
  try {
    if (sub === 'get') {
      try {
        return await get(rt, bus, arg!, o);
      } catch (e) {
        if (!o.json) throw e;
        // The caller (npm start) reads the reason from this line and says it in its own words.
        console.log(JSON.stringify({ ok: false, ...english(e) }));
        return 1;
      }
    }
    if (sub === 'use') return await use(rt, arg!);
    if (sub === 'check') return await check(rt, o);
    return await ls(rt, o);
  } finally {
    await rt.dispose();
  }
}
