/**
 * The several-GPU planner: how a model's layers go across the GPUs the active runtime lists, before loading. Pure
 * (no I/O); table-tested in gpu-split.test.ts with two- and three-GPU profiles, checked for real on two Vulkan
 * devices in gpu-split.int.test.ts.
 *
 * Layer placement follows llama.cpp at the pinned release (src/llama-model.cpp, load_tensors): -ngl N puts the last
 * N of the block_count + 1 "layers" (the output layer counts as the last) on the GPUs; position p goes to the first
 * device whose cumulative -ts share exceeds p / N. Our -ts is whole layers per device, so the placement is exact.
 *
 * With two or more used GPUs and no split of the user's, layers are shared in proportion to FREE memory, then moved
 * off a device that would overflow (free − 1 GiB margin, llama-server's --fit-target default) onto one with room;
 * a MoE model first keeps the experts of its first N layers in RAM (-ncmoe), then whole layers go to the CPU. Such a
 * plan needs `--fit off` (common/fit.cpp refuses a user -ts, -ot/-ncmoe and -ngl), so it is ours to get right. One
 * GPU: no -ts; llama.cpp's --fit does its job (the plan shown is our estimate of it).
 */
import type { Lang } from '../../shared/errors';
import type { ArchFacts, KvType } from '../../shared/models';
import type { LoadOptions } from '../../shared/schemas';
import type { BackendDevice } from '../../shared/telemetry';
import type { GpuSplitPlan } from '../../shared/tuning';
import { computeBuffers, kvBytesPerTokenLayer, padContext } from './fit-memory';
import { chooseDevices } from './gpu-split-devices';
import type { LayerWeights, ModelWeights } from './model-facts';

const MiB = 1024 * 1024;
export const SPLIT_MARGIN_BYTES = 1024 * MiB;

export interface SplitModel {
  facts: ArchFacts;
  weights: ModelWeights;
}

export interface SplitInput {
  /** The active runtime's devices (its --list-devices), in its order. */
  devices: readonly BackendDevice[];
  model: SplitModel;
  options: LoadOptions;
  /** Kept free on each GPU (default 1 GiB, as llama.cpp's --fit-target). */
  marginBytes?: number;
  /** Language of the texts inside errors (default en). */
  lang?: Lang;
  /**
   * The backend's argv for options (llama-args.ts buildLlamaServerArgs, injected: models/ may not import backends/):
   * the plan's flags and the slot count come from it, so they cannot drift from what is run.
   */
  argv: (o: LoadOptions) => string[];
}

export interface SplitResult {
  plan: GpuSplitPlan;
  /** The options to run: ours applied (several GPUs, no split of the user's), else the input unchanged. */
  run: LoadOptions;
}

const freeBytes = (d: BackendDevice) => (d.freeMiB ?? d.totalMiB ?? 0) * MiB;
const kv = (t: LoadOptions['cacheTypeK']): KvType => (t === 'bf16' ? 'f16' : t);

/** Whole layers in proportion to `weights` (largest remainder; ties to the earlier device). */
export function apportion(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const w = sum > 0 ? weights : weights.map(() => 1);
  const s = sum > 0 ? sum : weights.length;
  const exact = w.map((x) => (total * x) / s);
  const out = exact.map(Math.floor);
  let left = total - out.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => ({ i, r: x - Math.floor(x) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    out[i]!++;
    left--;
  }
  return out;
}

/** llama.cpp's own assignment of `positions` offloaded layers for a float split (a user's -ts). */
export function layersForSplit(positions: number, split: readonly number[]): number[] {
  const f = Math.fround;
  const cum: number[] = [];
  let acc = f(0);
  for (const x of split) cum.push((acc = f(acc + f(x))));
  const points = cum.map((c) => f(c / acc));
  const out = split.map(() => 0);
  for (let p = 0; p < positions; p++) {
    const at = f(f(p) / f(positions));
    let d = points.findIndex((c) => c > at);
    if (d < 0) d = split.length - 1;
    out[d]!++;
  }
  return out;
}

interface Costs {
  L: number;
  layers: LayerWeights[];
  kvLayer: number;
  output: number;
  computeLayer: number;
  computeLogits: number;
}

function costsOf(m: SplitModel, o: LoadOptions, slots: number): Costs {
  const f = m.facts;
  const L = f.blockCount;
  const layers = Array.from({ length: L }, (_, i) => m.weights.layers[i] ?? { dense: 0, experts: 0 });
  const ctx = o.contextSize > 0 ? o.contextSize : f.contextLength;
  const ub = o.ubatch > 0 ? o.ubatch : 512;
  const c = computeBuffers(f, ctx, o.flashAttention !== 'off', ub, slots);
  return {
    L,
    layers,
    kvLayer: padContext(ctx) * kvBytesPerTokenLayer(f, kv(o.cacheTypeK), kv(o.cacheTypeV)),
    output: m.weights.output + m.weights.outputTiedExtra,
    computeLayer: c.layer,
    computeLogits: c.logits,
  };
}

interface Placed {
  bytes: number[];
  layers: number[];
}

/** Bytes and repeating layers per device for `counts` positions each (contiguous, after the CPU's). */
function place(c: Costs, counts: readonly number[], cpuMoe: number, rowShares: number[] | null): Placed {
  const P = counts.reduce((a, b) => a + b, 0);
  let p = c.L + 1 - P;
  const weights = counts.map(() => 0);
  const other = counts.map(() => 0);
  const layers = counts.map(() => 0);
  counts.forEach((n, d) => {
    let hasOutput = false;
    for (let k = 0; k < n; k++, p++) {
      if (p < c.L) {
        const l = c.layers[p]!;
        weights[d]! += l.dense + (p >= cpuMoe ? l.experts : 0);
        other[d]! += c.kvLayer;
        layers[d]!++;
      } else {
        weights[d]! += c.output;
        hasOutput = true;
      }
    }
    if (n > 0) other[d]! += Math.max(c.computeLayer, hasOutput ? c.computeLogits : 0);
  });
  // Row split: every matrix is cut across the devices in the split's proportions; KV and compute stay per layer.
  const total = weights.reduce((a, b) => a + b, 0);
  const bytes = weights.map((w, d) => (rowShares ? total * rowShares[d]! : w) + other[d]!);
  return { bytes, layers };
}

/**
 * Counts for `P` positions that fit every device, starting from the free-memory proportions and moving layers off
 * a device that overflows onto the one with the most room; null when they do not fit.
 */
function fitCounts(c: Costs, P: number, cpuMoe: number, free: number[], usable: number[]): number[] | null {
  const counts = apportion(P, free);
  const D = counts.length;
  for (let iter = 0; iter <= (P + 1) * D; iter++) {
    const { bytes } = place(c, counts, cpuMoe, null);
    let worst = -1;
    for (let d = 0; d < D; d++)
      if (bytes[d]! > usable[d]! && (worst < 0 || bytes[d]! - usable[d]! > bytes[worst]! - usable[worst]!)) worst = d;
    if (worst < 0) return counts;
    if (counts[worst] === 0) return null;
    counts[worst]!--;
    const room = (d: number) => usable[d]! - place(c, counts, cpuMoe, null).bytes[d]!;
    const takers = [...Array(D).keys()].filter((d) => d !== worst).sort((a, b) => room(b) - room(a));
    const taker = takers.find((d) => {
      const next = [...counts];
      next[d]!++;
      return place(c, next, cpuMoe, null).bytes[d]! <= usable[d]!;
    });
    if (taker === undefined) return null;
    counts[taker]!++;
  }
  return null;
}

/** The largest n in [lo, hi] with ok(n) true, for ok true up to some point and false after (or -1). */
function largest(lo: number, hi: number, ok: (n: number) => boolean): number {
  let best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (ok(mid)) {
      best = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best;
}

interface Layout {
  counts: number[];
  cpuMoe: number;
}

/** Our own layout over `free`/`usable` devices, as the options allow it to change layers and experts. */
function ourLayout(c: Costs, o: LoadOptions, moe: boolean, free: number[], usable: number[]): Layout {
  const all = c.L + 1;
  const fixedP = o.gpuLayers === 'all' ? all : typeof o.gpuLayers === 'number' ? Math.min(o.gpuLayers, all) : null;
  const userMoe = o.cpuMoeLayers > 0 ? Math.min(o.cpuMoeLayers, c.L) : null;
  if (fixedP !== null) {
    // The user's layer count stands; only where they go is ours (proportions if nothing fits).
    const cpuMoe = userMoe ?? 0;
    return { counts: fitCounts(c, fixedP, cpuMoe, free, usable) ?? apportion(fixedP, free), cpuMoe };
  }
  if (moe && userMoe === null) {
    const whole = fitCounts(c, all, 0, free, usable);
    if (whole) return { counts: whole, cpuMoe: 0 };
    // Fewest expert layers in RAM that let every layer stay on the GPUs.
    const n = c.L - largest(0, c.L - 1, (k) => fitCounts(c, all, c.L - k, free, usable) !== null);
    if (n >= 1 && n <= c.L) {
      const counts = fitCounts(c, all, n, free, usable);
      if (counts) return { counts, cpuMoe: n };
    }
  }
  const cpuMoe = userMoe ?? (moe ? c.L : 0);
  const P = largest(0, all, (p) => fitCounts(c, p, cpuMoe, free, usable) !== null);
  return { counts: P > 0 ? fitCounts(c, P, cpuMoe, free, usable)! : free.map(() => 0), cpuMoe: P > 0 ? cpuMoe : 0 };
}

const PLAN_FLAGS = new Set(['-dev', '-sm', '-mg', '-ts', '-ngl', '--fit', '-ncmoe']);

/** The GPU flags in an argv. */
export function planFlags(full: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < full.length; i++) if (PLAN_FLAGS.has(full[i]!)) out.push(full[i]!, full[++i]!);
  return out;
}

/** The plan for loading a model with `options` on these devices, and the options to run it with. */
export function planGpuSplit(input: SplitInput): SplitResult {
  const o = input.options;
  const g = o.gpus;
  const margin = input.marginBytes ?? SPLIT_MARGIN_BYTES;
  const { chosen, byUser } = chooseDevices(input.devices, g, input.lang);
  // Options the argv builder never refuses (a draft without a file, quantized V without flash attention).
  const argvOf = (x: LoadOptions) =>
    input.argv({ ...x, speculative: { ...x.speculative, mode: 'off' }, cacheTypeK: 'f16', cacheTypeV: 'f16' });
  const argv0 = argvOf(o);
  const slots = Number(argv0[argv0.indexOf('-np') + 1]) || 1;
  const c = costsOf(input.model, o, slots);
  const moe = input.model.facts.expertCount > 0 && c.layers.some((l) => l.experts > 0);
  const free = chosen.map(freeBytes);
  const usable = free.map((b) => Math.max(0, b - margin));
  const all = c.L + 1;

  let layout: Layout;
  let run = o;
  if (chosen.length === 0 || o.gpuLayers === 0) layout = { counts: chosen.map(() => 0), cpuMoe: 0 };
  else if (g.tensorSplit) {
    // The user's split stands (llama-args turns --fit off for it); we show where llama.cpp will put the layers.
    const P = typeof o.gpuLayers === 'number' ? Math.min(o.gpuLayers, all) : all;
    const split = g.splitMode === 'none' ? [1] : g.tensorSplit;
    layout = { counts: layersForSplit(P, split), cpuMoe: Math.min(o.cpuMoeLayers, c.L) };
  } else {
    layout = ourLayout(c, o, moe, free, usable);
    const holding = layout.counts.filter((n) => n > 0).length;
    if (chosen.length >= 2 && holding >= 2) {
      // Several GPUs: ours is the plan. Devices left without a layer drop out of -dev, so -ts indexes the rest.
      const keep = chosen.map((_, i) => i).filter((i) => layout.counts[i]! > 0 || byUser);
      const P = layout.counts.reduce((a, b) => a + b, 0);
      run = {
        ...o,
        // All of them: 'auto' stays (llama-args passes -ngl all with our split); fewer: the count we planned.
        gpuLayers: P === all ? o.gpuLayers : P,
        cpuMoeLayers: layout.cpuMoe,
        gpus: {
          ...g,
          devices: keep.map((i) => chosen[i]!.name),
          tensorSplit: keep.map((i) => layout.counts[i]!),
          mainGpu: Math.min(g.mainGpu, keep.length - 1),
        },
      };
    }
  }

  const P = layout.counts.reduce((a, b) => a + b, 0);
  const rowShares = g.splitMode === 'row' && P > 0 ? layout.counts.map((n) => n / P) : null;
  const placed = place(c, layout.counts, layout.cpuMoe, rowShares);
  const gpuLayers = placed.layers.reduce((a, b) => a + b, 0);
  const offloaded = Math.max(1, gpuLayers);
  const usedNames = run.gpus.devices ?? chosen.map((d) => d.name);
  const args = planFlags(argvOf(run));
  const plan: GpuSplitPlan = {
    devices: input.devices.map((d) => {
      const i = chosen.indexOf(d);
      const used = i >= 0 && usedNames.includes(d.name) && (byUser || layout.counts[i]! > 0 || P === 0);
      return {
        name: d.name,
        description: d.description,
        totalBytes: (d.totalMiB ?? 0) * MiB,
        freeBytes: freeBytes(d),
        used,
        layers: i >= 0 ? placed.layers[i]! : 0,
        bytes: i >= 0 ? Math.round(placed.bytes[i]!) : 0,
        share: i >= 0 && gpuLayers > 0 ? placed.layers[i]! / offloaded : 0,
      };
    }),
    cpuLayers: c.L - gpuLayers,
    blockCount: c.L,
    splitMode: g.splitMode,
    mainGpu: run.gpus.mainGpu,
    tensorSplit: run.gpus.tensorSplit,
    fitOff: args.includes('--fit') && args[args.indexOf('--fit') + 1] === 'off',
    args,
  };
  return { plan, run };
}
