/**
 * One hardware probe: every source runs at once, each with its own deadline, so the whole probe takes as long as
 * the slowest tool or its timeout — never longer, and never on the event loop (tools are child processes,
 * systeminformation runs on a worker). A missing, failing or hung tool becomes a note, not an error.
 * Two stages: the facts (vendor tools, systeminformation, the OS), then the active runtime's device list, which the
 * caller supplies (the runtime manager's check: no second --list-devices, and the chooser reads the facts first).
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import {
  probeNote,
  type BackendDevice,
  type GpuInfo,
  type HardwareReport,
  type ProbeNote,
  type ReportRuntime,
} from '../../shared/telemetry';
import {
  amdSmiStaticArgs,
  parseAmdSmiStatic,
  parseRocmSmi,
  rocmSmiArgs,
  type AmdStaticGpu,
} from '../gpu-tools/amd-smi';
import { parseCudaVersion, parseNvidiaProbe, probeArgs, type NvidiaProbeGpu } from '../gpu-tools/nvidia-probe';
import { classifyNvidiaSmiFailure } from '../gpu-tools/nvidia-smi';
import { findExecutable, runTool as defaultRunTool, type RunTool, type ToolResult } from '../util/run-tool';
import { cpuFeatures, flagsFromCpuinfo } from './cpu-flags';
import { mergeGpus } from './merge';
import { runSystemInformation, type SiResult } from './si-worker';

/**
 * What the active runtime's device check said (the probe never runs its own --list-devices: the runtime manager's
 * check is the one truth). `devices` null: unknown (no runtime, or it failed before listing), with a note saying why.
 */
export interface BackendAnswer {
  devices: BackendDevice[] | null;
  note?: ProbeNote | null;
  runtime?: ReportRuntime | null;
}

export interface ProbeDeps {
  env: NodeJS.ProcessEnv;
  /** The models folder; its disk's free space is reported. */
  dataDir: string;
  runTool?: RunTool;
  /** Per external tool. llama-server gets twice as long (it initialises every GPU backend). */
  timeoutMs?: number;
  systemInformation?: (env: NodeJS.ProcessEnv, timeoutMs: number) => Promise<SiResult>;
  now?: () => number;
}

function toolProblem(tool: string, r: ToolResult, timeoutMs: number): ProbeNote | null {
  if (r.missing) return probeNote(tool, 'TOOL_NOT_RUN', { error: r.error ?? 'not found' });
  if (r.timedOut) return probeNote(tool, 'TOOL_TIMEOUT', { ms: timeoutMs });
  const failure = classifyNvidiaSmiFailure(r.stdout + r.stderr);
  if (failure === 'driver') return probeNote(tool, 'NVIDIA_DRIVER');
  if (failure === 'no-devices') return probeNote(tool, 'NVIDIA_NO_DEVICES');
  if (!r.ok)
    return probeNote(tool, 'TOOL_FAILED', {
      exit: String(r.code ?? r.signal),
      output: (r.stderr || r.stdout).trim().split('\n').slice(-2).join(' ').slice(0, 300),
    });
  return null;
}

/** What the vendor tools, systeminformation and the OS say, before any llama.cpp runtime is asked. */
export interface ProbeFacts {
  probedAt: number;
  started: number;
  notes: ProbeNote[];
  si: SiResult | null;
  nvidia: { gpus: NvidiaProbeGpu[]; cuda: string | null };
  amd: { gpus: AmdStaticGpu[]; source: 'amd-smi' | 'rocm-smi' };
  disk: { freeBytes: number | null; totalBytes: number | null };
  dataDir: string;
  /** CPU flags (systeminformation, else /proc/cpuinfo). */
  flags: string;
}

/** The GPUs the tools and the OS see, without the backend's view (the runtime chooser's input: no cycle). */
export function factsGpus(f: ProbeFacts): GpuInfo[] {
  return mergeGpus({ ...mergeArgs(f), backend: null }).gpus;
}

export function factsAvx2(f: ProbeFacts): boolean {
  return cpuFeatures(f.flags, process.arch).avx2;
}

const mergeArgs = (f: ProbeFacts) => ({
  nvidia: f.nvidia.gpus,
  cudaVersion: f.nvidia.cuda,
  amd: f.amd.gpus,
  amdSource: f.amd.source,
  si: f.si?.graphics ?? [],
});

/** Facts first, then the backend's answer (which may itself need the facts: the runtime chooser reads them). */
export async function probeHardware(
  deps: ProbeDeps & { backend: (facts: ProbeFacts) => Promise<BackendAnswer> },
): Promise<HardwareReport> {
  const facts = await probeFacts(deps);
  return reportFromFacts(facts, await deps.backend(facts));
}

export async function probeFacts(deps: ProbeDeps): Promise<ProbeFacts> {
  const now = deps.now ?? Date.now;
  const started = performance.now();
  const probedAt = now();
  const run = deps.runTool ?? defaultRunTool;
  const timeoutMs = deps.timeoutMs ?? 4000;
  const env = deps.env;
  const notes: ProbeNote[] = [];

  const siTask = (deps.systemInformation ?? ((e, t) => runSystemInformation({ env: e, timeoutMs: t })))(
    env,
    timeoutMs * 2,
  ).catch((e: unknown) => {
    notes.push(probeNote('systeminformation', 'TOOL_ERROR', { error: e instanceof Error ? e.message : String(e) }));
    return null;
  });

  const nvidiaTask = (async (): Promise<{ gpus: NvidiaProbeGpu[]; cuda: string | null }> => {
    const exe = await findExecutable('nvidia-smi', env);
    if (!exe) {
      notes.push(probeNote('nvidia-smi', 'NVIDIA_SMI_MISSING'));
      return { gpus: [], cuda: null };
    }
    const [query, banner] = await Promise.all([
      run(exe, probeArgs(), { env, timeoutMs }),
      run(exe, [], { env, timeoutMs }),
    ]);
    const problem = toolProblem('nvidia-smi', query, timeoutMs);
    if (problem) notes.push(problem);
    const gpus = problem ? [] : parseNvidiaProbe(query.stdout);
    let cuda = parseCudaVersion(banner.stdout);
    if (!cuda && gpus.length) {
      // Some driver builds print no banner when stdout is not a terminal; -q always has it.
      const q = await run(exe, ['-q'], { env, timeoutMs });
      cuda = parseCudaVersion(q.stdout);
    }
    return { gpus, cuda };
  })();

  const amdTask = (async (): Promise<{ gpus: AmdStaticGpu[]; source: 'amd-smi' | 'rocm-smi' }> => {
    const amdSmi = await findExecutable('amd-smi', env);
    if (amdSmi) {
      const r = await run(amdSmi, amdSmiStaticArgs(), { env, timeoutMs });
      const problem = toolProblem('amd-smi', r, timeoutMs);
      if (problem) notes.push(problem);
      else return { gpus: parseAmdSmiStatic(r.stdout), source: 'amd-smi' };
    }
    const rocmSmi = await findExecutable('rocm-smi', env);
    if (rocmSmi) {
      const r = await run(rocmSmi, rocmSmiArgs(), { env, timeoutMs });
      const problem = toolProblem('rocm-smi', r, timeoutMs);
      if (problem) notes.push(problem);
      else return { gpus: parseRocmSmi(r.stdout).gpus, source: 'rocm-smi' };
    }
    return { gpus: [], source: 'amd-smi' };
  })();

  const diskTask = fs.statfs(deps.dataDir).then(
    (s) => ({ freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize }),
    (e: unknown) => {
      notes.push(
        probeNote('disk', 'DISK_UNREADABLE', { path: deps.dataDir, error: e instanceof Error ? e.message : String(e) }),
      );
      return { freeBytes: null, totalBytes: null };
    },
  );

  const [si, nvidia, amd, disk] = await Promise.all([siTask, nvidiaTask, amdTask, diskTask]);
  for (const e of si?.errors ?? []) notes.push(probeNote('systeminformation', 'TOOL_ERROR', { error: e }));
  // Fallbacks from Node itself when systeminformation could not answer.
  const flags =
    si?.flags ??
    (process.platform === 'linux' ? flagsFromCpuinfo(await fs.readFile('/proc/cpuinfo', 'utf8').catch(() => '')) : '');
  return { probedAt, started, notes, si, nvidia, amd, disk, dataDir: deps.dataDir, flags };
}

/** The report: the facts merged with the devices the active runtime listed. */
export async function reportFromFacts(f: ProbeFacts, backend: BackendAnswer): Promise<HardwareReport> {
  const { si, disk, probedAt, started } = f;
  const notes = [...f.notes];
  if (backend.note) notes.push(backend.note);
  const merged = mergeGpus({ ...mergeArgs(f), backend: backend.devices });
  notes.push(...merged.notes);

  const flags = f.flags;
  const cpus = os.cpus();
  const osRelease = si?.os ?? null;
  return {
    probedAt,
    durationMs: performance.now() - started,
    os: osRelease
      ? { ...osRelease, source: 'systeminformation' }
      : {
          platform: process.platform,
          distro: await linuxDistro(),
          release: os.release(),
          arch: process.arch,
          source: 'os',
        },
    cpu: {
      ...(si?.cpu && si.cpu.threads > 0
        ? { ...si.cpu, source: 'systeminformation' as const }
        : {
            model: cpus[0]?.model.trim() ?? 'unknown',
            cores: cpus.length,
            threads: cpus.length,
            source: 'os' as const,
          }),
      ...cpuFeatures(flags, process.arch),
    },
    memory:
      si?.mem && si.mem.totalBytes > 0
        ? { ...si.mem, source: 'systeminformation' }
        : { totalBytes: os.totalmem(), availableBytes: os.freemem(), source: 'os' },
    disk: { path: f.dataDir, ...disk, source: 'os' },
    gpus: merged.gpus,
    backendDevices: backend.devices ?? [],
    backendListed: backend.devices !== null,
    runtime: backend.runtime ?? null,
    disagreements: merged.disagreements,
    notes,
  };
}

async function linuxDistro(): Promise<string> {
  if (process.platform !== 'linux') return '';
  const text = await fs.readFile('/etc/os-release', 'utf8').catch(() => '');
  const m = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(text);
  return m ? m[1]! : '';
}
