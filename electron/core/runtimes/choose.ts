/**
 * Which runtime variants to try on this machine, best first, each with its reason. Pure: the hardware probe in,
 * an ordered list out; the manager then checks each candidate's `--list-devices` and takes the first that works.
 *
 * Rules (issue 11, docs in /work/shared/ARCHITECTURE.md "llama.cpp facts"):
 * - NVIDIA: CUDA 13 when the driver is ≥ 580 and every NVIDIA GPU is Turing (compute 7.5) or newer; CUDA 12 for
 *   older drivers (≥ 527.41 Windows, ≥ 525.60.13 Linux) and for Maxwell/Pascal/Volta (CUDA 13 builds drop
 *   sm_50/61/70, see ggml/src/ggml-cuda/CMakeLists.txt); compute < 5.0 is in no CUDA build; a driver below the
 *   CUDA 12 minimum gets Vulkan. Vulkan is the next fallback for any GPU.
 * - AMD: ROCm where the card's target is in the official build's gpu_targets (rocm-targets.ts), else Vulkan.
 * - Intel and other GPUs: Vulkan. Apple silicon: Metal. Everything else: the CPU build, which is always last —
 *   official CPU builds pick the instruction set at run time, so a CPU without AVX2 still runs it.
 * Only variants official releases publish for this platform/arch are offered (assets.ts), except CPU, which also
 * comes from source builds and folders.
 */
import {
  runtimeReason,
  runtimeVariantLabels,
  type RuntimeCandidate,
  type RuntimeReason,
  type RuntimeVariant,
} from '../../shared/runtimes';
import { variantsBuilt } from './assets';
import { amdGfxTarget, rocmSupports } from './rocm-targets';

export type GpuVendor = 'nvidia' | 'amd' | 'intel' | 'apple' | 'other';

export interface ChooserGpu {
  vendor: GpuVendor;
  name: string;
  driverVersion: string | null;
  /** NVIDIA: "8.9"; AMD: a `gfx…` target where the probe has one. */
  computeCapability: string | null;
}

export interface ChooserInput {
  platform: string;
  arch: string;
  cpu: { avx2: boolean };
  gpus: ChooserGpu[];
}

/** Lowest drivers for the CUDA 12 builds (CUDA 12.x minor-version compatibility) and for CUDA 13. */
export const CUDA12_MIN_DRIVER: Readonly<Record<string, string>> = { win32: '527.41', linux: '525.60.13' };
export const CUDA13_MIN_DRIVER = '580';
/** CUDA 13 builds start at Turing (sm_75); CUDA 12 builds at Maxwell (sm_50). */
const CUDA13_MIN_CC = [7, 5] as const;
const CUDA12_MIN_CC = [5, 0] as const;

const OS_NAMES: Record<string, string> = { win32: 'Windows', linux: 'Linux', darwin: 'macOS' };

/** Dotted numbers, or null when the text is not one. */
function parseDotted(v: string | null): number[] | null {
  const t = v?.trim();
  return t && /^\d+(\.\d+)*$/.test(t) ? t.split('.').map(Number) : null;
}

/** Numeric comparison per dotted component ("525.60.13" < "525.105.17"; missing components count as 0). */
export function compareDotted(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * The NVIDIA driver version as nvidia-smi prints it. Windows' own driver version (Device Manager, WMI:
 * "32.0.15.8157") encodes it in its last five digits (581.57), so that form is converted.
 */
export function nvidiaDriverVersion(raw: string | null): string | null {
  const t = raw?.trim() ?? '';
  const win = /^\d+\.\d+\.\d+(\d)\.(\d{4})$/.exec(t) ?? /^\d+\.\d+\.(\d)\.(\d{4})$/.exec(t);
  if (win) {
    const digits = win[1]! + win[2]!;
    return `${Number(digits.slice(0, 3))}.${digits.slice(3)}`;
  }
  return parseDotted(t) ? t : null;
}

interface Pick {
  variant: RuntimeVariant;
  reason: RuntimeReason;
}

interface Ctx {
  platform: string;
  arch: string;
  built: ReadonlySet<RuntimeVariant>;
}

const names = (gpus: readonly ChooserGpu[]) => [...new Set(gpus.map((g) => g.name))].join(', ');
const place = (ctx: Ctx) => ({ os: OS_NAMES[ctx.platform] ?? ctx.platform, arch: ctx.arch });

/** The NVIDIA GPUs' pick: a CUDA variant, or Vulkan with the reason CUDA cannot be used. */
function nvidiaPick(gpus: readonly ChooserGpu[], ctx: Ctx): Pick {
  const cc = (g: ChooserGpu) => parseDotted(g.computeCapability);
  // An unknown compute capability does not block: the device check will tell.
  const tooOld = gpus.filter((g) => {
    const c = cc(g);
    return c !== null && compareDotted(c, CUDA12_MIN_CC) < 0;
  });
  const usable = gpus.filter((g) => !tooOld.includes(g));
  if (usable.length === 0) {
    const g = tooOld[0]!;
    return {
      variant: 'vulkan',
      reason: runtimeReason('NVIDIA_TOO_OLD_ARCH', { gpu: g.name, cc: g.computeCapability!, min: '5.0' }),
    };
  }
  const drivers = usable.map((g) => nvidiaDriverVersion(g.driverVersion)).filter((d): d is string => d !== null);
  const driver = drivers.sort((a, b) => compareDotted(parseDotted(a)!, parseDotted(b)!))[0] ?? null;
  if (driver === null)
    return { variant: 'cuda-12', reason: runtimeReason('NVIDIA_DRIVER_UNKNOWN', { gpu: names(usable) }) };
  const d = parseDotted(driver)!;
  const min12 = CUDA12_MIN_DRIVER[ctx.platform] ?? CUDA12_MIN_DRIVER.linux!;
  if (compareDotted(d, parseDotted(min12)!) < 0)
    return {
      variant: 'vulkan',
      reason: runtimeReason('NVIDIA_DRIVER_TOO_OLD', { driver, min: min12, gpu: names(usable) }),
    };
  const preTuring = usable.find((g) => {
    const c = cc(g);
    return c !== null && compareDotted(c, CUDA13_MIN_CC) < 0;
  });
  // The card, not the driver, is the lasting reason: a driver update would not bring a Pascal card to CUDA 13.
  if (preTuring)
    return {
      variant: 'cuda-12',
      reason: runtimeReason('NVIDIA_CUDA12_ARCH', {
        gpu: preTuring.name,
        cc: preTuring.computeCapability!,
        min: '7.5',
        driver,
      }),
    };
  if (compareDotted(d, parseDotted(CUDA13_MIN_DRIVER)!) < 0)
    return {
      variant: 'cuda-12',
      reason: runtimeReason('NVIDIA_CUDA12_DRIVER', { driver, min: CUDA13_MIN_DRIVER, gpu: names(usable) }),
    };
  return { variant: 'cuda-13', reason: runtimeReason('NVIDIA_CUDA13', { driver, gpu: names(usable) }) };
}

function amdPick(gpus: readonly ChooserGpu[], ctx: Ctx): Pick {
  const targets = gpus.map((g) => ({ g, target: amdGfxTarget(g) }));
  const supported = ctx.built.has('rocm') ? targets.filter((t) => rocmSupports(ctx.platform, t.target)) : [];
  if (supported.length > 0) {
    return {
      variant: 'rocm',
      reason: runtimeReason('AMD_ROCM', {
        gpu: names(supported.map((t) => t.g)),
        target: supported.map((t) => t.target).join(', '),
      }),
    };
  }
  const t = targets[0]!;
  return {
    variant: 'vulkan',
    reason: runtimeReason('AMD_VULKAN', { gpu: names(gpus), target: t.target ?? 'unknown', ...place(ctx) }),
  };
}

/** One pick per GPU family, in the order they are tried: native backends first, Vulkan after. */
function vendorPicks(input: ChooserInput, ctx: Ctx): Pick[] {
  const of = (v: GpuVendor) => input.gpus.filter((g) => g.vendor === v);
  const appleSilicon = input.platform === 'darwin' && input.arch === 'arm64';
  const picks: Pick[] = [];
  if (appleSilicon) {
    const apple = input.gpus.filter((g) => g.vendor === 'apple');
    picks.push({ variant: 'metal', reason: runtimeReason('APPLE_METAL', { gpu: names(apple) || 'Apple silicon' }) });
  }
  if (of('nvidia').length > 0) picks.push(nvidiaPick(of('nvidia'), ctx));
  if (of('amd').length > 0) picks.push(amdPick(of('amd'), ctx));
  if (of('intel').length > 0)
    picks.push({ variant: 'vulkan', reason: runtimeReason('INTEL_VULKAN', { gpu: names(of('intel')) }) });
  // Apple GPUs outside macOS (Asahi Linux) and unknown vendors: Vulkan is the portable backend.
  const others = input.gpus.filter((g) => g.vendor === 'other' || (g.vendor === 'apple' && !appleSilicon));
  if (others.length > 0) picks.push({ variant: 'vulkan', reason: runtimeReason('GPU_VULKAN', { gpu: names(others) }) });
  return picks;
}

const NATIVE_ORDER: readonly RuntimeVariant[] = ['cuda-13', 'cuda-12', 'rocm', 'metal'];

export function chooseCandidates(input: ChooserInput): RuntimeCandidate[] {
  const ctx: Ctx = {
    platform: input.platform,
    arch: input.arch,
    built: new Set(variantsBuilt(input.platform, input.arch)),
  };
  const picks = vendorPicks(input, ctx);
  const out: RuntimeCandidate[] = [];
  const add = (variant: RuntimeVariant, reason: RuntimeReason) => {
    if (!out.some((c) => c.variant === variant)) out.push({ variant, reason });
  };
  for (const v of NATIVE_ORDER) {
    const p = picks.find((x) => x.variant === v);
    if (!p) continue;
    if (ctx.built.has(v)) add(v, p.reason);
    // A CUDA variant this platform has no build of (CUDA 12 on Linux arm64): Vulkan, saying why.
    else if (ctx.built.has('vulkan') && (v === 'cuda-12' || v === 'cuda-13'))
      add(
        'vulkan',
        runtimeReason('VARIANT_NOT_BUILT', {
          wanted: runtimeVariantLabels[v],
          gpu: p.reason.params.gpu ?? '',
          ...place(ctx),
        }),
      );
  }
  // Vulkan: with the reason of the first GPU family that needs it, else as the fallback after native backends.
  const gpusForVulkan = input.gpus.filter((g) => !(g.vendor === 'apple' && ctx.platform === 'darwin'));
  if (ctx.built.has('vulkan') && gpusForVulkan.length > 0) {
    const own = picks.find((x) => x.variant === 'vulkan');
    add('vulkan', own?.reason ?? runtimeReason('GPU_VULKAN', { gpu: names(gpusForVulkan) }));
  }
  add('cpu', cpuReason(input, ctx, out.length > 0));
  return out;
}

function cpuReason(input: ChooserInput, ctx: Ctx, gpuCandidates: boolean): RuntimeReason {
  if (input.gpus.length > 0 && !gpuCandidates)
    return runtimeReason('GPU_NOT_BUILT', { gpu: names(input.gpus), ...place(ctx) });
  if (!input.cpu.avx2) return runtimeReason('CPU_NO_AVX2', { avx2: 'no' });
  if (gpuCandidates) return runtimeReason('CPU_FALLBACK');
  return runtimeReason('NO_GPU');
}
