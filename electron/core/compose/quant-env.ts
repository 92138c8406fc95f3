/**
 * What the quantization handlers share (issue 14): the feature's dependencies and options (QuantDeps and
 * QuantOptions, re-exported by compose/quant.ts), the tools of the active runtime with the build they come from,
 * the file hashes, the quality results, and the work queue.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { EventBus } from '../../shared/contract';
import type { HardwareInput } from '../../shared/models';
import type { QuantType } from '../../shared/quant';
import type { BackendState } from '../../shared/schemas';
import type { Backend } from '../backends/backend';
import { removeBackendPidFile, writeBackendPidFile } from '../backends/llama-cpp/backend-pidfile';
import type { Library } from '../models/library';
import { FileHashes, QualityStore } from '../quant/quality';
import { listQuantTypes } from '../quant/quantize';
import { locateQuantTools } from '../quant/tools';
import type { QuantTools, RunContext } from '../quant/types';
import type { WorkQueue } from '../quant/work-queue';
import type { SettingsStore } from '../settings/store';

/** Tests: smaller runs (chunk counts, contexts) and a hook on each tool process. */
export interface QuantOptions {
  /** Quality checks: context size and chunk count instead of the planned ones. */
  qualityContext?: number;
  qualityChunks?: number;
  /** Importance matrix: chunk count instead of the planned one. */
  imatrixChunks?: number;
  /** Importance matrix: context size instead of the planned one. */
  imatrixContext?: number;
  /** Each tool process as it starts (tests kill one mid-run). */
  onChild?: (pid: number, kind: 'quantize' | 'imatrix' | 'quality') => void;
}

export interface QuantDeps {
  dataDir: string;
  /** Folders holding eval-texts/ (packaged resources first, then the repo's). */
  resourcesDirs: string[];
  bus: EventBus;
  backend: Backend;
  settings: SettingsStore;
  library: Library;
  modelsDir: () => Promise<string>;
  /** The active runtime's llama-server; the tools lie beside it. */
  activeServer: () => Promise<{ found: boolean; path: string }>;
  hardware: () => Promise<HardwareInput>;
  log: (msg: string) => void;
  /** The core's run folder: the running tool's pid is recorded there, so a crashed app's tool is ended next start. */
  runDir?: string;
  options?: QuantOptions;
}

export interface QuantEnv {
  d: QuantDeps;
  opts: QuantOptions;
  queue: WorkQueue;
  hashes: FileHashes;
  store: QualityStore;
  /** The active runtime's tools (QUANT_TOOL_MISSING for the first one absent). */
  tools(): Promise<QuantTools>;
  /** The types its llama-quantize offers. */
  types(): Promise<QuantType[]>;
}

/**
 * The runtime a llama-server belongs to, as recorded in provenance and quality results: its manifest's id
 * (`source-<commit>-<variant>`, `<tag>-<variant>` …) when one lies beside it (or a folder up), else the folder's
 * name.
 */
export async function buildOf(serverPath: string): Promise<string> {
  const dir = path.dirname(serverPath);
  for (const d of [dir, path.dirname(dir)]) {
    try {
      const m = JSON.parse(await fs.readFile(path.join(d, 'runtime.json'), 'utf8')) as { id?: unknown };
      if (typeof m.id === 'string' && /^[A-Za-z0-9._-]{1,120}$/.test(m.id)) return m.id;
    } catch {
      /* no manifest here */
    }
  }
  return path.basename(dir);
}

export function createEnv(d: QuantDeps, queue: WorkQueue): QuantEnv {
  const tools = async (): Promise<QuantTools> => {
    const server = await d.activeServer();
    return locateQuantTools(server.path, await buildOf(server.path));
  };
  return {
    d,
    opts: d.options ?? {},
    queue,
    hashes: new FileHashes(d.dataDir),
    store: new QualityStore(d.dataDir),
    tools,
    types: async () => listQuantTypes((await tools()).quantize),
  };
}

/** The file's sha256 when the hash cache already knows it unchanged (FileHashes.known: reads no file content). */
export async function knownSha256(hashes: FileHashes, file: string): Promise<string | null> {
  return hashes.known(file).catch(() => null);
}

/** A chat model being loaded or unloaded: its memory use is about to change. */
export const backendInFlux = (state: BackendState): boolean =>
  state === 'starting' || state === 'loading' || state === 'stopping';

/**
 * Waits while the chat backend loads or unloads before a GPU tool starts: `--fit` sizes the tool's GPU share to
 * the memory free at its start, which is only meaningful once the chat model holds what it will hold.
 */
export async function untilBackendSettled(backend: Backend, signal: AbortSignal, pollMs = 250): Promise<void> {
  while (backendInFlux(backend.status().state)) {
    signal.throwIfAborted();
    await new Promise((r) => setTimeout(r, pollMs));
  }
  signal.throwIfAborted();
}

/** The pid file of the quant tool running now (one at a time: the queue runs one job), and what it must run. */
export const TOOL_PID_FILE = 'quant-tool.pid';
export const TOOL_PROGRAM = /llama-(?:quantize|imatrix|perplexity)/;

/**
 * The run context a tool gets: each process it starts is reported to the test hook and recorded in
 * run/quant-tool.pid (reapStaleBackend ends it at the next start when this app died without stopping it);
 * `done` removes the record once the run is over.
 */
export function toolContext(
  env: QuantEnv,
  ctx: RunContext,
  kind: 'quantize' | 'imatrix' | 'quality',
): { ctx: RunContext; done: () => Promise<void> } {
  const pids: number[] = [];
  const runDir = env.d.runDir;
  const recorded: Promise<void>[] = [];
  return {
    ctx: {
      ...ctx,
      onChild: (pid) => {
        env.opts.onChild?.(pid, kind);
        if (!runDir) return;
        pids.push(pid);
        recorded.push(writeBackendPidFile(runDir, pid, undefined, TOOL_PID_FILE).catch(() => undefined));
      },
    },
    done: async () => {
      await Promise.all(recorded);
      if (runDir) for (const pid of pids) await removeBackendPidFile(runDir, pid, TOOL_PID_FILE).catch(() => undefined);
    },
  };
}
