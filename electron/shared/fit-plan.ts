/**
 * Contract types of the fit planner: the hardware it plans for, and per model and quantization how it would run here
 * (all on GPU, experts in RAM, partial offload, CPU) with the memory parts and the reasons in words. Re-exported by
 * models.ts, where these lived before.
 */
import { z } from 'zod';
/** The planner's view of the machine (adapted from the hardware probe). */
export const HardwareInput = z.object({
  gpus: z.array(
    z.object({
      index: z.number().int(),
      name: z.string(),
      freeBytes: z.number().nonnegative(),
      totalBytes: z.number().nonnegative(),
      /** Memory bandwidth if known (GB/s); otherwise guessed from the name. */
      bandwidthGBs: z.number().positive().nullable().default(null),
    }),
  ),
  ramAvailableBytes: z.number().nonnegative(),
  ramTotalBytes: z.number().nonnegative(),
  /** Apple Silicon and iGPUs: the GPU's memory is the RAM. */
  unifiedMemory: z.boolean().default(false),
  ramBandwidthGBs: z.number().positive().nullable().default(null),
});
export type HardwareInput = z.infer<typeof HardwareInput>;

export const KvType = z.enum(['f16', 'q8_0', 'q4_0']);
export type KvType = z.infer<typeof KvType>;

/**
 * gpu: everything on GPU; experts-cpu: MoE experts of some layers in RAM, the rest on GPU; partial: some layers on GPU;
 * cpu: CPU only; none: does not fit.
 */
export const FitMode = z.enum(['gpu', 'experts-cpu', 'partial', 'cpu', 'none']);
export type FitMode = z.infer<typeof FitMode>;

export const SpeedClass = z.enum(['fast', 'good', 'slow', 'very-slow', 'none']);
export type SpeedClass = z.infer<typeof SpeedClass>;

/** Why a plan is what it is; the UI translates `code` with `params` (see fitReasonMessages). */
export const FitReasonCode = z.enum([
  'FIT_ALL_GPU',
  'FIT_EXPERTS_CPU',
  'FIT_PARTIAL',
  'FIT_CPU_NO_GPU',
  'FIT_CPU_GPU_TOO_SMALL',
  'FIT_NONE_RAM',
  'FIT_NONE_CONTEXT',
]);
export type FitReasonCode = z.infer<typeof FitReasonCode>;

export const FitReason = z.object({
  code: FitReasonCode,
  params: z.record(z.string(), z.union([z.string(), z.number()])),
});
export type FitReason = z.infer<typeof FitReason>;

export const MemoryParts = z.object({ model: z.number(), context: z.number(), compute: z.number() });
export type MemoryParts = z.infer<typeof MemoryParts>;

export const FitPlan = z.object({
  quant: z.string(),
  contextSize: z.number().int(),
  kvType: KvType,
  mode: FitMode,
  /** Layers on GPU (llama-server -ngl); blockCount + 1 means all, output layer included. */
  gpuLayers: z.number().int(),
  blockCount: z.number().int(),
  /** MoE: layers whose experts stay in RAM (llama-server --n-cpu-moe). */
  cpuMoeLayers: z.number().int(),
  /** Per GPU, in the order of the hardware input. */
  gpu: z.array(MemoryParts),
  host: MemoryParts,
  /** Bytes needed on disk (the files). */
  fileBytes: z.number(),
  /** Rough generation speed from memory bandwidth; a class is what the UI shows. */
  tokensPerSecond: z.number().nullable(),
  speed: SpeedClass,
  reason: FitReason,
});
export type FitPlan = z.infer<typeof FitPlan>;

export const ModelFit = z.object({
  /** Catalog id, or the repo path for an opened repo. */
  modelId: z.string(),
  plans: z.array(FitPlan),
  /** Best quant × context × KV type for this machine, null when nothing fits. */
  recommended: FitPlan.nullable(),
});
export type ModelFit = z.infer<typeof ModelFit>;

export const FitReport = z.object({
  hardware: HardwareInput,
  models: z.array(ModelFit),
  /** The model the setup wizard suggests. */
  recommended: z.object({ modelId: z.string(), plan: FitPlan }).nullable(),
});
export type FitReport = z.infer<typeof FitReport>;

/** Messages for fit reasons, with the same {{placeholders}} rules as error messages. Sizes come preformatted ("8.4 GB"). */
export const fitReasonMessages: Record<'en' | 'zh-CN', Record<FitReasonCode, string>> = {
  en: {
    FIT_ALL_GPU: 'Fits entirely in GPU memory ({{vram}} of {{vramFree}} free).',
    FIT_EXPERTS_CPU:
      'MoE experts of {{cpuLayers}} layers stay in RAM ({{ram}}); attention and the rest run on the GPU ({{vram}}).',
    FIT_PARTIAL:
      '{{gpuLayers}} of {{layers}} layers fit on the GPU ({{vram}}); the rest run on the CPU from RAM ({{ram}}).',
    FIT_CPU_NO_GPU: 'No usable GPU: runs on the CPU from RAM ({{ram}}).',
    FIT_CPU_GPU_TOO_SMALL: 'Not even one layer fits in GPU memory ({{vramFree}} free): runs on the CPU ({{ram}}).',
    FIT_NONE_RAM: 'Needs about {{needed}} of memory; this machine has {{available}} (GPU + RAM).',
    FIT_NONE_CONTEXT: 'The context of {{context}} tokens alone needs {{kv}}; choose a smaller context.',
  },
  'zh-CN': {
    FIT_ALL_GPU: '可完全放入显存（占用 {{vram}}，可用 {{vramFree}}）。',
    FIT_EXPERTS_CPU: '{{cpuLayers}} 层的 MoE 专家放在内存（{{ram}}），注意力等其余部分在 GPU 上运行（{{vram}}）。',
    FIT_PARTIAL: '{{layers}} 层中有 {{gpuLayers}} 层放入显存（{{vram}}），其余在 CPU 上用内存运行（{{ram}}）。',
    FIT_CPU_NO_GPU: '没有可用的 GPU：在 CPU 上用内存运行（{{ram}}）。',
    FIT_CPU_GPU_TOO_SMALL: '显存（可用 {{vramFree}}）连一层都放不下：在 CPU 上运行（{{ram}}）。',
    FIT_NONE_RAM: '约需 {{needed}} 内存，本机共有 {{available}}（显存 + 内存）。',
    FIT_NONE_CONTEXT: '仅 {{context}} 个 token 的上下文就需要 {{kv}}，请选择更小的上下文。',
  },
};
