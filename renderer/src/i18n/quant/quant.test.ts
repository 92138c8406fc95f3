import { expect, it } from 'vitest';
import { quantEn, quantZhCN } from './index';

type Tree = { [k: string]: string | Tree };
const flat = (t: Tree, p = ''): [string, string][] =>
  Object.entries(t).flatMap(([k, v]) =>
    typeof v === 'string' ? [[p + k, v] as [string, string]] : flat(v, `${p}${k}.`),
  );
const placeholders = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();

// The types check that both have the same keys; a translation that drops or renames a {{param}} would show "…".
it('every quant string has the same {{placeholders}} in en and zh-CN, and none is empty', () => {
  const zh = new Map(flat(quantZhCN as Tree));
  for (const [key, text] of flat(quantEn as Tree)) {
    expect(text.trim(), key).not.toBe('');
    expect([key, placeholders(zh.get(key) ?? '')]).toEqual([key, placeholders(text)]);
  }
});
