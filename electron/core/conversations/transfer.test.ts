import { describe, expect, it } from 'vitest';
import type { AppError } from '../../shared/errors';
import type { Conversation } from '../../shared/schemas';
import { newId } from './store';
import { node, openStore } from './test-helpers';
import { exportJson, exportMarkdown, parseImport } from './transfer';

function sample() {
  const repo = openStore();
  const c = repo.create({ title: 'Export me', systemPrompt: 'Be brief.' });
  repo.addMessage(
    c.id,
    node('q', null, 'What is 2+2?', { role: 'user', attachments: [{ name: 'a.md', text: '```x```' }] }),
  );
  repo.addMessage(c.id, node('a', 'q', 'Four.', { role: 'assistant', reasoning: 'Add them.' }));
  repo.addMessage(c.id, node('a2', 'q', 'It is 4.', { role: 'assistant' }));
  repo.update(c.id, { leafId: 'a', pinned: true });
  return { repo, id: c.id };
}

const importError = (text: string) => {
  try {
    parseImport(text, newId);
  } catch (e) {
    return e as AppError;
  }
  throw new Error('accepted');
};

describe('export', () => {
  it('Markdown: title, system prompt, the thread on screen with reasoning folded', () => {
    const { repo, id } = sample();
    const md = exportMarkdown([repo.get(id)], Date.UTC(2026, 0, 2));
    expect(md.fileName).toBe('Export-me.md');
    expect(md.mimeType).toBe('text/markdown');
    expect(md.text).toMatch(/^# Export me\n/);
    expect(md.text).toContain('> **System prompt:** Be brief.');
    expect(md.text).toContain('## You\n\nWhat is 2+2?');
    expect(md.text).toContain('<details>\n<summary>Attachment: a.md</summary>\n\n````\n```x```\n````');
    expect(md.text).toContain(
      '## Assistant\n\n<details>\n<summary>Reasoning</summary>\n\nAdd them.\n\n</details>\n\nFour.',
    );
    expect(md.text).not.toContain('It is 4.');
    // How a reply ended, when not by itself.
    repo.updateMessage(id, 'a', {
      status: 'error',
      error: { code: 'BACKEND_CRASHED', message: 'The model server stopped unexpectedly.' },
    });
    expect(exportMarkdown([repo.get(id)]).text).toContain('Four.\n\n*(error: The model server stopped unexpectedly.)*');
    expect(exportMarkdown([repo.get(id), repo.get(id)], Date.UTC(2026, 0, 2)).fileName).toBe(
      'deeplocal-conversations-2026-01-02.md',
    );
    repo.close();
  });

  it('JSON round trip: every version comes back under new ids, nothing overwritten', () => {
    const { repo, id } = sample();
    const file = exportJson([repo.get(id)]);
    expect(JSON.parse(file.text)).toMatchObject({ format: 'deeplocal.conversations', version: 1 });
    const ids = repo.insertMany(parseImport(file.text, newId));
    const again = repo.insertMany(parseImport(file.text, newId));
    expect(new Set([id, ...ids, ...again]).size).toBe(3);
    const original = repo.get(id);
    const copy = repo.get(ids[0]!);
    expect(copy.messages.map((m) => m.content)).toEqual(original.messages.map((m) => m.content));
    expect(copy.messages.some((m) => original.messages.some((o) => o.id === m.id))).toBe(false);
    expect(repo.thread(copy.id).map((m) => m.content)).toEqual(['What is 2+2?', 'Four.']);
    expect(copy).toMatchObject({ title: 'Export me', systemPrompt: 'Be brief.', pinned: true, messageCount: 2 });
    expect(repo.list()).toHaveLength(3);
    repo.close();
  });

  it('imports the old single-conversation file', () => {
    const old: Conversation = {
      id: 'x',
      title: 'Old',
      createdAt: 1,
      updatedAt: 2,
      model: null,
      messages: [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: 'a' },
      ],
    };
    const [c] = parseImport(JSON.stringify(old), newId);
    expect(c!.id).not.toBe('x');
    expect(c!.messages.map((m) => m.content)).toEqual(['q', 'a']);
    expect(c!.leafId).toBe(c!.messages[1]!.id);
  });

  it('refuses foreign, truncated and inconsistent files with a reason', () => {
    const { repo, id } = sample();
    const good = exportJson([repo.get(id)]).text;
    repo.close();
    const cases: Array<[string, RegExp]> = [
      [good.slice(0, good.length / 2), /not JSON, or cut short/],
      ['{"format":"something.else","conversations":[]}', /format is not ours/],
      ['{"messages":[{"role":"system"}]}', /no DeepLocal conversations/],
      ['[1,2,3]', /no DeepLocal conversations/],
      [good.replace('"version": 1', '"version": 9'), /version 9/],
      [good.replace(/"parentId": "[^"]+"/, '"parentId": "ghost"'), /has no parent/],
      [good.replace(/"role": "assistant"/, '"role": "wizard"'), /role/],
    ];
    for (const [text, reason] of cases) {
      const e = importError(text);
      expect(e.code).toBe('IMPORT_INVALID');
      expect(String(e.params?.reason)).toMatch(reason);
    }
  });
});
