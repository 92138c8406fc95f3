import { describe, expect, it } from 'vitest';
import { importProblem, MAX_IMPORT_CHARS, safeFileName, tooBigToRead } from './actions';

describe('safeFileName', () => {
  // The core names export files from conversation titles, which users (and imports) write.
  it.each([
    ['conversation.md', 'conversation.md'],
    ['../../etc/passwd', 'passwd'],
    ['C:\\Users\\x\\a.json', 'a.json'],
    ['a:b*c?.md', 'a_b_c_.md'],
    ['line\nbreak.md', 'line_break.md'],
    ['.hidden', 'hidden'],
    ['', 'fallback'],
    ['...', 'fallback'],
    ['对话 2026.md', '对话 2026.md'],
  ])('%j → %j', (name, safe) => {
    expect(safeFileName(name, 'fallback')).toBe(safe);
  });

  it('keeps names short', () => {
    expect(safeFileName('x'.repeat(1000), 'f')).toHaveLength(180);
  });
});

describe('import checks', () => {
  it.each<[string, string, ReturnType<typeof importProblem>]>([
    ['empty', '', 'empty'],
    ['blank', ' \n\t', 'empty'],
    ['a JSON file', '{"a":1}', null],
  ])('%s', (_n, text, problem) => {
    expect(importProblem(text)).toBe(problem);
  });

  it('more characters than the contract takes is too big; a file is read only if it can be small enough', () => {
    expect(importProblem('x'.repeat(MAX_IMPORT_CHARS + 1))).toBe('tooBig');
    expect(tooBigToRead(MAX_IMPORT_CHARS * 4)).toBe(false);
    expect(tooBigToRead(MAX_IMPORT_CHARS * 4 + 1)).toBe(true);
  });
});
