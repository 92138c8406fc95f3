// GGUF header reader (magic, key/values, tensor infos) in plain Node; the layout is described in gguf-format.mjs.
// Used by tests and e2e fixtures to check what gguf-writer.mjs wrote, and re-exported from there.
import fs from 'node:fs';
import { GGUF_DEFAULT_ALIGNMENT, GGUF_MAGIC, GGUFFormatError, GGUFType, SCALAR_SIZE, alignUp } from './gguf-format.mjs';

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
