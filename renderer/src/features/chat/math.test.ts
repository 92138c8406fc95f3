import { describe, expect, it } from 'vitest';
import { normalizeMath } from './math';

describe('normalizeMath', () => {
  it.each([
    ['inline \\( \\) becomes inline $$ $$ (a single $ is text)', 'area \\(\\pi r^2\\) ok', 'area $$\\pi r^2$$ ok'],
    ['display \\[ \\] becomes a $$ block on its own lines', 'so \\[x = 1\\]', 'so \n$$\nx = 1\n$$\n'],
    ['display \\[ at the start of a line', '\\[\nx = 1\n\\]\nafter', '$$\nx = 1\n$$\n\nafter'],
    ['display \\[ in a list item keeps the item indentation', '1. so \\[x\\]', '1. so \n   $$\n   x\n   $$\n'],
    ['display \\[ on an indented line', '   \\[\n   a \\\\\n   b\n   \\]', '   $$\n   a \\\\\n   b\n   $$\n'],
    ['text without LaTeX delimiters is returned as is', 'price is $5', 'price is $5'],
    ['currency next to math stays text', '$1,599 and \\(x\\) or $199', '$1,599 and $$x$$ or $199'],
    ['inline code is left alone', 'use `\\(x\\)` here', 'use `\\(x\\)` here'],
    ['double-backtick code is left alone', 'use ``a ` \\(x\\)`` and \\(y\\)', 'use ``a ` \\(x\\)`` and $$y$$'],
    ['fenced code is left alone', '```\n\\(x\\)\n```\nand \\(y\\)', '```\n\\(x\\)\n```\nand $$y$$'],
    ['tilde fences are left alone', '~~~\n\\[x\\]\n~~~', '~~~\n\\[x\\]\n~~~'],
    ['an unterminated fence while streaming is left alone', 'and \\(y\\)\n```py\n\\(x', 'and $$y$$\n```py\n\\(x'],
    ['a $$ block is left alone', '$$\n\\text{\\(a\\)}\n$$\n\\(b\\)', '$$\n\\text{\\(a\\)}\n$$\n$$b$$'],
    ['an unclosed \\( while streaming stays text', 'so \\(x + ', 'so \\(x + '],
  ])('%s', (_why, input, want) => {
    expect(normalizeMath(input)).toBe(want);
  });
});
