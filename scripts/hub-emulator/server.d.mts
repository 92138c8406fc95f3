// Types for server.mjs (used from TypeScript tests and the bench).
export interface EmulatorFile {
  /** Path in the repo. */
  path: string;
  /** A file on disk … */
  source?: string;
  /** … or bytes in memory. */
  data?: Buffer | Uint8Array;
  /** Precomputed (skips hashing a large file). */
  sha256?: string;
  /** Served as an LFS file (302 to the CDN with X-Linked-Etag); default: .gguf files and files ≥ 10 MiB. */
  lfs?: boolean;
  /** A plain (non-LFS) file's git blob id as the tree lists it; default: the real one (a test may list a wrong one). */
  gitOid?: string;
}

export interface EmulatorRepo {
  id: string;
  revision?: string;
  msRevision?: string;
  hubs?: ('huggingface' | 'modelscope')[];
  gated?: boolean;
  files?: EmulatorFile[];
}

export interface Fault {
  kind: 'status' | 'drop' | 'truncate' | 'stall' | 'corrupt' | 'short' | 'rate';
  file?: string;
  hub?: 'huggingface' | 'modelscope';
  stage?: 'data' | 'resolve' | 'api';
  at?: number;
  status?: number;
  retryAfter?: number;
  ms?: number;
  length?: number;
  bytesPerSecond?: number;
  times?: number;
  /** Set by the emulator: how many responses it affected. */
  fired?: number;
}

export interface EmulatorStats {
  requests: { method: string; path: string; range: string | null; at: number }[];
  bytesServed: number;
  bytesByFile: Record<string, number>;
}

export interface HubEmulator {
  url: string;
  port: number;
  addRepo(repo: EmulatorRepo): Promise<unknown>;
  setFaults(faults: Fault[]): void;
  addFault(fault: Fault): void;
  clearFaults(): void;
  faults(): Fault[];
  stats: EmulatorStats;
  resetStats(): void;
  close(): Promise<void>;
}

export function startHubEmulator(opts?: {
  port?: number;
  host?: string;
  pageSize?: number;
  lfsThreshold?: number;
  log?: (m: string) => void;
}): Promise<HubEmulator>;
