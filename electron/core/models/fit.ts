/**
 * The fit planner: where a model goes on this machine, for each quant × context × KV-cache type. Pure (no I/O),
 * table-tested in fit.test.ts and checked against llama.cpp's own figures in fit-llama.int.test.ts.
 *
 * Memory follows llama.cpp at the pinned release:
 *  - weights: token_embd stays in RAM; -ngl N puts the last N layers on the GPU, the output layer only with all;
 *    --n-cpu-moe N keeps the expert tensors of the first N layers in RAM (the rest of those layers on the GPU);
 *  - KV cache: per layer and token, key_length·kv_heads·bytes(K) + value_length·kv_heads·bytes(V), on the device of
 *    its layer; deepseek2 with MLA stores only K (kv_lora_rank + rope dim, one "head"); n_ctx padded to 256;
 *  - compute buffer: the largest live set of one micro-batch (512 tokens): the output phase (logits of one row per
 *    slot) or a layer (the KQ mask, f16 with flash attention, f32 plus the n_head·n_ctx KQ matrix without, and the
 *    FFN intermediates); see computeBuffers;
 *  - free VRAM minus a 1 GiB margin (llama-server's --fit-target default), RAM minus 1 GiB.
 * Speed: generation is memory-bound, so tokens/s ≈ 1 / Σ(bytes read per token / bandwidth) over GPU and CPU parts.
 */
import type {
  ArchFacts,
  FitPlan,
  FitReason,
  HardwareInput,
  KvType,
  MemoryParts,
  ModelFit,
  SpeedClass,
} from '../../shared/models';
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
  /** Output rows reserved: llama-server's parallel slots (we run one). */
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

/** Bytes per element of a KV cache type (q8_0: 34 bytes per 32, q4_0: 18 per 32). */
export function kvTypeBytes(t: KvType): number {
  return t === 'f16' ? 2 : t === 'q8_0' ? 34 / 32 : 18 / 32;
}

/** Quantized KV types need head sizes that are whole blocks of 32 (llama.cpp refuses the context otherwise). */
export function kvTypeSupported(f: ArchFacts, t: KvType): boolean {
  if (t === 'f16') return true;
  return f.keyLength % 32 === 0 && (f.mla || f.valueLength % 32 === 0);
}

export const padContext = (ctx: number) => Math.ceil(ctx / 256) * 256;

/** KV bytes per token for one layer. */
export function kvBytesPerTokenLayer(f: ArchFacts, k: KvType, v: KvType): number {
  const kBytes = f.keyLength * f.headCountKv * kvTypeBytes(k);
  // MLA: V is a view of the compressed K, nothing is allocated for it.
  const vBytes = f.mla ? 0 : f.valueLength * f.headCountKv * kvTypeBytes(v);
  return kBytes + vBytes;
}

export interface ComputeBuffers {
  /** Output phase: logits of the output rows (one per slot in llama-server) and the last hidden states. */
  logits: number;
  /** The layer phase: attention inputs (the KQ mask) plus the larger of attention and FFN intermediates. */
  layer: number;
  /** Inputs kept on the host when everything else is on the GPU. */
  hostInputs: number;
}

/**
 * Compute buffer estimate, calibrated on llama.cpp's own reserve figures (fit-llama.int.test.ts): the mask lives
 * through every layer (f16 with flash attention, f32 without, plus the n_head·n_ctx KQ matrix), FFN intermediates
 * scale with the (active) FFN width, and the output phase holds `outputs` rows of logits — llama-server reserves one
 * per slot, llama-fit-params one per micro-batch token.
 */
export function computeBuffers(
  f: ArchFacts,
  ctx: number,
  flashAttention: boolean,
  ub = 512,
  outputs = 1,
): ComputeBuffers {
  const nKv = padContext(ctx);
  const F = 4;
  const e = f.embeddingLength;
  const hasDense = f.expertCount === 0 || f.leadingDenseBlockCount > 0;
  const dense = hasDense ? ub * F * (4 * f.feedForwardLength + e) : 0;
  const used = f.expertUsedCount;
  const moe =
    f.expertCount > 0 ? ub * F * (3 * f.expertFeedForwardLength * (used + f.expertSharedCount) + e * used) : 0;
  const ffn = Math.max(dense, moe);
  const layer = flashAttention ? ub * 2 * nKv + ffn : ub * F * nKv + Math.max(ub * F * nKv * f.headCount, ffn);
  return {
    logits: outputs * F * f.vocabSize + ub * F * e,
    layer,
    hostInputs: ub * F * e + ub * nKv * (flashAttention ? 2 : 4),
  };
}

/** A GPU's memory bandwidth in GB/s from its name, for the speed estimate only. */
export function gpuBandwidthGBs(name: string): number {
  const n = name.toLowerCase();
  const table: [RegExp, number][] = [
    [/5090/, 1792],
    [/5080/, 960],
    [/5070 ti/, 896],
    [/5070/, 672],
    [/5060 ti/, 448],
    [/5060/, 448],
    [/4090/, 1008],
    [/4080 super/, 736],
    [/4080/, 717],
    [/4070 ti super/, 672],
    [/4070/, 504],
    [/4060 ti/, 288],
    [/4060/, 272],
    [/3090/, 936],
    [/3080 ti/, 912],
    [/3080/, 760],
    [/3070/, 448],
    [/3060 ti/, 448],
    [/3060/, 360],
    [/3050/, 224],
    [/2080 ti/, 616],
    [/2080/, 448],
    [/2070/, 448],
    [/2060/, 336],
    [/1080 ti/, 484],
    [/1080/, 320],
    [/1070/, 256],
    [/1660/, 192],
    [/h200/, 4800],
    [/h100/, 3350],
    [/a100/, 1935],
    [/l40/, 864],
    [/a6000/, 768],
    [/a5000/, 768],
    [/a4000/, 448],
    [/7900 xtx/, 960],
    [/7900 xt/, 800],
    [/7800 xt/, 624],
    [/7700 xt/, 432],
    [/7600/, 288],
    [/6900 xt|6950 xt/, 576],
    [/6800/, 512],
    [/6700 xt/, 384],
    [/9070/, 640],
    [/m\d (ultra)/, 800],
    [/m\d max/, 400],
    [/m\d pro/, 200],
    [/apple|m[1-4]\b/, 100],
    [/arc a770/, 560],
    [/arc a750/, 512],
    [/arc b580/, 456],
  ];
  for (const [re, bw] of table) if (re.test(n)) return bw;
  return 300;
}

const DEFAULT_RAM_BW = 50;

export function formatGB(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(bytes >= 100e9 ? 0 : 1)} GB`;
  return `${Math.max(0, Math.round(bytes / 1e6))} MB`;
}

export function speedClass(tps: number | null): SpeedClass {
  if (tps === null) return 'none';
  if (tps >= 20) return 'fast';
  if (tps >= 8) return 'good';
  if (tps >= 2) return 'slow';
  return 'very-slow';
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

  const bw = p.gpusUsed.length
    ? Math.min(...p.gpusUsed.map((i) => hw.gpus[i]!.bandwidthGBs ?? gpuBandwidthGBs(hw.gpus[i]!.name)))
    : 1;
  const secs = p.readGpu / (bw * 1e9 * 0.7) + p.readCpu / ((hw.ramBandwidthGBs ?? DEFAULT_RAM_BW) * 1e9 * 0.55);
  const tps = secs > 0 ? Math.round((1 / secs) * 10) / 10 : null;
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

const SPEED_RANK: Record<SpeedClass, number> = { fast: 0, good: 1, slow: 2, 'very-slow': 3, none: 9 };
const KV_RANK: Record<KvType, number> = { f16: 0, q8_0: 1, q4_0: 2 };
/** A split across GPU and CPU is the less predictable setup: at equal speed class and quality, all-on-GPU wins. */
const MODE_RANK: Record<FitPlan['mode'], number> = { gpu: 0, 'experts-cpu': 0, partial: 1, cpu: 2, none: 3 };

/**
 * Bits worth paying for, by speed: when everything is fast, quality up to Q6_K (6.5; beyond, the gain is not measurable);
 * at a merely good speed up to ~Q5_K; when slow, ~Q4_K_M — every further bit only costs tokens per second.
 */
const QUALITY_CAP: Record<SpeedClass, number> = { fast: 6.5, good: 5.5, slow: 4.8, 'very-slow': 4.8, none: 0 };
const quality = (q: QuantInput, speed: SpeedClass) => Math.min(q.bitsPerWeight, QUALITY_CAP[speed]);
const qualityOk = (q: QuantInput) => q.dynamic || q.bitsPerWeight >= 4.4;

/**
 * The best plan of a model: a usable quant (≥ 4.4 bits per weight by file size, i.e. Q4_K_S and up, or a dynamic
 * low-bit quant of a huge MoE), then speed class, then a context of at least 16k (R1 thinks at length), then quality
 * (capped by speed, see QUALITY_CAP), then all-on-GPU over a split, then a larger context (up to 32k), then the plainer
 * KV cache, then the smaller file.
 */
export function pickRecommended(plans: FitPlan[], quants: QuantInput[]): FitPlan | null {
  const byQuant = new Map(quants.map((q) => [q.quant, q]));
  const ok = plans.filter((p) => p.mode !== 'none');
  if (!ok.length) return null;
  const key = (p: FitPlan): number[] => {
    const q = byQuant.get(p.quant)!;
    return [
      qualityOk(q) ? 0 : 1,
      SPEED_RANK[p.speed],
      p.contextSize >= 16384 ? 0 : 1,
      -quality(q, p.speed),
      MODE_RANK[p.mode],
      -Math.min(p.contextSize, 32768),
      KV_RANK[p.kvType],
      p.fileBytes,
    ];
  };
  return ok
    .map((p) => ({ p, k: key(p) }))
    .sort((a, b) => {
      for (let i = 0; i < a.k.length; i++) if (a.k[i] !== b.k[i]) return a.k[i]! - b.k[i]!;
      return 0;
    })[0]!.p;
}

export function planModel(m: ModelInput, hw: HardwareInput, s: PlanSettings = DEFAULT_PLAN_SETTINGS): ModelFit {
  const contexts = s.contexts.filter((c) => c <= m.facts.contextLength);
  if (!contexts.length) contexts.push(Math.min(m.facts.contextLength, s.contexts[0] ?? 4096));
  const kvTypes = s.kvTypes.filter((t) => kvTypeSupported(m.facts, t));
  const plans: FitPlan[] = [];
  for (const q of m.quants)
    for (const ctx of contexts) for (const kv of kvTypes) plans.push(planFit(m.facts, q, hw, ctx, kv, s));
  return { modelId: m.id, plans, recommended: pickRecommended(plans, m.quants) };
}

/**
 * The wizard's suggestion: the most capable model (catalog rank) whose best plan runs at a good speed with a usable
 * quant; failing that, the most capable that runs at all slowly; else null.
 */
export function recommendAcross(
  models: { fit: ModelFit; rank: number; quants: QuantInput[] }[],
): { modelId: string; plan: FitPlan } | null {
  const usable = (speeds: SpeedClass[]) =>
    models
      .filter(
        (m) =>
          m.fit.recommended &&
          speeds.includes(m.fit.recommended.speed) &&
          qualityOk(m.quants.find((q) => q.quant === m.fit.recommended!.quant)!),
      )
      .sort(
        (a, b) => b.rank - a.rank || SPEED_RANK[a.fit.recommended!.speed] - SPEED_RANK[b.fit.recommended!.speed],
      )[0];
  const best = usable(['fast', 'good']) ?? usable(['slow']);
  return best ? { modelId: best.fit.modelId, plan: best.fit.recommended! } : null;
}
