/**
 * Pure view logic of the vLLM section: the form state → contract params, the fit bar, command lines for display,
 * guide step keys, GPU choice. No React, no I/O (unit tests in vllm-view.test.ts).
 */
import type { VllmDetection, VllmFit, VllmInstall, VllmOptions } from '@shared/backends';

/** Guide step ids the core writes (electron/core/backends/vllm/detect-plan.ts installGuide) with their own texts. */
export const GUIDE_STEP_IDS = [
  'nvidia',
  'python',
  'venv',
  'install',
  'check',
  'recheck',
  'wsl-install',
  'wsl-distro',
  'wsl-nvidia',
  'macos',
] as const;
export type GuideStepId = (typeof GUIDE_STEP_IDS)[number];

/** A step id with its own texts, or null: the generic "Step n" texts apply (a step added by a newer core). */
export function knownGuideStep(id: string): GuideStepId | null {
  return (GUIDE_STEP_IDS as readonly string[]).includes(id) ? (id as GuideStepId) : null;
}

/** What the start form holds (strings where the user types). */
export interface VllmForm {
  modelPath: string;
  /** VllmInstall.id; null: the preferred one. */
  install: string | null;
  gpuMemoryUtilization: number;
  /** null: every GPU the install sees. */
  gpus: number[] | null;
  /** null: as the checkpoint says. */
  quantization: string | null;
  dtype: VllmOptions['dtype'];
  /** 0: the model's own, capped to what fits. */
  contextSize: number;
}

export const DEFAULT_FORM: VllmForm = {
  modelPath: '',
  install: null,
  gpuMemoryUtilization: 0.9,
  gpus: null,
  quantization: null,
  dtype: 'auto',
  contextSize: 0,
};

/** Quantizations vLLM takes with --quantization that a DeepSeek checkpoint can carry; "auto" is null. */
export const QUANT_CHOICES = ['awq', 'awq_marlin', 'gptq', 'gptq_marlin', 'fp8', 'compressed-tensors', 'bitsandbytes'];
export const DTYPE_CHOICES: VllmOptions['dtype'][] = ['auto', 'bfloat16', 'float16', 'float32'];

export interface VllmStartParams {
  modelPath: string;
  vllm: {
    install: string | null;
    gpuMemoryUtilization: number;
    gpus: number[] | null;
    quantization: string | null;
    dtype: VllmOptions['dtype'];
  };
  options: { contextSize: number };
}

/** The vllm.plan / vllm.start params for the form; null while no folder is entered. */
export function startParams(f: VllmForm): VllmStartParams | null {
  const modelPath = f.modelPath.trim();
  if (!modelPath) return null;
  return {
    modelPath,
    vllm: {
      install: f.install,
      gpuMemoryUtilization: Math.round(clamp(f.gpuMemoryUtilization, 0.1, 0.99) * 100) / 100,
      gpus: f.gpus && f.gpus.length > 0 ? [...f.gpus].sort((a, b) => a - b) : null,
      quantization: f.quantization,
      dtype: f.dtype,
    },
    options: { contextSize: Math.max(0, Math.floor(f.contextSize)) },
  };
}

const clamp = (n: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, Number.isFinite(n) ? n : lo));

/** The install the form's choice stands for: the chosen one, else the preferred, else the first usable. */
export function chosenInstall(d: VllmDetection | undefined, id: string | null): VllmInstall | null {
  if (!d) return null;
  const byId = (x: string | null) => (x === null ? undefined : d.installs.find((i) => i.id === x));
  return byId(id) ?? byId(d.preferred) ?? d.installs.find((i) => i.usable) ?? null;
}

/**
 * Ticks one GPU on or off. null means "all the install sees": unticking one of them leaves the others; ticking the
 * last one back (or unticking every one) returns to null, so the start never asks for no GPU.
 */
export function toggleGpu(selected: number[] | null, all: number[], index: number): number[] | null {
  const now = new Set(selected ?? all);
  if (now.has(index)) now.delete(index);
  else now.add(index);
  const list = all.filter((i) => now.has(i));
  return list.length === 0 || list.length === all.length ? null : list;
}

/** The GPUs chosen and still seen by the install (a choice from another install drops out). */
export function gpusInUse(selected: number[] | null, all: number[]): number[] {
  if (selected === null) return all;
  const kept = all.filter((i) => selected.includes(i));
  return kept.length > 0 ? kept : all;
}

export interface FitBar {
  /** Shares of the bar (0..100) of weights, KV cache and the fixed reserve; the bar is the budget or the need. */
  weights: number;
  kv: number;
  overhead: number;
  /** Where the budget ends on the bar (100 when it fits). */
  budgetAt: number;
  over: boolean;
}

export function fitBar(fit: VllmFit): FitBar {
  const need = Math.max(0, fit.weightsBytes) + Math.max(0, fit.kvBytes) + Math.max(0, fit.overheadBytes);
  const total = Math.max(need, fit.budgetBytes, 1);
  const pct = (n: number) => Math.round((Math.max(0, n) / total) * 1000) / 10;
  return {
    weights: pct(fit.weightsBytes),
    kv: pct(fit.kvBytes),
    overhead: pct(fit.overheadBytes),
    budgetAt: pct(fit.budgetBytes),
    over: need > fit.budgetBytes,
  };
}

const SAFE_ARG = /^[A-Za-z0-9_@%+=:,./~-]+$/;

/** argv as one line to paste into a POSIX shell (single quotes where needed). */
export function shellJoin(argv: readonly string[]): string {
  return argv.map((a) => (a !== '' && SAFE_ARG.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/**
 * The command for display: a key value is never shown, should one ever reach argv (the core passes it as
 * VLLM_API_KEY; this is a second guard, the flag itself stays so the slip is visible).
 */
export function displayCommand(argv: readonly string[]): string {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--api-key' && i + 1 < argv.length) {
      out.push(a, '•••');
      i++;
    } else out.push(a.startsWith('--api-key=') ? '--api-key=•••' : a);
  }
  return shellJoin(out);
}

/** A Ray node as the form holds it. */
export interface RayNodeForm {
  host: string;
  gpus: number;
}

/** Same rule as the contract's RayNodeInput.host. */
export const validRayHost = (h: string): boolean => /^[A-Za-z0-9.:[\]-]{1,253}$/.test(h.trim());

/** The vllm.rayCommands params; null while a host is missing or wrong, or no worker is entered. */
export function rayParams(
  modelPath: string,
  head: RayNodeForm,
  workers: RayNodeForm[],
  vllm: VllmStartParams['vllm'] | null,
): {
  modelPath: string;
  head: RayNodeForm;
  workers: RayNodeForm[];
  vllm?: {
    install: string | null;
    gpuMemoryUtilization: number;
    quantization: string | null;
    dtype: VllmOptions['dtype'];
  };
} | null {
  const path = modelPath.trim();
  const node = (n: RayNodeForm) => ({ host: n.host.trim(), gpus: Math.max(1, Math.min(64, Math.floor(n.gpus))) });
  if (!path || !validRayHost(head.host) || workers.length === 0 || workers.some((w) => !validRayHost(w.host)))
    return null;
  return {
    modelPath: path,
    head: node(head),
    workers: workers.map(node),
    // The GPU choice is this machine's; across machines each node gives its count.
    ...(vllm
      ? {
          vllm: {
            install: vllm.install,
            gpuMemoryUtilization: vllm.gpuMemoryUtilization,
            quantization: vllm.quantization,
            dtype: vllm.dtype,
          },
        }
      : {}),
  };
}

/** GPU memory as bytes (torch reports MiB); null when unknown. */
export const gpuBytes = (memoryMiB: number | null): number | null => (memoryMiB === null ? null : memoryMiB * 1048576);
