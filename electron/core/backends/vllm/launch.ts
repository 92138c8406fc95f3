/**
 * Pure: a vLLM start request (its plan, the options the OOM ladder may have lowered) → what the supervisor spawns and
 * what the run serves: the executable and argv (install.command + `serve …` from vllm-args.ts), the environment (the
 * key as VLLM_API_KEY, through WSLENV when vLLM runs inside WSL2), the served name, max model length, status target
 * and capabilities. Table-tested in launch.test.ts.
 */
import type { BackendTarget, VllmModel, VllmPlan as PlanSchema } from '../../../shared/backends';
import { AppError } from '../../../shared/errors';
import type { LoadOptions } from '../../../shared/schemas';
import type { BackendCapabilities } from '../backend';
import { toWslPath, wslEnv } from './detect-plan';
import { buildVllmLaunch, quantizationFromConfig, type VllmPlan as ArgsPlan } from './vllm-args';

export interface VllmSpawn {
  exe: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  servedName: string;
  maxModelLen: number;
  maxNumSeqs: number | undefined;
  target: Extract<BackendTarget, { kind: 'vllm' }>;
}

/** The name /v1/models lists and requests carry: the checkpoint's name, in characters any client takes. */
export function servedNameFor(model: Pick<VllmModel, 'name'>): string {
  const s = model.name
    .trim()
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 100);
  return s || 'model';
}

/** The served name the plan's shown command uses (so the run and what was shown agree), else servedNameFor. */
export function servedNameOf(plan: Pick<PlanSchema, 'command' | 'model'>): string {
  const i = plan.command.indexOf('--served-model-name');
  const v = i >= 0 ? plan.command[i + 1] : undefined;
  return v && /^[A-Za-z0-9._/-]{1,200}$/.test(v) ? v : servedNameFor(plan.model);
}

/** The context: the plan's max model length, unless the OOM ladder lowered options.contextSize below it. */
export function effectiveMaxModelLen(plan: Pick<PlanSchema, 'maxModelLen'>, options: Pick<LoadOptions, 'contextSize'>) {
  return options.contextSize > 0 && options.contextSize < plan.maxModelLen ? options.contextSize : plan.maxModelLen;
}

export function vllmSpawn(
  plan: PlanSchema,
  options: LoadOptions,
  port: number,
  apiKey: string,
  baseEnv: NodeJS.ProcessEnv,
): VllmSpawn {
  const install = plan.install;
  if (!install) throw new AppError('VLLM_NOT_FOUND');
  if (install.command.length === 0) throw new AppError('VLLM_NOT_FOUND');
  const inWsl = install.source === 'wsl';
  const servedName = servedNameOf(plan);
  const maxModelLen = effectiveMaxModelLen(plan, options);
  const gpus = plan.options.gpus;
  const maxNumSeqs = options.parallel > 0 ? options.parallel : undefined;
  const args: ArgsPlan = {
    model: inWsl ? toWslPath(plan.model.path) : plan.model.path,
    servedName,
    port,
    apiKey,
    maxModelLen,
    gpuMemoryUtilization: plan.options.gpuMemoryUtilization,
    tensorParallelSize: plan.tensorParallelSize,
    // null lets vLLM read the checkpoint's quantization_config (and pick its faster kernels, e.g. awq_marlin).
    quantization: quantizationFromConfig(plan.options.quantization),
    dtype: plan.options.dtype,
    reasoningParser: plan.reasoningParser,
    gpuIndexes: gpus && gpus.length === plan.tensorParallelSize ? gpus : null,
    ...(maxNumSeqs !== undefined ? { maxNumSeqs } : {}),
    enforceEager: plan.options.enforceEager,
  };
  const launch = buildVllmLaunch(args, baseEnv);
  const env = inWsl ? wslEnv(launch.env, ['VLLM_API_KEY', 'PYTHONUNBUFFERED', 'CUDA_VISIBLE_DEVICES']) : launch.env;
  return {
    exe: install.command[0]!,
    args: [...install.command.slice(1), ...launch.args],
    env,
    servedName,
    maxModelLen,
    maxNumSeqs,
    target: {
      kind: 'vllm',
      install: install.id,
      servedName,
      tensorParallelSize: plan.tensorParallelSize,
      maxModelLen,
    },
  };
}

export function vllmCapabilities(plan: Pick<PlanSchema, 'reasoningParser'>, baseUrl: string): BackendCapabilities {
  return {
    reasoning: plan.reasoningParser ? 'separate' : 'inline',
    speculative: null,
    metrics: { url: `${baseUrl}/metrics`, dialect: 'vllm' },
    slotsUrl: null,
    embeddings: false,
  };
}

/** /v1/models's body lists the served name (vLLM answers 200 with its ModelCards once the engine serves). */
export function modelsListName(body: unknown, servedName: string): boolean {
  if (!body || typeof body !== 'object') return false;
  const data = (body as { data?: unknown }).data;
  return (
    Array.isArray(data) && data.some((m) => !!m && typeof m === 'object' && (m as { id?: unknown }).id === servedName)
  );
}
