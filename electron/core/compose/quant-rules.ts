/**
 * The decisions behind quant.plan and quant.start (issue 14), apart from their I/O: what a result is called and
 * where it goes, the warnings a type gets for a source, whether the disk holds all requested results, which
 * imatrix file belongs to a model + text, and the checks a request must pass before anything is queued. All pure.
 */
import path from 'node:path';
import { AppError } from '../../shared/errors';
import { formatBytes } from '../../shared/format';
import type { EvalTextId, QuantType, QuantWarning, WorkJob } from '../../shared/quant';

/** F32/F16/BF16/Q8_0 (llama-quantize's names; case-insensitive). */
const HIGH = new Set(['F32', 'F16', 'BF16', 'Q8_0']);
export const isHighPrecisionType = (t: string | null): boolean => t !== null && HIGH.has(t.toUpperCase());

const SPLIT_SUFFIX = /-\d{5}-of-\d{5}$/i;
/** A quantization in a file name: -F16, .Q8_0, -q4_k_m, -IQ2_XXS, -TQ1_0, -MXFP4_MOE, -BF16 … at the end. */
const QUANT_SUFFIX = /[-_.](?:[IT]?Q\d(?:_[A-Z0-9]+)*|B?F(?:16|32)|MXFP4(?:_[A-Z]+)?)$/i;

/** The source's base name without .gguf, the split suffix and a trailing quantization. */
export function baseNameOf(sourcePath: string): string {
  let b = path.basename(sourcePath).replace(/\.gguf$/i, '');
  b = b.replace(SPLIT_SUFFIX, '');
  const stripped = b.replace(QUANT_SUFFIX, '');
  return stripped.length > 0 ? stripped : b;
}

/** `<base>-<TYPE>.gguf`. */
export function outputNameOf(sourcePath: string, type: string): string {
  return `${baseNameOf(sourcePath)}-${type}.gguf`;
}

const inside = (root: string, p: string) => {
  const rel = path.relative(root, p);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
};

/** The source's folder when it is inside the models folder, else the models folder itself. */
export function outputDirOf(sourcePath: string, modelsDir: string): string {
  const dir = path.dirname(path.resolve(sourcePath));
  const root = path.resolve(modelsDir);
  return dir === root || inside(root, dir) ? dir : root;
}

/** Where the result grows until it is complete (hidden: the library never lists it). */
export function tempPathOf(output: string): string {
  return path.join(path.dirname(output), `.${path.basename(output)}.quantizing`);
}

/**
 * What an app that stopped mid-job left behind, to remove at the next start (no job runs then): the hidden temp
 * file of each interrupted quantize job — only inside the models folder, since work.json is a file on disk too —
 * and, in the imatrix folder, llama-imatrix's partial outputs (runImatrix names them `.<name>.<hex>.partial.gguf`).
 */
export function leftoverTemps(
  jobs: readonly Pick<WorkJob, 'kind' | 'state' | 'outputPath'>[],
  modelsDir: string,
  imatrixDir: string,
  imatrixNames: readonly string[],
): string[] {
  const root = path.resolve(modelsDir);
  const out = new Set<string>();
  for (const j of jobs) {
    if (j.kind !== 'quantize' || j.state !== 'interrupted' || !j.outputPath) continue;
    const output = path.resolve(j.outputPath);
    if (!/\.gguf$/i.test(output) || !inside(root, output)) continue;
    out.add(tempPathOf(output));
  }
  for (const n of imatrixNames)
    if (/^\.[^/\\]+\.[0-9a-f]{8}\.partial\.gguf$/.test(n)) out.add(path.join(imatrixDir, n));
  return [...out];
}

/** Why `type` is not a plain choice for this source. */
export function warningsFor(
  type: Pick<QuantType, 'id' | 'needsImatrix'>,
  source: { fileType: string | null; sizeBytes: number },
  expectedBytes: number | null,
): QuantWarning[] {
  const w: QuantWarning[] = [];
  if (source.fileType !== null && !isHighPrecisionType(source.fileType)) w.push('requantize');
  if (type.needsImatrix) w.push('needs-imatrix');
  if (expectedBytes !== null && expectedBytes >= source.sizeBytes) w.push('not-smaller');
  if (source.fileType !== null && source.fileType.toUpperCase() === type.id.toUpperCase()) w.push('same-type');
  return w;
}

/** The estimate may be off a little, and a full disk must not be the way we find out: 5 % + 64 MiB spare. */
export function spaceNeeded(expectedBytes: number): number {
  return Math.ceil(expectedBytes * 1.05) + 64 * 1024 * 1024;
}

/**
 * QUANT_NO_SPACE for the first type whose result (with those before it) does not fit in `free`; a type without
 * an estimate counts as the source's size (llama-quantize never writes more than a float copy).
 */
export function checkSpace(
  dir: string,
  free: number | null,
  wanted: { type: string; expectedBytes: number | null }[],
  sourceBytes: number,
): void {
  if (free === null) return;
  let needed = 0;
  for (const w of wanted) {
    needed += spaceNeeded(w.expectedBytes ?? sourceBytes);
    if (needed > free)
      throw new AppError('QUANT_NO_SPACE', { dir, type: w.type, needed: formatBytes(needed), free: formatBytes(free) });
  }
}

/** What a request asks for, checked against the tool's types and the source (no file is looked at). */
export function checkTypes(
  requested: string[],
  known: QuantType[],
  source: { fileType: string | null },
  imatrix: 'none' | 'compute' | 'file',
  allowRequantize: boolean,
): QuantType[] {
  const byId = new Map(known.map((t) => [t.id.toUpperCase(), t]));
  const out: QuantType[] = [];
  for (const id of requested) {
    const t = byId.get(id.toUpperCase());
    if (!t) throw new AppError('QUANT_UNKNOWN_TYPE', { type: id, known: known.map((k) => k.id).join(', ') });
    if (!out.some((o) => o.id === t.id)) out.push(t);
  }
  for (const t of out) {
    if (t.needsImatrix && imatrix === 'none') throw new AppError('QUANT_NEEDS_IMATRIX', { type: t.id });
  }
  if (source.fileType !== null && !isHighPrecisionType(source.fileType) && !allowRequantize)
    throw new AppError('QUANT_REQUANTIZE', { from: source.fileType, type: out[0]!.id });
  return out;
}

/** The app's importance matrix for a model (by its sha256) and a calibration text. */
export function imatrixFileName(modelSha256: string, text: EvalTextId): string {
  return `${modelSha256.slice(0, 32)}-${text}.imatrix.gguf`;
}

/** The inverse: which model and text an imatrix file in dataDir/imatrix belongs to; null for other files. */
export function parseImatrixFileName(name: string): { shaPrefix: string; text: EvalTextId } | null {
  const m = /^([0-9a-f]{32})-(en|zh-CN)\.imatrix\.gguf$/.exec(name);
  return m ? { shaPrefix: m[1]!, text: m[2] as EvalTextId } : null;
}
