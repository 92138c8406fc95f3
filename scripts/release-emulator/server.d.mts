// Types for server.mjs (used from TypeScript tests and the bench).
import type { Fault as HubFault } from '../hub-emulator/server.d.mts';

export interface ReleaseAssetSpec {
  /** The asset name as published (llama-v0.5.0-bin-ubuntu-x64.tar.gz). */
  name: string;
  /** A file on disk … */
  path?: string;
  /** … or bytes in memory. */
  data?: Buffer | Uint8Array;
  /** Precomputed sha256 (skips hashing). */
  sha256?: string;
  contentType?: string;
}

export interface ReleaseSpec {
  tag: string;
  assets?: ReleaseAssetSpec[];
  /** Every regular file in this folder (except *.json and dot files) becomes an asset. */
  assetsDir?: string;
  name?: string;
  body?: string;
  draft?: boolean;
  prerelease?: boolean;
  /** ISO date; by default later entries of `releases` are newer. */
  publishedAt?: string;
}

export type ReleaseFault =
  | { kind: 'digest-mismatch' | 'no-digest'; asset?: string }
  | { kind: 'truncated'; asset?: string; at?: number }
  | (HubFault & { file?: string });

export interface ServedAsset {
  name: string;
  size: number;
  sha256: string;
  id: number;
  path?: string;
  data?: Buffer;
}

export interface ServedRelease {
  tag: string;
  id: number;
  publishedAt: string;
  assets: ServedAsset[];
}

export interface ReleaseEmulator {
  /** The API base (what DEEPLOCAL_RELEASE_ENDPOINT is set to). */
  url: string;
  port: number;
  repo: string;
  releases(): ServedRelease[];
  addRelease(spec: ReleaseSpec): Promise<ServedRelease>;
  setFaults(faults: ReleaseFault[]): void;
  addFault(fault: ReleaseFault): void;
  clearFaults(): void;
  faults(): ReleaseFault[];
  stats: { requests: { method: string; path: string; range: string | null; at: number }[]; bytesServed: number };
  stop(): Promise<void>;
  close(): Promise<void>;
}

export const DEFAULT_REPO: string;

export function startReleaseEmulator(opts?: {
  repo?: string;
  tag?: string;
  assets?: ReleaseAssetSpec[];
  assetsDir?: string;
  releases?: ReleaseSpec[];
  faults?: ReleaseFault[];
  port?: number;
  host?: string;
  perPageDefault?: number;
  log?: (m: string) => void;
}): Promise<ReleaseEmulator>;
