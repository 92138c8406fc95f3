import { describe, expect, it } from 'vitest';
import type { ContextUsage } from '@shared/chat-schemas';
import { checkText, isRefusal, looksBinary, MAX_CHARS, MAX_FILES } from './attach';
import { fileRefusal, meterLevel } from './context-check';

describe('a text file or not', () => {
  it.each([
    ['plain text', 'hello\nworld\n', false],
    ['code with tabs and CRLF', 'fn main() {\r\n\tprintln!("hi");\r\n}\r\n', false],
    ['Chinese and emoji', '你好，世界 🌍\n', false],
    ['empty', '', false],
    ['a NUL byte (PNG, ZIP, PDF streams)', '\u0089PNG\r\n\u001a\n\u0000\u0000\u0000\rIHDR', true],
    ['mostly invalid UTF-8', '\ufffd\ufffd\ufffdab\ufffd\ufffd', true],
    ['control characters', 'a\u0001\u0002\u0003\u0004b', true],
  ])('%s', (_, text, binary) => {
    expect(looksBinary(text)).toBe(binary);
  });

  // One stray replacement character (a file with a single bad byte) is still text.
  it('tolerates a rare bad byte in a long file', () => {
    expect(looksBinary(`${'x'.repeat(1000)}\ufffd${'y'.repeat(1000)}`)).toBe(false);
  });
});

describe('checkText', () => {
  it('keeps a text file with its name and size', () => {
    expect(checkText('notes.md', 12, '# Notes\n', [])).toEqual({ name: 'notes.md', text: '# Notes\n', size: 12 });
  });

  it('refuses binary, too large, and one file too many', () => {
    const bin = checkText('a.png', 10, 'x\u0000y', []);
    expect(isRefusal(bin) && bin.key).toBe('thread.composer.binary');
    const big = checkText('big.txt', MAX_CHARS + 1, 'x'.repeat(MAX_CHARS + 1), []);
    expect(isRefusal(big) && big.key).toBe('thread.composer.tooLarge');
    const full = Array.from({ length: MAX_FILES }, (_, i) => ({ name: `${i}`, text: 'x', size: 1 }));
    const more = checkText('one-more.txt', 1, 'x', full);
    expect(isRefusal(more) && more.key).toBe('thread.composer.tooMany');
  });
});

const usage = (used: number, limit = 4096, reserve = 1024): ContextUsage => ({
  used,
  limit,
  reserve,
  fits: used + reserve <= limit,
  exact: true,
});

describe('fits the context', () => {
  it('a file that alone leaves no room for the reply is refused', () => {
    expect(fileRefusal('big.log', usage(100), usage(3500))).toMatchObject({
      key: 'thread.composer.tooBigForContext',
      params: { name: 'big.log', used: 3500, limit: 4096 },
    });
    expect(fileRefusal('small.md', usage(100), usage(400))).toBeNull();
  });

  // A long thread is not the file's fault: the overflow choice (summary, drop oldest turns) handles it.
  it('a file that fits on its own is kept even when the thread is long', () => {
    expect(fileRefusal('small.md', usage(3000), usage(3300))).toBeNull();
  });

  it('the meter warns near the limit and when the next message will not fit', () => {
    expect(meterLevel(usage(1000))).toBe('ok');
    expect(meterLevel(usage(2600))).toBe('near');
    expect(meterLevel(usage(3200))).toBe('over');
    expect(meterLevel({ ...usage(10), fits: false })).toBe('over');
  });
});
