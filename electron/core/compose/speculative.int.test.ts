/**
 * Speculative decoding end to end with the real llama-server (CPU build) and the synthetic models: a draft model
 * (the Q8_0 copy of the tiny model drafting the F16 one) starts, streams and reports drafted/accepted tokens; an
 * n-gram lookup starts and streams; what cannot work is refused by backend.start before any process starts
 * (another vocabulary, a missing / non-GGUF / bigger draft, MTP on a model without MTP layers).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { gguf, GGUFType, readGGUF, writeGGUF } from '../../../scripts/lib/gguf-writer.mjs';
import { ensureTestModel } from '../../../scripts/make-test-model.mjs';
import { AppError } from '../../shared/errors';
import { defaultLoadOptions, type ChatEvent, type LoadOptions } from '../../shared/schemas';
import { startApp, tmpDir, waitForStatus, type AppUnderTest } from '../../test/helpers';

const resourcesDir = inject('resourcesDir');
const tinyModel = inject('tinyModel');
const direct = { transport: 'direct' as const };
const tmp = tmpDir('dl-spec-int-');
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

let app: AppUnderTest | null = null;
afterEach(async () => {
  await app?.close();
  app = null;
});

const spec = (s: Partial<LoadOptions['speculative']>) => ({
  contextSize: 2048,
  speculative: { ...defaultLoadOptions().speculative, ...s },
});

async function reply(a: AppUnderTest, content: string): Promise<Extract<ChatEvent, { type: 'done' }>> {
  const requestId = `r${Math.random().toString(36).slice(2)}`;
  const done = new Promise<ChatEvent>((resolve) => {
    const off = a.core.bus.on('chat.event', (e) => {
      if (e.requestId !== requestId || (e.type !== 'done' && e.type !== 'error')) return;
      off();
      resolve(e);
    });
  });
  await a.core.handlers['chat.start'](
    { requestId, messages: [{ role: 'user', content }], sampling: { temperature: 0, max_tokens: 48, seed: 1 } },
    direct,
  );
  const e = await done;
  if (e.type !== 'done') throw new Error(`reply failed: ${JSON.stringify(e)}`);
  return e;
}

async function refusal(a: AppUnderTest, options: ReturnType<typeof spec>): Promise<AppError> {
  const err = await a.core.handlers['backend.start']({ modelPath: tinyModel, options }, direct).catch((e) => e);
  expect(err).toBeInstanceOf(AppError);
  // Refused before anything started: no process, still stopped.
  expect(a.core.backend.status().state).toBe('stopped');
  expect(a.core.backend.status().pid ?? null).toBeNull();
  return err as AppError;
}

describe('speculative decoding with the real llama-server', () => {
  it('draft model: the Q8_0 copy drafts for the F16 model, streams, and timings carry drafted/accepted', async () => {
    const draft = await ensureTestModel({ preset: 'tiny', seed: 1, type: 'q8_0' });
    expect(fs.statSync(draft).size).toBeLessThan(fs.statSync(tinyModel).size);
    app = await startApp(resourcesDir);
    await app.core.handlers['backend.start'](
      // p-min 0: a random synthetic model is never 75 % sure of a token, so at the default it would never draft.
      { modelPath: tinyModel, options: spec({ mode: 'draft', draftModel: draft, draftPMin: 0 }) },
      direct,
    );
    const ready = await waitForStatus(app.core, (s) => s.state === 'ready' || s.state === 'crashed', 60_000);
    expect(ready.state).toBe('ready');
    expect(app.core.backend.capabilities()?.speculative).toBe('draft-simple');
    const done = await reply(app, 'Count from one to twenty: one two three four five six');
    const t = done.timings!;
    expect(t.predictedTokens).toBeGreaterThan(0);
    expect(t.draftTokens).toBeGreaterThan(0);
    expect(t.draftAccepted).toBeGreaterThanOrEqual(0);
    expect(t.draftAccepted).toBeLessThanOrEqual(t.draftTokens!);
    // A quantized copy of the model itself agrees with it on most greedy tokens.
    expect(t.draftAccepted! / t.draftTokens!).toBeGreaterThan(0.5);
  });

  it('n-gram lookup (ngram-simple) starts and streams; no draft model is loaded', async () => {
    app = await startApp(resourcesDir);
    await app.core.handlers['backend.start'](
      { modelPath: tinyModel, options: spec({ mode: 'ngram', ngram: 'ngram-simple' }) },
      direct,
    );
    const ready = await waitForStatus(app.core, (s) => s.state === 'ready' || s.state === 'crashed', 60_000);
    expect(ready.state).toBe('ready');
    expect(app.core.backend.capabilities()?.speculative).toBe('ngram-simple');
    const done = await reply(app, 'a b c d a b c d a b c d a b c d a b c d');
    expect(done.timings!.predictedTokens).toBeGreaterThan(0);
    expect(done.finishReason).not.toBeNull();
  });

  it('refuses, before starting, a draft of another vocabulary and missing / non-GGUF / bigger drafts and MTP', async () => {
    // Another vocabulary: the Q8_0 draft's header with one token renamed (header only; it never reaches llama-server).
    const q8 = await ensureTestModel({ preset: 'tiny', seed: 1, type: 'q8_0' });
    const parsed = readGGUF(q8);
    const kv = [...parsed.kv].map(([k, e]): [string, unknown] => {
      if (k !== 'tokenizer.ggml.tokens') return [k, e];
      const tokens = [...(e as { value: string[] }).value];
      tokens[1000] = '<another vocabulary>';
      return [k, gguf.arr(GGUFType.STRING, tokens)];
    });
    const otherVocab = path.join(tmp, 'other-vocab.gguf');
    writeGGUF(otherVocab, { kv, tensors: [] });
    const notGguf = path.join(tmp, 'readme.gguf');
    fs.writeFileSync(notGguf, 'not a model');

    app = await startApp(resourcesDir);
    const vocab = await refusal(app, spec({ mode: 'draft', draftModel: otherVocab }));
    expect(vocab.code).toBe('DRAFT_VOCAB_MISMATCH');
    expect(vocab.params?.what).toBe('tokenizer.ggml.tokens[1000]');
    expect(vocab.params?.draft).toBe('"<another vocabulary>"');
    expect((await refusal(app, spec({ mode: 'draft', draftModel: path.join(tmp, 'missing.gguf') }))).code).toBe(
      'DRAFT_INVALID',
    );
    expect((await refusal(app, spec({ mode: 'draft', draftModel: notGguf }))).code).toBe('DRAFT_INVALID');
    // The model itself is not smaller than itself.
    expect((await refusal(app, spec({ mode: 'draft', draftModel: tinyModel }))).code).toBe('DRAFT_TOO_BIG');
    expect((await refusal(app, spec({ mode: 'draft', draftModel: null }))).code).toBe('DRAFT_REQUIRED');
    // The synthetic model has no {arch}.nextn_predict_layers (no real MTP model can be made here).
    expect((await refusal(app, spec({ mode: 'mtp' }))).code).toBe('SPEC_MTP_UNAVAILABLE');
  });
});
