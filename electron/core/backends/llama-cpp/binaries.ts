import fs from 'node:fs';
import path from 'node:path';

export interface BinaryLocation {
  found: boolean;
  path: string;
  variant: string | null;
}

/** Preferred first: a GPU build beats the CPU build when both are installed. */
const VARIANTS = ['cuda', 'vulkan', 'metal', 'cpu'];

export const exeName = (name: string, platform: string = process.platform) =>
  platform === 'win32' ? `${name}.exe` : name;

/**
 * Finds llama-server: the path from settings, then $DEEPLOCAL_LLAMA_SERVER, then each resources dir
 * (packaged: process.resourcesPath; dev: the repo's resources/) under bin/<platform>-<arch>-<variant>/.
 */
export function findLlamaServer(opts: {
  override?: string | null;
  resourcesDirs: string[];
  env?: NodeJS.ProcessEnv;
  platform?: string;
  arch?: string;
}): BinaryLocation {
  const platform = opts.platform ?? process.platform;
  const arch = opts.arch ?? process.arch;
  const explicit = opts.override || opts.env?.DEEPLOCAL_LLAMA_SERVER;
  if (explicit) return { found: isExecutable(explicit), path: explicit, variant: null };
  const exe = exeName('llama-server', platform);
  for (const dir of opts.resourcesDirs) {
    for (const variant of VARIANTS) {
      const p = path.join(dir, 'bin', `${platform}-${arch}-${variant}`, exe);
      if (isExecutable(p)) return { found: true, path: p, variant };
    }
  }
  const fallback = path.join(opts.resourcesDirs[0] ?? '.', 'bin', `${platform}-${arch}-cpu`, exe);
  return { found: false, path: fallback, variant: null };
}

function isExecutable(p: string): boolean {
  try {
    const st = fs.statSync(p);
    if (!st.isFile()) return false;
    if (process.platform !== 'win32') fs.accessSync(p, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
