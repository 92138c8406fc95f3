import { expect, it } from 'vitest';
import { pageEn } from './page.en';
import { pageZhCN } from './page.zh-CN';
import { remoteEn } from './remote.en';
import { remoteZhCN } from './remote.zh-CN';
import { rpcEn } from './rpc.en';
import { rpcZhCN } from './rpc.zh-CN';

type Tree = { [k: string]: string | Tree };
const flat = (t: Tree, p = ''): [string, string][] =>
  Object.entries(t).flatMap(([k, v]) =>
    typeof v === 'string' ? [[p + k, v] as [string, string]] : flat(v, `${p}${k}.`),
  );
const placeholders = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();

// The types check that both have the same keys; a translation that drops or renames a {{param}} would show "…".
it.each([
  ['page', pageEn, pageZhCN],
  ['remote', remoteEn, remoteZhCN],
  ['rpc', rpcEn, rpcZhCN],
] as const)('kinds.%s: same {{placeholders}} in en and zh-CN, none empty, zh-CN translated', (_name, en, zh) => {
  const zhFlat = new Map(flat(zh as Tree));
  for (const [key, text] of flat(en as Tree)) {
    expect(text.trim(), key).not.toBe('');
    expect(zhFlat.has(key), key).toBe(true);
    expect([key, placeholders(zhFlat.get(key) ?? '')]).toEqual([key, placeholders(text)]);
  }
  // Long sentences must not be left in English (names such as "vLLM" or "+{{count}} RPC" may be the same).
  const untranslated = flat(en as Tree).filter(([k, v]) => v.length > 40 && zhFlat.get(k) === v);
  expect(untranslated).toEqual([]);
});
