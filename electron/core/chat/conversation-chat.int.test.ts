/**
 * Chat in stored conversations against the real llama-server (tiny synthetic model) through the headless app's
 * WebSocket contract: replies are stored as they stream and at their end (also when stopped or cut by a crash, with
 * the prompt's real token count), a second window joins a reply mid-stream, streams go only to their conversation's
 * subscribers, one reply per conversation at a time, regenerate and continue.
 */
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ConversationDetail, ConversationStreamEvent, MessageNode } from '../../shared/chat-schemas';
import { AppError } from '../../shared/errors';
import type { WsClient } from '../../shared/ws-client';
import { startApp, waitForStatus, waitUntil, type AppUnderTest } from '../../test/helpers';

const resourcesDir = inject('resourcesDir');
const tinyModel = inject('tinyModel');

let app: AppUnderTest;
let ws: WsClient;

beforeAll(async () => {
  // Replies end at 8 tokens unless a request asks for more (continue has no sampling of its own).
  app = await startApp(resourcesDir, {
    settings: { sampling: { max_tokens: 8, seed: 3 }, chat: { autoTitle: false } },
  });
  ws = await app.ws();
  await ws.call('backend.start', { modelPath: tinyModel, options: { contextSize: 8192, parallel: 2 } });
  await waitForStatus(app.core, (s) => s.state === 'ready', 60_000);
});
afterAll(async () => {
  await app?.close();
});
// A failed test must not leave a long reply holding the backend for the next one.
afterEach(async () => {
  app.core.conversationChat.stopAll();
  await app.core.conversationChat.idle();
});

/**
 * Follows one conversation's stream as a window would: text per message from deltas applied at their offsets.
 * `opening`: the window subscribed before opening the conversation; deltas wait until `opened(detail)`.
 */
function follow(client: WsClient, conversationId: string, opening = false) {
  const events: ConversationStreamEvent[] = [];
  // The tiny model's template may put its text in reasoning: both are followed, each at its own offset.
  const text = new Map<string, string>();
  const reasoning = new Map<string, string>();
  const gaps: string[] = [];
  let waiting: ConversationStreamEvent[] | null = opening ? [] : null;
  const applyAt = (into: Map<string, string>, id: string, offset: number, add: string) => {
    const have = into.get(id) ?? '';
    // Apply only what is not there yet; a delta starting past the end is a gap.
    if (offset > have.length) gaps.push(id);
    else into.set(id, have.slice(0, offset) + add);
  };
  const apply = (e: ConversationStreamEvent) => {
    if (e.type === 'message') {
      if (e.message.status !== 'streaming' || !text.has(e.message.id)) {
        text.set(e.message.id, e.message.content);
        reasoning.set(e.message.id, e.message.reasoning);
      }
    } else if (e.type === 'delta') {
      if (e.content) applyAt(text, e.messageId, e.offset, e.content);
      if (e.reasoning) applyAt(reasoning, e.messageId, e.reasoningOffset, e.reasoning);
    }
  };
  const off = client.on(
    'conversation.stream',
    (e) => {
      events.push(e);
      if (waiting) waiting.push(e);
      else apply(e);
    },
    conversationId,
  );
  return {
    events,
    text,
    reasoning,
    gaps,
    off,
    /** Characters of a message's text and reasoning so far. */
    size: (id: string) => (text.get(id)?.length ?? 0) + (reasoning.get(id)?.length ?? 0),
    opened(d: ConversationDetail) {
      for (const m of d.messages) {
        text.set(m.id, m.content);
        reasoning.set(m.id, m.reasoning);
      }
      for (const e of waiting ?? []) apply(e);
      waiting = null;
    },
    ended: (id: string) =>
      waitUntil(
        () => events.some((e) => e.type === 'message' && e.message.id === id && e.message.status !== 'streaming'),
        60_000,
      ),
  };
}

const node = (d: ConversationDetail, id: string): MessageNode => d.messages.find((m) => m.id === id)!;
const size = (m: MessageNode) => m.content.length + m.reasoning.length;
const get = (id: string) => ws.call('conversations.get', { id });

describe('chat in conversations', () => {
  it('stores the question and the reply as it streams, then its end with real figures', async () => {
    const conv = await ws.call('conversations.create', {});
    const seen = follow(ws, conv.id);
    const sent = await ws.call('chat.send', {
      conversationId: conv.id,
      content: 'Hello there',
      sampling: { max_tokens: 12 },
    });
    expect(await seen.ended(sent.replyMessageId)).toBe(true);
    await app.core.conversationChat.idle();
    const d = await get(conv.id);
    const user = node(d, sent.userMessageId);
    const reply = node(d, sent.replyMessageId);
    expect(user).toMatchObject({ role: 'user', content: 'Hello there', parentId: null, status: 'done' });
    expect(reply).toMatchObject({ role: 'assistant', parentId: user.id, status: 'done', finishReason: 'length' });
    expect(size(reply)).toBeGreaterThan(0);
    expect(reply.timings?.predictedTokens).toBe(12);
    expect(reply.timings?.promptTokens).toBeGreaterThan(0);
    expect(reply.model).toBeTruthy();
    expect(d.leafId).toBe(reply.id);
    // What the subscriber assembled from the deltas is what was stored.
    expect(seen.text.get(reply.id)).toBe(reply.content);
    expect(seen.reasoning.get(reply.id)).toBe(reply.reasoning);
    expect(seen.gaps).toEqual([]);
    // Two nodes announced (question, reply starting), the leaf, then the end.
    expect(
      seen.events.filter((e) => e.type === 'message').map((e) => e.type === 'message' && e.message.status),
    ).toEqual(['done', 'streaming', 'done']);
    seen.off();
  });

  it('a second window opening mid-reply gets the text so far, then the stream from there; others get nothing', async () => {
    const conv = await ws.call('conversations.create', {});
    const other = await ws.call('conversations.create', {});
    const second = await app.ws();
    const stranger = await app.ws();
    const strangerSaw: unknown[] = [];
    stranger.on('conversation.stream', (e) => strangerSaw.push(e), other.id);
    stranger.on('conversation.stream', (e) => strangerSaw.push(e));
    const first = follow(ws, conv.id);
    const sent = await ws.call('chat.send', {
      conversationId: conv.id,
      content: 'Tell me a long story.',
      sampling: { max_tokens: 3000 },
    });
    expect(await waitUntil(() => first.size(sent.replyMessageId) > 20, 30_000)).toBe(true);
    // The store is written at a bounded rate whether or not anyone listens: after a second it holds part of it.
    await new Promise((r) => setTimeout(r, 1300));
    const stored = app.core.conversations.repo.get(conv.id).messages.find((m) => m.id === sent.replyMessageId)!;
    expect(stored.status).toBe('streaming');
    expect(size(stored)).toBeGreaterThan(0);
    // The second window: subscribe, then open (as the UI does), then follow.
    const later = follow(second, conv.id, true);
    const opened = await second.call('conversations.get', { id: conv.id });
    const partial = node(opened, sent.replyMessageId);
    expect(partial.status).toBe('streaming');
    // At least what the store had: the text in memory, newer than the last write.
    expect(size(partial)).toBeGreaterThanOrEqual(size(stored));
    later.opened(opened);
    // The stream continues from there.
    expect(await waitUntil(() => later.size(partial.id) > size(partial), 30_000)).toBe(true);
    await ws.call('chat.stop', { conversationId: conv.id });
    expect(await later.ended(sent.replyMessageId)).toBe(true);
    const final = node(await get(conv.id), sent.replyMessageId);
    expect(final.status).toBe('stopped');
    expect(later.gaps).toEqual([]);
    expect(later.text.get(final.id)).toBe(final.content);
    expect(later.reasoning.get(final.id)).toBe(final.reasoning);
    expect(final.content.startsWith(partial.content)).toBe(true);
    expect(final.reasoning.startsWith(partial.reasoning)).toBe(true);
    expect(strangerSaw).toEqual([]);
  });

  it('stop keeps the text and the prompt’s real token count', async () => {
    const conv = await ws.call('conversations.create', {});
    const seen = follow(ws, conv.id);
    const sent = await ws.call('chat.send', {
      conversationId: conv.id,
      content: 'Write a very long story about a lighthouse keeper and the sea.',
      sampling: { max_tokens: 3000 },
    });
    expect(await waitUntil(() => seen.size(sent.replyMessageId) > 0, 30_000)).toBe(true);
    expect(await ws.call('chat.stop', { conversationId: conv.id })).toEqual({ stopped: true });
    await seen.ended(sent.replyMessageId);
    await app.core.conversationChat.idle();
    const reply = node(await get(conv.id), sent.replyMessageId);
    expect(reply.status).toBe('stopped');
    expect(size(reply)).toBeGreaterThan(0);
    expect(reply.timings?.promptTokens).toBeGreaterThan(5);
    expect(reply.timings?.predictedTokens).toBeGreaterThan(0);
    // Stopping again: nothing streams.
    expect(await ws.call('chat.stop', { conversationId: conv.id })).toEqual({ stopped: false });
  });

  it('one reply per conversation: a second send or an edit while it streams is REPLY_IN_PROGRESS', async () => {
    const conv = await ws.call('conversations.create', {});
    const other = await app.ws();
    const sends = await Promise.allSettled([
      ws.call('chat.send', { conversationId: conv.id, content: 'one', sampling: { max_tokens: 3000 } }),
      other.call('chat.send', { conversationId: conv.id, content: 'two', sampling: { max_tokens: 3000 } }),
    ]);
    const ok = sends.filter((s) => s.status === 'fulfilled');
    const refused = sends.filter((s) => s.status === 'rejected');
    expect(ok).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(((refused[0] as PromiseRejectedResult).reason as AppError).code).toBe('REPLY_IN_PROGRESS');
    const { userMessageId } = (ok[0] as PromiseFulfilledResult<{ userMessageId: string }>).value;
    const edit = await other
      .call('chat.send', { conversationId: conv.id, content: 'edited', editOf: userMessageId })
      .catch((e: unknown) => e);
    expect((edit as AppError).code).toBe('REPLY_IN_PROGRESS');
    await ws.call('chat.stop', { conversationId: conv.id });
    await app.core.conversationChat.idle();
    // Only one question was stored.
    expect((await get(conv.id)).messages.filter((m) => m.role === 'user')).toHaveLength(1);
  });

  it('regenerate adds a sibling reply; continue appends to a reply cut by the length limit; edit branches', async () => {
    const conv = await ws.call('conversations.create', {});
    const a = await ws.call('chat.send', { conversationId: conv.id, content: 'Count to ten.' });
    await app.core.conversationChat.idle();
    const first = node(await get(conv.id), a.replyMessageId);
    expect(first.finishReason).toBe('length');

    const r = await ws.call('chat.regenerate', { conversationId: conv.id, messageId: a.replyMessageId });
    await app.core.conversationChat.idle();
    let d = await get(conv.id);
    expect(node(d, r.replyMessageId)).toMatchObject({ parentId: a.userMessageId, role: 'assistant', status: 'done' });
    expect(d.messages.filter((m) => m.parentId === a.userMessageId)).toHaveLength(2);
    expect(d.leafId).toBe(r.replyMessageId);

    const before = node(d, r.replyMessageId);
    const c = await ws.call('chat.continue', { conversationId: conv.id, messageId: r.replyMessageId });
    expect(c.replyMessageId).toBe(r.replyMessageId);
    await app.core.conversationChat.idle();
    d = await get(conv.id);
    const after = node(d, r.replyMessageId);
    expect(after.status).toBe('done');
    expect(after.content.startsWith(before.content)).toBe(true);
    expect(size(after)).toBeGreaterThan(size(before));
    // The reply so far went back as the final message (prefill, reasoning included): the prompt grew by it.
    expect(after.timings!.promptTokens).toBeGreaterThan(before.timings!.promptTokens + 3);
    expect(d.messages).toHaveLength(3);

    // A finished reply that was not cut cannot be continued; an edit makes a sibling question with its own reply.
    const e = await ws.call('chat.send', {
      conversationId: conv.id,
      content: 'Count to five.',
      editOf: a.userMessageId,
    });
    await app.core.conversationChat.idle();
    d = await get(conv.id);
    expect(node(d, e.userMessageId).parentId).toBeNull();
    expect(node(d, e.replyMessageId).parentId).toBe(e.userMessageId);
    expect(d.leafId).toBe(e.replyMessageId);
    expect(node(d, a.userMessageId).content).toBe('Count to ten.');
  });

  it('a message bigger than the context is CONTEXT_OVERFLOW and nothing is stored; dropOldest leaves out old turns', async () => {
    const conv = await ws.call('conversations.create', {});
    // How many tokens a repeated phrase costs with this model's tokenizer, counted by the backend.
    const unit = 'lorem ipsum dolor ';
    const probe = await ws.call('chat.context', { conversationId: conv.id, draft: unit.repeat(100) });
    expect(probe.exact).toBe(true);
    expect(probe.limit).toBeGreaterThan(1000);
    const perUnit = probe.used / 100;
    const reps = (share: number) => Math.floor((share * probe.limit) / perUnit);
    const a = await ws.call('chat.send', { conversationId: conv.id, content: unit.repeat(reps(0.45)) });
    await app.core.conversationChat.idle();

    const huge = unit.repeat(reps(1.2));
    for (const overflow of ['error', 'dropOldest'] as const) {
      const err = await ws
        .call('chat.send', { conversationId: conv.id, content: huge, overflow })
        .catch((e: unknown) => e);
      expect((err as AppError).code).toBe('CONTEXT_OVERFLOW');
      expect((err as AppError).params).toMatchObject({ limit: probe.limit });
    }
    expect((await get(conv.id)).messages).toHaveLength(2);
    expect(await ws.call('chat.context', { conversationId: conv.id, draft: huge })).toMatchObject({ fits: false });

    // Fits alone, not after the first turn: refused, unless the oldest turns may be left out.
    const second = unit.repeat(reps(0.65));
    const refused = await ws.call('chat.send', { conversationId: conv.id, content: second }).catch((e: unknown) => e);
    expect((refused as AppError).code).toBe('CONTEXT_OVERFLOW');
    const dropped = await ws.call('chat.send', { conversationId: conv.id, content: second, overflow: 'dropOldest' });
    await app.core.conversationChat.idle();
    const d = await get(conv.id);
    expect(node(d, dropped.replyMessageId).status).toBe('done');
    // Left out of the prompt only: the thread still holds the first turn.
    expect(node(d, dropped.userMessageId).parentId).toBe(a.replyMessageId);
  });
});

describe('titles, summaries, presets', () => {
  it("with titles off, or a first reply stopped, the question's first words name the conversation", async () => {
    const off = await ws.call('conversations.create', {});
    const named = follow(ws, off.id);
    await ws.call('chat.send', { conversationId: off.id, content: 'Why is the sky blue at noon\nand red at dusk?' });
    expect(await waitUntil(() => named.events.some((e) => e.type === 'title'), 60_000)).toBe(true);
    expect(await get(off.id)).toMatchObject({ title: 'Why is the sky blue at', titleAuto: true });

    await ws.call('settings.update', { chat: { autoTitle: true } });
    try {
      const stopped = await ws.call('conversations.create', {});
      const seen = follow(ws, stopped.id);
      await ws.call('chat.send', { conversationId: stopped.id, content: 'Tell me a long story about rivers' });
      await waitUntil(() => seen.events.some((e) => e.type === 'delta'), 30_000);
      await ws.call('chat.stop', { conversationId: stopped.id });
      expect(await waitUntil(() => seen.events.some((e) => e.type === 'title'), 30_000)).toBe(true);
      expect((await get(stopped.id)).title).toBe('Tell me a long story about');
    } finally {
      await ws.call('settings.update', { chat: { autoTitle: false } });
    }
  });

  // The tiny model never ends its thinking: a title (512 tokens) and a summary (1024) each run to their limit.
  it('names a conversation after its first exchange, unless the user named it', { timeout: 180_000 }, async () => {
    await ws.call('settings.update', { chat: { autoTitle: true } });
    try {
      const conv = await ws.call('conversations.create', {});
      const seen = follow(ws, conv.id);
      await ws.call('chat.send', { conversationId: conv.id, content: 'Explain photosynthesis to a child' });
      expect(await waitUntil(() => seen.events.some((e) => e.type === 'title'), 150_000)).toBe(true);
      const d = await get(conv.id);
      expect(d.title.length).toBeGreaterThan(0);
      expect(d.title.length).toBeLessThanOrEqual(80);
      expect(d.titleAuto).toBe(true);
      expect(d.title).not.toMatch(/<\/?think>/);

      const named = await ws.call('conversations.create', { title: 'Mine' });
      await ws.call('chat.send', { conversationId: named.id, content: 'Hello' });
      await app.core.conversationChat.idle();
      await new Promise((r) => setTimeout(r, 500));
      expect((await get(named.id)).title).toBe('Mine');
    } finally {
      await ws.call('settings.update', { chat: { autoTitle: false } });
    }
  });

  it(
    'summarize starts a new conversation whose system prompt holds the summary; the old one is unchanged',
    { timeout: 180_000 },
    async () => {
      const conv = await ws.call('conversations.create', { title: 'Long talk' });
      await ws.call('chat.send', { conversationId: conv.id, content: 'We are planning a trip to Kyoto in April.' });
      await app.core.conversationChat.idle();
      const before = await get(conv.id);
      const next = await ws.call('chat.summarize', { conversationId: conv.id });
      expect(next.id).not.toBe(conv.id);
      expect(next.messages).toEqual([]);
      expect(next.titleAuto).toBe(false);
      expect(next.title).toMatch(/Long talk/);
      expect(next.systemPrompt).toMatch(/summary|摘要/i);
      expect(next.systemPrompt!.length).toBeGreaterThan(60);
      expect(await get(conv.id)).toEqual(before);
    },
  );

  it('presets: built-ins and the user’s over the contract, built-ins refused, presets.changed to other windows', async () => {
    const other = await app.ws();
    const changes: string[][] = [];
    other.on('presets.changed', (list) => changes.push(list.map((p) => p.id)));
    const list = await ws.call('presets.list', {});
    expect(list.slice(0, 3).map((p) => p.id)).toEqual(['deepseek-r1', 'coding', 'balanced']);
    const mine = {
      id: 'terse',
      name: 'Terse',
      builtin: false,
      systemPrompt: 'Answer in one sentence.',
      instructionsInUserTurn: false,
      sampling: { temperature: 0.1 },
    };
    expect(await ws.call('presets.save', mine)).toEqual(mine);
    const refused = await ws.call('presets.save', { ...mine, id: 'coding' }).catch((e: unknown) => e);
    expect((refused as AppError).code).toBe('PRESET_BUILTIN');
    expect(await waitUntil(() => changes.length === 1, 5000)).toBe(true);
    expect(changes[0]).toContain('terse');
    // A conversation using it: the reply is made (the preset's system prompt and sampling applied).
    const conv = await ws.call('conversations.create', { presetId: 'terse' });
    const sent = await ws.call('chat.send', { conversationId: conv.id, content: 'Hi' });
    await app.core.conversationChat.idle();
    expect(node(await get(conv.id), sent.replyMessageId).status).toBe('done');
    expect(await ws.call('presets.delete', { id: 'terse' })).toEqual({ deleted: true });
    expect(await waitUntil(() => changes.length === 2, 5000)).toBe(true);
    expect(changes[1]).not.toContain('terse');
  });
});

describe('a crash mid-reply', () => {
  it('ends the reply with the crash error and keeps its text and prompt tokens', async () => {
    const conv = await ws.call('conversations.create', {});
    const seen = follow(ws, conv.id);
    const pid = app.core.backend.status().pid!;
    const sent = await ws.call('chat.send', {
      conversationId: conv.id,
      content: 'Tell me a long story.',
      sampling: { max_tokens: 3000 },
    });
    expect(await waitUntil(() => seen.size(sent.replyMessageId) > 0, 30_000)).toBe(true);
    process.kill(pid, 'SIGKILL');
    expect(await seen.ended(sent.replyMessageId)).toBe(true);
    await app.core.conversationChat.idle();
    const reply = node(app.core.conversations.repo.get(conv.id), sent.replyMessageId);
    expect(reply.status).toBe('error');
    expect(reply.error?.code).toBe('BACKEND_CRASHED');
    expect(size(reply)).toBeGreaterThan(0);
    expect(reply.content).toBe(seen.text.get(reply.id));
    expect(reply.reasoning).toBe(seen.reasoning.get(reply.id));
    expect(reply.timings?.promptTokens).toBeGreaterThan(0);
  });
});

describe('without a running backend', () => {
  it('the context meter estimates (characters / 4, exact false); a send is BACKEND_NOT_READY and stores nothing', async () => {
    const idle = await startApp(resourcesDir);
    try {
      const c = await idle.ws();
      const conv = await c.call('conversations.create', {});
      const usage = await c.call('chat.context', { conversationId: conv.id, draft: 'x'.repeat(400) });
      expect(usage.exact).toBe(false);
      expect(usage.used).toBeGreaterThanOrEqual(100);
      expect(usage.used).toBeLessThan(120);
      expect(usage.limit).toBeGreaterThan(0);
      expect(usage.fits).toBe(true);
      const err = await c.call('chat.send', { conversationId: conv.id, content: 'hi' }).catch((e: unknown) => e);
      expect((err as AppError).code).toBe('BACKEND_NOT_READY');
      expect((await c.call('conversations.get', { id: conv.id })).messages).toEqual([]);
      // The place was given back: nothing holds the conversation.
      const again = await c.call('chat.send', { conversationId: conv.id, content: 'hi' }).catch((e: unknown) => e);
      expect((again as AppError).code).toBe('BACKEND_NOT_READY');
    } finally {
      await idle.close();
    }
  });
});
