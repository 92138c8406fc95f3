// Tensor data for synthetic GGUF models: float conversions (f32 → f16, f32 → Q8_0 and back) and seeded
// random numbers, so the same seed always gives byte-identical files. Re-exported from gguf-writer.mjs.

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
