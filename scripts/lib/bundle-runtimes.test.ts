import { describe, expect, it } from 'vitest';
import { RuntimeManifest } from '../../electron/shared/runtimes';
import { bundledManifest, isSafeRelativePath, planBundle } from './bundle-runtimes.mjs';

const sha = (c: string) => c.repeat(64);
function manifest(over: Partial<RuntimeManifest> = {}): RuntimeManifest {
  return RuntimeManifest.parse({
    schema: 1,
    id: 'v0.5.0-cpu',
    variant: 'cpu',
    source: 'release',
    tag: 'v0.5.0',
    commit: 'de3ff81',
    platform: 'linux',
    arch: 'x64',
    assets: [{ name: 'llama-v0.5.0-bin-ubuntu-x64.tar.gz', size: 10, sha256: sha('a') }],
    files: [
      { path: 'llama-server', size: 5, sha256: sha('b') },
      { path: 'lib/libggml.so', size: 5, sha256: sha('c') },
    ],
    serverPath: 'llama-server',
    installedAt: 1000,
    ...over,
  });
}

describe('isSafeRelativePath', () => {
  it.each([
    ['llama-server', true],
    ['lib/libggml-cpu.so', true],
    ['llama-server.exe', true],
    ['../llama-server', false], // would copy from outside the runtime folder
    ['lib/../../etc/passwd', false],
    ['/usr/bin/llama-server', false],
    ['C:/llama-server.exe', false],
    ['lib\\ggml.dll', false], // manifests are '/'-separated; a backslash is a Windows path sneaking in
    ['lib//x', false],
    ['./llama-server', false],
    ['', false],
  ])('%s -> %s', (p, ok) => expect(isSafeRelativePath(p)).toBe(ok));
});

describe('planBundle', () => {
  // Each row: the runtime folders found, the options, what ships (os/arch/id from where) and what is left out.
  const table: {
    name: string;
    candidates: { dir: string; manifest: RuntimeManifest }[];
    officialOnly?: boolean;
    ship: string[];
    skipped: string[];
  }[] = [
    {
      name: 'one release runtime ships under the id the app reads',
      candidates: [{ dir: '/r/cpu', manifest: manifest() }],
      ship: ['linux/x64/bundled-cpu <- /r/cpu'],
      skipped: [],
    },
    {
      name: 'node platform names map to electron-builder ${os} (darwin -> mac, win32 -> win)',
      candidates: [
        { dir: '/r/mac', manifest: manifest({ platform: 'darwin', arch: 'arm64', variant: 'metal' }) },
        { dir: '/r/win', manifest: manifest({ platform: 'win32', variant: 'vulkan' }) },
      ],
      ship: ['mac/arm64/bundled-metal <- /r/mac', 'win/x64/bundled-vulkan <- /r/win'],
      skipped: [],
    },
    {
      name: 'a release beats a source build of the same variant, whatever the order',
      candidates: [
        { dir: '/src', manifest: manifest({ source: 'source', id: 'source-de3ff81-cpu', tag: null }) },
        { dir: '/rel', manifest: manifest() },
      ],
      ship: ['linux/x64/bundled-cpu <- /rel'],
      skipped: ['/src'],
    },
    {
      name: 'two releases of one variant: the newer install wins',
      candidates: [
        { dir: '/new', manifest: manifest({ installedAt: 2000, tag: 'v0.6.0', id: 'v0.6.0-cpu' }) },
        { dir: '/old', manifest: manifest() },
      ],
      ship: ['linux/x64/bundled-cpu <- /new'],
      skipped: ['/old'],
    },
    {
      name: 'release machines ship no source builds (GGML_NATIVE: tuned to the build CPU)',
      candidates: [
        { dir: '/src', manifest: manifest({ source: 'source', id: 'source-de3ff81-cpu', tag: null }) },
        { dir: '/vk', manifest: manifest({ variant: 'vulkan', id: 'v0.5.0-vulkan' }) },
      ],
      officialOnly: true,
      ship: ['linux/x64/bundled-vulkan <- /vk'],
      skipped: ['/src'],
    },
    {
      name: 'a local package may ship the source build',
      candidates: [{ dir: '/src', manifest: manifest({ source: 'source', id: 'source-de3ff81-cpu', tag: null }) }],
      ship: ['linux/x64/bundled-cpu <- /src'],
      skipped: [],
    },
    {
      name: 'user folders, unknown platforms and unsafe manifests never ship',
      candidates: [
        { dir: '/folder', manifest: manifest({ source: 'folder', id: 'folder-abc', tag: null }) },
        { dir: '/bsd', manifest: manifest({ platform: 'freebsd' }) },
        {
          dir: '/evil',
          manifest: manifest({ files: [{ path: '../x', size: 1, sha256: sha('d') }], serverPath: '../x' }),
        },
        { dir: '/noserver', manifest: manifest({ serverPath: 'bin/llama-server' }) },
      ],
      ship: [],
      skipped: ['/folder', '/bsd', '/evil', '/noserver'],
    },
    {
      name: 'variants and arches are kept apart',
      candidates: [
        { dir: '/x64', manifest: manifest() },
        { dir: '/arm', manifest: manifest({ arch: 'arm64', id: 'v0.5.0-cpu' }) },
        { dir: '/vk', manifest: manifest({ variant: 'vulkan', id: 'v0.5.0-vulkan' }) },
      ],
      ship: ['linux/arm64/bundled-cpu <- /arm', 'linux/x64/bundled-cpu <- /x64', 'linux/x64/bundled-vulkan <- /vk'],
      skipped: [],
    },
  ];

  it.each(table)('$name', ({ candidates, officialOnly, ship, skipped }) => {
    const plan = planBundle(candidates, { officialOnly: officialOnly ?? false });
    expect(plan.ship.map((s) => `${s.os}/${s.arch}/${s.manifest.id} <- ${s.from}`)).toEqual(ship);
    expect(plan.skipped.map((s) => s.from).sort()).toEqual([...skipped].sort());
    for (const s of plan.skipped) expect(s.reason.length).toBeGreaterThan(0);
  });

  it('the shipped runtime.json is a valid RuntimeManifest that keeps files and provenance', () => {
    const m = manifest();
    const b = RuntimeManifest.parse(bundledManifest(m));
    expect(b).toMatchObject({ id: 'bundled-cpu', source: 'bundled', tag: 'v0.5.0', commit: 'de3ff81' });
    expect(b.files).toEqual(m.files);
    expect(b.assets).toEqual(m.assets);
  });
});
