/**
 * Test helper: the stand-in's recorded texts (scripts/fake-vllm/fixtures, sources in its SOURCES.md) with their
 * placeholders filled the way the stand-in fills them, so the parsers are tested on exactly what it prints.
 */
import fs from 'node:fs';
import path from 'node:path';

const DIR = path.resolve(__dirname, '../../../../scripts/fake-vllm/fixtures');

const VARS: Record<string, string> = {
  A: '4242',
  E: '4310',
  T: '10-26 21:47:45',
  model: '/models/DeepSeek-R1-Distill-Qwen-7B-AWQ',
  served: 'deepseek-r1-7b',
  url: 'http://127.0.0.1:8123',
  maxlen: '8192',
  maxlenc: '8,192',
  nondefault: "{'model_tag': '/models/DeepSeek-R1-Distill-Qwen-7B-AWQ', 'host': '127.0.0.1', 'port': 8123}",
  tp: '1',
  dtype: 'torch.float16',
  quant: 'awq',
  shards: '2',
  wsec: '1.27',
  gib: '5.2013',
  lsec: '2.195456',
  kvgib: '14.25',
  kvtok: '266,848',
  conc: '32.57',
  isec: '25.99',
  blocks: '16678',
};

export function fill(text: string, vars: Record<string, string> = VARS): string {
  return text.replace(/\{(\w+)\}/g, (m, k: string) => vars[k] ?? m);
}

/** fixtures/startup.log as [stage, line] pairs. */
export function startupLines(): { stage: string; line: string }[] {
  return fs
    .readFileSync(path.join(DIR, 'startup.log'), 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => ({ stage: l.slice(0, l.indexOf('|')), line: fill(l.slice(l.indexOf('|') + 1)) }));
}

/** fixtures/errors/NAME.log lines (comments dropped). */
export function errorLines(name: string): string[] {
  return fs
    .readFileSync(path.join(DIR, 'errors', `${name}.log`), 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => fill(l));
}
