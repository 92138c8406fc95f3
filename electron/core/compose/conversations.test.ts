import { describe, expect, it } from 'vitest';
import type { ConversationListItem, ConversationStreamEvent } from '../../shared/chat-schemas';
import type { CallContext } from '../../shared/contract';
import { node, tmpDir } from '../conversations/test-helpers';
import { createEventBus } from '../util/event-bus';
import { COALESCE_MS, createConversations } from './conversations';

const direct: CallContext = { transport: 'direct' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function feature() {
  const bus = createEventBus();
  const lists: ConversationListItem[][] = [];
  const stream: ConversationStreamEvent[] = [];
  bus.on('conversations.changed', (l) => lists.push(l));
  bus.on('conversation.stream', (e) => stream.push(e));
  const f = await createConversations({ dataDir: tmpDir(), bus, log: () => undefined });
  return { f, h: f.handlers, lists, stream };
}

describe('conversations feature', () => {
  it('emits the list after changes, coalesced, and never for streaming partial text', async () => {
    const { f, h, lists } = await feature();
    const c = await h['conversations.create']({ title: 'one' }, direct);
    await sleep(COALESCE_MS / 4);
    expect(lists.map((l) => l.map((x) => x.title))).toEqual([['one']]);
    // A burst of changes: one more list at most per COALESCE_MS, showing the end state.
    await h['conversations.update']({ id: c.id, title: 'renamed' }, direct);
    await h['conversations.update']({ id: c.id, pinned: true }, direct);
    await h['conversations.create']({ title: 'two' }, direct);
    await sleep(COALESCE_MS * 2);
    expect(lists).toHaveLength(2);
    expect(lists[1]!.map((x) => [x.title, x.pinned])).toEqual([
      ['renamed', true],
      ['two', false],
    ]);
    // The chat writes through the repo: a reply starting is a list change, its partial text is not.
    f.repo.addMessage(c.id, node('q', null, 'q', { role: 'user' }));
    f.repo.addMessage(c.id, node('r', 'q', '', { role: 'assistant', status: 'streaming' }));
    await sleep(COALESCE_MS * 2);
    expect(lists).toHaveLength(3);
    expect(lists[2]!.find((x) => x.id === c.id)?.streaming).toBe(true);
    for (let i = 0; i < 20; i++) f.repo.updateMessage(c.id, 'r', { content: `partial ${i}` });
    await sleep(COALESCE_MS * 2);
    expect(lists).toHaveLength(3);
    await f.dispose();
  });

  it('deleteMessage refuses a streaming reply, else removes and tells the conversation', async () => {
    const { f, h, stream } = await feature();
    const c = await h['conversations.create']({}, direct);
    f.repo.addMessage(c.id, node('q', null, 'q', { role: 'user' }));
    f.repo.addMessage(c.id, node('r', 'q', '', { role: 'assistant', status: 'streaming' }));
    await expect(h['conversations.deleteMessage']({ id: c.id, messageId: 'q' }, direct)).rejects.toMatchObject({
      code: 'REPLY_IN_PROGRESS',
    });
    f.repo.updateMessage(c.id, 'r', { status: 'stopped' });
    // Another window switching versions or renaming is told through the conversation's stream.
    await h['conversations.update']({ id: c.id, leafId: 'q', title: 'Renamed' }, direct);
    expect(stream.splice(0)).toEqual([
      { type: 'title', conversationId: c.id, title: 'Renamed' },
      { type: 'leaf', conversationId: c.id, leafId: 'q' },
    ]);
    expect((await h['conversations.get']({ id: c.id }, direct)).titleAuto).toBe(false);
    const after = await h['conversations.deleteMessage']({ id: c.id, messageId: 'r' }, direct);
    expect(after.messages.map((m) => m.id)).toEqual(['q']);
    expect(stream).toEqual([
      { type: 'removed', conversationId: c.id, messageIds: ['r'] },
      { type: 'leaf', conversationId: c.id, leafId: 'q' },
    ]);
    await f.dispose();
  });

  it('delete and restore, search, export all, import', async () => {
    const { f, h } = await feature();
    const c = await h['conversations.create']({ title: '笔记 notes' }, direct);
    f.repo.addMessage(c.id, node('q', null, '量子计算的基本原理', { role: 'user' }));
    expect((await h['conversations.search']({ query: '量子' }, direct)).map((x) => x.messageId)).toEqual(['q']);
    expect(await h['conversations.delete']({ id: c.id }, direct)).toEqual({ deleted: true });
    expect(await h['conversations.search']({ query: '量子' }, direct)).toEqual([]);
    expect(await h['conversations.restore']({ id: c.id }, direct)).toEqual({ restored: true });
    const json = await h['conversations.export']({ format: 'json' }, direct);
    const md = await h['conversations.export']({ ids: [c.id], format: 'markdown' }, direct);
    expect(md.text).toContain('量子计算的基本原理');
    const imported = await h['conversations.import']({ text: json.text }, direct);
    expect(imported.imported).toBe(1);
    expect(imported.ids[0]).not.toBe(c.id);
    expect((await h['conversations.list']({}, direct)).map((x) => x.title)).toEqual(['笔记 notes', '笔记 notes']);
    await expect(h['conversations.import']({ text: '{"nope":' }, direct)).rejects.toMatchObject({
      code: 'IMPORT_INVALID',
    });
    await f.dispose();
  });
});
