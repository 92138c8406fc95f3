import { describe, expect, it } from 'vitest';
import { answersTo, findModel, ollamaNameOf, slugOf, stemOf } from './model-names';

const r1 = {
  path: '/m/DeepSeek-R1-Distill-Qwen-7B-Q4_K_M.gguf',
  name: 'DeepSeek R1 Distill Qwen 7B',
  catalogId: 'r1-7b',
};
const split = { path: '/m/big/Qwen3-235B-Q4_K_M-00001-of-00003.gguf', name: 'Qwen3 235B' };
const tiny = { path: 'C:\\models\\tiny s1.gguf', name: 'tiny s1' };

describe('model names', () => {
  it.each([
    [r1, 'deepseek-r1-distill-qwen-7b-q4_k_m:latest'],
    [split, 'qwen3-235b-q4_k_m:latest'],
    [tiny, 'tiny-s1:latest'],
  ])('ollama name of %o is %s', (m, name) => {
    expect(ollamaNameOf(m)).toBe(name);
  });

  it('stem drops .gguf and the shard suffix', () => {
    expect(stemOf(split.path)).toBe('Qwen3-235B-Q4_K_M');
    expect(slugOf('/x/***.gguf')).toBe('model');
  });

  // What clients send: the file name (our UI shows it), /v1/models' id (general.name), Ollama's name:tag.
  it.each([
    ['DeepSeek-R1-Distill-Qwen-7B-Q4_K_M.gguf', true],
    ['DeepSeek-R1-Distill-Qwen-7B-Q4_K_M', true],
    ['deepseek-r1-distill-qwen-7b-q4_k_m', true],
    ['deepseek-r1-distill-qwen-7b-q4_k_m:latest', true],
    ['DeepSeek R1 Distill Qwen 7B', true],
    ['r1-7b', true],
    ['  R1-7B:LATEST ', true],
    ['deepseek-r1-distill-qwen-7b-q4_k_m:q8_0', false],
    ['deepseek-r1', false],
    ['gpt-4o', false],
    ['', false],
  ])('r1 answers to %j: %s', (name, yes) => {
    expect(answersTo(r1, name)).toBe(yes);
  });

  it('finds the first match, or null', () => {
    expect(findModel([tiny, r1, split], 'qwen3-235b-q4_k_m')).toBe(split);
    expect(findModel([tiny, r1], 'tiny-s1:latest')).toBe(tiny);
    expect(findModel([tiny, r1], 'nope')).toBeNull();
    expect(findModel([tiny, r1], '  ')).toBeNull();
  });
});
