// Minimal GGUF v3 reader (header, key/values, tensor infos) and writer, in plain Node.
//
// Used by scripts/make-test-model.mjs to build synthetic models, and by test helpers that need to craft
// GGUF files by hand (a truncated copy, a wrong magic, a missing key, an odd alignment...).
//
// This module is the writer and the one import for all of it: the format constants live in gguf-format.mjs
// (with the byte layout), the reader in gguf-reader.mjs and the tensor data helpers in tensor-data.mjs.
import fs from 'node:fs';
import path from 'node:path';
import {
  GGUF_DEFAULT_ALIGNMENT,
  GGUF_MAGIC,
  GGUF_VERSION,
  GGUFType,
  SCALAR_SIZE,
  alignUp,
  tensorByteSize,
} from './gguf-format.mjs';

export {
  GGUF_MAGIC,
  GGUF_VERSION,
  GGUF_DEFAULT_ALIGNMENT,
  GGUFType,
  GGMLType,
  LlamaFileType,
  GGUFFormatError,
  gguf,
  tensorByteSize,
  alignUp,
} from './gguf-format.mjs';
export { parseGGUF, readGGUF } from './gguf-reader.mjs';
export { f32ToF16, f32ToQ8_0, f16ToF32, makeRngU32, makeRng, randomNormal } from './tensor-data.mjs';

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
