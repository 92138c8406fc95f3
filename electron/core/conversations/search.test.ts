import { describe, expect, it } from 'vitest';
import { ftsExpression, parseQuery, searchConversations, snippet } from './search';
import { node, openStore } from './test-helpers';

function library() {
  const repo = openStore();
  const rust = repo.create({ title: 'Rust lifetimes' });
  repo.addMessage(rust.id, node('r1', null, 'How do lifetimes work with borrowed references?', { role: 'user' }));
  repo.addMessage(
    rust.id,
    node('r2', 'r1', 'A lifetime names the scope a reference is valid for.', { role: 'assistant' }),
  );
  const zh = repo.create({ title: '周末计划' });
  repo.addMessage(zh.id, node('z1', null, '请帮我写一个关于机器学习的简短介绍', { role: 'user' }));
  repo.addMessage(
    zh.id,
    node('z2', 'z1', '机器学习是人工智能的一个分支，它让计算机从数据中学习。', { role: 'assistant' }),
  );
  const js = repo.create({ title: 'Frontend' });
  repo.addMessage(js.id, node('j1', null, 'Why is my JS bundle so big? 100% of it is lodash', { role: 'user' }));
  return { repo, rust: rust.id, zh: zh.id, js: js.id };
}

describe('search', () => {
  it('finds substrings in messages, case-insensitively, with the hit marked in a snippet', () => {
    const { repo, rust } = library();
    const hits = repo.search('LIFETIME', 10);
    expect(hits.map((h) => h.conversationId)).toEqual([rust, rust, rust]);
    // The title hit first, then messages newest first.
    expect(hits.map((h) => h.messageId)).toEqual([null, 'r2', 'r1']);
    expect(hits[0]).toMatchObject({ title: 'Rust lifetimes', role: null });
    expect(hits[1]!.role).toBe('assistant');
    expect(hits[1]!.snippet).toEqual([
      { text: 'A ', hit: false },
      { text: 'lifetime', hit: true },
      { text: ' names the scope a reference is valid for.', hit: false },
    ]);
    repo.close();
  });

  it('finds Chinese with 3+ characters through the index and 2-character words by scanning', () => {
    const { repo, zh } = library();
    expect(repo.search('机器学习', 10).map((h) => h.messageId)).toEqual(['z2', 'z1']);
    const two = repo.search('学习', 10);
    expect(two.map((h) => h.messageId)).toEqual(['z2', 'z1']);
    expect(two[0]!.snippet.filter((s) => s.hit).map((s) => s.text)).toEqual(['学习', '学习']);
    // A 2-character title.
    expect(repo.search('周末', 10)).toEqual([expect.objectContaining({ conversationId: zh, messageId: null })]);
    repo.close();
  });

  it('short ASCII terms, several terms (all must match), and FTS syntax taken as text', () => {
    const { repo, js } = library();
    expect(repo.search('js', 10).map((h) => h.messageId)).toEqual(['j1']);
    expect(repo.search('bundle lodash', 10).map((h) => h.conversationId)).toEqual([js]);
    expect(repo.search('bundle rust', 10)).toEqual([]);
    expect(repo.search('big js', 10).map((h) => h.messageId)).toEqual(['j1']);
    expect(repo.search('100%', 10).map((h) => h.messageId)).toEqual(['j1']);
    // LIKE's wildcards in a short term are text.
    expect(repo.search('%', 10).map((h) => h.messageId)).toEqual(['j1']);
    expect(repo.search('_', 10)).toEqual([]);
    expect(repo.search('"lodash" OR NEAR(', 10)).toEqual([]);
    expect(repo.search('lodash"', 10)).toEqual([]);
    expect(repo.search('   ', 10)).toEqual([]);
    repo.close();
  });

  it('limits hits per conversation and overall', () => {
    const repo = openStore();
    const c = repo.create({ title: 'many' });
    let parent: string | null = null;
    for (let i = 0; i < 20; i++) {
      repo.addMessage(c.id, node(`m${i}`, parent, `needle number ${i}`));
      parent = `m${i}`;
    }
    const d = repo.create({ title: 'other' });
    repo.addMessage(d.id, node('o', null, 'needle elsewhere'));
    const hits = repo.search('needle', 10);
    expect(hits.map((h) => h.messageId)).toEqual(['o', 'm19', 'm18']);
    expect(repo.search('needle', 1)).toHaveLength(1);
    repo.close();
  });
});

describe('search: query and snippet', () => {
  it('splits terms by length and quotes them for FTS5', () => {
    expect(parseQuery('  Rust 学习 js rust ')).toEqual({
      long: ['Rust', 'rust'],
      short: ['学习', 'js'],
      all: ['Rust', '学习', 'js', 'rust'],
    });
    expect(ftsExpression(['a"b', 'NEAR(x'])).toBe('"a""b" AND "NEAR(x"');
  });

  it('cuts about 120 characters around the first hit, folding whitespace, marking every hit', () => {
    const text = `${'lorem ipsum '.repeat(30)}the\n\nneedle is here and another Needle${' dolor sit'.repeat(30)}`;
    const s = snippet(text, ['needle']);
    expect(s[0]).toEqual({ text: expect.stringMatching(/^….*the $/), hit: false });
    expect(s.filter((x) => x.hit).map((x) => x.text)).toEqual(['needle', 'Needle']);
    expect(s[s.length - 1]!.text.endsWith('…')).toBe(true);
    const len = s.map((x) => x.text).join('').length;
    expect(len).toBeGreaterThan(100);
    expect(len).toBeLessThanOrEqual(124);
    expect(snippet('short text', ['text'])).toEqual([
      { text: 'short ', hit: false },
      { text: 'text', hit: true },
    ]);
    // Regex characters in a term are text.
    expect(snippet('cost (a+b)*2', ['(a+b)*']).filter((x) => x.hit)).toEqual([{ text: '(a+b)*', hit: true }]);
  });
});

describe('search: the bounded scan of short terms', () => {
  function long(n: number, marks: Record<number, string>) {
    const repo = openStore();
    const convs = Array.from({ length: n / 10 }, (_, c) => ({
      id: `c${c}`,
      title: `conversation ${c}`,
      titleAuto: false,
      pinned: false,
      systemPrompt: null,
      presetId: null,
      leafId: `c${c}-9`,
      model: null,
      createdAt: c,
      updatedAt: c,
      messages: Array.from({ length: 10 }, (_, i) =>
        node(`c${c}-${i}`, i ? `c${c}-${i - 1}` : null, marks[c * 10 + i] ?? `plain text ${c * 10 + i}`),
      ),
    }));
    repo.insertMany(convs);
    return repo;
  }

  it('walks back window by window, newest first, up to the bound', () => {
    // Message k is the (k+1)-th written; the newest is 999.
    const repo = long(1000, { 990: 'marked 标记', 700: 'marked 标记', 450: 'old 标记' });
    const limits = { window: 100, bound: 500, budgetMs: Infinity };
    expect(searchConversations(repo.db, '标记', 10, limits).map((h) => h.messageId)).toEqual(['c99-0', 'c70-0']);
    expect(searchConversations(repo.db, '标记', 10, { ...limits, bound: 1000 }).map((h) => h.messageId)).toEqual([
      'c99-0',
      'c70-0',
      'c45-0',
    ]);
    // The time budget ends the walk after the window it is in (0 ms: the newest window only).
    expect(searchConversations(repo.db, '标记', 10, { ...limits, budgetMs: 0 }).map((h) => h.messageId)).toEqual([
      'c99-0',
    ]);
    // A long term with a short one: the index narrows, the short term is checked in windows over the whole store.
    expect(searchConversations(repo.db, 'old 标记', 10, { ...limits, bound: 10 }).map((h) => h.messageId)).toEqual([
      'c45-0',
    ]);
    repo.close();
  });
});
