/**
 * safetensors headers: 8 bytes little-endian length, then that many bytes of JSON naming each tensor's dtype and
 * shape. Reading one costs one small read per shard, so the parameter count comes from there. Quantized packings
 * are unpacked: AWQ/GPTQ `qweight` int32 tensors hold 32 / bits weights each; scales, zeros, g_idx and fp8 scales
 * are bookkeeping, not parameters.
 */
import { AppError } from '../../../shared/errors';
import { openRegularFile, readRegularText } from '../../util/regular-file';

/** Headers above this are refused (real ones are well under a few MiB). */
export const MAX_HEADER_BYTES = 32 * 1024 * 1024;

const BOOKKEEPING =
  /(?:^|\.)(?:qzeros|scales|g_idx|weight_scale|input_scale|weight_zero_point|input_zero_point|weight_g_idx)$/;

/** Pure: parameters in one parsed header; null when it is not a safetensors header. */
export function countHeaderParams(header: unknown, quantBits: number | null): number | null {
  if (typeof header !== 'object' || header === null || Array.isArray(header)) return null;
  let total = 0;
  for (const [name, t] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') continue;
    if (typeof t !== 'object' || t === null) return null;
    const { shape, dtype } = t as { shape?: unknown; dtype?: unknown };
    if (!Array.isArray(shape) || typeof dtype !== 'string') return null;
    let n = 1;
    for (const d of shape) {
      if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) return null;
      n *= d;
    }
    if (BOOKKEEPING.test(name)) continue;
    if (/(?:^|\.)qweight$/.test(name) && dtype === 'I32') n *= Math.floor(32 / (quantBits ?? 4));
    total += n;
  }
  return total;
}

/** Reads and parses one shard's header; throws an Error saying what is wrong. */
export async function readSafetensorsHeader(file: string): Promise<unknown> {
  const fh = await openRegularFile(file);
  try {
    const { size } = await fh.stat();
    if (size < 8) throw new Error('shorter than a safetensors header');
    const len = Buffer.alloc(8);
    await fh.read(len, 0, 8, 0);
    const n = len.readBigUInt64LE(0);
    if (n < 2n || n > BigInt(MAX_HEADER_BYTES) || n + 8n > BigInt(size))
      throw new Error(`header length ${n} is not plausible for a ${size}-byte file`);
    const buf = Buffer.alloc(Number(n));
    const { bytesRead } = await fh.read(buf, 0, buf.length, 8);
    if (bytesRead !== buf.length) throw new Error('header cut short');
    return JSON.parse(buf.toString('utf8')) as unknown;
  } finally {
    await fh.close();
  }
}

/**
 * A downloaded snapshot file whose SHA-256 matched, checked before it moves in: a shard must have a readable
 * safetensors header, a .json file must parse. Throws VLLM_BAD_MODEL naming the file.
 */
export async function checkSnapshotFile(file: string, name: string): Promise<void> {
  try {
    if (/\.safetensors$/i.test(name)) {
      if (countHeaderParams(await readSafetensorsHeader(file), null) === null)
        throw new Error('not a safetensors header');
    } else if (/\.json$/i.test(name)) {
      JSON.parse(await readRegularText(file, 64 * 1024 * 1024));
    }
  } catch (e) {
    throw new AppError('VLLM_BAD_MODEL', { path: name, reason: (e as Error).message.slice(0, 200) });
  }
}
