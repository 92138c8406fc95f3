import { describe, expect, it } from 'vitest';
import { errorMessages } from '@shared/errors';
import { en } from './en';
import { resolveLang } from './resolve';
import { zhCN } from './zh-CN';

describe('resolveLang', () => {
  it.each([
    ['an explicit choice wins over everything', 'en', 'zh-CN', 'zh_CN.UTF-8', 'en'],
    ['an explicit Chinese choice', 'zh-CN', 'en-US', 'en_US', 'zh-CN'],
    ['system: the browser language first (what the user reads in)', 'system', 'zh-TW', 'en_US', 'zh-CN'],
    ['system: any English variant', 'system', 'en-GB', 'zh_CN', 'en'],
    ['system: falls back to the OS locale when the browser says nothing', 'system', '', 'zh_CN.UTF-8', 'zh-CN'],
    ['system: unsupported languages get English', 'system', 'de-DE', undefined, 'en'],
    ['settings not loaded yet behave like system', undefined, 'zh', undefined, 'zh-CN'],
  ] as const)('%s', (_why, setting, nav, sys, want) => {
    expect(resolveLang(setting, nav, sys)).toBe(want);
  });
});

/** Keys as dotted paths, to compare the two dictionaries' shapes. */
const paths = (o: object, prefix = ''): string[] =>
  Object.entries(o).flatMap(([k, v]) => (typeof v === 'string' ? [prefix + k] : paths(v as object, `${prefix}${k}.`)));
const placeholders = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();

describe('translations', () => {
  it('zh-CN has the same keys as en', () => {
    expect(paths(zhCN).sort()).toEqual(paths(en).sort());
  });
  it('zh-CN uses the same placeholders as en in every string', () => {
    const get = (o: object, p: string) =>
      p.split('.').reduce<unknown>((x, k) => (x as Record<string, unknown>)[k], o) as string;
    for (const p of paths(en)) expect([p, placeholders(get(zhCN, p))]).toEqual([p, placeholders(get(en, p))]);
  });
  it('error messages are reused from the contract in both languages', () => {
    expect(Object.keys(errorMessages['zh-CN']).sort()).toEqual(Object.keys(errorMessages.en).sort());
  });
});
