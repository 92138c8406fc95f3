/**
 * Where GPU readings come from, decided at each sampler start: nvidia-smi on PATH → one long-lived `-lms` stream
 * (nvidia-stream.ts); else amd-smi or rocm-smi → polled per reading (they have no streaming mode); else none.
 * This module finds the tool and takes one reading from it; the sampler (sampler.ts) decides when.
 */
import type { GpuSample, TelemetryStatus } from '../../shared/telemetry';
import {
  amdSmiMetricArgs,
  amdSmiStaticArgs,
  parseAmdSmiMetric,
  parseAmdSmiStatic,
  parseRocmSmi,
  rocmSmiArgs,
} from '../gpu-tools/amd-smi';
import { oneShotArgs, parseSampleLines } from '../gpu-tools/nvidia-smi';
import { findExecutable, type RunTool } from '../util/run-tool';

export type GpuSourceKind = TelemetryStatus['gpuSource'];

/**
 * Why there is no GPU chart; the renderer translates these codes (monitor.noGpu.*).
 *   no-gpu             no nvidia-smi / amd-smi / rocm-smi on PATH, or nvidia-smi finds no device
 *   nvidia-smi-failed  nvidia-smi cannot talk to the driver (not loaded, version mismatch)
 */
export type NoGpuReason = 'no-gpu' | 'nvidia-smi-failed';

export interface GpuSource {
  kind: GpuSourceKind;
  exe: string | null;
  reason: NoGpuReason | null;
}

export async function detectGpuSource(env: NodeJS.ProcessEnv): Promise<GpuSource> {
  const nvidia = await findExecutable('nvidia-smi', env);
  if (nvidia) return { kind: 'nvidia-smi', exe: nvidia, reason: null };
  const amd = await findExecutable('amd-smi', env);
  if (amd) return { kind: 'amd-smi', exe: amd, reason: null };
  const rocm = await findExecutable('rocm-smi', env);
  if (rocm) return { kind: 'rocm-smi', exe: rocm, reason: null };
  return { kind: 'none', exe: null, reason: 'no-gpu' };
}

/** amd-smi's GPU names by index, from its static report (the metric report has none). */
export async function readAmdNames(run: RunTool, exe: string, env: NodeJS.ProcessEnv): Promise<Map<number, string>> {
  const r = await run(exe, amdSmiStaticArgs(), { env, timeoutMs: 5000 });
  return new Map(parseAmdSmiStatic(r.stdout).map((g) => [g.index, g.name]));
}

/** One reading of every GPU from amd-smi or rocm-smi; `names` from readAmdNames. */
export async function readAmdGpus(
  run: RunTool,
  d: GpuSource & { exe: string },
  env: NodeJS.ProcessEnv,
  names: Map<number, string>,
  timeoutMs: number,
): Promise<GpuSample[]> {
  const args = d.kind === 'amd-smi' ? amdSmiMetricArgs() : rocmSmiArgs();
  const r = await run(d.exe, args, { env, timeoutMs });
  return d.kind === 'amd-smi' ? parseAmdSmiMetric(r.stdout, names) : parseRocmSmi(r.stdout).samples;
}

/** Every GPU once from whichever tool `d` found, without the nvidia-smi stream. */
export async function readGpusOnce(
  run: RunTool,
  d: GpuSource,
  env: NodeJS.ProcessEnv,
  amdNames: Map<number, string>,
): Promise<GpuSample[]> {
  if (!d.exe) return [];
  if (d.kind === 'nvidia-smi') {
    const r = await run(d.exe, oneShotArgs(), { env, timeoutMs: 4000 });
    return parseSampleLines(r.stdout);
  }
  return readAmdGpus(run, { ...d, exe: d.exe }, env, amdNames, 4000);
}
