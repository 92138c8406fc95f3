/**
 * Is a file an importance matrix llama-quantize will take? Header-only checks of both layouts common/imatrix-loader.cpp
 * reads at the pin: GGUF (tensors "<weight>.in_sum2" + "<weight>.counts", F32, and the imatrix.datasets /
 * imatrix.chunk_count / imatrix.chunk_size keys — without them llama-quantize refuses with "missing imatrix
 * metadata"), or the legacy .dat (int32 entry count, then per entry: int32 name length, name, int32 ncall,
 * int32 nval, nval floats; an optional chunk count and dataset name after). The file is whatever the user chose:
 * every count is bounded and every read is checked against the size.
 */
import { AppError } from '../../../shared/errors';
import { fileSource, GgufError, readGguf, type ByteSource, type GgufHeader } from '../../models/gguf';
import { isNotRegular, openRegularFile } from '../../util/regular-file';

const GGUF_KEYS = ['imatrix.datasets', 'imatrix.chunk_count', 'imatrix.chunk_size'];
const MAX_LEGACY_ENTRIES = 1 << 20;
const MAX_WALK = 4096;
const MAX_NAME = 4096;

class Invalid extends Error {}

/** Why a GGUF header is not an imatrix (pure), or null when it is one. */
export function ggufImatrixProblem(h: GgufHeader): string | null {
  const missing = GGUF_KEYS.filter((k) => !h.metadata.has(k));
  if (missing.length === GGUF_KEYS.length) {
    return h.metadata.has('general.architecture')
      ? 'it is a model file, not an importance matrix'
      : 'a GGUF file without imatrix.* metadata';
  }
  if (missing.length > 0) return `missing imatrix metadata (${missing.join(', ')})`;
  if (h.tensors.length === 0) return 'it holds no data';
  const sums = new Set<string>();
  const counts = new Set<string>();
  for (const t of h.tensors) {
    if (t.type !== 0) return `tensor ${t.name.slice(0, 80)} is not F32`;
    if (t.name.endsWith('.in_sum2')) sums.add(t.name.slice(0, -'.in_sum2'.length));
    else if (t.name.endsWith('.counts')) counts.add(t.name.slice(0, -'.counts'.length));
  }
  if (sums.size === 0) return 'it holds no activation sums (*.in_sum2)';
  for (const s of sums) if (!counts.has(s)) return `no counts for ${s.slice(0, 80)}`;
  for (const c of counts) if (!sums.has(c)) return `no sums for ${c.slice(0, 80)}`;
  return null;
}

async function readI32(src: ByteSource, at: number): Promise<number> {
  if (at + 4 > src.size) throw new Invalid(`ends early (at byte ${at})`);
  const b = await src.read(at, 4);
  if (b.length < 4) throw new Invalid(`ends early (at byte ${at})`);
  return new DataView(b.buffer, b.byteOffset, 4).getInt32(0, true);
}

/** Walks the legacy layout's entry headers (the first MAX_WALK of them), checking that each fits the file. */
export async function checkLegacyImatrix(src: ByteSource): Promise<void> {
  const n = await readI32(src, 0);
  if (n < 1 || n > MAX_LEGACY_ENTRIES) throw new Invalid(`implausible entry count ${n}`);
  let pos = 4;
  for (let i = 0; i < Math.min(n, MAX_WALK); i++) {
    const len = await readI32(src, pos);
    if (len < 1 || len > MAX_NAME) throw new Invalid(`entry ${i + 1} has an implausible name length ${len}`);
    if (pos + 4 + len > src.size) throw new Invalid(`entry ${i + 1} ends early`);
    const name = Buffer.from(await src.read(pos + 4, len)).toString('utf8');
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f\ufffd]/.test(name)) throw new Invalid(`entry ${i + 1} has no readable tensor name`);
    pos += 4 + len;
    const ncall = await readI32(src, pos);
    const nval = await readI32(src, pos + 4);
    if (ncall < 0) throw new Invalid(`entry ${name.slice(0, 80)} has a negative call count`);
    if (nval < 1 || nval > 1 << 28) throw new Invalid(`entry ${name.slice(0, 80)} has an implausible size ${nval}`);
    pos += 8 + nval * 4;
    if (pos > src.size) throw new Invalid(`entry ${name.slice(0, 80)} ends past the end of the file`);
  }
}

/** IMATRIX_INVALID {path, reason} unless `file` is an importance matrix in either layout. */
export async function checkImatrixFile(file: string): Promise<void> {
  const invalid = (reason: string, details?: string) =>
    new AppError('IMATRIX_INVALID', { path: file, reason }, details);
  let handle;
  try {
    handle = await openRegularFile(file);
  } catch (e) {
    if (isNotRegular(e)) throw invalid('not a regular file');
    throw invalid('it cannot be opened', (e as Error).message);
  }
  try {
    const { size } = await handle.stat();
    if (size < 8) throw invalid('the file is too small');
    const src = fileSource(handle, size);
    const magic = Buffer.from(await src.read(0, 4)).toString('latin1');
    if (magic === 'GGUF') {
      let h: GgufHeader;
      try {
        h = await readGguf(src);
      } catch (e) {
        if (e instanceof GgufError) throw invalid(`a damaged GGUF file: ${e.message}`);
        throw e;
      }
      const problem = ggufImatrixProblem(h);
      if (problem) throw invalid(problem);
      return;
    }
    try {
      await checkLegacyImatrix(src);
    } catch (e) {
      if (e instanceof Invalid) throw invalid(`not GGUF, and not the legacy .dat layout: ${e.message}`);
      throw e;
    }
  } finally {
    await handle.close();
  }
}
