import { describe, expect, it } from 'vitest';
import { normalizeMath } from './math';

describe('normalizeMath', () => {
  it.each([
    ['inline \\( \\) becomes $ $', 'area \\(\\pi r^2\\) ok', 'area $\\pi r^2$ ok'],
    ['display \\[ \\] becomes a $$ block on its own lines', 'so \\[x = 1\\]', 'so \n$$\nx = 1\n$$\n'],
    ['text without LaTeX delimiters is returned as is', 'price is $5', 'price is $5'],
    ['inline code is left alone', 'use `\\(x\\)` here', 'use `\\(x\\)` here'],
    ['fenced code is left alone', '```\n\\(x\\)\n```\nand \\(y\\)', '```\n\\(x\\)\n```\nand $y$'],
    ['an unterminated fence while streaming is left alone', 'and \\(y\\)\n```py\n\\(x', 'and $y$\n```py\n\\(x'],
  ])('%s', (_why, input, want) => {
    expect(normalizeMath(input)).toBe(want);
  });
});
