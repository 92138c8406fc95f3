/** One byte formatter for the UI, the CLI and the core's messages. */
import { describe, expect, it } from 'vitest';
import { formatBytes } from './format';

describe('formatBytes', () => {
  it.each<[number, string, string]>([
    // Whole bytes never get decimals; grouping follows the locale like every other number in the UI.
    [0, 'en', '0 B'],
    [1023, 'en', '1,023 B'],
    // Powers of 1024, labelled as Windows Explorer labels them (the e2e specs read "MB of … MB").
    [1536, 'en', '1.50 KB'],
    [5 * 1024 ** 3, 'en', '5.00 GB'],
    // Fewer decimals as the number grows: progress moves visibly without a wall of digits.
    [42.25 * 1024 ** 2, 'en', '42.3 MB'],
    [300 * 1024 ** 2, 'en', '300 MB'],
    [1.5 * 1024 ** 4, 'en', '1.50 TB'],
    // Past the largest unit the number just grows.
    [2048 * 1024 ** 4, 'en', '2,048 TB'],
    // The UI passes its language: separators follow it.
    [1234.5 * 1024 ** 2, 'de', '1,21 GB'],
    [1536, 'zh-CN', '1.50 KB'],
    // A negative difference (free space minus need) keeps its sign; non-numbers are shown, not hidden.
    [-1536, 'en', '-1.50 KB'],
    [Number.NaN, 'en', 'NaN'],
    [Number.POSITIVE_INFINITY, 'en', 'Infinity'],
  ])('%d (%s) → %s', (n, locale, want) => {
    expect(formatBytes(n, locale)).toBe(want);
  });
});
