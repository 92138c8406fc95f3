import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError, httpStatus } from '../../shared/errors';
import type { Conversation } from '../../shared/schemas';
import { fullDiskFs } from '../../test/full-disk';
import { ConversationStore } from './conversations';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'dl-conv-'));
const conv = (id: string, updatedAt: number, n = 2): Conversation => ({
  id,
  title: `title ${id}`,
  createdAt: 1,
  updatedAt,
  model: 'm',
  messages: Array.from({ length: n }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `msg ${i}` })),
});

describe('ConversationStore', () => {
  it('saves, lists newest first, reads back and deletes', async () => {
    const dir = tmp();
    const changes: number[] = [];
    const store = new ConversationStore(dir, undefined, (l) => changes.push(l.length));
    await store.save(conv('a', 10));
    await store.save(conv('b', 20, 4));
    expect((await store.list()).map((s) => [s.id, s.messageCount])).toEqual([
      ['b', 4],
      ['a', 2],
    ]);
    expect((await store.get('b')).messages).toHaveLength(4);
    // A fresh store (app restart) sees the same list from disk.
    expect((await new ConversationStore(dir).list()).map((s) => s.id)).toEqual(['b', 'a']);
    expect(await store.delete('a')).toBe(true);
    expect(await store.delete('a')).toBe(false);
    expect(changes).toEqual([1, 2, 1]);
    await expect(store.get('a')).rejects.toMatchObject({ code: 'CONVERSATION_NOT_FOUND' });
  });

  it('keeps the file whole under concurrent saves (atomic writes, serialised)', async () => {
    const dir = tmp();
    const store = new ConversationStore(dir);
    await Promise.all(Array.from({ length: 25 }, (_, i) => store.save(conv('same', i, i + 1))));
    const onDisk = JSON.parse(fs.readFileSync(path.join(dir, 'conversations', 'same.json'), 'utf8')) as Conversation;
    expect(onDisk.messages).toHaveLength(25);
    expect(fs.readdirSync(path.join(dir, 'conversations'))).toEqual(['same.json']);
  });

  it('sets a damaged file aside instead of failing the whole list', async () => {
    const dir = tmp();
    const store = new ConversationStore(dir);
    await store.save(conv('good', 5));
    fs.writeFileSync(path.join(dir, 'conversations', 'bad.json'), '{"id":"bad", "messages": [');
    const fresh = new ConversationStore(dir);
    expect((await fresh.list()).map((s) => s.id)).toEqual(['good']);
    const names = fs.readdirSync(path.join(dir, 'conversations'));
    expect(names.some((n) => n.startsWith('bad.json.corrupt-'))).toBe(true);
    const err = await fresh.get('bad').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
  });
});

describe('ConversationStore on a full disk', () => {
  it('save is DISK_FULL (HTTP 507), the saved version and the list stay as they were, no temp file is left', async () => {
    const dir = tmp();
    await new ConversationStore(dir).save(conv('a', 10));
    const full = new ConversationStore(dir, undefined, undefined, { fs: fullDiskFs('write') });
    const err = await full.save(conv('a', 20, 6)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('DISK_FULL');
    expect(httpStatus((err as AppError).code)).toBe(507);
    expect(fs.readdirSync(path.join(dir, 'conversations'))).toEqual(['a.json']);
    expect((await full.get('a')).messages).toHaveLength(2);
    expect((await full.list()).map((s) => [s.id, s.updatedAt])).toEqual([['a', 10]]);
  });
});
