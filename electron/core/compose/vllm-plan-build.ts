/**
 * Pure: what `vllm serve` would run with (VllmPlan) from the checkpoint, its config facts, the detected installs and
 * the hardware. Table-tested in vllm-plan-build.test.ts; the I/O (reading the folder, detection, the hardware probe)
 * is in vllm-plan.ts.
 *
 * GPUs: those the chosen install sees (torch's memory figures), else the hardware report's NVIDIA GPUs. Tensor
 * parallel = the GPUs chosen (all of them when none is chosen); across machines with Ray, tensor parallel = GPUs
 * per node and pipeline parallel = nodes (vLLM's recipe), and the fit counts nodes × GPUs per node, each as large as
 * the smallest GPU here. Max model length = the asked context, else the model's own, capped to what fits.
 */
import type { VllmDetection, VllmInstall, VllmModel, VllmOptions, VllmPlan } from '../../shared/backends';
import { AppError, type ErrorInfo } from '../../shared/errors';
import { formatBytes } from '../../shared/format';
import { toWslPath } from '../backends/vllm/detect-plan';
import { rayServeArgs } from '../backends/vllm/ray-args';
import { buildVllmServe, quantizationFromConfig, reasoningParserFor } from '../backends/vllm/vllm-args';
import { servedNameFor } from '../backends/vllm/launch';
import { vllmFit, type VllmConfigFacts } from '../models/vllm';

const MiB = 1024 * 1024;
/** A context below this is no use for chat: a model whose KV cache fits less does not fit. */
export const MIN_USEFUL_LEN = 512;
/** The model's own length when config.json does not say. */
const FALLBACK_LEN = 4096;
/** vLLM's default port, shown in the displayed command (the run picks a free one). */
const DISPLAY_PORT = 8000;

export interface PlanGpu {
  index: number;
  name: string;
  memoryMiB: number;
}

export interface PlanInputs {
  model: VllmModel;
  facts: VllmConfigFacts;
  detection: VllmDetection;
  options: VllmOptions;
  /** LoadOptions.contextSize (0: the model's own) and parallel (0: vLLM's default). */
  contextSize: number;
  parallel: number;
  /** NVIDIA GPUs of the hardware report (used when the install reports none with memory). */
  hardwareGpus: PlanGpu[];
}

function pickInstall(d: VllmDetection, wanted: string | null): VllmInstall | null {
  if (wanted) return d.installs.find((i) => i.id === wanted) ?? null;
  // None usable: the first one found, so its problem (too old, no GPU, …) is what the plan reports.
  return d.installs.find((i) => i.id === d.preferred) ?? d.installs.find((i) => i.usable) ?? d.installs[0] ?? null;
}

function gpusOf(install: VllmInstall | null, hardware: PlanGpu[]): PlanGpu[] {
  const seen = (install?.gpus ?? [])
    .filter((g) => g.memoryMiB !== null && g.memoryMiB > 0)
    .map((g) => ({ index: g.index, name: g.name, memoryMiB: g.memoryMiB! }));
  return seen.length ? seen : hardware.filter((g) => g.memoryMiB > 0);
}

export function buildVllmPlan(i: PlanInputs): VllmPlan {
  const { model, facts, options } = i;
  const problems: ErrorInfo[] = [];
  const install = pickInstall(i.detection, options.install);
  if (!install) problems.push(new AppError('VLLM_NOT_FOUND').toInfo());
  else if (!install.usable && install.problem) problems.push(install.problem);

  const all = gpusOf(install, i.hardwareGpus);
  const chosen = options.gpus ? all.filter((g) => options.gpus!.includes(g.index)) : all;
  if (options.gpus && chosen.length !== options.gpus.length) {
    const missing = options.gpus.filter((x) => !all.some((g) => g.index === x));
    problems.push(
      new AppError('VLLM_NO_GPU', { reason: `GPU ${missing.join(', ')} is not among those vLLM sees` }).toInfo(),
    );
  }
  const ray = options.ray;
  const tensorParallelSize = ray ? ray.gpusPerNode : Math.max(1, chosen.length);
  const smallest = chosen.length ? Math.min(...chosen.map((g) => g.memoryMiB)) : 0;
  const gpuBytes = ray
    ? smallest
      ? Array.from({ length: ray.nodes * ray.gpusPerNode }, () => smallest * MiB)
      : []
    : chosen.map((g) => g.memoryMiB * MiB);
  if (!gpuBytes.length && install?.usable === true)
    problems.push(new AppError('VLLM_NO_GPU', { reason: 'no NVIDIA GPU with known memory was found' }).toInfo());

  const own = model.contextLength ?? facts.maxPositionEmbeddings ?? FALLBACK_LEN;
  const asked = i.contextSize > 0 ? Math.min(i.contextSize, own) : own;
  const fitAt = (len: number) =>
    vllmFit(facts, model, { gpuBytes, utilization: options.gpuMemoryUtilization, maxModelLen: len });
  let fit = fitAt(asked);
  let maxModelLen = asked;
  if (!fit.fits && fit.maxFittingLen >= Math.min(MIN_USEFUL_LEN, asked)) {
    maxModelLen = fit.maxFittingLen;
    fit = fitAt(maxModelLen);
  }
  if (gpuBytes.length && !fit.fits)
    problems.push(
      new AppError('VLLM_DOES_NOT_FIT', {
        needed: formatBytes(fit.weightsBytes + fit.kvBytes + fit.overheadBytes),
        context: String(maxModelLen),
        budget: formatBytes(fit.budgetBytes),
      }).toInfo(),
    );

  const reasoningParser = model.reasoning ? 'deepseek_r1' : reasoningParserFor(model.name);
  const inWsl = install?.source === 'wsl';
  const serve = buildVllmServe({
    model: inWsl ? toWslPath(model.path) : model.path,
    servedName: servedNameFor(model),
    port: DISPLAY_PORT,
    // buildVllmServe wants a key to exist; it is never in argv (VLLM_API_KEY in the environment).
    apiKey: 'set-in-environment',
    maxModelLen,
    gpuMemoryUtilization: options.gpuMemoryUtilization,
    tensorParallelSize,
    quantization: quantizationFromConfig(options.quantization),
    dtype: options.dtype,
    reasoningParser,
    gpuIndexes: null,
    ...(i.parallel > 0 ? { maxNumSeqs: i.parallel } : {}),
    enforceEager: options.enforceEager,
  });
  const rayTail = ray ? rayServeArgs(ray) : [];
  const command = [...(install?.command ?? ['vllm']), ...serve, ...rayTail];
  return { model, options, install, tensorParallelSize, maxModelLen, reasoningParser, command, fit, problems };
}
