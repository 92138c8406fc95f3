/**
 * Which of the active runtime's devices a load uses (llama-server -dev, -sm none -mg), checked before anything
 * starts. Pure; tested in gpu-split.test.ts.
 *
 * Without a choice (`devices: null`) llama.cpp at the pinned release (src/llama.cpp, llama_prepare_model_devices)
 * uses every GPU once — a card seen by two backends (CUDA0 and Vulkan0 for the same RTX 3090) only through the first
 * — and integrated GPUs only when no discrete one is there. `--list-devices` shows all of them, so we do the same
 * picking here; a plan then names its devices with -dev, so -ts indexes exactly the devices planned for.
 */
import { AppError, type Lang } from '../../shared/errors';
import type { GpuOptions } from '../../shared/backend-options';
import type { BackendDevice } from '../../shared/telemetry';

/** Native backends before Vulkan before the rest (as gpu-tools/list-devices.ts ranks them; models/ may not import it). */
const backendRank = (d: BackendDevice) =>
  /^(CUDA|ROCm|HIP|MTL|Metal|SYCL)/i.test(d.name) ? 0 : /^Vulkan/i.test(d.name) ? 1 : 2;

/** Integrated GPUs as their drivers describe them (Intel UHD/Iris/Arc iGPU, AMD APUs' "Radeon(TM) Graphics"). */
const INTEGRATED =
  /\bUHD\b|\bIris\b|\bHD Graphics\b|Intel\(R\) Graphics|Radeon\(TM\) Graphics|Radeon Graphics|Vega \d+ Graphics/i;

export const isIntegrated = (d: BackendDevice) => INTEGRATED.test(d.description);

/** The same card listed by a lower-ranked backend (Vulkan beside CUDA/ROCm): same description, matched one to one. */
function withoutDuplicates(all: readonly BackendDevice[]): BackendDevice[] {
  const byRank = [...all].sort((a, b) => backendRank(a) - backendRank(b));
  const kept: BackendDevice[] = [];
  const claimed = new Set<BackendDevice>();
  for (const d of byRank) {
    const twin = kept.find(
      (k) => !claimed.has(k) && backendRank(k) < backendRank(d) && k.description.trim() === d.description.trim(),
    );
    if (twin) claimed.add(twin);
    else kept.push(d);
  }
  // Back in the runtime's own order.
  return all.filter((d) => kept.includes(d));
}

/** What llama.cpp would use by itself. */
export function defaultDevices(all: readonly BackendDevice[]): BackendDevice[] {
  const unique = withoutDuplicates(all);
  const discrete = unique.filter((d) => !isIntegrated(d));
  return discrete.length > 0 ? discrete : unique;
}

const names = (ds: readonly BackendDevice[]) => (ds.length ? ds.map((d) => d.name).join(', ') : '—');

/** The {{issues}} / {{what}} texts of the errors below, in the user's language (the frame is error-messages.ts). */
const TEXT = {
  en: {
    splitLength: (n: number, gpus: number, list: string) =>
      `the tensor split has ${n} values for ${gpus} GPUs (${list})`,
    splitZero: () => 'the tensor split gives every GPU 0',
    row: (list: string) => `row split on ${list} (this llama.cpp splits rows only on SYCL devices; use layer split)`,
  },
  'zh-CN': {
    splitLength: (n: number, gpus: number, list: string) => `张量拆分有 ${n} 个值，但使用 ${gpus} 个 GPU（${list}）`,
    splitZero: () => '张量拆分给每个 GPU 的比例都是 0',
    row: (list: string) => `在 ${list} 上按行拆分（此 llama.cpp 只在 SYCL 设备上支持按行拆分；请使用按层拆分）`,
  },
} as const;

export interface DeviceChoice {
  /** The devices llama-server may use, in the runtime's order (-dev order when we pass -dev). */
  chosen: BackendDevice[];
  /** Whether the user named them (a plan must keep them all) or we picked them. */
  byUser: boolean;
}

/**
 * The used devices, or a translated error: a device name the runtime does not list (GPU_DEVICE_NOT_FOUND with what
 * it lists), a main GPU index past the used devices (GPU_DEVICE_NOT_FOUND '#N'), a tensor split of another length
 * (INVALID_PARAMS), row split on devices that cannot split rows (UNSUPPORTED: at the pinned release only SYCL
 * registers `ggml_backend_split_buffer_type`; CUDA, Vulkan, ROCm and Metal fail the load with "does not support
 * split buffers").
 */
export function chooseDevices(all: readonly BackendDevice[], g: GpuOptions, lang: Lang = 'en'): DeviceChoice {
  const text = TEXT[lang];
  let chosen: BackendDevice[];
  const byUser = g.devices !== null;
  if (g.devices === null) chosen = defaultDevices(all);
  else {
    const wanted = [...new Set(g.devices)];
    for (const name of wanted)
      if (!all.some((d) => d.name === name))
        throw new AppError('GPU_DEVICE_NOT_FOUND', { device: name, available: names(all) });
    // -dev order is the user's; -ts and -mg index it.
    chosen = wanted.map((name) => all.find((d) => d.name === name)!);
  }
  if (chosen.length === 0) return { chosen, byUser };
  if (g.mainGpu >= chosen.length)
    throw new AppError('GPU_DEVICE_NOT_FOUND', { device: `#${g.mainGpu}`, available: names(chosen) });
  if (g.splitMode === 'none') chosen = [chosen[g.mainGpu]!];
  if (g.tensorSplit && g.splitMode !== 'none' && g.tensorSplit.length !== chosen.length)
    throw new AppError('INVALID_PARAMS', {
      issues: text.splitLength(g.tensorSplit.length, chosen.length, names(chosen)),
    });
  if (g.tensorSplit && g.tensorSplit.every((x) => x === 0))
    throw new AppError('INVALID_PARAMS', { issues: text.splitZero() });
  if (g.splitMode === 'row') {
    const cannot = chosen.filter((d) => !/^SYCL\d/.test(d.name));
    if (cannot.length) throw new AppError('UNSUPPORTED', { what: text.row(names(cannot)) });
  }
  return { chosen, byUser };
}
