/**
 * The fit planner: where a model goes on this machine, for one quant × context × KV-cache type. Pure (no I/O),
 * table-tested in fit.test.ts and checked against llama.cpp's own figures in fit-llama.int.test.ts. The memory
 * arithmetic (KV cache, compute buffers) is in fit-memory.ts, the speed estimate in fit-speed.ts, the choice among
 * plans in fit-recommend.ts.
 *
 * Placement follows llama.cpp at the pinned release:
 *  - weights: token_embd stays in RAM; -ngl N puts the last N layers on the GPU, the output layer only with all;
 *    --n-cpu-moe N keeps the expert tensors of the first N layers in RAM (the rest of those layers on the GPU);
 *  - KV cache and compute buffers: see fit-memory.ts;
 *  - free VRAM minus a 1 GiB margin (llama-server's --fit-target default), RAM minus 1 GiB.
 */
import type { ArchFacts, FitPlan, FitReason, HardwareInput, KvType, MemoryParts } from '../../shared/models';
import { computeBuffers, kvBytesPerTokenLayer, padContext } from './fit-memory';
import { speedClass, tokensPerSecond } from './fit-speed';
import type { ModelWeights } from './model-facts';

export interface QuantInput {
  quant: string;
  bitsPerWeight: number;
  dynamic: boolean;
  weights: ModelWeights;
}

export interface ModelInput {
  id: string;
  facts: ArchFacts;
  quants: QuantInput[];
}

export interface PlanSettings {
  contexts: number[];
  kvTypes: KvType[];
  /** Micro-batch (-ub); llama.cpp's default 512. */
  ubatch: number;
  /**
   * Output rows in the logits phase of the compute buffer. One, though the app runs 1 to 8 slots (parallel auto,
   * shared/parallel-slots.ts): the phase holds n_vocab × 4 bytes per row (0.6 MiB at 152k), far below the layer
   * phase that sizes the buffer, and the slots' own output buffer (the same per slot) is within the 1 GiB margin.
   */
  outputs: number;
  flashAttention: boolean;
  vramMarginBytes: number;
  ramMarginBytes: number;
}

export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;
export const DEFAULT_CONTEXTS = [4096, 8192, 16384, 32768, 65536, 131072];
export const DEFAULT_PLAN_SETTINGS: PlanSettings = {
  contexts: DEFAULT_CONTEXTS,
  kvTypes: ['f16', 'q8_0'],
  ubatch: 512,
  outputs: 1,
  flashAttention: true,
  vramMarginBytes: GiB,
  ramMarginBytes: GiB,
};

export function formatGB(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(bytes >= 100e9 ? 0 : 1)} GB`;
  return `${Math.max(0, Math.round(bytes / 1e6))} MB`;
}

interface Placement {
  mode: FitPlan['mode'];
  gpuLayers: number;
  cpuMoeLayers: number;
  gpuModel: number;
  gpuContext: number;
  gpuCompute: number;
  host: MemoryParts;
  gpusUsed: number[];
  reason: FitReason;
  /** Bytes read per generated token on GPU and CPU (speed estimate). */
  readGpu: number;
  readCpu: number;
}

/** Plans one quant at one context and KV type. */
export function planFit(
  facts: ArchFacts,
  q: QuantInput,
  hw: HardwareInput,
  ctx: number,
  kv: KvType,
  s: PlanSettings = DEFAULT_PLAN_SETTINGS,
): FitPlan {
  const L = facts.blockCount;
  const w = q.weights;
  const layers =
    w.layers.length === L ? w.layers : Array.from({ length: L }, (_, i) => w.layers[i] ?? { dense: 0, experts: 0 });
  const kvLayer = padContext(ctx) * kvBytesPerTokenLayer(facts, kv, kv);
  const c = computeBuffers(facts, ctx, s.flashAttention, s.ubatch, s.outputs);
  const share = facts.expertCount > 0 && facts.expertUsedCount > 0 ? facts.expertUsedCount / facts.expertCount : 1;
  // Bytes read per token: weights (used experts only) plus the KV cache of a typical 4k-token conversation.
  const kvReadLayer = Math.min(ctx, 4096) * kvBytesPerTokenLayer(facts, kv, kv);
  const activeLayer = (i: number, expertsOnGpu: boolean, onGpu: boolean) => {
    const l = layers[i]!;
    const ex = l.experts * share;
    return onGpu
      ? { g: l.dense + (expertsOnGpu ? ex : 0) + kvReadLayer, c: expertsOnGpu ? 0 : ex }
      : { g: 0, c: l.dense + ex + kvReadLayer };
  };

  const ramAvail = Math.max(0, hw.ramAvailableBytes - s.ramMarginBytes);
  const gpus = hw.gpus.map((g, i) => ({
    i,
    usable: Math.max(
      0,
      (hw.unifiedMemory ? Math.min(g.freeBytes, hw.ramAvailableBytes * 0.75) : g.freeBytes) - s.vramMarginBytes,
    ),
  }));
  const usable = gpus.filter((g) => g.usable >= 256 * MiB).sort((a, b) => b.usable - a.usable);
  const sumLayers = (from: number, to: number, part: (l: (typeof layers)[number]) => number) => {
    let n = 0;
    for (let i = from; i < to; i++) n += part(layers[i]!);
    return n;
  };
  const allLayers = sumLayers(0, L, (l) => l.dense + l.experts);
  const avgLayer = L > 0 ? allLayers / L : 0;

  /** The fewest GPUs (largest first) that hold `model + ctx` plus a compute buffer each, or null. */
  const gpuSet = (modelCtx: number, compute: number): { ids: number[]; total: number } | null => {
    for (let n = 1; n <= usable.length; n++) {
      const set = usable.slice(0, n);
      const cap = set.reduce((a, g) => a + g.usable, 0);
      // Layers split across devices waste about half a layer per extra device.
      const need = modelCtx + n * compute + (n - 1) * (avgLayer / 2);
      if (need <= cap) return { ids: set.map((g) => g.i), total: cap };
      if (hw.unifiedMemory) break;
    }
    return null;
  };
  const hostFits = (host: number, gpuUsed: number) => host <= (hw.unifiedMemory ? ramAvail - gpuUsed : ramAvail);

  let p: Placement | null = null;
  const vramFree = hw.gpus.reduce((a, g) => a + g.freeBytes, 0);

  // 1. Everything on the GPU.
  {
    const model = allLayers + w.output + w.outputTiedExtra;
    const context = kvLayer * L;
    const compute = Math.max(c.logits, c.layer);
    const set = gpuSet(model + context, compute);
    const host: MemoryParts = { model: w.embd, context: 0, compute: c.hostInputs };
    if (set && hostFits(host.model + host.compute, model + context + compute)) {
      let g = 0;
      for (let i = 0; i < L; i++) g += activeLayer(i, true, true).g;
      p = {
        mode: 'gpu',
        gpuLayers: L + 1,
        cpuMoeLayers: 0,
        gpuModel: model,
        gpuContext: context,
        gpuCompute: compute * set.ids.length,
        host,
        gpusUsed: set.ids,
        reason: {
          code: 'FIT_ALL_GPU',
          params: { vram: formatGB(model + context + compute), vramFree: formatGB(vramFree) },
        },
        readGpu: g + w.output,
        readCpu: 0,
      };
    }
  }

  // 2. MoE: experts of the first N layers in RAM, everything else on the GPU.
  if (!p && facts.expertCount > 0 && usable.length > 0) {
    const base = sumLayers(0, L, (l) => l.dense) + w.output + w.outputTiedExtra;
    const context = kvLayer * L;
    const compute = Math.max(c.logits, c.layer);
    const cap =
      usable.reduce((a, g) => a + g.usable, 0) - (usable.length - 1) * (avgLayer / 2) - usable.length * compute;
    if (base + context <= cap) {
      let spare = cap - base - context;
      let n = L;
      while (n > 0 && layers[n - 1]!.experts <= spare) {
        spare -= layers[n - 1]!.experts;
        n--;
      }
      const onGpuExperts = sumLayers(n, L, (l) => l.experts);
      const gpuModel = base + onGpuExperts;
      const set = gpuSet(gpuModel + context, compute);
      const host: MemoryParts = {
        model: w.embd + sumLayers(0, n, (l) => l.experts),
        context: 0,
        compute: Math.max(c.hostInputs, c.layer),
      };
      if (set && hostFits(host.model + host.compute, gpuModel + context)) {
        let g = w.output;
        let cpu = 0;
        for (let i = 0; i < L; i++) {
          const a = activeLayer(i, i >= n, true);
          g += a.g;
          cpu += a.c;
        }
        p = {
          mode: 'experts-cpu',
          gpuLayers: L + 1,
          cpuMoeLayers: n,
          gpuModel,
          gpuContext: context,
          gpuCompute: compute * set.ids.length,
          host,
          gpusUsed: set.ids,
          reason: {
            code: 'FIT_EXPERTS_CPU',
            params: {
              cpuLayers: n,
              layers: L,
              ram: formatGB(host.model + host.compute),
              vram: formatGB(gpuModel + context + compute),
            },
          },
          readGpu: g,
          readCpu: cpu,
        };
      }
    }
  }

  // 3. Some layers on the GPU (the last ones), the rest and the output on the CPU.
  if (!p && usable.length > 0) {
    for (let n = L; n >= 1; n--) {
      const gpuModel = sumLayers(L - n, L, (l) => l.dense + l.experts);
      const gpuContext = kvLayer * n;
      const set = gpuSet(gpuModel + gpuContext, c.layer);
      if (!set) continue;
      const host: MemoryParts = {
        model: w.embd + w.output + sumLayers(0, L - n, (l) => l.dense + l.experts),
        context: kvLayer * (L - n),
        compute: Math.max(c.logits, c.layer),
      };
      if (!hostFits(host.model + host.context + host.compute, gpuModel + gpuContext)) break;
      let g = 0;
      let cpu = w.output;
      for (let i = 0; i < L; i++) {
        const a = activeLayer(i, true, i >= L - n);
        g += a.g;
        cpu += a.c;
      }
      p = {
        mode: 'partial',
        gpuLayers: n,
        cpuMoeLayers: 0,
        gpuModel,
        gpuContext,
        gpuCompute: c.layer * set.ids.length,
        host,
        gpusUsed: set.ids,
        reason: {
          code: 'FIT_PARTIAL',
          params: {
            gpuLayers: n,
            layers: L,
            vram: formatGB(gpuModel + gpuContext + c.layer),
            ram: formatGB(host.model + host.context + host.compute),
          },
        },
        readGpu: g,
        readCpu: cpu,
      };
      break;
    }
  }

  // 4. CPU only.
  if (!p) {
    const host: MemoryParts = {
      model: w.embd + w.output + allLayers,
      context: kvLayer * L,
      compute: Math.max(c.logits, c.layer),
    };
    if (hostFits(host.model + host.context + host.compute, 0)) {
      let cpu = w.output;
      for (let i = 0; i < L; i++) cpu += activeLayer(i, false, false).c;
      const ram = formatGB(host.model + host.context + host.compute);
      p = {
        mode: 'cpu',
        gpuLayers: 0,
        cpuMoeLayers: 0,
        gpuModel: 0,
        gpuContext: 0,
        gpuCompute: 0,
        host,
        gpusUsed: [],
        reason:
          hw.gpus.length === 0
            ? { code: 'FIT_CPU_NO_GPU', params: { ram } }
            : { code: 'FIT_CPU_GPU_TOO_SMALL', params: { vramFree: formatGB(vramFree), ram } },
        readGpu: 0,
        readCpu: cpu,
      };
    }
  }

  const gpuParts = (pl: Placement | null): MemoryParts[] =>
    hw.gpus.map((g, i) => {
      if (!pl || !pl.gpusUsed.includes(i)) return { model: 0, context: 0, compute: 0 };
      const cap = pl.gpusUsed.reduce((a, j) => a + (gpus[j]?.usable ?? 0), 0);
      const k = cap > 0 ? (gpus[i]?.usable ?? 0) / cap : 0;
      return { model: pl.gpuModel * k, context: pl.gpuContext * k, compute: pl.gpuCompute / pl.gpusUsed.length };
    });

  if (!p) {
    const context = kvLayer * L;
    const total = w.embd + w.output + allLayers + context + Math.max(c.logits, c.layer);
    const available = ramAvail + usable.reduce((a, g) => a + g.usable, 0);
    return {
      quant: q.quant,
      contextSize: ctx,
      kvType: kv,
      mode: 'none',
      gpuLayers: 0,
      blockCount: L,
      cpuMoeLayers: 0,
      gpu: gpuParts(null),
      host: { model: 0, context: 0, compute: 0 },
      fileBytes: w.fileBytes,
      tokensPerSecond: null,
      speed: 'none',
      reason:
        context > available && w.embd + w.output + allLayers <= available
          ? { code: 'FIT_NONE_CONTEXT', params: { context: ctx, kv: formatGB(context) } }
          : { code: 'FIT_NONE_RAM', params: { needed: formatGB(total), available: formatGB(available) } },
    };
  }

  const tps = tokensPerSecond(hw, p.gpusUsed, p.readGpu, p.readCpu);
  return {
    quant: q.quant,
    contextSize: ctx,
    kvType: kv,
    mode: p.mode,
    gpuLayers: p.gpuLayers,
    blockCount: L,
    cpuMoeLayers: p.cpuMoeLayers,
    gpu: gpuParts(p),
    host: p.host,
    fileBytes: w.fileBytes,
    tokensPerSecond: tps,
    speed: speedClass(tps),
    reason: p.reason,
  };
}
