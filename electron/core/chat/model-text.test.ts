/** Cleaning what the model wrote for a title or a summary. */
import { describe, expect, it } from 'vitest';
import { cleanSummary, cleanTitle, coreLanguage, fallbackTitle, summaryConversation } from './model-text';

describe('cleanTitle', () => {
  it.each([
    { raw: 'Rust borrow checker basics', title: 'Rust borrow checker basics' },
    {
      raw: '<think>The user asks about Rust…</think>\n\n"Rust Borrow Checker Basics."',
      title: 'Rust Borrow Checker Basics',
    },
    { raw: 'Title: Sorting in Python', title: 'Sorting in Python' },
    { raw: '**Sorting in Python**\nThis conversation is about…', title: 'Sorting in Python' },
    { raw: '标题：「快速排序的原理」。', title: '快速排序的原理' },
    { raw: 'one two three four five six seven eight', title: 'one two three four five six' },
    { raw: '<think>never closed, all thinking', title: '' },
    { raw: '   \n  ', title: '' },
  ])('$raw → $title', ({ raw, title }) => {
    expect(cleanTitle(raw)).toBe(title);
  });
});

describe('fallbackTitle', () => {
  it.each([
    { q: 'How do I sort a list of tuples by the second item in Python?', t: 'How do I sort a list' },
    { q: '如何在 Python 中排序', t: '如何在 Python 中排序' },
    { q: '快速排序的原理是什么呢请详细解释一下谢谢你的帮助', t: '快速排序的原理是什么呢请详细解释一下谢谢' },
  ])('$q', ({ q, t }) => {
    expect(fallbackTitle(q)).toBe(t);
  });
});

describe('summary', () => {
  it('drops the thinking and is headed in the app’s language', () => {
    expect(cleanSummary('<think>hmm</think>\nThe user wants X.')).toBe('The user wants X.');
    expect(summaryConversation('en', 'Sorting', 'S').title).toBe('Summary: Sorting');
    expect(summaryConversation('zh-CN', '排序', 'S')).toEqual({
      title: '摘要：排序',
      systemPrompt: '以下是之前一次对话的摘要，请在此基础上继续：\n\nS',
    });
    expect(coreLanguage('system', 'zh-Hans-CN')).toBe('zh-CN');
    expect(coreLanguage('system', 'de-DE')).toBe('en');
    expect(coreLanguage('en', 'zh-CN')).toBe('en');
  });
});
