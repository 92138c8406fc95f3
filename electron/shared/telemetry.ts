/** Contract types for hardware detection, live telemetry, power control and alerts. */
import { z } from 'zod';
import { fillMessage } from './errors';

const nullableNumber = z.number().nullable();

/** Where a figure came from, so the Hardware panel can show it and disagreements are visible. */
export const Source = z.enum([
  'systeminformation',
  'nvidia-smi',
  'amd-smi',
  'rocm-smi',
  'llama-server',
  'os',
  'sysctl',
]);
export type Source = z.infer<typeof Source>;

export const Sourced = <T extends z.ZodType>(t: T) => z.object({ value: t, source: Source });

export const BackendDevice = z.object({
  /** As llama-server --list-devices names it (CUDA0, Vulkan0, Metal, CPU …). */
  name: z.string(),
  description: z.string(),
  totalMiB: nullableNumber,
  freeMiB: nullableNumber,
});
export type BackendDevice = z.infer<typeof BackendDevice>;

export const GpuInfo = z.object({
  index: z.number().int(),
  vendor: z.enum(['nvidia', 'amd', 'intel', 'apple', 'other']),
  name: z.string(),
  uuid: z.string().nullable(),
  vramTotalMiB: Sourced(nullableNumber),
  vramFreeMiB: Sourced(nullableNumber),
  driverVersion: Sourced(z.string().nullable()),
  /** NVIDIA: the CUDA version the driver supports, and the compute capability (e.g. "8.9"). */
  cudaVersion: z.string().nullable(),
  computeCapability: z.string().nullable(),
  /** Apple Silicon and some iGPUs share system memory. */
  unifiedMemory: z.boolean(),
  /** The device llama-server sees for this GPU, if matched: the ground truth of what the backend can use. */
  backendDevice: BackendDevice.nullable(),
});
export type GpuInfo = z.infer<typeof GpuInfo>;

export const Disagreement = z.object({
  field: z.string(),
  values: z.array(z.object({ source: Source, value: z.string() })),
  /** Which one the app uses (the backend's where it has one). */
  preferred: Source,
});

/** What a probe note says; the UI translates `code` with `params` (see probeNoteMessages). */
export const ProbeNoteCode = z.enum([
  'TOOL_NOT_RUN',
  'TOOL_TIMEOUT',
  'TOOL_FAILED',
  'NVIDIA_DRIVER',
  'NVIDIA_NO_DEVICES',
  'NVIDIA_SMI_MISSING',
  'BACKEND_MISSING',
  'BACKEND_NO_LIST',
  'BACKEND_NO_GPU',
  'DISK_UNREADABLE',
  'TOOL_ERROR',
]);
export type ProbeNoteCode = z.infer<typeof ProbeNoteCode>;

/** Messages for probe notes, with the same {{placeholders}} rules as error messages. */
export const probeNoteMessages: Record<'en' | 'zh-CN', Record<ProbeNoteCode, string>> = {
  en: {
    TOOL_NOT_RUN: 'could not be run: {{error}}',
    TOOL_TIMEOUT: 'did not answer within {{ms}} ms and was stopped',
    TOOL_FAILED: 'failed (exit {{exit}}): {{output}}',
    NVIDIA_DRIVER: 'cannot talk to the NVIDIA driver (not loaded, or a driver/library version mismatch)',
    NVIDIA_NO_DEVICES: 'no devices were found',
    NVIDIA_SMI_MISSING: 'not found on PATH (no NVIDIA driver installed?)',
    BACKEND_MISSING: 'not found ({{path}}); the devices the backend can use are unknown',
    BACKEND_NO_LIST: '--list-devices printed no device list',
    BACKEND_NO_GPU: 'this llama-server build sees no GPU (CPU build?): models will run on the CPU',
    DISK_UNREADABLE: 'cannot read free space of {{path}}: {{error}}',
    TOOL_ERROR: '{{error}}',
  },
  'zh-CN': {
    TOOL_NOT_RUN: '无法运行：{{error}}',
    TOOL_TIMEOUT: '{{ms}} 毫秒内没有响应，已停止',
    TOOL_FAILED: '执行失败（退出码 {{exit}}）：{{output}}',
    NVIDIA_DRIVER: '无法与 NVIDIA 驱动通信（驱动未加载，或驱动与库版本不匹配）',
    NVIDIA_NO_DEVICES: '没有找到设备',
    NVIDIA_SMI_MISSING: '在 PATH 中找不到（没有安装 NVIDIA 驱动？）',
    BACKEND_MISSING: '找不到（{{path}}）；无法得知后端能使用哪些设备',
    BACKEND_NO_LIST: '--list-devices 没有输出设备列表',
    BACKEND_NO_GPU: '这个 llama-server 版本看不到 GPU（CPU 版本？）：模型将在 CPU 上运行',
    DISK_UNREADABLE: '无法读取 {{path}} 的剩余空间：{{error}}',
    TOOL_ERROR: '{{error}}',
  },
};

export const ProbeNote = z.object({
  tool: z.string(),
  code: ProbeNoteCode,
  params: z.record(z.string(), z.union([z.string(), z.number()])),
  /** The English text (bug reports, logs). */
  message: z.string(),
});
export type ProbeNote = z.infer<typeof ProbeNote>;

/** A note with its English message filled in from `params`. */
export function probeNote(tool: string, code: ProbeNoteCode, params: Record<string, string | number> = {}): ProbeNote {
  return { tool, code, params, message: fillMessage(probeNoteMessages.en[code], params) };
}

const Coded = z.object({
  code: z.string(),
  params: z.record(z.string(), z.union([z.string(), z.number()])),
  /** English; the UI translates by code (runtimeReasonMessages / runtimeProblemMessages in runtimes.ts). */
  message: z.string(),
});

/**
 * The llama.cpp runtime whose device check gave `backendDevices`: which one, why it was chosen, and the checks that
 * failed before it (runtimes.ts has the full RuntimeSelection; this is its part a hardware report carries).
 */
export const ReportRuntime = z.object({
  id: z.string().nullable(),
  variant: z.string().nullable(),
  source: z.string().nullable(),
  tag: z.string().nullable(),
  /** `auto` or a runtime id. */
  setting: z.string(),
  reason: Coded.nullable(),
  fallbacks: z.array(z.object({ runtimeId: z.string(), variant: z.string(), problem: Coded.nullable() })),
  gpuUnusable: z.object({ gpus: z.array(z.string()), suggest: z.string().nullable() }).nullable(),
  summary: z.string(),
});
export type ReportRuntime = z.infer<typeof ReportRuntime>;

export const HardwareReport = z.object({
  probedAt: z.number(),
  durationMs: z.number(),
  os: z.object({ platform: z.string(), distro: z.string(), release: z.string(), arch: z.string(), source: Source }),
  cpu: z.object({
    model: z.string(),
    cores: z.number().int(),
    threads: z.number().int(),
    avx2: z.boolean(),
    avx512: z.boolean(),
    neon: z.boolean(),
    source: Source,
  }),
  memory: z.object({ totalBytes: z.number(), availableBytes: z.number(), source: Source }),
  disk: z.object({ path: z.string(), freeBytes: nullableNumber, totalBytes: nullableNumber, source: Source }),
  gpus: z.array(GpuInfo),
  backendDevices: z.array(BackendDevice),
  /**
   * Whether the active runtime printed a device list. true with no backendDevices means it listed none (plan for the
   * CPU); false means unknown (no runtime, or it failed before listing). Absent in reports from before runtimes.
   */
  backendListed: z.boolean().optional(),
  runtime: ReportRuntime.nullable().optional(),
  disagreements: z.array(Disagreement),
  /** Tools that were missing, failed or timed out (the probe never waits on a hung tool for long). */
  notes: z.array(ProbeNote),
});
export type HardwareReport = z.infer<typeof HardwareReport>;

export const GpuSample = z.object({
  index: z.number().int(),
  name: z.string(),
  vramUsedMiB: nullableNumber,
  vramTotalMiB: nullableNumber,
  temperatureC: nullableNumber,
  powerDrawW: nullableNumber,
  powerLimitW: nullableNumber,
  powerMinW: nullableNumber,
  powerMaxW: nullableNumber,
  powerDefaultW: nullableNumber,
  utilizationPct: nullableNumber,
  smClockMHz: nullableNumber,
  memClockMHz: nullableNumber,
  fanPct: nullableNumber,
});
export type GpuSample = z.infer<typeof GpuSample>;

export const TelemetrySample = z.object({
  ts: z.number(),
  gpus: z.array(GpuSample),
  cpuPct: nullableNumber,
  ramUsedBytes: nullableNumber,
  ramTotalBytes: nullableNumber,
  /** Generation speed of the running backend over the last tick (0 when idle, null when no model runs). */
  tokensPerSecond: nullableNumber,
  requestsInFlight: z.number().int(),
  /** Of requestsInFlight, those waiting for a slot (llama-server: deferred; vLLM: num_requests_waiting). */
  requestsWaiting: z.number().int().optional(),
  /** KV-cache use 0..1 where the backend reports it (vLLM: kv_cache_usage_perc); null: not reported. */
  kvCacheUsage: nullableNumber.optional(),
  /** VRAM the loaded model's process holds (NVIDIA), for the "model's share" mark. */
  modelVramMiB: nullableNumber,
});
export type TelemetrySample = z.infer<typeof TelemetrySample>;

export const TelemetryStatus = z.object({
  running: z.boolean(),
  gpuSource: z.enum(['nvidia-smi', 'amd-smi', 'rocm-smi', 'none']),
  /** Why there are no GPU charts (no NVIDIA/AMD GPU, tool missing …), translated by code in the UI. */
  noGpuReason: z.string().nullable(),
  intervalMs: z.number().int(),
  /** Temperature threshold for the chart line and the thermal guard. */
  thermalThresholdC: z.number(),
});
export type TelemetryStatus = z.infer<typeof TelemetryStatus>;

export const PowerInfo = z.object({
  index: z.number().int(),
  name: z.string(),
  supported: z.boolean(),
  currentLimitW: nullableNumber,
  defaultLimitW: nullableNumber,
  minLimitW: nullableNumber,
  maxLimitW: nullableNumber,
  /** The limit the user chose in DeepLocal (re-applied at start if asked), null if none. */
  userLimitW: nullableNumber,
  /** Set while the thermal guard holds the limit below the user's. */
  guardLimitW: nullableNumber,
});
export type PowerInfo = z.infer<typeof PowerInfo>;

export const PowerResult = z.object({
  gpu: z.number().int(),
  appliedW: z.number().nullable(),
  /** How it was applied: directly (root), through pkexec / UAC, or not at all. */
  via: z.enum(['direct', 'pkexec', 'uac', 'none']),
  /** nvidia-smi's own words (first line), e.g. "Power limit for GPU 00000000:01:00.0 was set to 250.00 W from 450.00 W." */
  message: z.string(),
  /**
   * Power limits: a sample after the change showed the new enforced limit (false when none did in time).
   * Clock locks are invisible in samples: true when nvidia-smi reported success.
   */
  confirmed: z.boolean(),
});
export type PowerResult = z.infer<typeof PowerResult>;

export const AlertKind = z.enum([
  'vram-high',
  'temperature-high',
  'power-limit-external',
  'power-limit-applied',
  'thermal-guard-lowered',
  'thermal-guard-restored',
  'telemetry-restarted',
]);
export const Alert = z.object({
  id: z.number().int(),
  ts: z.number(),
  kind: AlertKind,
  level: z.enum(['info', 'warning', 'error']),
  gpu: z.number().int().nullable(),
  /** Values for the translated message ({{temp}}, {{watts}} …). */
  params: z.record(z.string(), z.union([z.string(), z.number()])),
});
export type Alert = z.infer<typeof Alert>;

export const PowerSettings = z.object({
  /** Limits reset on reboot; off by default. */
  reapplyAtStart: z.boolean().default(false),
  /** Per GPU (by uuid, or "index:N" when no uuid is known): the watts the user chose. */
  userLimits: z.record(z.string(), z.number()).default({}),
});
export const ThermalGuardSettings = z.object({
  enabled: z.boolean().default(false),
  thresholdC: z.number().min(50).max(110).default(83),
  holdSeconds: z.number().int().min(1).max(600).default(10),
  stepW: z.number().min(1).max(200).default(10),
  /** The user's limit comes back once the GPU stays this far below the threshold for holdSeconds. */
  cooldownMarginC: z.number().min(1).max(40).default(8),
});
export const AlertSettings = z.object({
  vramPct: z.number().min(50).max(100).default(85),
  enabled: z.boolean().default(true),
});
