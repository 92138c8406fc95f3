// Types for make-assets.mjs.
export type StandInVariant = 'cpu' | 'vulkan' | 'cuda-12' | 'cuda-13' | 'win-cpu';
export type BrokenKind = 'exits-at-start' | 'traversal';

export interface MadeAsset {
  name: string;
  path: string;
  size: number;
  sha256: string;
  variant: StandInVariant;
  broken: BrokenKind | null;
}

export const DEFAULT_TAG: string;
export const CUDA_LABELS: Record<'cuda-12' | 'cuda-13', string>;
export function assetNames(tag: string, variant: StandInVariant): string[];
export function makeReleaseAssets(opts?: {
  tag?: string;
  variants?: StandInVariant[];
  broken?: Partial<Record<StandInVariant, BrokenKind>>;
  /** Build folders (default resources/bin/linux-x64-<cpu|vulkan>). */
  builds?: { cpu?: string; vulkan?: string };
  cacheDir?: string;
}): Promise<{ tag: string; assets: MadeAsset[]; skipped: { variant: StandInVariant; reason: string }[] }>;
