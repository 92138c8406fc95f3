// Minimal GGUF v3 reader (header, key/values, tensor infos) and writer, in plain Node.
//
// Used by scripts/make-test-model.mjs to build synthetic models, and by test helpers that need to craft
// GGUF files by hand (a truncated copy, a wrong magic, a missing key, an odd alignment...).
//
// Layout (little endian):
//   u32 magic "GGUF" | u32 version | u64 n_tensors | u64 n_kv
//   n_kv × (string key | u32 value type | value)           string = u64 byte length + UTF-8 bytes
//   n_tensors × (string name | u32 n_dims | u64 ne[n_dims] | u32 ggml type | u64 offset into the data section)
//   padding to `general.alignment` (default 32) | tensor data, each tensor starting at an aligned offset
import fs from 'node:fs';
import path from 'node:path';

export const GGUF_MAGIC = 0x46554747; // "GGUF" read as a little-endian u32
export const GGUF_VERSION = 3;
export const GGUF_DEFAULT_ALIGNMENT = 32;

/** Value types of the key/value section. */
export const GGUFType = Object.freeze({
  UINT8: 0,
  INT8: 1,
  UINT16: 2,
  INT16: 3,
  UINT32: 4,
  INT32: 5,
  FLOAT32: 6,
  BOOL: 7,
  STRING: 8,
  ARRAY: 9,
  UINT64: 10,
  INT64: 11,
  FLOAT64: 12,
});

const SCALAR_SIZE = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };

/** The ggml tensor types this writer can size by itself (others need an explicit `size`). */
export const GGMLType = Object.freeze({ F32: 0, F16: 1, Q4_0: 2, Q4_1: 3, Q5_0: 6, Q5_1: 7, Q8_0: 8, BF16: 30 });
// [block size in elements, bytes per block]
const GGML_BLOCK = {
  0: [1, 4],
  1: [1, 2],
  2: [32, 18],
  3: [32, 20],
  6: [32, 22],
  7: [32, 24],
  8: [32, 34],
  30: [1, 2],
};

/** llama_ftype values for `general.file_type`. */
export const LlamaFileType = Object.freeze({
  ALL_F32: 0,
  MOSTLY_F16: 1,
  MOSTLY_Q4_0: 2,
  MOSTLY_Q8_0: 7,
  MOSTLY_BF16: 32,
});

export class GGUFFormatError extends Error {
  constructor(message) {
    super(message);
    this.name = 'GGUFFormatError';
  }
}

// ---------------------------------------------------------------------------------------------------------
// Typed value constructors: kv entries are { type, value } (arrays: { type: ARRAY, itemType, value }).

export const gguf = Object.freeze({
  u8: (value) => ({ type: GGUFType.UINT8, value }),
  i8: (value) => ({ type: GGUFType.INT8, value }),
  u16: (value) => ({ type: GGUFType.UINT16, value }),
  i16: (value) => ({ type: GGUFType.INT16, value }),
  u32: (value) => ({ type: GGUFType.UINT32, value }),
  i32: (value) => ({ type: GGUFType.INT32, value }),
  f32: (value) => ({ type: GGUFType.FLOAT32, value }),
  bool: (value) => ({ type: GGUFType.BOOL, value }),
  str: (value) => ({ type: GGUFType.STRING, value }),
  u64: (value) => ({ type: GGUFType.UINT64, value }),
  i64: (value) => ({ type: GGUFType.INT64, value }),
  f64: (value) => ({ type: GGUFType.FLOAT64, value }),
  arr: (itemType, value) => ({ type: GGUFType.ARRAY, itemType, value }),
});

// ---------------------------------------------------------------------------------------------------------
// Reader

class Cursor {
  constructor(buf, pos = 0) {
    this.buf = buf;
    this.pos = pos;
  }
  need(n, what) {
    if (this.pos + n > this.buf.length) this.fail(this.pos, n, what);
  }
  fail(pos, n, what) {
    throw new GGUFFormatError(
      `unexpected end of data reading ${what} at byte ${pos} (need ${n}, have ${Math.max(0, this.buf.length - pos)})`,
    );
  }
  u32(what = 'u32') {
    this.need(4, what);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }
  u64(what = 'u64') {
    this.need(8, what);
    const v = this.buf.readBigUInt64LE(this.pos);
    this.pos += 8;
    return v;
  }
  /** u64 that must fit a JS number (counts, lengths, offsets). */
  size(what) {
    const v = this.u64(what);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new GGUFFormatError(`${what} too large: ${v}`);
    return Number(v);
  }
  str(what = 'string') {
    const n = this.size(`${what} length`);
    this.need(n, what);
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }
  scalar(type) {
    const b = this.buf;
    const size = SCALAR_SIZE[type];
    if (size === undefined) throw new GGUFFormatError(`unknown GGUF value type ${type} at byte ${this.pos - 4}`);
    this.need(size, `value of type ${type}`);
    const p = this.pos;
    this.pos += size;
    switch (type) {
      case GGUFType.UINT8:
        return b.readUInt8(p);
      case GGUFType.INT8:
        return b.readInt8(p);
      case GGUFType.UINT16:
        return b.readUInt16LE(p);
      case GGUFType.INT16:
        return b.readInt16LE(p);
      case GGUFType.UINT32:
        return b.readUInt32LE(p);
      case GGUFType.INT32:
        return b.readInt32LE(p);
      case GGUFType.FLOAT32:
        return b.readFloatLE(p);
      case GGUFType.BOOL:
        return b[p] !== 0;
      case GGUFType.UINT64:
        return b.readBigUInt64LE(p);
      case GGUFType.INT64:
        return b.readBigInt64LE(p);
      case GGUFType.FLOAT64:
        return b.readDoubleLE(p);
    }
    return undefined;
  }
  value(type, key) {
    if (type === GGUFType.STRING) return { type, value: this.str(`value of ${key}`) };
    if (type !== GGUFType.ARRAY) return { type, value: this.scalar(type) };
    const itemType = this.u32(`array type of ${key}`);
    const n = this.size(`array length of ${key}`);
    if (itemType === GGUFType.ARRAY) throw new GGUFFormatError(`nested arrays are not supported (${key})`);
    if (itemType === GGUFType.STRING) {
      const out = new Array(n);
      const b = this.buf;
      let p = this.pos;
      for (let i = 0; i < n; i++) {
        if (p + 8 > b.length) this.fail(p, 8, `${key}[${i}] length`);
        const len = b.readUInt32LE(p) + b.readUInt32LE(p + 4) * 4294967296;
        p += 8;
        if (p + len > b.length) this.fail(p, len, `${key}[${i}]`);
        out[i] = b.toString('utf8', p, p + len);
        p += len;
      }
      this.pos = p;
      return { type, itemType, value: out };
    }
    const size = SCALAR_SIZE[itemType];
    if (size === undefined) throw new GGUFFormatError(`unknown array item type ${itemType} (${key})`);
    this.need(n * size, `${key} (${n} items)`);
    const p = this.pos;
    let out;
    // Copy into typed arrays (the source may be unaligned); fast even for 100k+ entries.
    const bytes = this.buf.subarray(p, p + n * size);
    const copy = (Ctor) => new Ctor(new Uint8Array(bytes).buffer);
    switch (itemType) {
      case GGUFType.UINT8:
        out = copy(Uint8Array);
        break;
      case GGUFType.INT8:
        out = copy(Int8Array);
        break;
      case GGUFType.UINT16:
        out = copy(Uint16Array);
        break;
      case GGUFType.INT16:
        out = copy(Int16Array);
        break;
      case GGUFType.UINT32:
        out = copy(Uint32Array);
        break;
      case GGUFType.INT32:
        out = copy(Int32Array);
        break;
      case GGUFType.FLOAT32:
        out = copy(Float32Array);
        break;
      case GGUFType.FLOAT64:
        out = copy(Float64Array);
        break;
      case GGUFType.UINT64:
        out = copy(BigUint64Array);
        break;
      case GGUFType.INT64:
        out = copy(BigInt64Array);
        break;
      case GGUFType.BOOL:
        out = Array.from(bytes, (x) => x !== 0);
        break;
    }
    this.pos += n * size;
    return { type, itemType, value: out };
  }
}

/**
 * Parses a GGUF header from a Buffer holding at least the whole header (the tensor data may be absent).
 * Returns { version, kv: Map<key, {type, value, itemType?}>, tensors: [{name, ne: number[], type, offset}],
 * alignment, dataOffset (absolute file offset of the data section), headerSize }.
 * Throws GGUFFormatError on a bad magic, an unsupported version or truncated data.
 */
export function parseGGUF(buf) {
  const c = new Cursor(buf);
  const magic = c.u32('magic');
  if (magic !== GGUF_MAGIC) {
    throw new GGUFFormatError(`bad magic 0x${magic.toString(16).padStart(8, '0')} (not a GGUF file)`);
  }
  const version = c.u32('version');
  if (version !== 2 && version !== 3) throw new GGUFFormatError(`unsupported GGUF version ${version}`);
  const nTensors = c.size('tensor count');
  const nKv = c.size('kv count');
  const kv = new Map();
  for (let i = 0; i < nKv; i++) {
    const key = c.str(`key #${i}`);
    const type = c.u32(`type of ${key}`);
    kv.set(key, c.value(type, key));
  }
  const tensors = [];
  for (let i = 0; i < nTensors; i++) {
    const name = c.str(`tensor name #${i}`);
    const nDims = c.u32(`n_dims of ${name}`);
    if (nDims > 4) throw new GGUFFormatError(`tensor ${name} has ${nDims} dims (max 4)`);
    const ne = [];
    for (let d = 0; d < nDims; d++) ne.push(c.size(`ne[${d}] of ${name}`));
    const type = c.u32(`type of ${name}`);
    const offset = c.size(`offset of ${name}`);
    tensors.push({ name, ne, type, offset });
  }
  const alignEntry = kv.get('general.alignment');
  const alignment = alignEntry ? Number(alignEntry.value) : GGUF_DEFAULT_ALIGNMENT;
  const headerSize = c.pos;
  const dataOffset = alignUp(headerSize, alignment);
  return { version, kv, tensors, alignment, dataOffset, headerSize };
}

/**
 * Reads a GGUF file's header without loading its tensor data (reads a growing prefix until the header parses).
 * Adds `fileSize` to parseGGUF's result.
 */
export function readGGUF(file) {
  const fd = fs.openSync(file, 'r');
  try {
    const fileSize = fs.fstatSync(fd).size;
    let want = Math.min(fileSize, 4 << 20);
    for (;;) {
      const buf = Buffer.allocUnsafe(want);
      const got = fs.readSync(fd, buf, 0, want, 0);
      try {
        return { ...parseGGUF(buf.subarray(0, got)), fileSize };
      } catch (e) {
        if (!(e instanceof GGUFFormatError) || !/unexpected end of data/.test(e.message) || want >= fileSize) throw e;
        want = Math.min(fileSize, want * 4);
      }
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Byte size of a tensor's data for the types GGMLType knows. */
export function tensorByteSize(type, ne) {
  const spec = GGML_BLOCK[type];
  if (!spec) throw new Error(`unknown ggml type ${type}: pass an explicit size`);
  const n = ne.reduce((a, b) => a * b, 1);
  if (ne[0] % spec[0] !== 0) throw new Error(`ne[0]=${ne[0]} not a multiple of block size ${spec[0]}`);
  return (n / spec[0]) * spec[1];
}

export const alignUp = (n, a) => Math.ceil(n / a) * a;

// ---------------------------------------------------------------------------------------------------------
// Writer

function valueSize(entry, key) {
  const { type, value } = entry;
  if (type === GGUFType.STRING) return 8 + Buffer.byteLength(String(value), 'utf8');
  if (type !== GGUFType.ARRAY) {
    const s = SCALAR_SIZE[type];
    if (s === undefined) throw new Error(`kv ${key}: unknown type ${type}`);
    return s;
  }
  const { itemType } = entry;
  if (itemType === GGUFType.STRING) {
    let n = 12;
    for (let i = 0; i < value.length; i++) n += 8 + Buffer.byteLength(value[i], 'utf8');
    return n;
  }
  const s = SCALAR_SIZE[itemType];
  if (s === undefined) throw new Error(`kv ${key}: unknown array item type ${itemType}`);
  return 12 + s * value.length;
}

function writeScalar(buf, pos, type, v) {
  switch (type) {
    case GGUFType.UINT8:
      return buf.writeUInt8(Number(v), pos);
    case GGUFType.INT8:
      return buf.writeInt8(Number(v), pos);
    case GGUFType.UINT16:
      return buf.writeUInt16LE(Number(v), pos);
    case GGUFType.INT16:
      return buf.writeInt16LE(Number(v), pos);
    case GGUFType.UINT32:
      return buf.writeUInt32LE(Number(v), pos);
    case GGUFType.INT32:
      return buf.writeInt32LE(Number(v), pos);
    case GGUFType.FLOAT32:
      return buf.writeFloatLE(Number(v), pos);
    case GGUFType.BOOL:
      return buf.writeUInt8(v ? 1 : 0, pos);
    case GGUFType.UINT64:
      return buf.writeBigUInt64LE(BigInt(v), pos);
    case GGUFType.INT64:
      return buf.writeBigInt64LE(BigInt(v), pos);
    case GGUFType.FLOAT64:
      return buf.writeDoubleLE(Number(v), pos);
  }
  throw new Error(`unknown type ${type}`);
}

function writeString(buf, pos, s) {
  const n = buf.write(s, pos + 8, 'utf8');
  buf.writeBigUInt64LE(BigInt(n), pos);
  return pos + 8 + n;
}

const TYPED_FOR = {
  [GGUFType.UINT8]: Uint8Array,
  [GGUFType.INT8]: Int8Array,
  [GGUFType.UINT16]: Uint16Array,
  [GGUFType.INT16]: Int16Array,
  [GGUFType.UINT32]: Uint32Array,
  [GGUFType.INT32]: Int32Array,
  [GGUFType.FLOAT32]: Float32Array,
  [GGUFType.FLOAT64]: Float64Array,
  [GGUFType.UINT64]: BigUint64Array,
  [GGUFType.INT64]: BigInt64Array,
};

function writeValue(buf, pos, entry) {
  const { type, value } = entry;
  if (type === GGUFType.STRING) return writeString(buf, pos, String(value));
  if (type !== GGUFType.ARRAY) {
    writeScalar(buf, pos, type, value);
    return pos + SCALAR_SIZE[type];
  }
  const { itemType } = entry;
  buf.writeUInt32LE(itemType, pos);
  buf.writeBigUInt64LE(BigInt(value.length), pos + 4);
  pos += 12;
  if (itemType === GGUFType.STRING) {
    for (let i = 0; i < value.length; i++) pos = writeString(buf, pos, value[i]);
    return pos;
  }
  const size = SCALAR_SIZE[itemType];
  const Ctor = TYPED_FOR[itemType];
  if (Ctor) {
    // Bulk copy through a typed array (host is little endian on every platform Node supports here).
    const typed =
      value instanceof Ctor
        ? value
        : Ctor.from(value, (x) => (Ctor === BigUint64Array || Ctor === BigInt64Array ? BigInt(x) : x));
    Buffer.from(typed.buffer, typed.byteOffset, typed.byteLength).copy(buf, pos);
  } else {
    for (let i = 0; i < value.length; i++) writeScalar(buf, pos + i * size, itemType, value[i]);
  }
  return pos + size * value.length;
}

/**
 * Encodes the header (magic … tensor infos … padding up to the data section) of a GGUF file.
 *
 * spec = {
 *   kv: Map | Array<[key, entry]> | Record<key, entry>   entries from `gguf.*` or parseGGUF (order is kept),
 *   tensors: [{ name, ne: number[], type: GGMLType, size?: bytes, data?: Buffer | () => Buffer }],
 *   alignment?: number        default: kv general.alignment or 32 (does not add the key by itself),
 *   magic?, version?          override to craft broken files,
 * }
 * Returns { header: Buffer, tensors: [{...tensor, size, offset}], dataSize, totalSize }.
 */
export function encodeGGUFHeader(spec) {
  const entries =
    spec.kv instanceof Map ? [...spec.kv] : Array.isArray(spec.kv) ? spec.kv : Object.entries(spec.kv ?? {});
  const alignEntry = entries.find(([k]) => k === 'general.alignment');
  const alignment = spec.alignment ?? (alignEntry ? Number(alignEntry[1].value) : GGUF_DEFAULT_ALIGNMENT);
  const tensorsIn = spec.tensors ?? [];

  let dataSize = 0;
  const tensors = tensorsIn.map((t) => {
    const size = t.size ?? (Buffer.isBuffer(t.data) ? t.data.length : tensorByteSize(t.type, t.ne));
    const offset = t.offset ?? alignUp(dataSize, alignment);
    dataSize = Math.max(dataSize, offset + size);
    return { ...t, size, offset };
  });

  let n = 24;
  for (const [key, entry] of entries) n += 8 + Buffer.byteLength(key, 'utf8') + 4 + valueSize(entry, key);
  for (const t of tensors) n += 8 + Buffer.byteLength(t.name, 'utf8') + 4 + 8 * t.ne.length + 4 + 8;
  const headerSize = alignUp(n, alignment);

  const buf = Buffer.alloc(headerSize); // zero padding
  buf.writeUInt32LE(spec.magic ?? GGUF_MAGIC, 0);
  buf.writeUInt32LE(spec.version ?? GGUF_VERSION, 4);
  buf.writeBigUInt64LE(BigInt(tensors.length), 8);
  buf.writeBigUInt64LE(BigInt(entries.length), 16);
  let pos = 24;
  for (const [key, entry] of entries) {
    pos = writeString(buf, pos, key);
    buf.writeUInt32LE(entry.type, pos);
    pos = writeValue(buf, pos + 4, entry);
  }
  for (const t of tensors) {
    pos = writeString(buf, pos, t.name);
    buf.writeUInt32LE(t.ne.length, pos);
    pos += 4;
    for (const d of t.ne) {
      buf.writeBigUInt64LE(BigInt(d), pos);
      pos += 8;
    }
    buf.writeUInt32LE(t.type, pos);
    buf.writeBigUInt64LE(BigInt(t.offset), pos + 4);
    pos += 12;
  }
  if (pos !== n) throw new Error(`internal: header size ${pos} != computed ${n}`);
  const totalSize = headerSize + alignUp(dataSize, alignment);
  return { header: buf, tensors, dataSize, totalSize, alignment };
}

/**
 * Writes a GGUF file synchronously, tensor by tensor (each tensor's `data` may be a function so only one
 * tensor is in memory at a time; a missing `data` writes zeros). Returns the file size in bytes.
 * Options: { truncateTo?: bytes } cuts the file short (for "truncated download" fixtures).
 */
export function writeGGUF(file, spec, { truncateTo } = {}) {
  const { header, tensors, totalSize } = encodeGGUFHeader(spec);
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, header, 0, header.length, 0);
    const base = header.length;
    for (const t of tensors) {
      const data = typeof t.data === 'function' ? t.data() : t.data;
      if (!data) continue; // sparse: stays zero
      if (data.length !== t.size) throw new Error(`tensor ${t.name}: data is ${data.length} bytes, expected ${t.size}`);
      fs.writeSync(fd, data, 0, data.length, base + t.offset);
    }
    fs.ftruncateSync(fd, totalSize); // tail padding to the alignment (and zero-fills tensors without data)
    if (truncateTo !== undefined && truncateTo < totalSize) fs.ftruncateSync(fd, truncateTo);
  } finally {
    fs.closeSync(fd);
  }
  return truncateTo !== undefined && truncateTo < totalSize ? truncateTo : totalSize;
}

/** Encodes a whole GGUF file in memory (small fixtures). */
export function encodeGGUF(spec) {
  const { header, tensors, totalSize } = encodeGGUFHeader(spec);
  const out = Buffer.alloc(totalSize);
  header.copy(out, 0);
  for (const t of tensors) {
    const data = typeof t.data === 'function' ? t.data() : t.data;
    if (data) data.copy(out, header.length + t.offset);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Tensor data helpers

/** Converts float32 values to IEEE half-precision bits (round to nearest even), returned as a Buffer. */
export function f32ToF16(src) {
  const f = src instanceof Float32Array ? src : Float32Array.from(src);
  const u = new Uint32Array(f.buffer, f.byteOffset, f.length);
  const out = new Uint16Array(f.length);
  for (let i = 0; i < u.length; i++) {
    const x = u[i];
    const sign = (x >>> 16) & 0x8000;
    const exp = (x >>> 23) & 0xff;
    let mant = x & 0x7fffff;
    if (exp === 0xff) {
      out[i] = sign | 0x7c00 | (mant ? 0x200 : 0);
      continue;
    }
    const e = exp - 112; // rebias 127 -> 15
    if (e >= 31) {
      out[i] = sign | 0x7c00;
    } else if (e <= 0) {
      if (e < -10) {
        out[i] = sign;
        continue;
      }
      mant |= 0x800000;
      const shift = 14 - e;
      let h = mant >>> shift;
      const rem = mant & ((1 << shift) - 1);
      const half = 1 << (shift - 1);
      if (rem > half || (rem === half && h & 1)) h++;
      out[i] = sign | h;
    } else {
      let h = (e << 10) | (mant >>> 13);
      const rem = mant & 0x1fff;
      if (rem > 0x1000 || (rem === 0x1000 && h & 1)) h++; // carry into the exponent is correct rounding
      out[i] = sign | h;
    }
  }
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

/** Quantizes float32 values to ggml's Q8_0 blocks (per 32 values: f16 scale d = max|x|/127, then 32 × int8 round(x/d)). */
export function f32ToQ8_0(src) {
  const f = src instanceof Float32Array ? src : Float32Array.from(src);
  if (f.length % 32 !== 0) throw new Error(`Q8_0 needs a multiple of 32 values, got ${f.length}`);
  const nb = f.length / 32;
  const out = Buffer.alloc(nb * 34);
  const scales = new Float32Array(nb);
  for (let b = 0; b < nb; b++) {
    let amax = 0;
    for (let j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(f[b * 32 + j]));
    const d = amax / 127;
    scales[b] = d;
    const id = d ? 1 / d : 0;
    const o = b * 34 + 2;
    for (let j = 0; j < 32; j++) out[o + j] = Math.round(f[b * 32 + j] * id) & 0xff;
  }
  const halves = f32ToF16(scales);
  for (let b = 0; b < nb; b++) {
    out[b * 34] = halves[b * 2];
    out[b * 34 + 1] = halves[b * 2 + 1];
  }
  return out;
}

/** Converts IEEE half bits (Buffer or Uint16Array) back to a Float32Array (for tests). */
export function f16ToF32(src) {
  const h = src instanceof Uint16Array ? src : new Uint16Array(new Uint8Array(src).buffer);
  const out = new Float32Array(h.length);
  for (let i = 0; i < h.length; i++) {
    const x = h[i];
    const s = x & 0x8000 ? -1 : 1;
    const e = (x >>> 10) & 0x1f;
    const m = x & 0x3ff;
    out[i] = e === 0 ? s * m * 2 ** -24 : e === 31 ? (m ? NaN : s * Infinity) : s * (1 + m / 1024) * 2 ** (e - 15);
  }
  return out;
}

/** A seeded PRNG (sfc32, seeded through a splitmix-style hash of the seed and a string salt) returning uint32s. */
export function makeRngU32(seed, salt = '') {
  let h = (Number(seed) >>> 0) ^ 0x9e3779b9;
  for (let i = 0; i < salt.length; i++) h = Math.imul(h ^ salt.charCodeAt(i), 0x85ebca6b) >>> 0;
  const mix = () => {
    h = (h + 0x9e3779b9) >>> 0;
    let z = h;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = mix(),
    b = mix(),
    c = mix(),
    d = mix();
  for (let i = 0; i < 12; i++) next();
  function next() {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  }
  return next;
}

/** Same generator as makeRngU32, as floats in [0, 1). */
export function makeRng(seed, salt = '') {
  const next = makeRngU32(seed, salt);
  return () => next() / 4294967296;
}

/**
 * n values, deterministic for (seed, salt), from an approximately normal distribution with the given standard
 * deviation (Irwin-Hall: the sum of four 16-bit uniforms, two generator calls per value).
 */
export function randomNormal(n, std, seed, salt = '') {
  const next = makeRngU32(seed, salt);
  const out = new Float32Array(n);
  const k = (std * Math.sqrt(3)) / 65536; // the sum of 4 U[0,1) has variance 1/3
  for (let i = 0; i < n; i++) {
    const x = next();
    const y = next();
    out[i] = ((x & 0xffff) + (x >>> 16) + (y & 0xffff) + (y >>> 16) - 131070) * k;
  }
  return out;
}
