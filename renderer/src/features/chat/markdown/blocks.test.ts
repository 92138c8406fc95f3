import { describe, expect, it } from 'vitest';
import { splitBlocks } from './blocks';

describe('splitBlocks', () => {
  it.each<[string, string, string[]]>([
    ['paragraphs split at blank lines', 'a\nb\n\nc', ['a\nb', 'c']],
    ['several blank lines between blocks', 'a\n\n\n\nc', ['a', 'c']],
    ['the growing tail keeps its trailing newline', 'a\n\nb\n', ['a', 'b\n']],
    ['a heading, a table and a paragraph', '# T\n\n| a |\n|---|\n| 1 |\n\nend', ['# T', '| a |\n|---|\n| 1 |', 'end']],
    ['blank lines inside a fence do not split', '```js\na\n\nb\n```\n\nc', ['```js\na\n\nb\n```', 'c']],
    ['an unclosed fence stays in the tail', 'p\n\n```py\nx = 1\n\ny = 2', ['p', '```py\nx = 1\n\ny = 2']],
    ['a shorter run does not close a fence', '````\n```\n\nx\n````\n\nz', ['````\n```\n\nx\n````', 'z']],
    ['tildes do not close a backtick fence', '```\n~~~\n\nx', ['```\n~~~\n\nx']],
    ['an unclosed $$ block stays in the tail', 'p\n\n$$\na\n\nb', ['p', '$$\na\n\nb']],
    ['a closed $$ block is its own block', '$$\na\n\nb\n$$\n\nc', ['$$\na\n\nb\n$$', 'c']],
    ['inline $$x$$ at a line start opens nothing', '$$x$$ is\n\nc', ['$$x$$ is', 'c']],
    ['a loose list stays one list', '1. a\n\n2. b\n\n- c', ['1. a\n\n2. b\n\n- c']],
    ['a list after a paragraph, then a new paragraph', 'intro\n- a\n\n- b\n\nend', ['intro\n- a\n\n- b', 'end']],
    ['an indented continuation stays with its item', '1. a\n\n   more\n\n2. b', ['1. a\n\n   more\n\n2. b']],
    ['indented code after a paragraph stays with it', 'p\n\n    code\n\n    more', ['p\n\n    code\n\n    more']],
    ['a fence in a list item', '- a\n\n  ```\n  x\n\n  ```\n\nend', ['- a\n\n  ```\n  x\n\n  ```', 'end']],
    ['link reference definitions: not split', '[a][1]\n\n[1]: http://x', ['[a][1]\n\n[1]: http://x']],
    ['footnotes: not split', 'a[^1]\n\n[^1]: note', ['a[^1]\n\n[^1]: note']],
    ['empty text', '', ['']],
    ['leading blank lines stay with the first block', '\n\na\n\nb', ['\n\na', 'b']],
  ])('%s', (_why, input, want) => {
    expect(splitBlocks(input)).toEqual(want);
  });

  it('finished blocks keep their text as the reply grows, token by token', () => {
    const reply =
      '# Plan\n\nFirst, a table:\n\n| x | y |\n|---|---|\n| 1 | 2 |\n\n```ts\nconst a = 1;\n\nconst b = 2;\n```\n\n' +
      '1. one\n\n2. two\n\n$$\nx^2\n$$\n\nThe end.';
    const final = splitBlocks(reply);
    for (let n = 1; n <= reply.length; n++) {
      const now = splitBlocks(reply.slice(0, n));
      // Every block but the growing last one is final already.
      expect(now.slice(0, -1)).toEqual(final.slice(0, now.length - 1));
    }
    expect(final.join('\n\n')).toBe(reply);
  });
});
