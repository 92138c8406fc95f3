// Rendered to static HTML in Node (react-dom/server): what the user sees for currency, math and code, and that a
// message rendered block by block is the message rendered whole.
import i18next from 'i18next';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { initReactI18next } from 'react-i18next';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Markdown, markdownRenderer } from '../Markdown';
import { normalizeMath } from '../math';
import { splitBlocks } from './blocks';
import { highlightPlugins } from './highlight-plugin';
import { katexPlugins } from './katex-plugin';
import { MarkdownView } from './MarkdownBlock';

vi.mock('katex/dist/katex.min.css', () => ({}));

beforeAll(async () => {
  await i18next.use(initReactI18next).init({
    lng: 'en',
    resources: { en: { translation: { chat: { code: 'code' }, common: { copy: 'Copy' } } } },
    initAsync: false,
  });
});
afterEach(() => vi.restoreAllMocks());

const html = (text: string) =>
  renderToStaticMarkup(
    createElement(MarkdownView, { text: normalizeMath(text), rehypePlugins: [...katexPlugins, ...highlightPlugins] }),
  );
const plain = (s: string) => s.replace(/<[^>]+>/g, '');

describe('currency is text, math is math', () => {
  it.each([
    ['prices', 'The laptop is $1,599 … the mouse $199.'],
    ['prices in a table', '| item | price |\n|---|---|\n| GPU | $1,599 |\n| RAM | $199 |'],
    ['prices in a list', '- $5 per month\n- $50 per year'],
    ['a price range', 'between $10 and $20, or $$ signs alone'],
    ['an escaped dollar', 'costs \\$5 and $6'],
  ])('%s stays text', (_why, text) => {
    const out = html(text);
    expect(out).not.toContain('katex');
    for (const price of text.match(/\$\d[\d,]*/g) ?? []) expect(plain(out)).toContain(price);
  });

  it.each([
    ['inline $$…$$', 'so $$x^2$$ here', 'katex'],
    ['display $$ block', 'so\n\n$$\nx^2\n$$\n', 'katex-display'],
    ['\\(…\\)', 'area \\(\\pi r^2\\) of $5', 'katex'],
    ['\\[…\\]', 'so \\[\\frac{1}{2}\\]', 'katex-display'],
    ['\\[…\\] in a list item', '1. first\n2. then \\[\nx = 1\n\\]\n3. last', 'katex-display'],
  ])('%s is math', (_why, text, cls) => {
    expect(html(text)).toContain(`class="${cls}"`);
  });

  it('a price next to a formula: the formula is math, the price text', () => {
    const out = html('It costs $1,599 and \\(E = mc^2\\) holds, not $199.');
    expect(out).toContain('class="katex"');
    expect(plain(out)).toContain('It costs $1,599 and');
    expect(plain(out)).toContain('holds, not $199.');
  });

  it.each([
    ['inline code', 'use `$$x$$` and `\\(y\\)`'],
    ['a fence', '```tex\n$$x$$\n\\(y\\)\n```'],
  ])('math delimiters in %s stay code', (_why, text) => {
    const out = html(text);
    expect(out).not.toContain('katex');
    expect(out).toContain('<code');
  });

  it('math KaTeX would warn about (Unicode text in math mode) writes no console warning', () => {
    const warn = vi.spyOn(console, 'warn');
    const error = vi.spyOn(console, 'error');
    const out = html('$$1,599 … 价格 é$$ and \\(\\text{ü} ≥ 1\\) and $$\\frac{1}{$$');
    expect(out).toContain('katex');
    expect(warn).not.toHaveBeenCalled();
    expect(error).not.toHaveBeenCalled();
  });

  it('code blocks keep highlighting and the Copy button', () => {
    const out = html('```js\nconst a = 1;\n```');
    expect(out).toContain('hljs-keyword');
    expect(out).toContain('aria-label="Copy"');
  });
});

describe('block by block renders what whole would', () => {
  it.each([
    ['paragraphs, heading, table', '# T\n\npara **b**\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nend'],
    ['a loose ordered list', '1. a\n\n2. b\n\n3. c\n\nafter'],
    ['a list with nested items and code', '- a\n  - b\n\n  ```py\n  x\n\n  y\n  ```\n\n- c\n\nend'],
    ['quotes and rules', '> q\n>\n> r\n\n---\n\ntext'],
    ['math blocks', 'a\n\n$$\nx\n\ny\n$$\n\nb $$z$$'],
    ['references (not split)', 'see [x][1]\n\n[1]: https://example.com'],
  ])('%s', (_why, text) => {
    const t = normalizeMath(text);
    const whole = renderToStaticMarkup(createElement(MarkdownView, { text: t }));
    const parts = splitBlocks(t)
      .map((b) => renderToStaticMarkup(createElement(MarkdownView, { text: b })))
      .join('\n');
    expect(parts.replace(/\n+/g, '\n')).toBe(whole.replace(/\n+/g, '\n'));
  });

  it('<Markdown> shows the plain text until the renderer is loaded', () => {
    const out = renderToStaticMarkup(createElement(Markdown, { text: '**a**\n\nb' }));
    expect(out).toBe(
      '<div class="markdown"><p style="white-space:pre-wrap">**a**</p><p style="white-space:pre-wrap">b</p></div>',
    );
  });

  it('<Markdown> renders one element run per block inside .markdown', async () => {
    await markdownRenderer.load();
    const out = renderToStaticMarkup(createElement(Markdown, { text: 'a\n\nb\n\nc' }));
    expect(out).toBe('<div class="markdown"><p>a</p><p>b</p><p>c</p></div>');
  });
});
