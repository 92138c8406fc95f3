/**
 * Contract types for runtimes: one llama.cpp build for one variant (CPU, CUDA 12/13, Vulkan, ROCm, Metal), installed
 * under the data folder with a manifest, chosen from the hardware probe and checked with its own `--list-devices`.
 */
import { z } from 'zod';
import { ErrorInfo, fillMessage } from './errors';
import { BackendDevice } from './telemetry';

export const RuntimeVariant = z.enum(['cpu', 'cuda-12', 'cuda-13', 'vulkan', 'rocm', 'metal']);
export type RuntimeVariant = z.infer<typeof RuntimeVariant>;

/** Where a runtime came from: an official release asset, a build from source, a folder the user named, or the app. */
export const RuntimeSource = z.enum(['release', 'source', 'folder', 'bundled']);
export type RuntimeSource = z.infer<typeof RuntimeSource>;

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/);

export const RuntimeFile = z.object({
  /** Relative to the runtime folder, '/'-separated. */
  path: z.string().min(1).max(1000),
  size: z.number().int().nonnegative(),
  sha256: Sha256,
});
export type RuntimeFile = z.infer<typeof RuntimeFile>;

/** `runtime.json` in each runtime folder. Written atomically, last, after every file is in place. */
export const RuntimeManifest = z.object({
  schema: z.literal(1),
  /** The folder name: `<tag>-<variant>` (release), `source-<commit>-<variant>`, `folder-<hash>`, `bundled-<variant>`. */
  id: z.string().regex(/^[A-Za-z0-9._-]{1,120}$/),
  variant: RuntimeVariant,
  source: RuntimeSource,
  /** The llama.cpp release tag (release, bundled), null for a source build or a user folder. */
  tag: z.string().max(100).nullable(),
  commit: z.string().max(64).nullable(),
  platform: z.string(),
  arch: z.string(),
  /** The archives it was unpacked from, with the digests they were checked against. */
  assets: z.array(z.object({ name: z.string().max(300), size: z.number().int().nonnegative(), sha256: Sha256 })),
  files: z.array(RuntimeFile),
  /** llama-server relative to the runtime folder. */
  serverPath: z.string().min(1).max(1000),
  installedAt: z.number(),
});
export type RuntimeManifest = z.infer<typeof RuntimeManifest>;

/** Why a runtime failed its device check. */
export const RuntimeProblemCode = z.enum([
  'NOT_FOUND',
  'NOT_EXECUTABLE',
  'MISSING_LIBRARY',
  'CRASHED',
  'TIMEOUT',
  'NO_DEVICE_LIST',
  'NO_GPU_LISTED',
  'FILES_CHANGED',
]);
export type RuntimeProblemCode = z.infer<typeof RuntimeProblemCode>;

/** Why a variant was chosen (or placed where it is in the order). */
export const RuntimeReasonCode = z.enum([
  'NVIDIA_CUDA13',
  'NVIDIA_CUDA12_DRIVER',
  'NVIDIA_CUDA12_ARCH',
  'NVIDIA_DRIVER_TOO_OLD',
  'NVIDIA_TOO_OLD_ARCH',
  'AMD_ROCM',
  'AMD_VULKAN',
  'INTEL_VULKAN',
  'APPLE_METAL',
  'GPU_VULKAN',
  'NO_GPU',
  'CPU_FALLBACK',
  'USER_CHOICE',
  'NVIDIA_DRIVER_UNKNOWN',
  'VARIANT_NOT_BUILT',
  'GPU_NOT_BUILT',
  'CPU_NO_AVX2',
]);
export type RuntimeReasonCode = z.infer<typeof RuntimeReasonCode>;

type Lang = 'en' | 'zh-CN';

/** {{placeholders}} as in error messages. The UI translates by code; `message` is the English text for reports. */
export const runtimeProblemMessages: Record<Lang, Record<RuntimeProblemCode, string>> = {
  en: {
    NOT_FOUND: 'llama-server is missing from {{dir}}',
    NOT_EXECUTABLE: 'llama-server cannot be run: {{error}}',
    MISSING_LIBRARY: '{{library}} missing',
    CRASHED: 'llama-server crashed while listing devices (exit {{exit}}): {{output}}',
    TIMEOUT: 'llama-server did not list its devices within {{ms}} ms',
    NO_DEVICE_LIST: 'llama-server printed no device list: {{output}}',
    NO_GPU_LISTED: 'sees no GPU',
    FILES_CHANGED: '{{file}} changed since it was installed',
  },
  'zh-CN': {
    NOT_FOUND: '{{dir}} 中缺少 llama-server',
    NOT_EXECUTABLE: '无法运行 llama-server：{{error}}',
    MISSING_LIBRARY: '缺少 {{library}}',
    CRASHED: 'llama-server 在列出设备时崩溃（退出码 {{exit}}）：{{output}}',
    TIMEOUT: 'llama-server 在 {{ms}} 毫秒内没有列出设备',
    NO_DEVICE_LIST: 'llama-server 没有输出设备列表：{{output}}',
    NO_GPU_LISTED: '看不到 GPU',
    FILES_CHANGED: '{{file}} 自安装后已被改动',
  },
};

export const runtimeReasonMessages: Record<Lang, Record<RuntimeReasonCode, string>> = {
  en: {
    NVIDIA_CUDA13: 'driver {{driver}} supports CUDA 13 and every GPU is Turing or newer',
    NVIDIA_CUDA12_DRIVER: 'driver {{driver}} is older than 580, which CUDA 13 needs',
    NVIDIA_CUDA12_ARCH: '{{gpu}} (compute {{cc}}) is not in CUDA 13 builds',
    NVIDIA_DRIVER_TOO_OLD:
      'driver {{driver}} is too old for CUDA 12 (needs {{min}} or newer); update the NVIDIA driver',
    NVIDIA_TOO_OLD_ARCH: '{{gpu}} (compute {{cc}}) is too old for the CUDA builds',
    AMD_ROCM: '{{gpu}} is supported by ROCm on this system',
    AMD_VULKAN: '{{gpu}}: ROCm does not support this card or system, Vulkan does',
    INTEL_VULKAN: '{{gpu}} runs llama.cpp through Vulkan',
    APPLE_METAL: 'Apple silicon runs llama.cpp through Metal',
    GPU_VULKAN: 'Vulkan works on most GPUs',
    NO_GPU: 'no GPU was found; the CPU build picks the best instruction set at run time',
    CPU_FALLBACK: 'runs everywhere, on the CPU',
    USER_CHOICE: 'chosen in Settings',
    NVIDIA_DRIVER_UNKNOWN: 'the NVIDIA driver version of {{gpu}} is unknown; CUDA 12 asks the least of the driver',
    VARIANT_NOT_BUILT: 'there is no official {{wanted}} build for {{os}} {{arch}}; Vulkan runs {{gpu}}',
    GPU_NOT_BUILT:
      'there is no official GPU build for {{gpu}} on {{os}} {{arch}}; the CPU build picks the best instruction set at run time',
    CPU_NO_AVX2:
      'this CPU has no AVX2 (or it is off in the BIOS); the CPU build still runs, picking the best instruction set it has at run time, more slowly',
  },
  'zh-CN': {
    NVIDIA_CUDA13: '驱动 {{driver}} 支持 CUDA 13，且所有 GPU 都是 Turing 或更新的架构',
    NVIDIA_CUDA12_DRIVER: '驱动 {{driver}} 低于 CUDA 13 所需的 580',
    NVIDIA_CUDA12_ARCH: '{{gpu}}（计算能力 {{cc}}）不在 CUDA 13 版本的支持范围内',
    NVIDIA_DRIVER_TOO_OLD: '驱动 {{driver}} 太旧，不支持 CUDA 12（需要 {{min}} 或更新）；请更新 NVIDIA 驱动',
    NVIDIA_TOO_OLD_ARCH: '{{gpu}}（计算能力 {{cc}}）太旧，CUDA 版本不支持',
    AMD_ROCM: '{{gpu}} 在此系统上受 ROCm 支持',
    AMD_VULKAN: '{{gpu}}：ROCm 不支持此显卡或系统，改用 Vulkan',
    INTEL_VULKAN: '{{gpu}} 通过 Vulkan 运行 llama.cpp',
    APPLE_METAL: 'Apple 芯片通过 Metal 运行 llama.cpp',
    GPU_VULKAN: 'Vulkan 适用于大多数 GPU',
    NO_GPU: '没有找到 GPU；CPU 版本会在运行时选择最佳指令集',
    CPU_FALLBACK: '在任何机器上都能以 CPU 运行',
    USER_CHOICE: '在设置中选择',
    NVIDIA_DRIVER_UNKNOWN: '无法得知 {{gpu}} 的 NVIDIA 驱动版本；CUDA 12 对驱动的要求最低',
    VARIANT_NOT_BUILT: '{{os}} {{arch}} 没有官方的 {{wanted}} 版本；改用 Vulkan 运行 {{gpu}}',
    GPU_NOT_BUILT: '{{os}} {{arch}} 上没有适用于 {{gpu}} 的官方 GPU 版本；CPU 版本会在运行时选择最佳指令集',
    CPU_NO_AVX2:
      '这颗 CPU 没有 AVX2（或已在 BIOS 中关闭）；CPU 版本仍可运行，会在运行时选择它支持的最佳指令集，但速度较慢',
  },
};

/** Variant names for the UI (not translated: product names). */
export const runtimeVariantLabels: Record<RuntimeVariant, string> = {
  cpu: 'CPU',
  'cuda-12': 'CUDA 12',
  'cuda-13': 'CUDA 13',
  vulkan: 'Vulkan',
  rocm: 'ROCm',
  metal: 'Metal',
};

const Params = z.record(z.string(), z.union([z.string(), z.number()]));

export const RuntimeProblem = z.object({ code: RuntimeProblemCode, params: Params, message: z.string() });
export type RuntimeProblem = z.infer<typeof RuntimeProblem>;
export const RuntimeReason = z.object({ code: RuntimeReasonCode, params: Params, message: z.string() });
export type RuntimeReason = z.infer<typeof RuntimeReason>;

export function runtimeProblem(code: RuntimeProblemCode, params: Record<string, string | number> = {}): RuntimeProblem {
  return { code, params, message: fillMessage(runtimeProblemMessages.en[code], params) };
}
export function runtimeReason(code: RuntimeReasonCode, params: Record<string, string | number> = {}): RuntimeReason {
  return { code, params, message: fillMessage(runtimeReasonMessages.en[code], params) };
}

/** One variant in the order the chooser wants to try them, with why. */
export const RuntimeCandidate = z.object({ variant: RuntimeVariant, reason: RuntimeReason });
export type RuntimeCandidate = z.infer<typeof RuntimeCandidate>;

/** The result of running a runtime's `llama-server --list-devices`. */
export const RuntimeCheck = z.object({
  runtimeId: z.string(),
  variant: RuntimeVariant,
  ok: z.boolean(),
  /** GPU devices it listed (CPU is never listed by llama-server). */
  devices: z.array(BackendDevice),
  problem: RuntimeProblem.nullable(),
  checkedAt: z.number(),
  durationMs: z.number(),
});
export type RuntimeCheck = z.infer<typeof RuntimeCheck>;

export const RuntimeInfo = RuntimeManifest.extend({
  /** The runtime folder. */
  dir: z.string(),
  /** Absolute path of llama-server. */
  server: z.string(),
  active: z.boolean(),
  /** Release and folder runtimes can be removed; bundled ones and source builds in the repo cannot. */
  removable: z.boolean(),
  lastCheck: RuntimeCheck.nullable(),
});
export type RuntimeInfo = z.infer<typeof RuntimeInfo>;

/** What the app runs on, and how it got there. */
export const RuntimeSelection = z.object({
  /** `auto` or a runtime id (Settings → Runtimes). */
  setting: z.string(),
  active: RuntimeInfo.nullable(),
  /** The devices the active runtime listed: what the fit planner, wizard and badges use. */
  devices: z.array(BackendDevice),
  /** The variants auto would try, best first, each with its reason. */
  candidates: z.array(RuntimeCandidate),
  /** Checks that failed before the active one was reached, in order ("CUDA 12: cudart64_12.dll missing"). */
  fallbacks: z.array(RuntimeCheck),
  /**
   * The computer has a GPU the active runtime cannot use: the wizard says so first and offers `suggest`
   * (null when no runtime could use it here).
   */
  gpuUnusable: z.object({ gpus: z.array(z.string()), suggest: RuntimeVariant.nullable() }).nullable(),
  /** One line for logs and the diagnostics report, in English. */
  summary: z.string(),
});
export type RuntimeSelection = z.infer<typeof RuntimeSelection>;

export const RuntimeJobPhase = z.enum([
  'resolve',
  'download',
  'verify',
  'unpack',
  'check',
  'done',
  'failed',
  'cancelled',
]);
export type RuntimeJobPhase = z.infer<typeof RuntimeJobPhase>;

/** Getting one runtime: resolve the release, download its archives, verify, unpack, check. */
export const RuntimeJob = z.object({
  id: z.string(),
  variant: RuntimeVariant,
  tag: z.string().nullable(),
  phase: RuntimeJobPhase,
  receivedBytes: z.number(),
  totalBytes: z.number().nullable(),
  bytesPerSecond: z.number().nullable(),
  etaSeconds: z.number().nullable(),
  startedAt: z.number(),
  /** The installed runtime's id once done. */
  runtimeId: z.string().nullable(),
  error: ErrorInfo.nullable(),
});
export type RuntimeJob = z.infer<typeof RuntimeJob>;

/** A variant the release feed offers for this platform. */
export const AvailableRuntime = z.object({
  variant: RuntimeVariant,
  tag: z.string(),
  assets: z.array(z.object({ name: z.string(), size: z.number(), sha256: Sha256.nullable() })),
  totalBytes: z.number(),
  installed: z.boolean(),
});
export type AvailableRuntime = z.infer<typeof AvailableRuntime>;

export const RuntimeList = z.object({
  installed: z.array(RuntimeInfo),
  selection: RuntimeSelection,
  jobs: z.array(RuntimeJob),
  /** The pinned release tag and the endpoint in use (setting, DEEPLOCAL_RELEASE_ENDPOINT, or GitHub). */
  pinnedTag: z.string(),
  releaseEndpoint: z.string(),
});
export type RuntimeList = z.infer<typeof RuntimeList>;

export const RuntimeSettings = z.object({
  /** `auto` (chosen from the hardware and checked) or a runtime id. */
  active: z.string().max(120).default('auto'),
  /** The GitHub API base (a mirror for users for whom GitHub is slow or blocked); null = GitHub or the env var. */
  releaseEndpoint: z.string().max(2000).nullable().default(null),
  /** Look for a newer llama.cpp release at start and offer it (fetched, checked, the old one kept for rollback). */
  autoUpdate: z.boolean().default(true),
  /** Folders the user pointed at, each holding a llama-server. */
  folders: z.array(z.string().max(4096)).max(20).default([]),
});
export type RuntimeSettings = z.infer<typeof RuntimeSettings>;
