// GGUF v3 format constants shared by the reader (gguf-reader.mjs) and the writer (gguf-writer.mjs): magic, value
// and tensor types, block sizes, the `gguf.*` typed value constructors, and the size/alignment arithmetic.
//
// Layout (little endian):
//   u32 magic "GGUF" | u32 version | u64 n_tensors | u64 n_kv
//   n_kv × (string key | u32 value type | value)           string = u64 byte length + UTF-8 bytes
//   n_tensors × (string name | u32 n_dims | u64 ne[n_dims] | u32 ggml type | u64 offset into the data section)
//   padding to `general.alignment` (default 32) | tensor data, each tensor starting at an aligned offset

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

/** Byte size of each scalar value type (strings and arrays are variable). */
export const SCALAR_SIZE = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };

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

/** Byte size of a tensor's data for the types GGMLType knows. */
export function tensorByteSize(type, ne) {
  const spec = GGML_BLOCK[type];
  if (!spec) throw new Error(`unknown ggml type ${type}: pass an explicit size`);
  const n = ne.reduce((a, b) => a * b, 1);
  if (ne[0] % spec[0] !== 0) throw new Error(`ne[0]=${ne[0]} not a multiple of block size ${spec[0]}`);
  return (n / spec[0]) * spec[1];
}

export const alignUp = (n, a) => Math.ceil(n / a) * a;
