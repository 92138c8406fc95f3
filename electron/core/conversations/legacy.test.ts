import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Conversation } from '../../shared/schemas';
import { openConversationStore } from './startup';
import { tmpDir } from './test-helpers';

const old: Conversation = {
  id: 'old-one',
  title: 'Before the database',
  createdAt: 1_000,
  updatedAt: 4_000,
  model: 'tiny.gguf',
  messages: [
    { role: 'user', content: 'hello from the JSON days' },
    { role: 'assistant', content: 'hi', reasoning: 'greet back', timings: null, finishReason: 'stop' },
    { role: 'user', content: 'write more' },
    { role: 'assistant', content: 'cut', stopped: true },
  ],
};

function writeOld(dir: string) {
  const folder = path.join(dir, 'conversations');
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(path.join(folder, 'old-one.json'), JSON.stringify(old));
  fs.writeFileSync(path.join(folder, 'broken.json'), '{"id":"broken","messages":[');
  return folder;
}

const snapshot = (folder: string) =>
  Object.fromEntries(fs.readdirSync(folder).map((n) => [n, fs.readFileSync(path.join(folder, n), 'utf8')]));

describe('migration of the JSON conversations', () => {
  it('copies them as trees once, keeps the originals untouched, logs the unreadable one', () => {
    const dir = tmpDir();
    const folder = writeOld(dir);
    const before = snapshot(folder);
    const logs: string[] = [];
    const { repo, report } = openConversationStore({ dataDir: dir, log: (m) => logs.push(m) });
    expect(report.migrated).toBe(1);
    const c = repo.get('old-one');
    expect(c).toMatchObject({ title: 'Before the database', model: 'tiny.gguf', messageCount: 4, createdAt: 1_000 });
    const thread = repo.thread('old-one');
    expect(thread.map((m) => [m.role, m.content, m.status])).toEqual([
      ['user', 'hello from the JSON days', 'done'],
      ['assistant', 'hi', 'done'],
      ['user', 'write more', 'done'],
      ['assistant', 'cut', 'stopped'],
    ]);
    expect(thread[1]).toMatchObject({ reasoning: 'greet back', finishReason: 'stop', model: 'tiny.gguf' });
    expect(thread.map((m) => m.parentId)).toEqual([null, thread[0]!.id, thread[1]!.id, thread[2]!.id]);
    expect(c.leafId).toBe(thread[3]!.id);
    expect(repo.search('JSON days', 5)).toHaveLength(1);
    expect(logs.join('\n')).toMatch(/broken\.json is unreadable/);
    // Runs once: deleting the migrated conversation does not bring it back at the next start.
    repo.delete('old-one');
    repo.close();
    const second = openConversationStore({ dataDir: dir, log: () => undefined });
    expect(second.report.migrated).toBeNull();
    expect(second.report.purged).toBe(1);
    expect(second.repo.list()).toEqual([]);
    second.repo.close();
    expect(snapshot(folder)).toEqual(before);
  });

  it('runs again into the fresh database that replaces a damaged one', () => {
    const dir = tmpDir();
    writeOld(dir);
    openConversationStore({ dataDir: dir, log: () => undefined }).repo.close();
    fs.writeFileSync(path.join(dir, 'conversations.db'), 'this is not a database at all, not even close'.repeat(200));
    const logs: string[] = [];
    const { repo, report } = openConversationStore({ dataDir: dir, log: (m) => logs.push(m) });
    expect(repo.setAside).not.toBeNull();
    expect(report.migrated).toBe(1);
    expect(repo.list().map((c) => c.id)).toEqual(['old-one']);
    expect(logs.join('\n')).toMatch(/damaged/);
    repo.close();
  });
});
