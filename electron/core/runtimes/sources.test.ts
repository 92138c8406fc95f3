/** Gathering runtimes from every source, with manifests on disk treated as untrusted. Real files in a temp dir. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RuntimeManifest } from '../../shared/runtimes';
import { gatherRuntimes, overrideEntry } from './sources';

let root: string;
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

function file(p: string, text = 'x') {
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, text);
}
const manifest = (over: Partial<RuntimeManifest>): RuntimeManifest => ({
  schema: 1,
  id: 'x',
  variant: 'cpu',
  source: 'source',
  tag: null,
  commit: 'de3ff81',
  platform: 'linux',
  arch: 'x64',
  assets: [],
  files: [],
  serverPath: 'llama-server',
  installedAt: 5,
  ...over,
});

describe('gatherRuntimes', () => {
  it('reads installed, bundled, source builds (with and without runtime.json) and user folders', async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-src-'));
    const res = path.join(root, 'res');
    // A source build with runtime.json, an older one without (cuda meant CUDA 12), another platform's, junk.
    file(
      path.join(res, 'bin/linux-x64-vulkan/runtime.json'),
      JSON.stringify(manifest({ id: 'source-de3ff81-vulkan', variant: 'vulkan' })),
    );
    file(path.join(res, 'bin/linux-x64-vulkan/llama-server'));
    file(path.join(res, 'bin/linux-x64-cuda/llama-server'));
    file(path.join(res, 'bin/linux-arm64-cpu/llama-server'));
    file(path.join(res, 'bin/linux-x64-cpu/README'));
    // Bundled: one good, one whose serverPath leaves its folder, one for another arch.
    file(
      path.join(res, 'runtimes/bundled-cpu/runtime.json'),
      JSON.stringify(manifest({ id: 'bundled-cpu', source: 'bundled', tag: 'v0.5.0' })),
    );
    file(
      path.join(res, 'runtimes/evil/runtime.json'),
      JSON.stringify(manifest({ id: 'evil', serverPath: '../../../bin/sh' })),
    );
    file(path.join(res, 'runtimes/arm/runtime.json'), JSON.stringify(manifest({ id: 'arm', arch: 'arm64' })));
    file(path.join(res, 'runtimes/broken/runtime.json'), '{');
    const folder = path.join(root, 'mine');
    file(path.join(folder, 'llama-server'));
    file(path.join(folder, 'libggml-vulkan.so'));

    const installed = {
      ...manifest({ id: 'v0.5.0-cpu', source: 'release', tag: 'v0.5.0' }),
      dir: path.join(root, 'data/v0.5.0-cpu'),
    };
    const got = await gatherRuntimes({
      installed: async () => [installed],
      resourcesDirs: [res],
      folders: [folder],
      platform: 'linux',
      arch: 'x64',
    });
    expect(got.map((r) => [r.id, r.variant, r.source, r.removable])).toEqual([
      ['v0.5.0-cpu', 'cpu', 'release', true],
      ['bundled-cpu', 'cpu', 'bundled', false],
      ['source-local-cuda-12', 'cuda-12', 'source', false],
      ['source-de3ff81-vulkan', 'vulkan', 'source', false],
      [expect.stringMatching(/^folder-[0-9a-f]{10}$/), 'vulkan', 'folder', true],
    ]);
    expect(got[0]!.server).toBe(path.join(root, 'data/v0.5.0-cpu/llama-server'));
    expect(got[3]!.server).toBe(path.join(res, 'bin/linux-x64-vulkan/llama-server'));
    expect(got[2]!.installedAt).toBeGreaterThan(0);
  });

  it('the legacy override: its variant from the bin/ folder name, else from its libraries', async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-src-'));
    file(path.join(root, 'bin/linux-x64-vulkan/llama-server'));
    file(path.join(root, 'other/llama-server'));
    file(path.join(root, 'other/libggml-cuda.so'));
    const a = await overrideEntry(path.join(root, 'bin/linux-x64-vulkan/llama-server'), 'linux', 'x64');
    expect(a).toMatchObject({ variant: 'vulkan', source: 'folder', removable: false, serverPath: 'llama-server' });
    expect(a.id).toMatch(/^override-[0-9a-f]{10}$/);
    const b = await overrideEntry(path.join(root, 'other/llama-server'), 'linux', 'x64');
    expect(b.variant).toBe('cuda-12');
    expect(b.id).not.toBe(a.id);
  });
});
