import { expect, it } from 'vitest';
import { runtimesEn } from './runtimes.en';
import { runtimesZhCN } from './runtimes.zh-CN';

type Tree = { [k: string]: string | Tree };
const flat = (t: Tree, p = ''): [string, string][] =>
  Object.entries(t).flatMap(([k, v]) =>
    typeof v === 'string' ? [[p + k, v] as [string, string]] : flat(v, `${p}${k}.`),
  );
const placeholders = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();

// The type checks that both have the same keys; a translation that drops or renames a {{param}} would show "…".
it('every runtimes string has the same {{placeholders}} in en and zh-CN', () => {
  const zh = new Map(flat(runtimesZhCN));
  const en = flat(runtimesEn);
  expect(en.length).toBeGreaterThan(50);
  for (const [key, text] of en) expect([key, placeholders(zh.get(key) ?? '')]).toEqual([key, placeholders(text)]);
});
