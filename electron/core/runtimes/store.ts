/**
 * The installed runtimes under `<dataDir>/runtimes/`: one folder per runtime, named by its id, holding its files and
 * `runtime.json` (RuntimeManifest). A folder counts only once its manifest is valid: installs unpack into
 * `.staging-<id>-<random>/`, write the manifest there last (atomically) and rename the folder into place, so a crash
 * leaves a staging folder (cleaned up later), never a half runtime. Downloads wait in `.downloads/`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../shared/errors';
import { RuntimeManifest, runtimeProblem, type RuntimeFile, type RuntimeProblem } from '../../shared/runtimes';
import { writeFileAtomic } from '../util/atomic-write';
import { readRegularText } from '../util/regular-file';
import { isBelow, staysInside, unsafeRelativePath } from '../util/safe-path';

export const RUNTIMES_FOLDER = 'runtimes';
export const MANIFEST_FILE = 'runtime.json';
export const DOWNLOADS_FOLDER = '.downloads';
const MAX_MANIFEST_BYTES = 4 << 20;
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,119}$/;
/** Our own work folders at the top of runtimes/: never listed, removed by cleanStale once nobody uses them. */
const WORK_PREFIXES = ['.staging-', '.old-', '.removing-'];

export interface InstalledRuntime extends RuntimeManifest {
  /** The runtime folder. */
  dir: string;
  /** Absolute path of llama-server. */
  server: string;
}

/** A folder in runtimes/ that is not a runtime (no or an invalid runtime.json), with why. */
export interface StaleEntry {
  name: string;
  reason: string;
}

/** Staging folders an install in this process is writing; cleanStale leaves them alone. */
const activeStaging = new Set<string>();

export const isRuntimeId = (id: string): boolean => ID.test(id);

/** Why a parsed manifest cannot describe the folder `name`, or null. */
function manifestProblem(m: RuntimeManifest, name: string): string | null {
  if (m.id !== name) return `its id "${m.id}" is not the folder name`;
  if (unsafeRelativePath(m.serverPath)) return `unsafe serverPath "${m.serverPath}"`;
  const bad = m.files.find((f) => unsafeRelativePath(f.path));
  return bad ? `unsafe file path "${bad.path}"` : null;
}

/** SHA-256 and size of a file (following a link). */
export async function hashFile(file: string): Promise<{ size: number; sha256: string }> {
  const h = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    size += chunk.length;
    h.update(chunk);
  }
  return { size, sha256: h.digest('hex') };
}

/**
 * Every file below `dir` ('/'-separated, sorted) with its size and SHA-256. Links are listed with the content they
 * lead to; links to folders and dangling links carry no content and are left out (as is runtime.json at the top).
 */
export async function hashTree(dir: string): Promise<RuntimeFile[]> {
  const out: RuntimeFile[] = [];
  const walk = async (rel: string) => {
    const entries = await fs.readdir(path.join(dir, rel), { withFileTypes: true });
    for (const e of entries) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (r === MANIFEST_FILE) continue;
      const abs = path.join(dir, r);
      if (e.isDirectory()) await walk(r);
      else if (e.isFile() || (e.isSymbolicLink() && (await fs.stat(abs).catch(() => null))?.isFile()))
        out.push({ path: r, ...(await hashFile(abs)) });
    }
  };
  await walk('');
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export class RuntimeStore {
  readonly root: string;
  readonly downloads: string;

  constructor(
    dataDir: string,
    private readonly now: () => number = Date.now,
  ) {
    this.root = path.join(path.resolve(dataDir), RUNTIMES_FOLDER);
    this.downloads = path.join(this.root, DOWNLOADS_FOLDER);
  }

  private dirOf(id: string): string {
    if (!isRuntimeId(id)) throw new AppError('RUNTIME_NOT_FOUND', { id: id.slice(0, 120) }, 'not a runtime id');
    const dir = path.join(this.root, id);
    if (!isBelow(this.root, dir)) throw new AppError('RUNTIME_NOT_FOUND', { id }, 'outside the runtimes folder');
    return dir;
  }

  private async readFolder(name: string): Promise<{ runtime: InstalledRuntime } | { stale: string }> {
    const dir = path.join(this.root, name);
    const st = await fs.lstat(dir).catch(() => null);
    if (!st?.isDirectory()) return { stale: st?.isSymbolicLink() ? 'a link, not a folder' : 'not a folder' };
    let text: string;
    try {
      text = await readRegularText(path.join(dir, MANIFEST_FILE), MAX_MANIFEST_BYTES);
    } catch (e) {
      return { stale: `no readable ${MANIFEST_FILE} (${(e as NodeJS.ErrnoException).code ?? String(e)})` };
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return { stale: `${MANIFEST_FILE} is not JSON` };
    }
    const m = RuntimeManifest.safeParse(json);
    if (!m.success) return { stale: `${MANIFEST_FILE} is not a runtime manifest` };
    const why = manifestProblem(m.data, name);
    if (why) return { stale: `${MANIFEST_FILE}: ${why}` };
    return { runtime: { ...m.data, dir, server: path.join(dir, ...m.data.serverPath.split('/')) } };
  }

  /** The runtimes (valid manifests, sorted by id) and the folders that are not runtimes. */
  async scan(): Promise<{ runtimes: InstalledRuntime[]; stale: StaleEntry[] }> {
    const names = await fs.readdir(this.root).catch(() => [] as string[]);
    const runtimes: InstalledRuntime[] = [];
    const stale: StaleEntry[] = [];
    for (const name of names.sort()) {
      if (name.startsWith('.')) continue;
      const r = isRuntimeId(name) ? await this.readFolder(name) : { stale: 'not a runtime id' };
      if ('runtime' in r) runtimes.push(r.runtime);
      else stale.push({ name, reason: r.stale });
    }
    return { runtimes, stale };
  }

  async list(): Promise<InstalledRuntime[]> {
    return (await this.scan()).runtimes;
  }

  /** The runtime `id`, or null when there is none (or its manifest is invalid, or the id is not one). */
  async read(id: string): Promise<InstalledRuntime | null> {
    if (!isRuntimeId(id)) return null;
    const r = await this.readFolder(id);
    return 'runtime' in r ? r.runtime : null;
  }

  /**
   * Removes a runtime: renamed out of the way first (it disappears at once, whole), then deleted. RUNTIME_NOT_FOUND
   * for an id that is not installed or not an id; RUNTIME_IN_USE where the system holds its files (Windows).
   */
  async remove(id: string): Promise<void> {
    const dir = this.dirOf(id);
    const st = await fs.lstat(dir).catch(() => null);
    if (!st) throw new AppError('RUNTIME_NOT_FOUND', { id });
    const aside = path.join(this.root, `.removing-${id}-${randomBytes(4).toString('hex')}`);
    try {
      await fs.rename(dir, aside);
    } catch (e) {
      throw inUse(e, id);
    }
    await fs.rm(aside, { recursive: true, force: true, maxRetries: 3 }).catch(() => undefined);
  }

  /** Re-hashes every file of the manifest: FILES_CHANGED naming the first one missing or different, else null. */
  async verifyFiles(id: string): Promise<RuntimeProblem | null> {
    const rt = await this.read(id);
    if (!rt) throw new AppError('RUNTIME_NOT_FOUND', { id });
    for (const f of rt.files) {
      const abs = path.join(rt.dir, ...f.path.split('/'));
      if (!(await staysInside(rt.dir, abs))) return runtimeProblem('FILES_CHANGED', { file: f.path });
      const got = await hashFile(abs).catch(() => null);
      if (!got || got.size !== f.size || got.sha256 !== f.sha256)
        return runtimeProblem('FILES_CHANGED', { file: f.path });
    }
    return null;
  }

  /** A fresh staging folder for runtime `id`, kept from cleanStale until committed or discarded. */
  async newStaging(id: string): Promise<string> {
    this.dirOf(id);
    await fs.mkdir(this.root, { recursive: true });
    const dir = path.join(this.root, `.staging-${id}-${randomBytes(4).toString('hex')}`);
    await fs.mkdir(dir);
    activeStaging.add(dir);
    return dir;
  }

  async discardStaging(dir: string): Promise<void> {
    this.checkStaging(dir);
    await fs.rm(dir, { recursive: true, force: true, maxRetries: 3 });
    activeStaging.delete(path.resolve(dir));
  }

  private checkStaging(dir: string) {
    const d = path.resolve(dir);
    if (path.dirname(d) !== this.root || !path.basename(d).startsWith('.staging-'))
      throw new Error(`${dir} is not a staging folder of ${this.root}`);
  }

  /**
   * Makes a staging folder the runtime `manifest.id`: runtime.json written last (atomically), then the folder renamed
   * into place. A runtime already there under that id is moved aside first and deleted after (put back if the
   * rename fails).
   */
  async commitStaging(stagingDir: string, manifest: RuntimeManifest): Promise<InstalledRuntime> {
    this.checkStaging(stagingDir);
    const m = RuntimeManifest.parse(manifest);
    const dir = this.dirOf(m.id);
    const why = manifestProblem(m, m.id);
    if (why) throw new Error(`manifest for ${m.id}: ${why}`);
    const staging = path.resolve(stagingDir);
    await writeFileAtomic(path.join(staging, MANIFEST_FILE), `${JSON.stringify(m, null, 2)}\n`);
    let aside: string | null = null;
    if (await fs.lstat(dir).catch(() => null)) {
      aside = path.join(this.root, `.old-${m.id}-${randomBytes(4).toString('hex')}`);
      try {
        await fs.rename(dir, aside);
      } catch (e) {
        throw inUse(e, m.id);
      }
    }
    try {
      await fs.rename(staging, dir);
    } catch (e) {
      if (aside) await fs.rename(aside, dir).catch(() => undefined);
      throw e;
    }
    activeStaging.delete(staging);
    if (aside) await fs.rm(aside, { recursive: true, force: true, maxRetries: 3 }).catch(() => undefined);
    return { ...m, dir, server: path.join(dir, ...m.serverPath.split('/')) };
  }

  /**
   * Removes what a crash or an interrupted install left: staging, aside and half-removed folders, and folders
   * without a valid manifest, once older than `minAgeMs` (a folder being written now is young, or ours). Returns the
   * names removed. `.downloads/` stays (resumable partial files).
   */
  async cleanStale(minAgeMs = 60_000): Promise<string[]> {
    const names = await fs.readdir(this.root).catch(() => [] as string[]);
    const removed: string[] = [];
    const { stale } = await this.scan();
    const staleNames = new Set(stale.map((s) => s.name));
    for (const name of names) {
      const abs = path.join(this.root, name);
      const ours = WORK_PREFIXES.some((p) => name.startsWith(p));
      if (!ours && !staleNames.has(name)) continue;
      if (activeStaging.has(abs)) continue;
      const st = await fs.lstat(abs).catch(() => null);
      if (!st || (!st.isDirectory() && !st.isSymbolicLink())) continue;
      if (this.now() - st.mtimeMs < minAgeMs) continue;
      await fs.rm(abs, { recursive: true, force: true, maxRetries: 3 }).catch(() => undefined);
      removed.push(name);
    }
    return removed;
  }
}

function inUse(e: unknown, id: string): unknown {
  const code = (e as NodeJS.ErrnoException)?.code;
  return code === 'EBUSY' || code === 'EPERM' || code === 'EACCES'
    ? new AppError('RUNTIME_IN_USE', { id }, String((e as Error).message))
    : e;
}
