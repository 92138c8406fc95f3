import { describe, expect, it } from 'vitest';
import catalog from '../../../resources/catalog.json';
import { en } from './en';
import { zhCN } from './zh-CN';

const tags = [...new Set(catalog.models.flatMap((m) => m.tags))];

describe('catalog tags', () => {
  it.each(tags)('%s has a label in en and zh-CN (the card would otherwise show the raw tag)', (tag) => {
    expect((en.models.tags as Record<string, string>)[tag]).toBeTruthy();
    expect((zhCN.models.tags as Record<string, string>)[tag]).toMatch(/[\u4e00-\u9fff]/);
  });
});
