/**
 * The types the bundled llama-quantize offers, read from its own usage text (`llama-quantize --help` prints it and
 * exits 1), so a newer runtime's new types appear without an app update. The parser is pure and hostile-input safe;
 * listQuantTypes runs the tool once per binary (path + mtime + size).
 */
import fs from 'node:fs/promises';
import { AppError } from '../../../shared/errors';
import { QuantType } from '../../../shared/quant';
import { runTool as defaultRunTool, type RunTool } from '../../util/run-tool';
import { ggmlTypeSize } from '../../models/ggml-types';

/** One line of the "allowed quantization types" list as the tool prints it. */
export interface UsageEntry {
  id: string;
  ftype: number | null;
  note: string;
}

// printf("  %2d  or  ", ftype) then printf("%-7s : %s\n", name, desc); COPY has no number.
const ENTRY = /^\s*(?:(\d{1,4})\s+or\s+)?([A-Za-z0-9_]{1,24})\s*:\s?(.*)$/;

/**
 * The "allowed quantization types" section of llama-quantize's usage text. Lines before the section header and
 * lines that do not look like entries are ignored; at most 200 entries; duplicate ids keep the first.
 */
export function parseQuantUsage(text: string): UsageEntry[] {
  const lines = text.slice(0, 256 * 1024).split(/\r?\n/);
  const start = lines.findIndex((l) => /allowed quantization types/i.test(l));
  if (start < 0) return [];
  const out: UsageEntry[] = [];
  const seen = new Set<string>();
  for (const line of lines.slice(start + 1)) {
    if (out.length >= 200) break;
    if (line.length > 400) continue;
    const m = ENTRY.exec(line);
    if (!m) continue;
    const id = m[2]!.toUpperCase();
    if (seen.has(id)) continue;
    seen.add(id);
    out.push({ id, ftype: m[1] === undefined ? null : Number(m[1]), note: m[3]!.trim() });
  }
  return out;
}

/**
 * Entries that are not useful targets:
 * - COPY ("only copy tensors, no quantizing") writes the source's own types again: same size, nothing gained;
 * - aliases ("alias for Q4_K_M": Q3_K, Q4_K, Q5_K) would list the same result twice.
 */
export function isUsefulTarget(e: UsageEntry): boolean {
  return e.id !== 'COPY' && !/^alias for /i.test(e.note);
}

export function quantFamily(id: string): QuantType['family'] {
  if (/^(F32|F16|BF16)$/.test(id)) return 'float';
  if (/^Q\d_K(_[SML])?$/.test(id)) return 'k';
  if (/^Q\d_\d$/.test(id)) return 'legacy';
  if (/^IQ\d/.test(id)) return 'i';
  if (/^TQ\d/.test(id)) return 'ternary';
  return 'other';
}

/**
 * File types llama.cpp refuses without an importance matrix (src/llama-quant.cpp at the pin: tensor_requires_imatrix
 * makes any tensor whose target type is IQ1_S, IQ1_M, IQ2_XXS, IQ2_XS, IQ2_S or IQ3_XXS — or Q2_K inside a Q2_K_S
 * file — need one; llama_tensor_get_type_impl gives those targets to IQ1_S/IQ1_M/IQ2_XXS/IQ2_XS (default types),
 * IQ2_S (default IQ2_XS), IQ2_M (default IQ2_S), IQ3_XXS (attn_q/k → IQ2_S) and IQ3_XS (attn_q/k, most ffn_gate/up
 * → IQ3_XXS)). IQ3_S, IQ3_M, IQ4_* and all K-quants but Q2_K_S work without one.
 */
const NEEDS_IMATRIX = new Set(['IQ1_S', 'IQ1_M', 'IQ2_XXS', 'IQ2_XS', 'IQ2_S', 'IQ2_M', 'IQ3_XXS', 'IQ3_XS', 'Q2_K_S']);

/**
 * The ggml tensor type a file type writes its big matrices in, when it is one type throughout (llama_ftype_get_default_type
 * without the per-tensor mixes). Numbers are ggml_type values (ggml.h).
 */
export const SINGLE_TYPE: Record<string, number> = {
  F32: 0,
  F16: 1,
  BF16: 30,
  Q4_0: 2,
  Q4_1: 3,
  Q5_0: 6,
  Q5_1: 7,
  Q8_0: 8,
  Q6_K: 14,
  IQ2_XXS: 16,
  IQ2_XS: 17,
  IQ3_XXS: 18,
  IQ1_S: 19,
  IQ4_NL: 20,
  IQ3_S: 21,
  IQ4_XS: 23,
  IQ1_M: 29,
  TQ1_0: 34,
  TQ2_0: 35,
  Q1_0: 41,
  Q2_0: 42,
};

/** Block sizes ggml-types.ts does not know yet (ggml-common.h at the pin: block_q1_0 = half + 128/8, block_q2_0 = half + 64/4). */
const EXTRA_SIZES: Record<number, { block: number; bytes: number }> = {
  41: { block: 128, bytes: 18 },
  42: { block: 64, bytes: 18 },
};

export function typeSize(ggmlType: number): { block: number; bytes: number } | null {
  return ggmlTypeSize(ggmlType) ?? EXTRA_SIZES[ggmlType] ?? null;
}

/** Parameters of Llama-3-8B, the model the tool's notes give sizes for ("4.58G, +0.1754 ppl @ Llama-3-8B"). */
const LLAMA3_8B_PARAMS = 8.03e9;

/**
 * Average bits per weight of a type, in this order:
 * 1. the tool's note says it ("2.06 bpw quantization", "3.66 bpw quantization mix");
 * 2. one type throughout: that type's block size (bytes × 8 / elements per block, ggml-types.ts);
 * 3. a K-quant mix: the tool's own file size for Llama-3-8B ("4.58G" — GiB, as Q8_0's 7.96G = 8.03e9 × 8.5 bits
 *    shows) over its 8.03e9 parameters, which includes the bigger output/embedding types the mix uses;
 * otherwise null (MXFP4_MOE: MXFP4 experts but Q8_0 elsewhere — no single figure).
 */
export function bitsPerWeight(id: string, note: string): number | null {
  const bpw = /(\d+(?:\.\d+)?)\s*bpw/i.exec(note);
  if (bpw) return Number(bpw[1]);
  const single = SINGLE_TYPE[id];
  if (single !== undefined) {
    const s = typeSize(single);
    if (s) return (s.bytes * 8) / s.block;
  }
  const gib = /^(\d+(?:\.\d+)?)G\b.*@\s*Llama-3-8B/i.exec(note);
  if (gib) return Math.round(((Number(gib[1]) * 2 ** 30 * 8) / LLAMA3_8B_PARAMS) * 100) / 100;
  return null;
}

export function toQuantType(e: UsageEntry): QuantType {
  return QuantType.parse({
    id: e.id,
    ftype: e.ftype,
    toolNote: e.note,
    bitsPerWeight: bitsPerWeight(e.id, e.note),
    needsImatrix: NEEDS_IMATRIX.has(e.id),
    family: quantFamily(e.id),
  });
}

/** The useful targets from a usage text (pure). */
export function quantTypesFromUsage(text: string): QuantType[] {
  return parseQuantUsage(text)
    .filter(isUsefulTarget)
    .filter((e) => QuantType.shape.id.safeParse(e.id).success)
    .map(toQuantType);
}

const cache = new Map<string, Promise<QuantType[]>>();

/**
 * The types the llama-quantize at `quantizeBin` offers, cached per path + mtime + size (a runtime update replaces
 * the binary). Throws QUANT_TOOL_MISSING when it cannot run, QUANT_FAILED when its usage text lists no type.
 */
export async function listQuantTypes(quantizeBin: string, runTool: RunTool = defaultRunTool): Promise<QuantType[]> {
  let st;
  try {
    st = await fs.stat(quantizeBin);
  } catch {
    throw new AppError('QUANT_TOOL_MISSING', { tool: 'llama-quantize', path: quantizeBin });
  }
  const key = `${quantizeBin}\0${st.mtimeMs}\0${st.size}`;
  let p = cache.get(key);
  if (!p) {
    p = readTypes(quantizeBin, runTool);
    cache.set(key, p);
    p.catch(() => cache.delete(key));
  }
  return p;
}

async function readTypes(bin: string, runTool: RunTool): Promise<QuantType[]> {
  const r = await runTool(bin, ['--help'], { timeoutMs: 15_000, maxBytes: 256 * 1024 });
  if (r.missing) throw new AppError('QUANT_TOOL_MISSING', { tool: 'llama-quantize', path: bin }, r.error ?? undefined);
  const types = quantTypesFromUsage(r.stdout + '\n' + r.stderr);
  if (types.length === 0) {
    throw new AppError(
      'QUANT_FAILED',
      { type: '-', reason: 'llama-quantize --help listed no quantization types' },
      (r.stdout + r.stderr).slice(-4000),
    );
  }
  return types;
}
