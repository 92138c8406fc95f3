/**
 * GGUF header reader: metadata and tensor infos from any byte source (a local file now, HTTP Range later).
 * Built for hostile input: every count and length is bounded before anything is allocated, large arrays
 * (the vocabulary) are skipped rather than kept, and running past the end is a typed "truncated" error.
 */
import fs from 'node:fs/promises';
import { openRegularFile } from '../util/regular-file';
import { ggmlTypeSize } from './ggml-types';

export interface ByteSource {
  readonly size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
  close?(): Promise<void>;
}

export type GgufScalar = number | bigint | boolean | string;
export interface GgufArray {
  readonly type: number;
  readonly length: number;
  /** Kept only for short arrays; the vocabulary and merges are skipped. */
  readonly values: GgufScalar[] | null;
}
export type GgufValue = GgufScalar | GgufArray;

export interface GgufTensorInfo {
  name: string;
  dims: number[];
  type: number;
  /** Relative to the start of the data section. */
  offset: number;
  /** Null when the ggml type is not known to this reader. */
  bytes: number | null;
}

export interface GgufHeader {
  version: number;
  metadata: Map<string, GgufValue>;
  tensors: GgufTensorInfo[];
  alignment: number;
  dataOffset: number;
  fileSize: number;
}

export type GgufErrorKind = 'not-gguf' | 'truncated' | 'corrupt' | 'unsupported-version';

export class GgufError extends Error {
  constructor(
    readonly kind: GgufErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'GgufError';
  }
}

export const LIMITS = {
  maxTensors: 1 << 20,
  maxKv: 1 << 16,
  maxStringBytes: 1 << 24,
  maxArrayLength: 1 << 28,
  keepArrayValues: 64,
  maxKeptStrings: 1 << 22,
  maxDims: 4,
  maxHeaderBytes: 1 << 30,
};

const T = {
  U8: 0,
  I8: 1,
  U16: 2,
  I16: 3,
  U32: 4,
  I32: 5,
  F32: 6,
  BOOL: 7,
  STRING: 8,
  ARRAY: 9,
  U64: 10,
  I64: 11,
  F64: 12,
} as const;
const FIXED_SIZE: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };

export function fileSource(handle: fs.FileHandle, size: number): ByteSource {
  return {
    size,
    async read(offset, length) {
      const buf = Buffer.allocUnsafe(length);
      const { bytesRead } = await handle.read(buf, 0, length, offset);
      return buf.subarray(0, bytesRead);
    },
    close: () => handle.close(),
  };
}

/** Sequential reader over a ByteSource with a sliding window, so parsing costs few reads. */
class Cursor {
  pos = 0;
  private buf: Uint8Array = new Uint8Array(0);
  private bufStart = 0;
  private readonly decoder = new TextDecoder('utf-8', { fatal: false });
  constructor(
    private readonly src: ByteSource,
    private readonly chunk = 1 << 20,
  ) {}

  private async ensure(n: number): Promise<DataView> {
    if (this.pos + n > this.src.size)
      throw new GgufError('truncated', `header runs past the end of the file (at byte ${this.pos}, need ${n} more)`);
    if (this.pos > LIMITS.maxHeaderBytes) throw new GgufError('corrupt', 'header is implausibly large');
    const end = this.bufStart + this.buf.length;
    if (this.pos < this.bufStart || this.pos + n > end) {
      const len = Math.min(Math.max(n, this.chunk), this.src.size - this.pos);
      this.buf = await this.src.read(this.pos, len);
      this.bufStart = this.pos;
      if (this.buf.length < n) throw new GgufError('truncated', `short read at byte ${this.pos}`);
    }
    const view = new DataView(this.buf.buffer, this.buf.byteOffset + (this.pos - this.bufStart), n);
    this.pos += n;
    return view;
  }
  /** "GGUF" read as a little-endian u32. */
  async magic() {
    return (await this.u32()) === 0x46554747;
  }
  async u32() {
    return (await this.ensure(4)).getUint32(0, true);
  }
  async u64(): Promise<number> {
    const v = (await this.ensure(8)).getBigUint64(0, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER))
      throw new GgufError('corrupt', `value ${v} at byte ${this.pos - 8} is out of range`);
    return Number(v);
  }
  async string(): Promise<string> {
    const len = await this.u64();
    if (len > LIMITS.maxStringBytes) throw new GgufError('corrupt', `string of ${len} bytes at byte ${this.pos - 8}`);
    const view = await this.ensure(len);
    return this.decoder.decode(new Uint8Array(view.buffer, view.byteOffset, len));
  }
  /**
   * `count` strings kept (a vocabulary): decoded straight from the window while they lie inside it, so 150k tokens
   * cost one await per window instead of three per token.
   */
  async strings(count: number): Promise<string[]> {
    const out: string[] = new Array<string>(count);
    for (let i = 0; i < count;) {
      const b = Buffer.from(this.buf.buffer, this.buf.byteOffset, this.buf.length);
      let off = this.pos - this.bufStart;
      while (i < count && off >= 0 && off + 8 <= b.length) {
        const len = Number(b.readBigUInt64LE(off));
        if (len > LIMITS.maxStringBytes) throw new GgufError('corrupt', `string of ${len} bytes at byte ${this.pos}`);
        if (off + 8 + len > b.length) break;
        out[i++] = b.toString('utf8', off + 8, off + 8 + len);
        off += 8 + len;
        this.pos += 8 + len;
      }
      if (i < count) out[i++] = await this.string(); // crosses the window: the slow path refills it
    }
    return out;
  }
  async skipStrings(count: number) {
    for (let i = 0; i < count; i++) {
      const len = await this.u64();
      if (len > LIMITS.maxStringBytes) throw new GgufError('corrupt', `string of ${len} bytes at byte ${this.pos - 8}`);
      this.skip(len);
    }
  }
  skip(n: number) {
    if (this.pos + n > this.src.size)
      throw new GgufError('truncated', `header runs past the end of the file (at byte ${this.pos}, skipping ${n})`);
    this.pos += n;
  }
  async scalar(type: number): Promise<GgufScalar> {
    switch (type) {
      case T.U8:
        return (await this.ensure(1)).getUint8(0);
      case T.I8:
        return (await this.ensure(1)).getInt8(0);
      case T.U16:
        return (await this.ensure(2)).getUint16(0, true);
      case T.I16:
        return (await this.ensure(2)).getInt16(0, true);
      case T.U32:
        return (await this.ensure(4)).getUint32(0, true);
      case T.I32:
        return (await this.ensure(4)).getInt32(0, true);
      case T.F32:
        return (await this.ensure(4)).getFloat32(0, true);
      case T.BOOL:
        return (await this.ensure(1)).getUint8(0) !== 0;
      case T.STRING:
        return this.string();
      case T.U64: {
        const v = (await this.ensure(8)).getBigUint64(0, true);
        return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
      }
      case T.I64: {
        const v = (await this.ensure(8)).getBigInt64(0, true);
        return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v;
      }
      case T.F64:
        return (await this.ensure(8)).getFloat64(0, true);
      default:
        throw new GgufError('corrupt', `unknown value type ${type} at byte ${this.pos - 4}`);
    }
  }
}

async function readValue(c: Cursor, type: number, keep = false): Promise<GgufValue> {
  if (type !== T.ARRAY) return c.scalar(type);
  const itemType = await c.u32();
  const length = await c.u64();
  if (itemType === T.ARRAY) throw new GgufError('corrupt', 'nested arrays are not allowed');
  if (length > LIMITS.maxArrayLength) throw new GgufError('corrupt', `array of ${length} items`);
  // Kept only up to 4M items (the largest vocabularies have ~260k): a hostile count cannot make us hold it all.
  if (keep && itemType === T.STRING && length <= LIMITS.maxKeptStrings)
    return { type: itemType, length, values: await c.strings(length) };
  if (length <= LIMITS.keepArrayValues) {
    const values: GgufScalar[] = [];
    for (let i = 0; i < length; i++) values.push(await c.scalar(itemType));
    return { type: itemType, length, values };
  }
  if (itemType === T.STRING) await c.skipStrings(length);
  else {
    const size = FIXED_SIZE[itemType];
    if (size === undefined) throw new GgufError('corrupt', `unknown array item type ${itemType}`);
    c.skip(size * length);
  }
  return { type: itemType, length, values: null };
}

export interface ReadGgufOptions {
  /** String arrays to keep whatever their length (e.g. tokenizer.ggml.tokens for the draft-model check). */
  keepArrays?: ReadonlySet<string>;
}

/** Parses the header and checks the structure: magic, version, counts, and that every tensor lies inside the file. */
export async function readGguf(src: ByteSource, opts: ReadGgufOptions = {}): Promise<GgufHeader> {
  const c = new Cursor(src);
  if (src.size < 4) throw new GgufError('not-gguf', 'file is too small to be GGUF');
  if (!(await c.magic())) throw new GgufError('not-gguf', 'missing GGUF magic');
  const version = await c.u32();
  if (version < 2 || version > 3)
    throw new GgufError('unsupported-version', `GGUF version ${version} is not supported`);
  const tensorCount = await c.u64();
  const kvCount = await c.u64();
  if (tensorCount > LIMITS.maxTensors) throw new GgufError('corrupt', `implausible tensor count ${tensorCount}`);
  if (kvCount > LIMITS.maxKv) throw new GgufError('corrupt', `implausible metadata count ${kvCount}`);

  const metadata = new Map<string, GgufValue>();
  for (let i = 0; i < kvCount; i++) {
    const key = await c.string();
    const type = await c.u32();
    metadata.set(key, await readValue(c, type, opts.keepArrays?.has(key) ?? false));
  }

  const alignmentRaw = metadata.get('general.alignment');
  const alignment = typeof alignmentRaw === 'number' ? alignmentRaw : 32;
  if (!Number.isInteger(alignment) || alignment <= 0 || (alignment & (alignment - 1)) !== 0 || alignment > 1 << 16) {
    throw new GgufError('corrupt', `invalid general.alignment ${String(alignmentRaw)}`);
  }

  const tensors: GgufTensorInfo[] = [];
  for (let i = 0; i < tensorCount; i++) {
    const name = await c.string();
    const nDims = await c.u32();
    if (nDims < 1 || nDims > LIMITS.maxDims) throw new GgufError('corrupt', `tensor ${name} has ${nDims} dimensions`);
    const dims: number[] = [];
    let elements = 1;
    for (let d = 0; d < nDims; d++) {
      const n = await c.u64();
      if (n === 0) throw new GgufError('corrupt', `tensor ${name} has a zero dimension`);
      elements *= n;
      if (elements > Number.MAX_SAFE_INTEGER) throw new GgufError('corrupt', `tensor ${name} is implausibly large`);
      dims.push(n);
    }
    const type = await c.u32();
    const offset = await c.u64();
    if (offset % alignment !== 0) throw new GgufError('corrupt', `tensor ${name} data is not aligned`);
    const traits = ggmlTypeSize(type);
    let bytes: number | null = null;
    if (traits) {
      if ((dims[0] ?? 0) % traits.block !== 0)
        throw new GgufError('corrupt', `tensor ${name} row is not a whole number of blocks`);
      bytes = (elements / traits.block) * traits.bytes;
    }
    tensors.push({ name, dims, type, offset, bytes });
  }

  const dataOffset = Math.ceil(c.pos / alignment) * alignment;
  const dataSize = src.size - dataOffset;
  for (const t of tensors) {
    const end = t.offset + (t.bytes ?? 0);
    if (t.offset > dataSize || end > dataSize) {
      throw new GgufError(
        'truncated',
        `tensor ${t.name} ends at byte ${dataOffset + end} but the file has ${src.size} bytes`,
      );
    }
  }
  return { version, metadata, tensors, alignment, dataOffset, fileSize: src.size };
}

export async function readGgufFile(path: string, opts: ReadGgufOptions = {}): Promise<GgufHeader> {
  // A pipe or device is refused (NotRegularFileError, code ENOTREG) instead of blocking a libuv thread on open.
  const handle = await openRegularFile(path);
  try {
    const { size } = await handle.stat();
    return await readGguf(fileSource(handle, size), opts);
  } finally {
    await handle.close();
  }
}

export const metaString = (h: GgufHeader, key: string): string | null => {
  const v = h.metadata.get(key);
  return typeof v === 'string' ? v : null;
};
export const metaNumber = (h: GgufHeader, key: string): number | null => {
  const v = h.metadata.get(key);
  return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : null;
};
