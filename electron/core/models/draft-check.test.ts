/**
 * Speculative decoding's checks before start: the pure vocabulary rule (llama.cpp's own), the size and MTP rules,
 * and the start step on real GGUF files written with scripts/lib/gguf-writer.mjs (missing, not GGUF, too big,
 * another vocabulary, no MTP layers).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeGGUF, gguf, GGMLType, GGUFType, writeGGUF } from '../../../scripts/lib/gguf-writer.mjs';
import { AppError } from '../../shared/errors';
import { defaultLoadOptions, type LoadOptions, type ModelFileInfo } from '../../shared/schemas';
import { speculativeStep } from '../compose/speculative';
import { compareVocab, nextnLayersOf, speculativeProblem, vocabFromHeader, type VocabFacts } from './draft-check';
import { readGguf } from './gguf';
import { inspectModel } from './inspect';

const vocab = (o: Partial<VocabFacts> = {}): VocabFacts => ({
  model: 'gpt2',
  pre: 'deepseek-r1-qwen',
  size: 10,
  tokens: ['<s>', '</s>', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'],
  bosId: 0,
  eosId: 1,
  addBos: true,
  addEos: false,
  ...o,
});

describe('compareVocab (llama.cpp common_speculative_are_compatible)', () => {
  const tokens = (n: number, at?: [number, string]) =>
    Array.from({ length: n }, (_, i) => (at && at[0] === i ? at[1] : `t${i}`));
  it.each<{ name: string; target: Partial<VocabFacts>; draft: Partial<VocabFacts>; what: string | null }>([
    { name: 'identical', target: {}, draft: {}, what: null },
    // R1-Distill-Qwen-1.5B (151,936) drafting the 7B (152,064): padding tokens only, llama.cpp accepts ≤ 128.
    {
      name: 'sizes 128 apart are accepted',
      target: { size: 152064, tokens: tokens(152064) },
      draft: { size: 151936, tokens: tokens(151936) },
      what: null,
    },
    {
      name: 'sizes 129 apart are refused',
      target: { size: 1129, tokens: null },
      draft: { size: 1000, tokens: null },
      what: 'tokenizer.ggml.tokens (count)',
    },
    { name: 'another tokenizer model', target: {}, draft: { model: 'llama' }, what: 'tokenizer.ggml.model' },
    { name: 'another BOS id when BOS is added', target: {}, draft: { bosId: 2 }, what: 'tokenizer.ggml.bos_token_id' },
    {
      name: 'another BOS id when BOS is not added',
      target: { addBos: false },
      draft: { addBos: false, bosId: 2 },
      what: null,
    },
    { name: 'add-BOS differs', target: {}, draft: { addBos: false }, what: 'tokenizer.ggml.add_bos_token' },
    // Qwen2.5 ends on <|im_end|>, R1 distills on <｜end▁of▁sentence｜>: EOS is not added, so llama.cpp drafts anyway.
    { name: 'another EOS id when EOS is not added', target: {}, draft: { eosId: 7 }, what: null },
    {
      name: 'another EOS id when EOS is added',
      target: { addEos: true },
      draft: { addEos: true, eosId: 7 },
      what: 'tokenizer.ggml.eos_token_id',
    },
    {
      name: 'a token text differs (from id 5 on)',
      target: {},
      draft: { tokens: ['<s>', '</s>', 'a', 'b', 'c', 'd', 'X', 'f', 'g', 'h'] },
      what: 'tokenizer.ggml.tokens[6]',
    },
    {
      name: 'ids below 5 are not compared (llama.cpp starts at 5)',
      target: {},
      draft: { tokens: ['<unk>', '</s>', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'] },
      what: null,
    },
    { name: 'another pre-tokenizer alone is accepted', target: {}, draft: { pre: 'qwen2' }, what: null },
  ])('$name', ({ target, draft, what }) => {
    const m = compareVocab(vocab(target), vocab(draft));
    expect(m?.what ?? null).toBe(what);
  });

  it('names the values in the message (long token texts cut)', () => {
    const long = 'x'.repeat(100);
    const m = compareVocab(vocab(), vocab({ tokens: ['<s>', '</s>', 'a', 'b', 'c', long, 'e', 'f', 'g', 'h'] }));
    expect(m).toEqual({ what: 'tokenizer.ggml.tokens[5]', draft: `"${'x'.repeat(39)}…"`, target: '"d"' });
    expect(compareVocab(vocab(), vocab({ model: 'llama' }))).toEqual({
      what: 'tokenizer.ggml.model',
      draft: '"llama"',
      target: '"gpt2"',
    });
  });
});

describe('speculativeProblem', () => {
  const fmt = (n: number) => `${n} B`;
  const target = { sizeBytes: 1000, nextnLayers: 0, vocab: vocab() };
  it.each<{
    name: string;
    sp: Partial<LoadOptions['speculative']>;
    t?: Partial<typeof target>;
    d?: number | null;
    code: string | null;
  }>([
    { name: 'off', sp: { mode: 'off' }, code: null },
    { name: 'ngram needs nothing', sp: { mode: 'ngram' }, code: null },
    { name: 'mtp without nextn layers', sp: { mode: 'mtp' }, code: 'SPEC_MTP_UNAVAILABLE' },
    { name: 'mtp with nextn layers', sp: { mode: 'mtp' }, t: { nextnLayers: 1 }, code: null },
    { name: 'draft without a file', sp: { mode: 'draft', draftModel: null }, code: 'DRAFT_REQUIRED' },
    { name: 'draft smaller, same vocabulary', sp: { mode: 'draft', draftModel: '/d' }, d: 600, code: null },
    { name: 'draft as big as the model', sp: { mode: 'draft', draftModel: '/d' }, d: 1000, code: 'DRAFT_TOO_BIG' },
    { name: 'draft bigger', sp: { mode: 'draft', draftModel: '/d' }, d: 5000, code: 'DRAFT_TOO_BIG' },
  ])('$name → $code', ({ sp, t, d, code }) => {
    const p = speculativeProblem(
      { mode: 'off', draftModel: null, ...sp },
      { ...target, ...t },
      d ? { sizeBytes: d, vocab: vocab() } : null,
      fmt,
    );
    expect(p?.code ?? null).toBe(code);
    if (code === 'DRAFT_TOO_BIG') expect(p?.params).toEqual({ draft: `${d} B`, target: '1000 B' });
  });

  it('another vocabulary → DRAFT_VOCAB_MISMATCH with what/draft/target', () => {
    const p = speculativeProblem(
      { mode: 'draft', draftModel: '/d' },
      target,
      { sizeBytes: 10, vocab: vocab({ model: 'llama' }) },
      fmt,
    );
    expect(p).toEqual({
      code: 'DRAFT_VOCAB_MISMATCH',
      params: { what: 'tokenizer.ggml.model', draft: '"llama"', target: '"gpt2"' },
    });
  });
});

// ---- the start step on real files ----

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-draft-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

type Kv = [string, unknown][];
const N_VOCAB = 300;
const TOKENS = Array.from({ length: N_VOCAB }, (_, i) => (i < 3 ? ['<s>', '</s>', '<unk>'][i]! : `tok${i}`));

function modelKv(o: { tokens?: string[]; model?: string; nextn?: number } = {}): Kv {
  return [
    ['general.architecture', gguf.str('qwen2')],
    ['general.name', gguf.str('Spec Test')],
    ['qwen2.context_length', gguf.u32(4096)],
    ...(o.nextn !== undefined ? ([['qwen2.nextn_predict_layers', gguf.u32(o.nextn)]] as Kv) : []),
    ['tokenizer.ggml.model', gguf.str(o.model ?? 'gpt2')],
    ['tokenizer.ggml.pre', gguf.str('deepseek-r1-qwen')],
    ['tokenizer.ggml.tokens', gguf.arr(GGUFType.STRING, o.tokens ?? TOKENS)],
    ['tokenizer.ggml.bos_token_id', gguf.u32(0)],
    ['tokenizer.ggml.eos_token_id', gguf.u32(1)],
    ['tokenizer.ggml.add_bos_token', gguf.bool(true)],
  ];
}

/** A model whose file size is about `rows` × 64 bytes of F32 weights (the size rule compares files). */
function write(name: string, rows: number, o: Parameters<typeof modelKv>[0] = {}): string {
  const p = path.join(tmp, name);
  writeGGUF(p, { kv: modelKv(o), tensors: [{ name: 'token_embd.weight', ne: [16, rows], type: GGMLType.F32 }] });
  return p;
}

const target = write('target.gguf', 4000);
const run = async (model: ModelFileInfo, sp: Partial<LoadOptions['speculative']>, language: 'en' | 'zh-CN' = 'en') => {
  const options: LoadOptions = { ...defaultLoadOptions(), speculative: { ...defaultLoadOptions().speculative, ...sp } };
  return speculativeStep({ language: async () => language })({
    model,
    options,
    explicit: { speculative: options.speculative },
  });
};
const failure = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return e as AppError;
  }
  throw new Error('expected a refusal');
};

describe('speculativeStep (backend.start, before anything starts)', () => {
  it('accepts a smaller draft of the same vocabulary and returns its absolute path', async () => {
    const draft = write('draft.gguf', 500);
    const model = await inspectModel(target);
    const rel = path.relative(process.cwd(), draft);
    const out = await run(model, { mode: 'draft', draftModel: rel });
    expect(out.speculative.draftModel).toBe(draft);
    expect(out.speculative.mode).toBe('draft');
  });

  it('refuses a draft with another vocabulary (one token differs) as DRAFT_VOCAB_MISMATCH', async () => {
    const other = [...TOKENS];
    other[42] = 'different';
    const draft = write('other-vocab.gguf', 500, { tokens: other });
    const e = await failure(run(await inspectModel(target), { mode: 'draft', draftModel: draft }));
    expect(e.code).toBe('DRAFT_VOCAB_MISMATCH');
    expect(e.params).toEqual({ what: 'tokenizer.ggml.tokens[42]', draft: '"different"', target: '"tok42"' });
  });

  it('refuses a draft with another tokenizer model', async () => {
    const draft = write('llama-vocab.gguf', 500, { model: 'llama' });
    const e = await failure(run(await inspectModel(target), { mode: 'draft', draftModel: draft }));
    expect(e.code).toBe('DRAFT_VOCAB_MISMATCH');
    expect(e.params?.what).toBe('tokenizer.ggml.model');
  });

  it('refuses a draft that is not smaller (the model itself, a bigger file) as DRAFT_TOO_BIG', async () => {
    const model = await inspectModel(target);
    expect((await failure(run(model, { mode: 'draft', draftModel: target }))).code).toBe('DRAFT_TOO_BIG');
    const big = write('big.gguf', 8000);
    const e = await failure(run(model, { mode: 'draft', draftModel: big }));
    expect(e.code).toBe('DRAFT_TOO_BIG');
    expect(e.params?.draft).toMatch(/MB$/);
  });

  it('refuses a missing draft and a file that is not GGUF as DRAFT_INVALID, with the reason in the user language', async () => {
    const model = await inspectModel(target);
    const missing = path.join(tmp, 'nope.gguf');
    const e1 = await failure(run(model, { mode: 'draft', draftModel: missing }));
    expect(e1.code).toBe('DRAFT_INVALID');
    expect(e1.params).toEqual({ path: missing, reason: 'there is no file there' });
    const text = path.join(tmp, 'notes.gguf');
    fs.writeFileSync(text, 'just some text, not a model');
    const e2 = await failure(run(model, { mode: 'draft', draftModel: text }, 'zh-CN'));
    expect(e2.code).toBe('DRAFT_INVALID');
    expect(e2.params).toEqual({ path: text, reason: '它不是 GGUF 模型文件' });
    const e3 = await failure(run(model, { mode: 'draft', draftModel: tmp }));
    expect(e3.params?.reason).toBe('it is a folder, a pipe or a device, not a file');
  });

  it('refuses draft mode without a file as DRAFT_REQUIRED', async () => {
    const e = await failure(run(await inspectModel(target), { mode: 'draft', draftModel: null }));
    expect(e.code).toBe('DRAFT_REQUIRED');
  });

  it('MTP: refused without {arch}.nextn_predict_layers, accepted with it (inspect reports the layers)', async () => {
    const plain = await inspectModel(target);
    expect(plain.nextnLayers).toBeUndefined();
    expect((await failure(run(plain, { mode: 'mtp' }))).code).toBe('SPEC_MTP_UNAVAILABLE');
    const zero = await inspectModel(write('mtp0.gguf', 100, { nextn: 0 }));
    expect((await failure(run(zero, { mode: 'mtp' }))).code).toBe('SPEC_MTP_UNAVAILABLE');
    const mtp = await inspectModel(write('mtp1.gguf', 100, { nextn: 1 }));
    expect(mtp.nextnLayers).toBe(1);
    expect((await run(mtp, { mode: 'mtp' })).speculative.mode).toBe('mtp');
  });

  it('off and n-gram pass without reading anything', async () => {
    const ghost = { ...(await inspectModel(target)), path: path.join(tmp, 'gone.gguf') };
    expect((await run(ghost, { mode: 'off' })).speculative.mode).toBe('off');
    expect((await run(ghost, { mode: 'ngram', ngram: 'ngram-mod' })).speculative.ngram).toBe('ngram-mod');
  });
});

describe('reading a full vocabulary', () => {
  it('keeps tokenizer.ggml.tokens of a 152k vocabulary when asked (and only then)', async () => {
    const tokens = Array.from({ length: 152064 }, (_, i) => `Ġtoken_${i}`);
    const kv: Kv = [...modelKv({ tokens }).filter(([k]) => k !== 'general.name')];
    const buf: Buffer = encodeGGUF({ kv, tensors: [] });
    const src = { size: buf.length, read: async (o: number, n: number) => buf.subarray(o, o + n) };
    const t0 = performance.now();
    const h = await readGguf(src, { keepArrays: new Set(['tokenizer.ggml.tokens']) });
    const ms = performance.now() - t0;
    const v = vocabFromHeader(h);
    expect(v.size).toBe(152064);
    expect(v.tokens?.[151999]).toBe('Ġtoken_151999');
    expect(nextnLayersOf(h)).toBe(0);
    // Without the option the vocabulary is skipped (count only), as the model inspection has always done.
    expect(vocabFromHeader(await readGguf(src)).tokens).toBeNull();
    console.log(`152k-token vocabulary read in ${ms.toFixed(0)} ms`);
  });
});
