/**
 * One hardware probe: every source runs at once, each with its own deadline, so the whole probe takes as long as
 * the slowest tool or its timeout — never longer, and never on the event loop (tools are child processes,
 * systeminformation runs on a worker). A missing, failing or hung tool becomes a note, not an error.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import { probeNote, type HardwareReport, type ProbeNote } from '../../shared/telemetry';
import { backendEnv } from '../backends/llama-cpp/llama-args';
import {
  amdSmiStaticArgs,
  parseAmdSmiStatic,
  parseRocmSmi,
  rocmSmiArgs,
  type AmdStaticGpu,
} from '../gpu-tools/amd-smi';
import { parseListDevices } from '../gpu-tools/list-devices';
import { parseCudaVersion, parseNvidiaProbe, probeArgs, type NvidiaProbeGpu } from '../gpu-tools/nvidia-probe';
import { classifyNvidiaSmiFailure } from '../gpu-tools/nvidia-smi';
import { findExecutable, runTool as defaultRunTool, type RunTool, type ToolResult } from '../util/run-tool';
import { cpuFeatures, flagsFromCpuinfo } from './cpu-flags';
import { mergeGpus } from './merge';
import { runSystemInformation, type SiResult } from './si-worker';

export interface ProbeDeps {
  env: NodeJS.ProcessEnv;
  /** The models folder; its disk's free space is reported. */
  dataDir: string;
  locateLlamaServer: () => Promise<{ found: boolean; path: string }>;
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

export async function probeHardware(deps: ProbeDeps): Promise<HardwareReport> {
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

  const backendTask = (async () => {
    const bin = await deps.locateLlamaServer();
    if (!bin.found) {
      notes.push(probeNote('llama-server', 'BACKEND_MISSING', { path: bin.path }));
      return null;
    }
    const r = await run(bin.path, ['--list-devices'], { env: backendEnv(env), timeoutMs: timeoutMs * 2 });
    const devices = parseListDevices(r.stdout);
    if (devices === null) {
      notes.push(toolProblem('llama-server', r, timeoutMs * 2) ?? probeNote('llama-server', 'BACKEND_NO_LIST'));
    }
    return devices;
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

  const [si, nvidia, amd, backend, disk] = await Promise.all([siTask, nvidiaTask, amdTask, backendTask, diskTask]);
  for (const e of si?.errors ?? []) notes.push(probeNote('systeminformation', 'TOOL_ERROR', { error: e }));

  const merged = mergeGpus({
    nvidia: nvidia.gpus,
    cudaVersion: nvidia.cuda,
    amd: amd.gpus,
    amdSource: amd.source,
    si: si?.graphics ?? [],
    backend,
  });
  notes.push(...merged.notes);

  // Fallbacks from Node itself when systeminformation could not answer.
  const flags =
    si?.flags ??
    (process.platform === 'linux' ? flagsFromCpuinfo(await fs.readFile('/proc/cpuinfo', 'utf8').catch(() => '')) : '');
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
    disk: { path: deps.dataDir, ...disk, source: 'os' },
    gpus: merged.gpus,
    backendDevices: backend ?? [],
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
