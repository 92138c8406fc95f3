import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeGGUF, GGMLType, gguf, GGUFType } from '../../../../scripts/lib/gguf-writer.mjs';
import { AppError } from '../../../shared/errors';
import { checkImatrixFile } from './imatrix-file';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'imatrix-file-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;
const write = (data: Buffer | string) => {
  const p = path.join(dir, `f${n++}`);
  fs.writeFileSync(p, data);
  return p;
};

/** The legacy layout as llama-imatrix --output-format dat writes it (save_imatrix_legacy). */
function legacy(entries: { name: string; ncall: number; values: number[] }[], tail = true): Buffer {
  const parts: Buffer[] = [];
  const i32 = (v: number) => {
    const b = Buffer.alloc(4);
    b.writeInt32LE(v);
    return b;
  };
  parts.push(i32(entries.length));
  for (const e of entries) {
    parts.push(i32(Buffer.byteLength(e.name)), Buffer.from(e.name), i32(e.ncall), i32(e.values.length));
    parts.push(Buffer.from(new Float32Array(e.values).buffer));
  }
  if (tail) parts.push(i32(4), i32(2), Buffer.from('en'));
  return Buffer.concat(parts);
}

const imatrixGguf = (kv: [string, unknown][], tensors: { name: string; ne: number[]; type: number }[]) =>
  encodeGGUF({ kv, tensors });
const META: [string, unknown][] = [
  ['general.type', gguf.str('imatrix')],
  ['imatrix.datasets', gguf.arr(GGUFType.STRING, ['en.txt'])],
  ['imatrix.chunk_count', gguf.u32(4)],
  ['imatrix.chunk_size', gguf.u32(128)],
];
const PAIR = [
  { name: 'blk.0.attn_q.weight.in_sum2', ne: [256, 1], type: GGMLType.F32 },
  { name: 'blk.0.attn_q.weight.counts', ne: [1, 1], type: GGMLType.F32 },
];

async function reason(file: string): Promise<string> {
  const e = await checkImatrixFile(file).then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(AppError);
  expect((e as AppError).code).toBe('IMATRIX_INVALID');
  expect((e as AppError).params?.path).toBe(file);
  return String((e as AppError).params?.reason);
}

describe('checkImatrixFile', () => {
  it('accepts a GGUF imatrix and a legacy .dat', async () => {
    await expect(checkImatrixFile(write(imatrixGguf(META, PAIR)))).resolves.toBeUndefined();
    const dat = legacy([
      { name: 'blk.0.attn_q.weight', ncall: 4, values: [1, 2, 3, 4] },
      { name: 'blk.0.ffn_up.weight', ncall: 4, values: [5, 6] },
    ]);
    await expect(checkImatrixFile(write(dat))).resolves.toBeUndefined();
    await expect(
      checkImatrixFile(write(legacy([{ name: 'a.weight', ncall: 1, values: [1] }], false))),
    ).resolves.toBeUndefined();
  });

  it.each([
    ['a model file', () => imatrixGguf([['general.architecture', gguf.str('qwen2')]], []), /model file/],
    ['GGUF missing part of the metadata', () => imatrixGguf(META.slice(0, 2), PAIR), /imatrix\.chunk_count/],
    ['GGUF with no tensors', () => imatrixGguf(META, []), /no data/],
    ['sums without counts', () => imatrixGguf(META, [PAIR[0]!]), /no counts/],
    ['F16 sums', () => imatrixGguf(META, [{ ...PAIR[0]!, type: GGMLType.F16 }, PAIR[1]!]), /not F32/],
    ['damaged GGUF', () => imatrixGguf(META, PAIR).subarray(0, 40), /damaged GGUF/],
    ['text', () => Buffer.from('hello, this is not an imatrix at all\n'), /legacy/],
    ['too small', () => Buffer.from('GGU'), /too small/],
    ['negative entry count', () => Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]), /entry count/],
    [
      'legacy cut short',
      () =>
        legacy([{ name: 'blk.0.attn_q.weight', ncall: 4, values: [1, 2, 3, 4, 5, 6, 7, 8] }], false).subarray(0, 40),
      /past the end/,
    ],
    [
      'legacy name length absurd',
      () => Buffer.concat([Buffer.from([1, 0, 0, 0]), Buffer.from([0xff, 0xff, 0xff, 0x7f]), Buffer.alloc(16)]),
      /name length/,
    ],
    ['legacy name with control bytes', () => legacy([{ name: 'a\u0001b', ncall: 1, values: [1] }]), /readable/],
    ['legacy zero values', () => legacy([{ name: 'a.weight', ncall: 1, values: [] }]), /implausible size/],
  ])('refuses %s', async (_name, make, why) => {
    expect(await reason(write(make()))).toMatch(why);
  });

  it('refuses a folder and a missing file', async () => {
    expect(await reason(dir)).toMatch(/regular file/);
    expect(await reason(path.join(dir, 'missing.gguf'))).toMatch(/cannot be opened/);
  });
});
