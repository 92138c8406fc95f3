/**
 * Which official llama.cpp release assets make up a runtime, per platform × arch × variant. Pure.
 *
 * The names follow `.github/workflows/release.yml` of the pinned llama.cpp commit (de3ff81):
 *   linux   llama-<tag>-bin-ubuntu-x64.tar.gz, -ubuntu-arm64, -ubuntu-vulkan-{x64,arm64},
 *           -ubuntu-cuda-12.8-x64 + cudart-llama-<tag>-bin-ubuntu-cuda-12.8-x64.tar.gz, -ubuntu-cuda-13.4-{x64,arm64}
 *           (+ cudart), -ubuntu-rocm-10.0-x64
 *   windows llama-<tag>-bin-win-cpu-{x64,arm64}.zip, -win-cuda-12.4-x64 + cudart-llama-bin-win-cuda-12.4-x64.zip
 *           (no tag in the cudart name), -win-cuda-13.4-{x64,arm64} (+ cudart), -win-vulkan-x64, -win-rocm-10.0-x64
 *   macos   llama-<tag>-bin-macos-arm64.tar.gz (Metal), -macos-x64.tar.gz (CPU: Metal is off in that build)
 * CUDA minor and ROCm versions change between releases, so they are matched as patterns, never as exact names.
 * Asset names come from a network feed: a name that could leave a folder (/, \, ..) or carries control
 * characters is never picked.
 */
import type { RuntimeVariant } from '../../shared/runtimes';

/** One downloadable file of a release, as the release feed reports it. */
export interface ReleaseAsset {
  name: string;
  size: number;
  /** From the API's `digest: "sha256:<hex>"`, lower-case hex; null where the API gives none. */
  sha256: string | null;
  url: string;
}

/** A llama.cpp release as the release feed (release-feed.ts) produces it. */
export interface ReleaseInfo {
  tag: string;
  assets: ReleaseAsset[];
}

export interface PickedAssets {
  variant: RuntimeVariant;
  tag: string;
  /** The main archive first, then the CUDA runtime archive for CUDA variants. */
  assets: ReleaseAsset[];
}

export type ArchiveKind = 'zip' | 'tar.gz';

/** Official variants, best-known order; `variantsOffered` answers in this order. */
export const VARIANT_ORDER: readonly RuntimeVariant[] = ['cuda-13', 'cuda-12', 'rocm', 'metal', 'vulkan', 'cpu'];

/** `{tag}` stands for the escaped release tag, `{v}` for a dotted version (captured, to pair CUDA archives). */
interface AssetRule {
  main: string;
  /** The CUDA runtime libraries, shipped as a separate archive with the same CUDA version. */
  cudart?: string;
}

const V = '(\\d+(?:\\.\\d+)*)';

const RULES: Record<string, Partial<Record<RuntimeVariant, AssetRule>>> = {
  'linux-x64': {
    cpu: { main: 'llama-{tag}-bin-ubuntu-x64\\.tar\\.gz' },
    vulkan: { main: 'llama-{tag}-bin-ubuntu-vulkan-x64\\.tar\\.gz' },
    'cuda-12': {
      main: `llama-{tag}-bin-ubuntu-cuda-(12(?:\\.\\d+)*)-x64\\.tar\\.gz`,
      cudart: 'cudart-llama-(?:{tag}-)?bin-ubuntu-cuda-{v}-x64\\.tar\\.gz',
    },
    'cuda-13': {
      main: `llama-{tag}-bin-ubuntu-cuda-(13(?:\\.\\d+)*)-x64\\.tar\\.gz`,
      cudart: 'cudart-llama-(?:{tag}-)?bin-ubuntu-cuda-{v}-x64\\.tar\\.gz',
    },
    rocm: { main: `llama-{tag}-bin-ubuntu-rocm-${V}-x64\\.tar\\.gz` },
  },
  'linux-arm64': {
    cpu: { main: 'llama-{tag}-bin-ubuntu-arm64\\.tar\\.gz' },
    vulkan: { main: 'llama-{tag}-bin-ubuntu-vulkan-arm64\\.tar\\.gz' },
    'cuda-13': {
      main: `llama-{tag}-bin-ubuntu-cuda-(13(?:\\.\\d+)*)-arm64\\.tar\\.gz`,
      cudart: 'cudart-llama-(?:{tag}-)?bin-ubuntu-cuda-{v}-arm64\\.tar\\.gz',
    },
  },
  'win32-x64': {
    cpu: { main: 'llama-{tag}-bin-win-cpu-x64\\.zip' },
    vulkan: { main: 'llama-{tag}-bin-win-vulkan-x64\\.zip' },
    'cuda-12': {
      main: `llama-{tag}-bin-win-cuda-(12(?:\\.\\d+)*)-x64\\.zip`,
      cudart: 'cudart-llama-(?:{tag}-)?bin-win-cuda-{v}-x64\\.zip',
    },
    'cuda-13': {
      main: `llama-{tag}-bin-win-cuda-(13(?:\\.\\d+)*)-x64\\.zip`,
      cudart: 'cudart-llama-(?:{tag}-)?bin-win-cuda-{v}-x64\\.zip',
    },
    rocm: { main: `llama-{tag}-bin-win-rocm-${V}-x64\\.zip` },
  },
  'win32-arm64': {
    cpu: { main: 'llama-{tag}-bin-win-cpu-arm64\\.zip' },
    'cuda-13': {
      main: `llama-{tag}-bin-win-cuda-(13(?:\\.\\d+)*)-arm64\\.zip`,
      cudart: 'cudart-llama-(?:{tag}-)?bin-win-cuda-{v}-arm64\\.zip',
    },
  },
  'darwin-arm64': { metal: { main: 'llama-{tag}-bin-macos-arm64\\.tar\\.gz' } },
  'darwin-x64': { cpu: { main: 'llama-{tag}-bin-macos-x64\\.tar\\.gz' } },
};

/** The variants official releases publish for this platform and arch (no release needed), in VARIANT_ORDER. */
export function variantsBuilt(platform: string, arch: string): RuntimeVariant[] {
  const rules = RULES[`${platform}-${arch}`];
  return rules ? VARIANT_ORDER.filter((v) => rules[v]) : [];
}

/** A file name we may use as given: no path separators, no `..`, no control characters, not empty. */
export function isSafeAssetName(name: string): boolean {
  // eslint-disable-next-line no-control-regex
  return name.length > 0 && name.length <= 300 && !/[/\\\u0000-\u001f\u007f]/.test(name) && !name.includes('..');
}

export function archiveKind(name: string): ArchiveKind | null {
  if (/\.zip$/i.test(name)) return 'zip';
  if (/\.(tar\.gz|tgz)$/i.test(name)) return 'tar.gz';
  return null;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * The assets that make up `variant` on this platform/arch in `release`, or null when any required part is
 * missing (or the release is unusable: an unsafe tag, the same name twice). Where a release carries several
 * versions of a variant (CUDA 12.4 and 12.8), the newest complete one wins.
 */
export function pickAssets(
  release: ReleaseInfo,
  platform: string,
  arch: string,
  variant: RuntimeVariant,
): PickedAssets | null {
  const rule = RULES[`${platform}-${arch}`]?.[variant];
  if (!rule || !isSafeAssetName(release.tag)) return null;
  const safe = release.assets.filter((a) => isSafeAssetName(a.name));
  const tag = escapeRe(release.tag);
  const mainRe = new RegExp(`^${rule.main.replace('{tag}', () => tag)}$`);
  const found: { version: string; assets: ReleaseAsset[] }[] = [];
  for (const asset of safe) {
    const m = mainRe.exec(asset.name);
    if (!m) continue;
    const version = m[1] ?? '';
    if (!rule.cudart) {
      found.push({ version, assets: [asset] });
      continue;
    }
    const cudartRe = new RegExp(`^${rule.cudart.replace('{tag}', () => tag).replace('{v}', () => escapeRe(version))}$`);
    const cudart = safe.filter((a) => cudartRe.test(a.name));
    // Prefer the cudart archive that names this tag; either spelling is one archive, two of one spelling is ambiguous.
    const tagged = cudart.filter((a) => a.name.includes(`-${release.tag}-`));
    const pick = tagged.length === 1 ? tagged[0] : cudart.length === 1 ? cudart[0] : undefined;
    if (pick) found.push({ version, assets: [asset, pick] });
  }
  if (found.length === 0) return null;
  found.sort((a, b) => compareVersions(b.version, a.version));
  const best = found[0]!;
  // The same name twice in one release is a feed we cannot trust to mean one file.
  for (const a of best.assets) if (release.assets.filter((x) => x.name === a.name).length !== 1) return null;
  return { variant, tag: release.tag, assets: best.assets };
}

/** The variants `release` can install on this platform and arch, in VARIANT_ORDER. */
export function variantsOffered(release: ReleaseInfo, platform: string, arch: string): RuntimeVariant[] {
  return variantsBuilt(platform, arch).filter((v) => pickAssets(release, platform, arch, v) !== null);
}
