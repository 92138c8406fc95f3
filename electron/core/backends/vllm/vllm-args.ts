/**
 * Pure: a vLLM launch plan → `vllm serve` argv and environment. Table-tested in vllm-args.test.ts; no I/O here.
 *
 * Facts (scripts/fake-vllm/SOURCES.md): the model is the positional `model_tag` (`--model` with `serve` is
 * deprecated); the key is read from VLLM_API_KEY when `--api-key` is absent (api_server.py build_app: "--api-key
 * option from CLI takes precedence over VLLM_API_KEY"), so it goes in the environment, never in argv (the process list
 * and vLLM's own "non-default args" log line both show argv). `--enable-reasoning` is gone (an unrecognized argument
 * since 0.10); `--reasoning-parser deepseek_r1` alone turns reasoning_content on. `--api-key` guards only /v1/*, so the
 * host is always loopback.
 */
import { AppError } from '../../../shared/errors';

/** vLLM's QuantizationMethods (model_executor/layers/quantization/__init__.py), the ones a checkpoint can name. */
export const VLLM_QUANTIZATIONS = [
  'awq',
  'awq_marlin',
  'gptq',
  'gptq_marlin',
  'fp8',
  'compressed-tensors',
  'bitsandbytes',
  'gguf',
  'modelopt',
  'modelopt_fp4',
  'moe_wna16',
  'experts_int8',
  'fbgemm_fp8',
  'ptpc_fp8',
  'marlin',
  'quark',
  'torchao',
  'auto-round',
] as const;
export type VllmQuantization = (typeof VLLM_QUANTIZATIONS)[number];

export const VLLM_DTYPES = ['auto', 'half', 'float16', 'bfloat16', 'float', 'float32'] as const;
export type VllmDtype = (typeof VLLM_DTYPES)[number];

export interface VllmPlan {
  /** A local snapshot folder (config.json, tokenizer, safetensors) or a hub id. */
  model: string;
  /** The name /v1/models lists and requests must use. */
  servedName: string;
  port: number;
  apiKey: string;
  maxModelLen: number;
  /** Share of each GPU's memory vLLM may take (weights + activations + KV cache), 0 < x ≤ 1. */
  gpuMemoryUtilization: number;
  /** GPUs the model is split across (tensor parallel); the caller also sets CUDA_VISIBLE_DEVICES to those GPUs. */
  tensorParallelSize: number;
  /** From the checkpoint's quantization_config.quant_method; null lets vLLM read it from config.json. */
  quantization: VllmQuantization | null;
  dtype: VllmDtype;
  /** 'deepseek_r1' for R1-family models (see reasoningParserFor); null for none. */
  reasoningParser: string | null;
  /** Indexes of the GPUs to use; null: all that CUDA shows. */
  gpuIndexes?: number[] | null;
  /** Caps concurrent sequences (vLLM's default is 256); undefined keeps vLLM's. */
  maxNumSeqs?: number;
  enforceEager?: boolean;
}

export interface VllmLaunch {
  args: string[];
  env: NodeJS.ProcessEnv;
}

function invalid(issues: string): AppError {
  return new AppError('INVALID_PARAMS', { issues });
}

/** R1-family checkpoints (DeepSeek-R1 and its distills) stream thinking that vLLM's deepseek_r1 parser separates. */
export function reasoningParserFor(modelId: string): string | null {
  return /deepseek[-_.]?r1|r1[-_]distill/i.test(modelId) ? 'deepseek_r1' : null;
}

/** The checkpoint's config.json quantization_config.quant_method → vLLM's --quantization, or null when unknown. */
export function quantizationFromConfig(quantMethod: unknown): VllmQuantization | null {
  if (typeof quantMethod !== 'string') return null;
  const m = quantMethod.toLowerCase();
  return (VLLM_QUANTIZATIONS as readonly string[]).includes(m) ? (m as VllmQuantization) : null;
}

export function buildVllmServe(plan: VllmPlan): string[] {
  const problems: string[] = [];
  if (!plan.model.trim()) problems.push('no model');
  if (!plan.servedName.trim()) problems.push('no served model name');
  if (!Number.isInteger(plan.port) || plan.port < 1 || plan.port > 65535) problems.push(`bad port ${plan.port}`);
  if (!(plan.gpuMemoryUtilization > 0 && plan.gpuMemoryUtilization <= 1))
    problems.push(`GPU memory utilization ${plan.gpuMemoryUtilization} is not within (0, 1]`);
  if (!Number.isInteger(plan.tensorParallelSize) || plan.tensorParallelSize < 1)
    problems.push(`tensor-parallel size ${plan.tensorParallelSize} is not a positive whole number`);
  if (plan.gpuIndexes && plan.gpuIndexes.length !== plan.tensorParallelSize)
    problems.push(`${plan.gpuIndexes.length} GPUs chosen for tensor-parallel size ${plan.tensorParallelSize}`);
  if (!Number.isInteger(plan.maxModelLen) || plan.maxModelLen < 1)
    problems.push(`bad max model length ${plan.maxModelLen}`);
  if (plan.maxNumSeqs !== undefined && (!Number.isInteger(plan.maxNumSeqs) || plan.maxNumSeqs < 1))
    problems.push(`bad max sequences ${plan.maxNumSeqs}`);
  if (!plan.apiKey) problems.push('no API key');
  if (problems.length) throw invalid(problems.join('; '));

  const args = [
    'serve',
    plan.model,
    '--host',
    '127.0.0.1',
    '--port',
    String(plan.port),
    '--served-model-name',
    plan.servedName,
    '--max-model-len',
    String(plan.maxModelLen),
    '--gpu-memory-utilization',
    String(plan.gpuMemoryUtilization),
    '--tensor-parallel-size',
    String(plan.tensorParallelSize),
    '--dtype',
    plan.dtype,
  ];
  if (plan.quantization) args.push('--quantization', plan.quantization);
  if (plan.reasoningParser) args.push('--reasoning-parser', plan.reasoningParser);
  if (plan.maxNumSeqs !== undefined) args.push('--max-num-seqs', String(plan.maxNumSeqs));
  if (plan.enforceEager) args.push('--enforce-eager');
  return args;
}

/**
 * The environment for `vllm serve`: the key as VLLM_API_KEY; inherited VLLM_* removed (VLLM_PORT and VLLM_HOST_IP
 * steer vLLM's internal sockets, a stray VLLM_API_KEY would be overridden anyway; settings alone decide how it runs);
 * CUDA_VISIBLE_DEVICES set to the chosen GPUs.
 */
export function vllmEnv(base: NodeJS.ProcessEnv, plan: Pick<VllmPlan, 'apiKey' | 'gpuIndexes'>): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(base)) if (!k.startsWith('VLLM_')) out[k] = v;
  out.VLLM_API_KEY = plan.apiKey;
  // vLLM logs through Python; unbuffered output keeps the log (load progress) live through a pipe.
  out.PYTHONUNBUFFERED = '1';
  if (plan.gpuIndexes) out.CUDA_VISIBLE_DEVICES = plan.gpuIndexes.join(',');
  return out;
}

export function buildVllmLaunch(plan: VllmPlan, base: NodeJS.ProcessEnv): VllmLaunch {
  return { args: buildVllmServe(plan), env: vllmEnv(base, plan) };
}
