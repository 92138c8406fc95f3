import { describe, expect, it } from 'vitest';
import type { RuntimeVariant } from '../../shared/runtimes';
import {
  archiveKind,
  isSafeAssetName,
  pickAssets,
  variantsBuilt,
  variantsOffered,
  type ReleaseAsset,
  type ReleaseInfo,
} from './assets';

const TAG = 'b7312';

// Every asset the pinned release workflow (de3ff81, "Create release" step) publishes, including the ones no
// runtime uses (SYCL, OpenVINO, Android, Snapdragon, the UI, the xcframework): they must never be picked.
const PINNED_NAMES = [
  `llama-${TAG}-bin-macos-arm64.tar.gz`,
  `llama-${TAG}-bin-macos-x64.tar.gz`,
  `llama-${TAG}-xcframework.zip`,
  `llama-${TAG}-bin-ubuntu-x64.tar.gz`,
  `llama-${TAG}-bin-ubuntu-arm64.tar.gz`,
  `llama-${TAG}-bin-ubuntu-s390x.tar.gz`,
  `llama-${TAG}-bin-ubuntu-vulkan-x64.tar.gz`,
  `llama-${TAG}-bin-ubuntu-vulkan-arm64.tar.gz`,
  `llama-${TAG}-bin-ubuntu-cuda-12.8-x64.tar.gz`,
  `cudart-llama-${TAG}-bin-ubuntu-cuda-12.8-x64.tar.gz`,
  `llama-${TAG}-bin-ubuntu-cuda-13.4-x64.tar.gz`,
  `cudart-llama-${TAG}-bin-ubuntu-cuda-13.4-x64.tar.gz`,
  `llama-${TAG}-bin-ubuntu-cuda-13.4-arm64.tar.gz`,
  `cudart-llama-${TAG}-bin-ubuntu-cuda-13.4-arm64.tar.gz`,
  `llama-${TAG}-bin-ubuntu-rocm-10.0-x64.tar.gz`,
  `llama-${TAG}-bin-ubuntu-openvino-2026.0-x64.tar.gz`,
  `llama-${TAG}-bin-ubuntu-sycl-fp32-x64.tar.gz`,
  `llama-${TAG}-bin-ubuntu-sycl-fp16-x64.tar.gz`,
  `llama-${TAG}-bin-linux-arm64-snapdragon.tar.gz`,
  `llama-${TAG}-bin-android-arm64.tar.gz`,
  `llama-${TAG}-bin-android-arm64-snapdragon.tar.gz`,
  `llama-${TAG}-bin-win-cpu-x64.zip`,
  `llama-${TAG}-bin-win-cpu-arm64.zip`,
  `llama-${TAG}-bin-win-opencl-adreno-arm64.zip`,
  `llama-${TAG}-bin-win-cuda-12.4-x64.zip`,
  'cudart-llama-bin-win-cuda-12.4-x64.zip',
  `llama-${TAG}-bin-win-cuda-13.4-x64.zip`,
  'cudart-llama-bin-win-cuda-13.4-x64.zip',
  `llama-${TAG}-bin-win-cuda-13.4-arm64.zip`,
  'cudart-llama-bin-win-cuda-13.4-arm64.zip',
  `llama-${TAG}-bin-win-vulkan-x64.zip`,
  `llama-${TAG}-bin-win-openvino-2026.0-x64.zip`,
  `llama-${TAG}-bin-win-sycl-x64.zip`,
  `llama-${TAG}-bin-win-rocm-10.0-x64.zip`,
  `llama-${TAG}-ui.tar.gz`,
];

const asset = (name: string): ReleaseAsset => ({
  name,
  size: 1000 + name.length,
  sha256: null,
  url: `https://github.com/ggml-org/llama.cpp/releases/download/${TAG}/${encodeURIComponent(name)}`,
});
const release = (names: string[], tag = TAG): ReleaseInfo => ({ tag, assets: names.map(asset) });
const pinned = release(PINNED_NAMES);
const names = (r: ReleaseInfo, p: string, a: string, v: RuntimeVariant) =>
  pickAssets(r, p, a, v)?.assets.map((x) => x.name) ?? null;

describe('pickAssets on the pinned release', () => {
  it.each([
    ['linux', 'x64', 'cpu', [`llama-${TAG}-bin-ubuntu-x64.tar.gz`]],
    ['linux', 'x64', 'vulkan', [`llama-${TAG}-bin-ubuntu-vulkan-x64.tar.gz`]],
    [
      'linux',
      'x64',
      'cuda-12',
      [`llama-${TAG}-bin-ubuntu-cuda-12.8-x64.tar.gz`, `cudart-llama-${TAG}-bin-ubuntu-cuda-12.8-x64.tar.gz`],
    ],
    [
      'linux',
      'x64',
      'cuda-13',
      [`llama-${TAG}-bin-ubuntu-cuda-13.4-x64.tar.gz`, `cudart-llama-${TAG}-bin-ubuntu-cuda-13.4-x64.tar.gz`],
    ],
    ['linux', 'x64', 'rocm', [`llama-${TAG}-bin-ubuntu-rocm-10.0-x64.tar.gz`]],
    ['linux', 'x64', 'metal', null],
    ['linux', 'arm64', 'cpu', [`llama-${TAG}-bin-ubuntu-arm64.tar.gz`]],
    ['linux', 'arm64', 'vulkan', [`llama-${TAG}-bin-ubuntu-vulkan-arm64.tar.gz`]],
    [
      'linux',
      'arm64',
      'cuda-13',
      [`llama-${TAG}-bin-ubuntu-cuda-13.4-arm64.tar.gz`, `cudart-llama-${TAG}-bin-ubuntu-cuda-13.4-arm64.tar.gz`],
    ],
    ['linux', 'arm64', 'cuda-12', null],
    ['linux', 'arm64', 'rocm', null],
    ['win32', 'x64', 'cpu', [`llama-${TAG}-bin-win-cpu-x64.zip`]],
    ['win32', 'x64', 'vulkan', [`llama-${TAG}-bin-win-vulkan-x64.zip`]],
    // The Windows cudart zip carries no tag in its name.
    ['win32', 'x64', 'cuda-12', [`llama-${TAG}-bin-win-cuda-12.4-x64.zip`, 'cudart-llama-bin-win-cuda-12.4-x64.zip']],
    ['win32', 'x64', 'cuda-13', [`llama-${TAG}-bin-win-cuda-13.4-x64.zip`, 'cudart-llama-bin-win-cuda-13.4-x64.zip']],
    ['win32', 'x64', 'rocm', [`llama-${TAG}-bin-win-rocm-10.0-x64.zip`]],
    ['win32', 'arm64', 'cpu', [`llama-${TAG}-bin-win-cpu-arm64.zip`]],
    [
      'win32',
      'arm64',
      'cuda-13',
      [`llama-${TAG}-bin-win-cuda-13.4-arm64.zip`, 'cudart-llama-bin-win-cuda-13.4-arm64.zip'],
    ],
    ['win32', 'arm64', 'vulkan', null],
    ['darwin', 'arm64', 'metal', [`llama-${TAG}-bin-macos-arm64.tar.gz`]],
    ['darwin', 'arm64', 'cpu', null],
    ['darwin', 'x64', 'cpu', [`llama-${TAG}-bin-macos-x64.tar.gz`]],
    ['darwin', 'x64', 'metal', null],
    ['freebsd', 'x64', 'cpu', null],
    ['linux', 's390x', 'cpu', null],
  ] as const)('%s %s %s', (platform, arch, variant, expected) => {
    const picked = pickAssets(pinned, platform, arch, variant);
    expect(picked?.assets.map((a) => a.name) ?? null).toEqual(expected);
    if (picked) {
      expect(picked.variant).toBe(variant);
      expect(picked.tag).toBe(TAG);
      // The asset objects are the feed's own (url, size and digest travel with them).
      expect(picked.assets[0]).toEqual(pinned.assets.find((a) => a.name === expected![0]));
    }
  });

  it.each([
    ['linux', 'x64', ['cuda-13', 'cuda-12', 'rocm', 'vulkan', 'cpu']],
    ['linux', 'arm64', ['cuda-13', 'vulkan', 'cpu']],
    ['win32', 'x64', ['cuda-13', 'cuda-12', 'rocm', 'vulkan', 'cpu']],
    ['win32', 'arm64', ['cuda-13', 'cpu']],
    ['darwin', 'arm64', ['metal']],
    ['darwin', 'x64', ['cpu']],
    ['linux', 'ia32', []],
  ])('variantsOffered(%s, %s) and variantsBuilt agree on the pinned release', (platform, arch, expected) => {
    expect(variantsOffered(pinned, platform, arch)).toEqual(expected);
    expect(variantsBuilt(platform, arch)).toEqual(expected);
  });
});

describe('pickAssets across releases', () => {
  it('follows a newer CUDA minor and ROCm version without a code change', () => {
    const r = release(
      [
        'llama-b9000-bin-win-cuda-12.9-x64.zip',
        'cudart-llama-bin-win-cuda-12.9-x64.zip',
        'llama-b9000-bin-ubuntu-rocm-7.2.1-x64.tar.gz',
        'llama-b9000-bin-ubuntu-cuda-13.10-x64.tar.gz',
        'cudart-llama-b9000-bin-ubuntu-cuda-13.10-x64.tar.gz',
      ],
      'b9000',
    );
    expect(names(r, 'win32', 'x64', 'cuda-12')).toEqual([
      'llama-b9000-bin-win-cuda-12.9-x64.zip',
      'cudart-llama-bin-win-cuda-12.9-x64.zip',
    ]);
    expect(names(r, 'linux', 'x64', 'rocm')).toEqual(['llama-b9000-bin-ubuntu-rocm-7.2.1-x64.tar.gz']);
    expect(names(r, 'linux', 'x64', 'cuda-13')).toHaveLength(2);
  });

  it('pairs the CUDA archive with the runtime of the same CUDA version, newest complete pair first', () => {
    const r = release([
      `llama-${TAG}-bin-win-cuda-12.4-x64.zip`,
      'cudart-llama-bin-win-cuda-12.4-x64.zip',
      // 12.10 is newer than 12.4 (numeric, not string order) but its runtime archive is missing.
      `llama-${TAG}-bin-win-cuda-12.10-x64.zip`,
      `llama-${TAG}-bin-win-cuda-12.8-x64.zip`,
      'cudart-llama-bin-win-cuda-12.8-x64.zip',
    ]);
    expect(names(r, 'win32', 'x64', 'cuda-12')).toEqual([
      `llama-${TAG}-bin-win-cuda-12.8-x64.zip`,
      'cudart-llama-bin-win-cuda-12.8-x64.zip',
    ]);
  });

  it('answers null when a CUDA variant lacks its runtime archive, and does not offer it', () => {
    const r = release(PINNED_NAMES.filter((n) => n !== 'cudart-llama-bin-win-cuda-12.4-x64.zip'));
    expect(pickAssets(r, 'win32', 'x64', 'cuda-12')).toBeNull();
    expect(variantsOffered(r, 'win32', 'x64')).toEqual(['cuda-13', 'rocm', 'vulkan', 'cpu']);
  });

  it('never mixes versions: a 12.4 archive with a 12.8 runtime is not a runtime', () => {
    const r = release([`llama-${TAG}-bin-win-cuda-12.4-x64.zip`, 'cudart-llama-bin-win-cuda-12.8-x64.zip']);
    expect(pickAssets(r, 'win32', 'x64', 'cuda-12')).toBeNull();
  });

  it("accepts a tagged Windows cudart name (if upstream adds the tag) and prefers this tag's when both exist", () => {
    const tagged = release([`llama-${TAG}-bin-win-cuda-13.4-x64.zip`, `cudart-llama-${TAG}-bin-win-cuda-13.4-x64.zip`]);
    expect(names(tagged, 'win32', 'x64', 'cuda-13')?.[1]).toBe(`cudart-llama-${TAG}-bin-win-cuda-13.4-x64.zip`);
    const both = release([
      `llama-${TAG}-bin-ubuntu-cuda-13.4-x64.tar.gz`,
      'cudart-llama-bin-ubuntu-cuda-13.4-x64.tar.gz',
      `cudart-llama-${TAG}-bin-ubuntu-cuda-13.4-x64.tar.gz`,
    ]);
    expect(names(both, 'linux', 'x64', 'cuda-13')?.[1]).toBe(`cudart-llama-${TAG}-bin-ubuntu-cuda-13.4-x64.tar.gz`);
  });

  it("ignores another release's assets (the tag must match)", () => {
    const r = release([`llama-b1-bin-ubuntu-x64.tar.gz`, `llama-${TAG}-bin-ubuntu-vulkan-x64.tar.gz`]);
    expect(pickAssets(r, 'linux', 'x64', 'cpu')).toBeNull();
    expect(variantsOffered(r, 'linux', 'x64')).toEqual(['vulkan']);
  });

  it('treats the tag literally, not as a pattern', () => {
    const r = release(['llama-b1x2-bin-ubuntu-x64.tar.gz'], 'b1.2');
    expect(pickAssets(r, 'linux', 'x64', 'cpu')).toBeNull();
    const dollar = release(['llama-v$&1-bin-ubuntu-x64.tar.gz'], 'v$&1');
    expect(names(dollar, 'linux', 'x64', 'cpu')).toEqual(['llama-v$&1-bin-ubuntu-x64.tar.gz']);
  });
});

describe('hostile names from the feed', () => {
  it.each([
    `../llama-${TAG}-bin-ubuntu-x64.tar.gz`,
    `llama-${TAG}-bin-ubuntu-x64.tar.gz/`,
    `x/llama-${TAG}-bin-ubuntu-x64.tar.gz`,
    `x\\llama-${TAG}-bin-ubuntu-x64.tar.gz`,
    `llama-${TAG}-bin-ubuntu-x64.tar.gz\n`,
    `llama-${TAG}-bin-ubuntu-x64.tar.gz\u0000`,
  ])('%j is never picked', (name) => {
    expect(isSafeAssetName(name)).toBe(false);
    expect(pickAssets(release([name]), 'linux', 'x64', 'cpu')).toBeNull();
  });

  it.each(['..', '../b1', 'b1/..', 'a\\b', 'b1\r'])('a release tagged %j offers nothing', (tag) => {
    const r = release([`llama-${tag}-bin-ubuntu-x64.tar.gz`], tag);
    expect(variantsOffered(r, 'linux', 'x64')).toEqual([]);
  });

  it('an unsafe cudart name does not complete a CUDA pair', () => {
    const r = release([`llama-${TAG}-bin-win-cuda-12.4-x64.zip`, 'cudart-llama-bin-win-cuda-12.4-x64.zip\u0007']);
    expect(pickAssets(r, 'win32', 'x64', 'cuda-12')).toBeNull();
  });

  it('the same name twice is refused (which of the two would we download?)', () => {
    const r = release([`llama-${TAG}-bin-ubuntu-x64.tar.gz`, `llama-${TAG}-bin-ubuntu-x64.tar.gz`]);
    expect(pickAssets(r, 'linux', 'x64', 'cpu')).toBeNull();
  });

  it('accepts every name of the pinned release', () => {
    expect(PINNED_NAMES.filter((n) => !isSafeAssetName(n))).toEqual([]);
  });
});

describe('archiveKind', () => {
  it.each([
    [`llama-${TAG}-bin-win-cpu-x64.zip`, 'zip'],
    [`llama-${TAG}-bin-ubuntu-x64.tar.gz`, 'tar.gz'],
    ['X.TGZ', 'tar.gz'],
    ['llama.tar.xz', null],
    ['llama.tar', null],
    ['llama.gz', null],
    ['zip', null],
  ])('%s -> %s', (name, kind) => {
    expect(archiveKind(name)).toBe(kind);
  });
});
