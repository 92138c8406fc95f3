/** The llama.cpp release pinned in resources/backend-manifest.json: repo, tag, and the asset hashes we pinned. */
import fs from 'node:fs';
import path from 'node:path';

export interface Pinned {
  repo: string;
  tag: string;
  assets: Record<string, string>;
}

/** The release pinned in backend-manifest.json (first resources folder that has one). */
export function readPinned(resourcesDirs: string[]): Pinned {
  for (const dir of resourcesDirs) {
    try {
      const m = JSON.parse(fs.readFileSync(path.join(dir, 'backend-manifest.json'), 'utf8'));
      const r = m?.llamaCpp?.release;
      if (r && typeof r.tag === 'string' && typeof r.repo === 'string') {
        const assets: Record<string, string> = {};
        for (const [k, v] of Object.entries(r.assets ?? {})) if (typeof v === 'string') assets[k] = v.toLowerCase();
        return { repo: r.repo, tag: r.tag, assets };
      }
    } catch {
      /* not in this folder */
    }
  }
  return { repo: 'ggml-org/llama.cpp', tag: 'latest', assets: {} };
}
