import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError, httpStatus } from '../../shared/errors';
import { node, openStore, tmpDir } from './test-helpers';

/** A conversation: q1 → a1 → q2 → a2, with a second version of a1 (a1b) and of q2 (q2b → a2b). */
function seeded() {
  const repo = openStore();
  const c = repo.create({ title: 'Trees' });
  repo.addMessage(c.id, node('q1', null, 'first question', { role: 'user' }));
  repo.addMessage(c.id, node('a1', 'q1', 'first answer', { role: 'assistant' }));
  repo.addMessage(c.id, node('q2', 'a1', 'second question', { role: 'user' }));
  repo.addMessage(c.id, node('a2', 'q2', 'second answer', { role: 'assistant' }));
  return { repo, id: c.id };
}

describe('conversation store: trees', () => {
  it('adds nodes, moves the leaf to the newest, and reads the thread root first', () => {
    const { repo, id } = seeded();
    expect(repo.thread(id).map((m) => m.id)).toEqual(['q1', 'a1', 'q2', 'a2']);
    const d = repo.get(id);
    expect(d.leafId).toBe('a2');
    expect(d.messageCount).toBe(4);
    expect(d.messages.map((m) => m.id)).toEqual(['q1', 'a1', 'q2', 'a2']);
    // A regenerated reply is a sibling version; the thread on screen follows it.
    repo.addMessage(id, node('a2b', 'q2', 'another answer', { role: 'assistant' }));
    expect(repo.thread(id).map((m) => m.id)).toEqual(['q1', 'a1', 'q2', 'a2b']);
    // Switching back to the first version (‹ 1/2 ›) is a leaf change; both versions stay.
    repo.update(id, { leafId: 'a2' });
    expect(repo.thread(id).map((m) => m.id)).toEqual(['q1', 'a1', 'q2', 'a2']);
    expect(
      repo
        .get(id)
        .messages.filter((m) => m.parentId === 'q2')
        .map((m) => m.id),
    ).toEqual(['a2', 'a2b']);
    expect(repo.thread(id, 'a1').map((m) => m.id)).toEqual(['q1', 'a1']);
    repo.close();
  });

  it('refuses a node whose parent is not in the conversation, and an unknown leaf', () => {
    const { repo, id } = seeded();
    expect(() => repo.addMessage(id, node('x', 'nope'))).toThrow(
      expect.objectContaining({ code: 'MESSAGE_NOT_FOUND' }),
    );
    expect(() => repo.update(id, { leafId: 'nope' })).toThrow(expect.objectContaining({ code: 'MESSAGE_NOT_FOUND' }));
    expect(() => repo.get('missing')).toThrow(expect.objectContaining({ code: 'CONVERSATION_NOT_FOUND' }));
    expect(repo.thread(id).map((m) => m.id)).toEqual(['q1', 'a1', 'q2', 'a2']);
    repo.close();
  });

  it('deleteMessage removes the subtree; the leaf moves to the newest sibling branch, else the parent', () => {
    const { repo, id } = seeded();
    // An edited q2 (q2b) with its own answer: a second branch under a1.
    repo.addMessage(id, node('q2b', 'a1', 'edited question', { role: 'user' }));
    repo.addMessage(id, node('a2c', 'q2b', 'answer to the edit', { role: 'assistant' }));
    repo.update(id, { leafId: 'a2' });
    // Deleting the branch on screen: the leaf goes to the newest remaining sibling's latest leaf.
    expect(repo.deleteMessage(id, 'q2')).toEqual({ removed: expect.arrayContaining(['q2', 'a2']), leafId: 'a2c' });
    expect(repo.thread(id).map((m) => m.id)).toEqual(['q1', 'a1', 'q2b', 'a2c']);
    // No sibling left: the parent.
    expect(repo.deleteMessage(id, 'q2b').leafId).toBe('a1');
    expect(repo.get(id).messageCount).toBe(2);
    // A branch off screen goes without moving the leaf.
    repo.addMessage(id, node('a1b', 'q1', 'other first answer', { role: 'assistant' }));
    repo.update(id, { leafId: 'a1' });
    expect(repo.deleteMessage(id, 'a1b').leafId).toBe('a1');
    // The root: nothing left.
    expect(repo.deleteMessage(id, 'q1')).toEqual({ removed: ['q1', 'a1'], leafId: null });
    expect(repo.get(id).messages).toEqual([]);
    expect(repo.thread(id)).toEqual([]);
    repo.close();
  });

  it('fork copies the root→message path into a new conversation with new ids', () => {
    const { repo, id } = seeded();
    repo.addMessage(id, node('a2b', 'q2', 'another answer', { role: 'assistant' }));
    const f = repo.fork(id, 'q2');
    expect(f.id).not.toBe(id);
    expect(f.title).toBe('Trees');
    expect(f.messages.map((m) => m.content)).toEqual(['first question', 'first answer', 'second question']);
    expect(f.messages.some((m) => ['q1', 'a1', 'q2'].includes(m.id))).toBe(false);
    expect(f.leafId).toBe(f.messages[2]!.id);
    expect(f.messages[1]!.parentId).toBe(f.messages[0]!.id);
    expect(repo.get(id).messages).toHaveLength(5);
    repo.close();
  });

  it('list: pinned first, then newest; streaming flag; messageCount is the thread on screen', async () => {
    const repo = openStore();
    const a = repo.create({ title: 'a' });
    await new Promise((r) => setTimeout(r, 5));
    const b = repo.create({ title: 'b' });
    expect(repo.list().map((c) => c.title)).toEqual(['b', 'a']);
    repo.update(a.id, { pinned: true });
    expect(repo.list().map((c) => c.title)).toEqual(['a', 'b']);
    repo.addMessage(b.id, node('q', null, 'hi', { role: 'user' }));
    repo.addMessage(b.id, node('r', 'q', '', { role: 'assistant', status: 'streaming' }));
    repo.addMessage(b.id, node('r2', 'q', '', { role: 'assistant' }));
    expect(repo.list().find((c) => c.id === b.id)).toMatchObject({ streaming: true, messageCount: 2 });
    repo.updateMessage(b.id, 'r', { status: 'done', content: 'hello' });
    expect(repo.list().find((c) => c.id === b.id)?.streaming).toBe(false);
    repo.close();
  });

  it('rename clears titleAuto unless the change says it is automatic', () => {
    const repo = openStore();
    const c = repo.create({ title: '' });
    expect(repo.update(c.id, { title: 'Auto', titleAuto: true }).title).toBe('Auto');
    expect(repo.get(c.id).titleAuto).toBe(true);
    repo.update(c.id, { title: 'Mine' });
    expect(repo.get(c.id)).toMatchObject({ title: 'Mine', titleAuto: false });
    repo.close();
  });
});

describe('conversation store: streaming writes and change notices', () => {
  it('partial text of a streaming reply is written without a list change; its end is one', () => {
    let changes = 0;
    const repo = openStore(tmpDir(), [], () => changes++);
    const c = repo.create({ title: 't' });
    repo.addMessage(c.id, node('q', null, 'q', { role: 'user' }));
    repo.addMessage(c.id, node('r', 'q', '', { role: 'assistant', status: 'streaming' }));
    const before = changes;
    const updatedAt = repo.get(c.id).updatedAt;
    for (let i = 1; i <= 50; i++) repo.updateMessage(c.id, 'r', { content: 'word '.repeat(i), reasoning: 'hm' });
    expect(changes).toBe(before);
    expect(repo.get(c.id).updatedAt).toBe(updatedAt);
    expect(repo.get(c.id).messages[1]!.content).toBe('word '.repeat(50));
    // Not searchable while it streams (the index is written once, when the status leaves 'streaming').
    expect(repo.search('word', 10)).toEqual([]);
    repo.updateMessage(c.id, 'r', { status: 'done', finishReason: 'stop' });
    expect(changes).toBe(before + 1);
    expect(repo.search('word', 10).map((h) => h.messageId)).toEqual(['r']);
    // A whole node passed as the patch (its id and parent are not changes): the other fields are written.
    const whole: Record<string, unknown> = { ...repo.get(c.id).messages[1]!, finishReason: 'length' };
    repo.updateMessage(c.id, 'r', whole);
    expect(repo.get(c.id).messages[1]).toMatchObject({ id: 'r', parentId: 'q', finishReason: 'length' });
    expect(() => repo.updateMessage(c.id, 'nope', { content: 'x' })).toThrow(
      expect.objectContaining({ code: 'MESSAGE_NOT_FOUND' }),
    );
    repo.close();
  });

  it('markInterrupted turns replies left streaming into interrupted ones, keeping their text', () => {
    const dir = tmpDir();
    const repo = openStore(dir);
    const c = repo.create({ title: 't' });
    repo.addMessage(c.id, node('q', null, 'q', { role: 'user' }));
    repo.addMessage(c.id, node('r', 'q', '', { role: 'assistant', status: 'streaming' }));
    repo.updateMessage(c.id, 'r', { content: 'partial reply' });
    repo.close();
    const again = openStore(dir);
    expect(again.markInterrupted()).toBe(1);
    expect(again.markInterrupted()).toBe(0);
    expect(again.get(c.id).messages[1]).toMatchObject({ status: 'interrupted', content: 'partial reply' });
    expect(again.search('partial', 5)).toHaveLength(1);
    again.close();
  });
});

describe('conversation store: soft delete', () => {
  it('hides a deleted conversation from list, get and search; restore brings it back; purge removes it', () => {
    const dir = tmpDir();
    const repo = openStore(dir);
    const c = repo.create({ title: 'secret plans' });
    repo.addMessage(c.id, node('q', null, 'the hidden treasure', { role: 'user' }));
    expect(repo.delete(c.id)).toBe(true);
    expect(repo.delete(c.id)).toBe(false);
    expect(repo.list()).toEqual([]);
    expect(repo.search('treasure', 5)).toEqual([]);
    expect(repo.search('secret', 5)).toEqual([]);
    expect(() => repo.get(c.id)).toThrow(AppError);
    expect(repo.restore(c.id)).toBe(true);
    expect(repo.restore(c.id)).toBe(false);
    expect(repo.search('treasure', 5)).toHaveLength(1);
    expect(repo.delete(c.id)).toBe(true);
    expect(repo.purgeDeleted()).toBe(1);
    expect(repo.restore(c.id)).toBe(false);
    expect(repo.db.get('SELECT count(*) AS n FROM messages')).toEqual({ n: 0 });
    repo.close();
  });
});

describe('conversation store: a full disk', () => {
  it('is DISK_FULL (507) and the conversation stays as it was before the write', () => {
    const dir = tmpDir();
    const repo = openStore(dir);
    const c = repo.create({ title: 'kept' });
    repo.addMessage(c.id, node('q', null, 'before the disk filled up', { role: 'user' }));
    const before = repo.get(c.id);
    // The database cannot grow past the pages it has: the next big write fails as on a full disk.
    const pages = (repo.db.get('PRAGMA page_count') as { page_count: number }).page_count;
    repo.db.get(`PRAGMA max_page_count = ${pages}`);
    const err = (() => {
      try {
        repo.addMessage(c.id, node('r', 'q', 'x'.repeat(200_000), { role: 'assistant' }));
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('DISK_FULL');
    expect(httpStatus((err as AppError).code)).toBe(507);
    expect(repo.get(c.id)).toEqual(before);
    expect(repo.search('disk', 5)).toHaveLength(1);
    // The streaming reply's partial write (one statement, no explicit transaction) fails the same way.
    expect(() => repo.updateMessage(c.id, 'q', { content: 'y'.repeat(200_000) })).toThrow(
      expect.objectContaining({ code: 'DISK_FULL' }),
    );
    expect(repo.get(c.id)).toEqual(before);
    repo.close();
    // And after a restart.
    const again = openStore(dir);
    expect(again.get(c.id)).toEqual(before);
    again.close();
  });
});

describe('conversation store: opening', () => {
  it('sets a damaged database aside (never deleted), starts a fresh one and says so', () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'conversations.db'), Buffer.alloc(16384, 0x5a));
    const logs: string[] = [];
    const repo = openStore(dir, logs);
    expect(repo.list()).toEqual([]);
    expect(repo.setAside?.path).toMatch(/conversations\.db\.corrupt-/);
    const aside = fs.readdirSync(dir).filter((n) => n.startsWith('conversations.db.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(fs.readFileSync(path.join(dir, aside[0]!))).toEqual(Buffer.alloc(16384, 0x5a));
    expect(logs.join('\n')).toMatch(/damaged.*kept it as conversations\.db\.corrupt-/);
    repo.create({ title: 'works' });
    repo.close();
  });

  it('reopens after a crash left the lock behind, with the data and the schema version', () => {
    const dir = tmpDir();
    const repo = openStore(dir);
    const c = repo.create({ title: 'survives' });
    // What a killed process leaves: the lock directory of the VFS. (close() would remove it; a crash does not.)
    repo.close();
    fs.mkdirSync(path.join(dir, 'conversations.db.lock'));
    const again = openStore(dir);
    expect(again.get(c.id).title).toBe('survives');
    expect(again.db.get('PRAGMA user_version')).toEqual({ user_version: 1 });
    expect(again.db.get('PRAGMA journal_mode')).toEqual({ journal_mode: 'wal' });
    again.close();
  });
});

describe('conversation store: a damaged page', () => {
  it('is STORE_CORRUPT when read; the next start checks the whole file and sets it aside', () => {
    const dir = tmpDir();
    const repo = openStore(dir);
    const c = repo.create({ title: 'damaged' });
    let parent: string | null = null;
    for (let i = 0; i < 40; i++) {
      repo.addMessage(c.id, node(`m${i}`, parent, `${i} `.repeat(2000)));
      parent = `m${i}`;
    }
    repo.close();
    const file = path.join(dir, 'conversations.db');
    const size = fs.statSync(file).size;
    // Garbage over pages in the middle of the file (the messages' pages), the header and schema left whole.
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.alloc(size / 2, 0xa5), 0, size / 2, Math.floor(size / 4 / 4096) * 4096);
    fs.closeSync(fd);
    const logs: string[] = [];
    const damaged = openStore(dir, logs);
    expect(damaged.setAside).toBeNull();
    expect(() => damaged.get(c.id)).toThrow(expect.objectContaining({ code: 'STORE_CORRUPT' }));
    damaged.close();
    expect(fs.existsSync(`${file}.check`)).toBe(true);
    const fresh = openStore(dir, logs);
    expect(fresh.setAside?.path).toMatch(/conversations\.db\.corrupt-/);
    expect(fs.existsSync(fresh.setAside!.path)).toBe(true);
    expect(fs.existsSync(`${file}.check`)).toBe(false);
    expect(fresh.list()).toEqual([]);
    expect(logs.join('\n')).toMatch(/damaged/);
    fresh.close();
  });
});

describe('conversation store: the list kept in memory', () => {
  it('after every kind of change equals the list read afresh from the file', async () => {
    const dir = tmpDir();
    const repo = openStore(dir);
    const a = repo.create({ title: 'a' });
    const b = repo.create({ title: 'b' });
    const c = repo.create({ title: 'c' });
    expect(repo.list()).toHaveLength(3);
    repo.addMessage(a.id, node('q', null, 'q', { role: 'user' }));
    repo.addMessage(a.id, node('r', 'q', '', { role: 'assistant', status: 'streaming', model: 'm.gguf' }));
    repo.update(b.id, { pinned: true, title: 'B' });
    repo.delete(c.id);
    const f = repo.fork(a.id, 'q');
    repo.addMessage(f.id, node('x', f.leafId, 'x'));
    repo.deleteMessage(f.id, 'x');
    const seen = repo.list();
    expect(seen.map((x) => x.title)).toEqual(['B', 'a', 'a']);
    expect(seen.find((x) => x.id === a.id)).toMatchObject({ streaming: true, model: 'm.gguf', messageCount: 2 });
    repo.close();
    // A new store reads everything from the file: the same list.
    const again = openStore(dir);
    expect(again.list()).toEqual(seen);
    again.close();
  });
});

describe('conversation store: several nodes at once', () => {
  it('adds a question and its reply together, or neither', () => {
    const repo = openStore();
    const c = repo.create({});
    expect(c.titleAuto).toBe(true);
    expect(repo.create({ title: 'named' }).titleAuto).toBe(false);
    repo.addMessages(c.id, [
      node('q', null, 'q', { role: 'user' }),
      node('r', 'q', '', { role: 'assistant', status: 'streaming', model: 'm' }),
    ]);
    expect(repo.get(c.id)).toMatchObject({ leafId: 'r', messageCount: 2, model: 'm' });
    // The second node's parent is missing: the first is not stored either.
    expect(() =>
      repo.addMessages(c.id, [node('q2', 'r', 'q2', { role: 'user' }), node('r2', 'ghost', '', { role: 'assistant' })]),
    ).toThrow(expect.objectContaining({ code: 'MESSAGE_NOT_FOUND' }));
    expect(repo.get(c.id).messages.map((m) => m.id)).toEqual(['q', 'r']);
    repo.close();
  });
});
