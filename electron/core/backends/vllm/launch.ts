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
import { rayServeArgs } from './ray-args';
import { buildVllmLaunch, quantizationFromConfig, type VllmPlan as ArgsPlan } from './vllm-args';

export interface VllmSpawn {
  exe: string;
  args: string[];
  /**
   * Stopped by closing its stdin (vLLM inside WSL2: wsl.exe's Linux processes survive a taskkill of wsl.exe, so a
   * shell inside WSL runs vLLM in its own group and ends that group when its stdin closes: WSL_RUN_SCRIPT).
   */
  stdinStop: boolean;
  env: NodeJS.ProcessEnv;
  servedName: string;
  maxModelLen: number;
  maxNumSeqs: number | undefined;
  target: Extract<BackendTarget, { kind: 'vllm' }>;
}

/**
 * Inside WSL2: `sh -c WSL_RUN_SCRIPT deeplocal-vllm VLLM serve …` runs vLLM in a process group of its own (setsid) and
 * waits; when its stdin closes (we stop it, or the app is gone) it ends that group, SIGTERM, then SIGKILL after 10 s;
 * when vLLM exits it ends what is left of the group and exits with vLLM's code.
 */
export const WSL_RUN_SCRIPT = [
  // A background job's stdin is /dev/null unless redirected: keep ours on fd 3 for the watch loop.
  'exec 3<&0',
  'setsid "$@" </dev/null 3<&- & pid=$!',
  '( while read -r _; do :; done; kill -s TERM -- "-$pid" 2>/dev/null; i=0',
  '  while [ "$i" -lt 10 ] && kill -s 0 -- "-$pid" 2>/dev/null; do sleep 1; i=$((i + 1)); done',
  '  kill -s KILL -- "-$pid" 2>/dev/null ) <&3 &',
  'watch=$!',
  'exec 3<&-',
  'wait "$pid"; code=$?',
  'kill -s KILL -- "-$pid" 2>/dev/null; kill "$watch" 2>/dev/null',
  'exit "$code"',
].join('\n');

/** `wsl -d D -e /path/vllm` → `wsl -d D -e sh -c WSL_RUN_SCRIPT deeplocal-vllm /path/vllm`. */
export function wslRunCommand(command: readonly string[], name = 'deeplocal-vllm'): string[] {
  const e = command.indexOf('-e');
  if (e < 0) return [...command];
  return [...command.slice(0, e + 1), 'sh', '-c', WSL_RUN_SCRIPT, name, ...command.slice(e + 1)];
}

/** A command run through wsl.exe (`wsl[.exe] … -e …`, as detection writes a WSL2 install's command). */
export function isWslCommand(command: readonly string[]): boolean {
  const exe = command[0] ?? '';
  return /(^|[\\/])wsl(\.exe)?$/i.test(exe) && command.includes('-e');
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
    // Across machines: Ray runs the engine (the head is up; the plan's tensor parallel is the GPUs per node).
    args: [
      ...(inWsl ? wslRunCommand(install.command) : install.command).slice(1),
      ...launch.args,
      ...(plan.options.ray ? rayServeArgs(plan.options.ray) : []),
    ],
    stdinStop: inWsl,
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
