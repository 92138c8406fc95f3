// The source build's remembered failures and its runtime.json (checked against the contract's RuntimeManifest).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { RuntimeManifest } from '../../electron/shared/runtimes';
import {
  failureHeadline,
  forgetFailure,
  readFailure,
  rememberFailure,
  writeSourceRuntimeManifest,
} from './llama-build-state.mjs';
import { resolveVariantName } from './llama-toolchain.mjs';

const dirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'build-state-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('remembered build failures', () => {
  it('keeps the last error lines per key, names the error line, and forgets on request', () => {
    const cache = tmp();
    const error = [
      ...Array.from({ length: 60 }, (_, i) => `[ ${i}%] Building CXX object ${i}.o`),
      "flash_attn_decode_phase_1.comp:115: error: 'coopmat' : undeclared identifier",
      'gmake[2]: *** [Makefile:123: all] Error 2',
    ].join('\n');
    rememberFailure(cache, { key: 'k1', variant: 'vulkan', commit: 'de3ff81', toolchain: 'glslc 2023.2', error });
    const got = readFailure(cache, 'k1');
    expect(got?.variant).toBe('vulkan');
    expect(got?.error).toHaveLength(40);
    expect(got?.error.at(-1)).toBe('gmake[2]: *** [Makefile:123: all] Error 2');
    expect(failureHeadline(got)).toBe("flash_attn_decode_phase_1.comp:115: error: 'coopmat' : undeclared identifier");
    expect(readFailure(cache, 'k2')).toBeNull();
    forgetFailure(cache, 'k1');
    expect(readFailure(cache, 'k1')).toBeNull();
  });

  it('ignores a record that is not JSON or belongs to another key', () => {
    const cache = tmp();
    fs.mkdirSync(path.join(cache, 'failed'));
    fs.writeFileSync(path.join(cache, 'failed', 'a.json'), '{not json');
    fs.writeFileSync(path.join(cache, 'failed', 'b.json'), JSON.stringify({ key: 'other', error: [] }));
    expect(readFailure(cache, 'a')).toBeNull();
    expect(readFailure(cache, 'b')).toBeNull();
  });
});

describe('runtime.json of a source build', () => {
  it('lists every other file with its size and sha256, in the contract shape', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'llama-server'), 'server bytes');
    fs.writeFileSync(path.join(dir, 'build.json'), '{}');
    fs.mkdirSync(path.join(dir, 'lib'));
    fs.writeFileSync(path.join(dir, 'lib', 'libx.so'), 'lib');
    fs.writeFileSync(path.join(dir, 'runtime.json'), 'stale');
    const m = writeSourceRuntimeManifest(dir, {
      commit: 'de3ff81',
      variant: 'vulkan',
      serverFile: 'llama-server',
      platform: 'linux',
      arch: 'x64',
    });
    const onDisk: unknown = JSON.parse(fs.readFileSync(path.join(dir, 'runtime.json'), 'utf8'));
    const parsed = RuntimeManifest.parse(onDisk);
    expect(parsed).toEqual(m);
    expect(parsed).toMatchObject({
      id: 'source-de3ff81-vulkan',
      source: 'source',
      tag: null,
      serverPath: 'llama-server',
    });
    expect(parsed.files.map((f) => f.path)).toEqual(['build.json', 'lib/libx.so', 'llama-server']);
    const server = parsed.files.find((f) => f.path === 'llama-server');
    expect(server?.sha256).toBe(createHash('sha256').update('server bytes').digest('hex'));
    expect(server?.size).toBe(12);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('variant names', () => {
  it.each([
    ['cuda', 12, 'cuda-12'],
    ['cuda', 13, 'cuda-13'],
    ['cuda', null, 'cuda-12'],
    ['vulkan', 13, 'vulkan'],
    ['cuda-12', 13, 'cuda-12'],
  ] as const)('%s with nvcc %s → %s', (name, major, want) => {
    expect(resolveVariantName(name, () => major)).toBe(want);
  });
});
