/**
 * Compare and switch (issue 14 §3) on a whole core with the real llama-server (CPU build) and the synthetic small
 * model in two quantizations (F16 and a Q8_0 of it, both imported by reference): quant.compare lists both with
 * their fit here and the running flag, the F16 as reference, and the types the bundled llama-quantize could make
 * from it; backend.switchModel moves the running backend to the Q8_0 with the same context, a reply streaming at
 * that moment ends as stopped (its text kept), and the same conversation goes on with the new model.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { ensureTestModel } from '../../../scripts/make-test-model.mjs';
import type { ConversationDetail, MessageNode } from '../../shared/chat-schemas';
import { AppError } from '../../shared/errors';
import type { WorkJob } from '../../shared/quant';
import { coreUnderTest } from '../../test/core-under-test';
import { pathWithoutGpuTools, waitForStatus, waitUntil } from '../../test/helpers';
import type { Core } from '../app';

const resourcesDir = inject('resourcesDir');
const direct = { transport: 'direct' as const };
const cut = coreUnderTest(resourcesDir);

const node = (d: ConversationDetail, id: string): MessageNode => d.messages.find((m) => m.id === id)!;
const size = (m: MessageNode) => m.content.length + m.reasoning.length;

async function replyEnded(core: Core, conversationId: string, id: string): Promise<MessageNode> {
  let m: MessageNode | undefined;
  await waitUntil(() => {
    m = core.conversations.repo.get(conversationId).messages.find((x) => x.id === id);
    return m !== undefined && m.status !== 'streaming';
  }, 60_000);
  await core.conversationChat.idle();
  return node(await core.handlers['conversations.get']({ id: conversationId }, direct), id);
}

/** Waits for a work job to end; its final snapshot. */
async function settled(core: Core, id: string, timeoutMs = 120_000): Promise<WorkJob> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const j = (await core.handlers['work.list']({}, direct)).find((x) => x.id === id);
    if (!j) throw new Error(`job ${id} is gone`);
    if (!['queued', 'running'].includes(j.state) || Date.now() > end) return j;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('quant.compare and backend.switchModel with the real llama-server', () => {
  it('compares the F16 and its Q8_0, switches the running model to the Q8_0 and the chat goes on', async () => {
    const f16 = path.resolve(await ensureTestModel({ preset: 'small', seed: 1 }));
    const q8 = path.resolve(await ensureTestModel({ preset: 'small', seed: 1, type: 'q8_0' }));
    const core = await cut.start({
      prefix: 'dl-compare-int-',
      settings: { loadOptions: { contextSize: 1024 }, sampling: { seed: 1 }, chat: { autoTitle: false } },
      // No GPU tools: the planner sees this machine's RAM only, whatever GPU the test machine has.
      env: { ...process.env, PATH: pathWithoutGpuTools() },
      // Quality checks small enough for a test (the KL-divergence of the Q8_0 against the F16).
      quant: { qualityContext: 128, qualityChunks: 4 },
    });
    const h = core.handlers;

    // Nothing runs: there is nothing to switch.
    const none = await h['backend.switchModel']({ modelPath: q8 }, direct).catch((e: unknown) => e);
    expect(none).toBeInstanceOf(AppError);
    expect((none as AppError).code).toBe('MODEL_NOT_LOADED');

    await h['models.import']({ path: f16, mode: 'reference' }, direct);
    await h['models.import']({ path: q8, mode: 'reference' }, direct);
    await h['backend.start']({ modelPath: f16, options: { contextSize: 1024 } }, direct);
    const first = await waitForStatus(core, (s) => s.state === 'ready' || s.state === 'crashed', 60_000);
    expect(first.state).toBe('ready');

    const c = await h['quant.compare']({ modelPath: f16 }, direct);
    expect(c.modelPath).toBe(f16);
    expect(c.reference).toEqual({ quant: 'F16', path: f16 });
    const installed = c.rows.filter((r) => r.availability === 'installed');
    expect(installed.map((r) => [r.quant, r.path, r.running])).toEqual([
      ['F16', f16, true],
      ['Q8_0', q8, false],
    ]);
    for (const r of installed) {
      expect(r.sizeBytes).toBe(fs.statSync(r.path!).size);
      // Planned on this machine at the settings' context: a few MB fit anywhere.
      expect(r.fit).not.toBeNull();
      expect(r.fit).not.toBe('none');
      expect(r.tgSource === null || r.tgSource === 'estimate').toBe(true);
      expect(r.quality).toBeNull();
    }
    expect(installed[1]!.bitsPerWeight!).toBeLessThan(installed[0]!.bitsPerWeight!);
    // No catalog entry, no repo: nothing to download.
    expect(c.rows.some((r) => r.availability === 'download')).toBe(false);
    expect([c.catalogId, c.repo]).toEqual([null, null]);
    // The bundled llama-quantize's types, made from the F16, each smaller than it; none already installed.
    // (Only when the runtime has all the quant tools: quant.types answers QUANT_TOOL_MISSING otherwise.)
    const types = await h['quant.types']({}, direct).catch(() => null);
    const bin = path.join(resourcesDir, 'bin', `${process.platform}-${process.arch}-cpu`);
    if (['llama-quantize', 'llama-perplexity', 'llama-imatrix'].every((t) => fs.existsSync(path.join(bin, t))))
      expect(types).not.toBeNull();
    const make = c.rows.filter((r) => r.availability === 'make');
    if (!types) expect(make).toEqual([]);
    else {
      expect(make.every((r) => types.some((t) => t.id === r.quant))).toBe(true);
      expect(make.map((r) => r.quant)).toContain('Q4_K_M');
      expect(make.map((r) => r.quant)).not.toContain('Q8_0');
      for (const r of make) {
        expect(r.makeFrom).toBe(f16);
        expect(r.sizeBytes).toBeLessThan(installed[0]!.sizeBytes);
      }
      const q4 = make.find((r) => r.quant === 'Q4_K_M')!;
      expect(q4.sizeBytes).toBeGreaterThan(0);
      expect(q4.fit).toBe(installed[0]!.fit);
    }
    // Nothing measured: a recommendation from the fits alone, against the F16.
    expect(c.recommendation).not.toBeNull();
    expect(c.recommendation!.why).not.toBe('best-quality-fits-gpu');
    expect(c.recommendation!.versus).toBe('F16');
    expect(c.recommendation!.pplDeltaPct).toBe(c.recommendation!.quant === 'F16' ? 0 : null);

    // A quality check of the Q8_0 (KL-divergence against the F16, its best sibling) shows in its row.
    if (types) {
      const job = await h['quality.start']({ modelPath: q8, text: 'en' }, direct);
      const done = await settled(core, job.id);
      expect([done.state, done.error]).toEqual(['completed', null]);
      const measured = await h['quant.compare']({ modelPath: q8 }, direct);
      const row = measured.rows.find((r) => r.path === q8)!;
      const k = row.quality?.kld;
      expect(k?.basePath).toBe(f16);
      expect(row.meanKld).toBe(k!.meanKld);
      expect(row.sameTopPct).toBe(k!.sameTopPct);
      expect(row.pplRatio).toBe(k!.pplRatio);
      expect(Number.isFinite(row.pplRatio!) && row.pplRatio! > 0).toBe(true);
      // Asked without a text: the one the model was measured on.
      expect(measured.text).toBe('en');
    }

    // A reply streaming when the switch comes: it ends as stopped with its text so far.
    const conv = await h['conversations.create']({}, direct);
    const long = await h['chat.send'](
      { conversationId: conv.id, content: 'Tell me a very long story.', sampling: { max_tokens: 3000 } },
      direct,
    );
    expect(
      await waitUntil(() => {
        const m = core.conversationChat.overlay(core.conversations.repo.get(conv.id));
        return size(node(m, long.replyMessageId)) > 0;
      }, 30_000),
    ).toBe(true);

    const switched = await h['backend.switchModel']({ modelPath: q8 }, direct);
    expect(switched.model?.path).toBe(q8);
    const stopped = await replyEnded(core, conv.id, long.replyMessageId);
    expect(stopped.status).toBe('stopped');
    expect(size(stopped)).toBeGreaterThan(0);

    const second = await waitForStatus(core, (s) => s.state === 'ready' || s.state === 'crashed', 60_000);
    expect(second.state).toBe('ready');
    expect(second.model?.path).toBe(q8);
    expect(second.options?.contextSize).toBe(first.options?.contextSize);
    expect(second.runId).toBeGreaterThan(first.runId);

    // The same conversation continues with the new model.
    const next = await h['chat.send'](
      { conversationId: conv.id, content: 'And then?', sampling: { max_tokens: 8 } },
      direct,
    );
    const reply = await replyEnded(core, conv.id, next.replyMessageId);
    expect(reply.status).toBe('done');
    expect(size(reply)).toBeGreaterThan(0);
    expect(reply.parentId).toBe(next.userMessageId);

    // The comparison follows the running model; switching to what runs is a no-op.
    const after = await h['quant.compare']({ modelPath: q8 }, direct);
    const running = after.rows.filter((r) => r.running).map((r) => r.path);
    expect(running).toEqual([q8]);
    expect(after.reference?.path).toBe(f16);
    const again = await h['backend.switchModel']({ modelPath: q8 }, direct);
    expect(again.runId).toBe(second.runId);
  });
});
