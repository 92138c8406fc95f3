/**
 * systeminformation, once per probe, on a worker thread. Some of its calls block the calling thread
 * (graphics() runs nvidia-smi with execFileSync and no timeout, osInfo() runs `hostname -f` with execSync), so
 * running it on the main thread could freeze the app on a hung driver. On a worker the event loop stays free;
 * at the deadline we give up on the worker (terminate() takes effect once its blocking call returns).
 * A worker, not a child process: the packaged Electron app disables ELECTRON_RUN_AS_NODE (fuses).
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { SiController } from './merge';

export interface SiResult {
  os: { platform: string; distro: string; release: string; arch: string } | null;
  cpu: { model: string; cores: number; threads: number } | null;
  flags: string | null;
  mem: { totalBytes: number; availableBytes: number } | null;
  graphics: SiController[] | null;
  errors: string[];
}

// Runs inside the worker (CommonJS: eval workers have require). Every call is caught on its own so one failing
// call costs only its own figures.
const SCRIPT = `
const { parentPort, workerData } = require('node:worker_threads');
const si = require(workerData.module);
const pick = (f) => Promise.resolve().then(f).catch((e) => ({ __error: String((e && e.message) || e) }));
Promise.all([pick(() => si.osInfo()), pick(() => si.cpu()), pick(() => si.cpuFlags()), pick(() => si.mem()), pick(() => si.graphics())])
  .then(([osInfo, cpu, flags, mem, graphics]) => parentPort.postMessage({ osInfo, cpu, flags, mem, graphics }));
`;

/** Finds systeminformation from wherever this code runs (ESM bundle, CJS bundle in an asar, tests). */
export function resolveSystemInformation(extraBases: string[] = []): string | null {
  const bases: string[] = [];
  if (typeof __filename === 'string') bases.push(__filename);
  if (process.argv[1]) bases.push(path.resolve(process.argv[1]));
  bases.push(path.join(process.cwd(), 'noop.js'), ...extraBases.map((b) => path.join(b, 'noop.js')));
  for (const b of bases) {
    try {
      return createRequire(b).resolve('systeminformation');
    } catch {
      /* next */
    }
  }
  return null;
}

type Raw = Record<string, unknown> & { __error?: string };
const isErr = (x: unknown): x is { __error: string } => !!x && typeof x === 'object' && '__error' in x;

export function fromRaw(raw: {
  osInfo: unknown;
  cpu: unknown;
  flags: unknown;
  mem: unknown;
  graphics: unknown;
}): SiResult {
  const errors: string[] = [];
  const take = <T>(name: string, x: unknown, f: (r: Raw) => T): T | null => {
    if (isErr(x)) {
      errors.push(`${name}: ${x.__error}`);
      return null;
    }
    if (!x || typeof x !== 'object') return null;
    return f(x as Raw);
  };
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  return {
    os: take('osInfo', raw.osInfo, (o) => ({
      platform: str(o.platform),
      distro: str(o.distro),
      release: str(o.release),
      arch: str(o.arch),
    })),
    cpu: take('cpu', raw.cpu, (c) => ({
      model: [str(c.manufacturer), str(c.brand)].filter(Boolean).join(' '),
      cores: num(c.physicalCores) || num(c.cores),
      threads: num(c.cores),
    })),
    flags: isErr(raw.flags)
      ? (errors.push(`cpuFlags: ${raw.flags.__error}`), null)
      : typeof raw.flags === 'string'
        ? raw.flags
        : null,
    mem: take('mem', raw.mem, (m) => ({ totalBytes: num(m.total), availableBytes: num(m.available) })),
    graphics: take('graphics', raw.graphics, (g) =>
      (Array.isArray(g.controllers) ? (g.controllers as Raw[]) : []).map((c) => ({
        vendor: str(c.vendor),
        model: str(c.model),
        vramMiB: typeof c.vram === 'number' && c.vram > 0 ? c.vram : null,
        driverVersion: str(c.driverVersion) || null,
      })),
    ),
    errors,
  };
}

/** Resolves with the figures, or rejects with a reason (missing module, timeout, worker error). */
export function runSystemInformation(opts: {
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  moduleBases?: string[];
}): Promise<SiResult> {
  const module = resolveSystemInformation(opts.moduleBases);
  if (!module) return Promise.reject(new Error('systeminformation is not installed'));
  return new Promise((resolve, reject) => {
    let done = false;
    const worker = new Worker(SCRIPT, {
      eval: true,
      workerData: { module },
      env: { ...opts.env },
      stdout: true,
      stderr: true,
    });
    const finish = (f: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      void worker.terminate().catch(() => undefined);
      f();
    };
    const timer = setTimeout(
      () => finish(() => reject(new Error(`timed out after ${opts.timeoutMs} ms`))),
      opts.timeoutMs,
    );
    // A worker stuck in a blocking call must not keep the app alive at exit.
    worker.unref();
    worker.once('message', (m: Parameters<typeof fromRaw>[0]) => finish(() => resolve(fromRaw(m))));
    worker.once('error', (e) => finish(() => reject(e)));
    worker.once('exit', (code) => finish(() => reject(new Error(`worker exited with code ${code}`))));
  });
}
