/**
 * Where runtimes come from, gathered into one list: installed releases (<dataDir>/runtimes, through the store),
 * runtimes packaged with the app (<resources>/runtimes/<id>/runtime.json), source builds in
 * <resources>/bin/<platform>-<arch>-<variant>/ (with the runtime.json the build script writes, or an older build
 * without one), folders the user added, and the legacy override (settings.llamaServerPath / DEEPLOCAL_LLAMA_SERVER).
 * Files on disk are read, never trusted: a manifest must parse and its llama-server must stay inside its folder.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { RuntimeManifest, type RuntimeCheck, type RuntimeInfo, type RuntimeVariant } from '../../shared/runtimes';
import { exeName } from '../backends/llama-cpp/binaries';
import { variantFromFiles, variantFromFolderName } from './folder-variant';

export interface RuntimeEntry extends RuntimeManifest {
  dir: string;
  /** Absolute path of llama-server. */
  server: string;
  removable: boolean;
}

export interface GatherInput {
  /** Installed release runtimes (RuntimeStore.list()). */
  installed: () => Promise<(RuntimeManifest & { dir: string })[]>;
  resourcesDirs: string[];
  folders: string[];
  platform: string;
  arch: string;
}

const shortHash = (s: string) => createHash('sha1').update(s).digest('hex').slice(0, 10);

/** llama-server inside `dir`, or null when the manifest points outside it. */
function serverIn(dir: string, rel: string): string | null {
  const p = path.resolve(dir, rel);
  const inside = path.relative(dir, p);
  return inside && !inside.startsWith('..') && !path.isAbsolute(inside) ? p : null;
}

async function readManifest(dir: string): Promise<RuntimeManifest | null> {
  try {
    const parsed = RuntimeManifest.safeParse(JSON.parse(await fs.readFile(path.join(dir, 'runtime.json'), 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

const mtimeOf = async (p: string) => (await fs.stat(p).catch(() => null))?.mtimeMs ?? 0;
const listDir = (dir: string) => fs.readdir(dir).catch(() => [] as string[]);

function fromManifest(m: RuntimeManifest, dir: string, removable: boolean): RuntimeEntry | null {
  const server = serverIn(dir, m.serverPath);
  return server ? { ...m, dir, server, removable } : null;
}

/** A folder with a llama-server but no manifest: the variant from its name or its libraries. */
async function folderEntry(
  dir: string,
  o: { id: string; source: 'source' | 'folder'; variant?: RuntimeVariant | null; server?: string; removable: boolean },
  platform: string,
  arch: string,
): Promise<RuntimeEntry> {
  const server = o.server ?? path.join(dir, exeName('llama-server', platform));
  const variant = o.variant ?? variantFromFiles(await listDir(dir), platform, arch);
  return {
    schema: 1,
    id: o.id,
    variant,
    source: o.source,
    tag: null,
    commit: null,
    platform,
    arch,
    assets: [],
    files: [],
    serverPath: path.relative(dir, server) || path.basename(server),
    installedAt: await mtimeOf(server),
    dir,
    server,
    removable: o.removable,
  };
}

/** Every runtime, first source wins for a repeated id: installed, bundled, source builds, user folders. */
export async function gatherRuntimes(i: GatherInput): Promise<RuntimeEntry[]> {
  const out: RuntimeEntry[] = [];
  const add = (e: RuntimeEntry | null) => {
    if (e && e.platform === i.platform && e.arch === i.arch && !out.some((x) => x.id === e.id)) out.push(e);
  };
  for (const m of await i.installed().catch(() => [])) add(fromManifest(m, m.dir, true));
  for (const res of i.resourcesDirs) {
    const bundled = path.join(res, 'runtimes');
    for (const name of (await listDir(bundled)).sort()) {
      const dir = path.join(bundled, name);
      const m = await readManifest(dir);
      if (m) add(fromManifest(m, dir, false));
    }
    const bin = path.join(res, 'bin');
    for (const name of (await listDir(bin)).sort()) {
      const dir = path.join(bin, name);
      const m = await readManifest(dir);
      if (m) {
        add(fromManifest(m, dir, false));
        continue;
      }
      // A source build from before runtime.json: bin/<platform>-<arch>-<variant>/ (cuda meant CUDA 12).
      const variant = variantFromFolderName(name, i.platform, i.arch);
      const server = path.join(dir, exeName('llama-server', i.platform));
      if (variant && (await mtimeOf(server)) > 0)
        add(
          await folderEntry(
            dir,
            { id: `source-local-${variant}`, source: 'source', variant, removable: false },
            i.platform,
            i.arch,
          ),
        );
    }
  }
  for (const folder of i.folders) add(await userFolder(folder, i.platform, i.arch));
  return out;
}

/** A folder the user pointed at (settings.runtime.folders). Removing it only forgets it. */
export function userFolder(folder: string, platform: string, arch: string): Promise<RuntimeEntry> {
  return folderEntry(folder, { id: `folder-${shortHash(folder)}`, source: 'folder', removable: true }, platform, arch);
}

/** The legacy override: one llama-server path, wherever it lives. */
export async function overrideEntry(server: string, platform: string, arch: string): Promise<RuntimeEntry> {
  const dir = path.dirname(server);
  const variant = variantFromFolderName(path.basename(dir), platform, arch);
  return folderEntry(
    dir,
    { id: `override-${shortHash(server)}`, source: 'folder', variant, server, removable: false },
    platform,
    arch,
  );
}

/** An entry as the contract shows it (only the contract's fields). */
export function runtimeInfo(r: RuntimeEntry, active: boolean, lastCheck: RuntimeCheck | null): RuntimeInfo {
  return {
    schema: r.schema,
    id: r.id,
    variant: r.variant,
    source: r.source,
    tag: r.tag,
    commit: r.commit,
    platform: r.platform,
    arch: r.arch,
    assets: r.assets,
    files: r.files,
    serverPath: r.serverPath,
    installedAt: r.installedAt,
    dir: r.dir,
    server: r.server,
    active,
    removable: r.removable,
    lastCheck,
  };
}
