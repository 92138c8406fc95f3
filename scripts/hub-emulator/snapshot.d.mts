// Types for snapshot.mjs.
import type { EmulatorFile } from './server.mjs';

export function snapshotRepoFiles(opts?: {
  name?: string;
  hidden?: number;
  layers?: number;
  shards?: number;
  seed?: number;
  extra?: EmulatorFile[];
}): EmulatorFile[];
