/**
 * Installed models: every GGUF in the models folder (split models listed once, by their first shard) plus imported
 * references to files elsewhere. library.json in the data folder remembers where downloaded files came from (repo,
 * SHA-256) and the references. Headers are read once per file version (path + size + mtime).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { AppError, toErrorInfo } from '../../shared/errors';
import type { LibraryModel } from '../../shared/models';
import type { Provenance } from '../../shared/provenance';
import type { ModelFileInfo } from '../../shared/schemas';
import { diskFullError, WriteQueue, writeFileAtomic, type AtomicFs } from '../util/atomic-write';
import { isBelow, realLocation } from '../util/safe-path';
import { setAside } from '../util/set-aside';
import { inspectModel, splitShardPaths } from './inspect';
import { deleteSnapshotFolder, isSnapshotListing, readSnapshotEntry } from './vllm/library-entry';
import { emptyLibrary, LibraryFile, rebuild, salvage, type DownloadRecord, type Installed } from './library-file';

const SPLIT_NOT_FIRST = /-(\d{5})-of-\d{5}\.gguf$/i;
const MAX_SCAN = 5000;

/** True when `dir` is `root` or below it once symlinks are resolved. */
async function folderInside(root: string, dir: string): Promise<boolean> {
  try {
    const r = await realLocation(root);
    const d = await realLocation(dir);
    return d === r || isBelow(r, d);
  } catch {
    return false;
  }
}

export interface LibraryIo {
  fs?: AtomicFs;
  copyFile?: (src: string, dest: string) => Promise<void>;
  /** Completed downloads (downloads.json), to rebuild a damaged library.json from. */
  downloadRecords?: () => Promise<DownloadRecord[]>;
}

export class Library {
  private readonly file: string;
  private readonly queue = new WriteQueue();
  private readonly cache = new Map<string, { key: string; info: ModelFileInfo }>();
  /** Folders the last scan found to be vLLM snapshots. */
  private readonly snapshots = new Set<string>();
  private recovering: Promise<LibraryFile> | null = null;

  constructor(
    dataDir: string,
    private readonly modelsDir: () => Promise<string>,
    private readonly onChange: (list: LibraryModel[]) => void = () => undefined,
    private readonly log: (m: string) => void = () => undefined,
    /** Tests: file operations that fail like a full disk. */
    private readonly io: LibraryIo = {},
  ) {
    this.file = path.join(dataDir, 'library.json');
  }

  /**
   * library.json as stored. A file that does not parse is set aside and rebuilt (once, whoever asks first), never
   * loaded as empty and then written over. One that cannot be read at all (EACCES, EIO) reads as empty but is not
   * written over (`forWrite` throws).
   */
  private async load(forWrite = false): Promise<LibraryFile> {
    let raw: string;
    try {
      raw = await fs.readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return this.recovering ? this.recovering : emptyLibrary();
      if (forWrite) throw e;
      this.log(`library.json unreadable, listing without it: ${(e as Error).message.slice(0, 200)}`);
      return emptyLibrary();
    }
    try {
      return LibraryFile.parse(JSON.parse(raw));
    } catch (e) {
      this.recovering ??= this.recover(raw, (e as Error).message).finally(() => {
        this.recovering = null;
      });
      return this.recovering;
    }
  }

  private async recover(raw: string, why: string): Promise<LibraryFile> {
    const aside = await setAside(this.file);
    const root = await this.modelsDir();
    const records = await (this.io.downloadRecords?.() ?? Promise.resolve([])).catch(() => [] as DownloadRecord[]);
    const salvaged = salvage(raw);
    const { library, restored } = await rebuild(salvaged, root, records, {
      scan: () => this.scan(root),
      readable: (p) =>
        inspectModel(p).then(
          () => true,
          () => false,
        ),
    });
    // Written at once, so the next read finds a good file (and a second damage is set aside on its own).
    await writeFileAtomic(
      this.file,
      JSON.stringify(library, null, 1) + '\n',
      0o644,
      this.io.fs ? { fs: this.io.fs } : {},
    ).catch((e) => this.log(`could not write the rebuilt library.json: ${(e as Error).message}`));
    const kept = Object.keys(salvaged.installed).length + salvaged.references.length;
    this.log(
      `library.json was damaged (${why.slice(0, 200)}); ${aside ? `kept it as ${path.basename(aside)}` : 'could not move it aside'}, rebuilt with ${kept} readable entr${kept === 1 ? 'y' : 'ies'} and ${restored.length} model(s) from the download records`,
    );
    return library;
  }

  private async update(fn: (l: LibraryFile) => void): Promise<void> {
    await this.queue.run(async () => {
      const l = await this.load(true);
      fn(l);
      await writeFileAtomic(this.file, JSON.stringify(l, null, 1) + '\n', 0o644, this.io.fs ? { fs: this.io.fs } : {});
    });
  }

  private async notify() {
    try {
      this.onChange(await this.list());
    } catch (e) {
      this.log(`library listing failed: ${(e as Error).message}`);
    }
  }

  private rel(root: string, p: string): string {
    return path.relative(root, p).split(path.sep).join('/');
  }

  async recordInstalled(rec: {
    path: string;
    files: { path: string; sha256: string }[];
    hub: string;
    repo: string;
    catalogId: string | null;
    /** A model the app made (llama-quantize): where it came from. */
    provenance?: Provenance | null;
  }): Promise<void> {
    const root = await this.modelsDir();
    await this.update((l) => {
      l.installed[this.rel(root, rec.path)] = {
        files: rec.files,
        hub: rec.hub,
        repo: rec.repo,
        catalogId: rec.catalogId,
        addedAt: Date.now(),
        provenance: rec.provenance ?? null,
      };
    });
    await this.notify();
  }

  /** True when `file` was installed by a download that verified this SHA-256. */
  async isInstalled(file: string, sha256: string): Promise<boolean> {
    const l = await this.load();
    return Object.values(l.installed).some((e) =>
      e.files.some((f) => path.resolve(f.path) === path.resolve(file) && f.sha256 === sha256),
    );
  }

  private async inspectCached(p: string): Promise<ModelFileInfo> {
    const st = await fs.stat(p);
    const key = `${st.size}:${st.mtimeMs}`;
    const hit = this.cache.get(p);
    if (hit?.key === key) return hit.info;
    const info = await inspectModel(p);
    this.cache.set(p, { key, info });
    return info;
  }

  private async scan(root: string): Promise<string[]> {
    const out: string[] = [];
    const walk = async (dir: string, depth: number) => {
      if (depth > 6 || out.length >= MAX_SCAN) return;
      let entries: import('node:fs').Dirent[];
      try {
        entries = await fs.readdir(dir, { withFileTypes: true });
      } catch {
        return;
      }
      // A vLLM snapshot folder is one model (its shards are not GGUF, nothing below it is another model).
      if (depth > 0 && isSnapshotListing(entries)) {
        out.push(dir);
        this.snapshots.add(dir);
        return;
      }
      for (const e of entries) {
        // .incomplete (partial downloads) and other hidden folders are not models.
        if (e.name.startsWith('.')) continue;
        const p = path.join(dir, e.name);
        if (e.isDirectory()) await walk(p, depth + 1);
        else if (e.isFile() && /\.gguf$/i.test(e.name)) {
          const m = SPLIT_NOT_FIRST.exec(e.name);
          if (m && Number(m[1]) !== 1) continue;
          out.push(p);
        }
      }
    };
    await walk(root, 0);
    return out.sort();
  }

  private entry(
    p: string,
    id: string,
    source: LibraryModel['source'],
    info: ModelFileInfo | null,
    error: unknown,
    meta: Installed | null,
    addedAt: number | null,
  ): LibraryModel {
    return {
      id,
      path: p,
      name: info?.name ?? path.basename(p).replace(/\.gguf$/i, ''),
      architecture: info?.architecture ?? null,
      quantization: info?.quantization ?? null,
      sizeBytes: info?.sizeBytes ?? 0,
      contextLength: info?.contextLength ?? null,
      parameterCount: info?.parameterCount ?? null,
      splitCount: info?.splitCount ?? 1,
      source,
      repo: meta?.repo ?? null,
      sha256: meta?.files[0]?.sha256 ?? null,
      catalogId: meta?.catalogId ?? null,
      addedAt: meta?.addedAt ?? addedAt,
      error: error ? toErrorInfo(error) : null,
      provenance: meta?.provenance ?? null,
    };
  }

  async list(): Promise<LibraryModel[]> {
    const root = await this.modelsDir();
    const l = await this.load();
    const out: LibraryModel[] = [];
    for (const p of await this.scan(root)) {
      const rel = this.rel(root, p);
      if (this.snapshots.has(p)) {
        const meta = l.installed[rel] ?? null;
        out.push(
          await readSnapshotEntry(p, rel, {
            repo: meta?.repo ?? null,
            catalogId: meta?.catalogId ?? null,
            addedAt: meta?.addedAt ?? null,
          }),
        );
        continue;
      }
      let info: ModelFileInfo | null = null;
      let err: unknown = null;
      try {
        info = await this.inspectCached(p);
      } catch (e) {
        err = e;
      }
      out.push(this.entry(p, rel, 'models-folder', info, err, l.installed[rel] ?? null, null));
    }
    for (const r of l.references) {
      let info: ModelFileInfo | null = null;
      let err: unknown = null;
      try {
        info = await this.inspectCached(r.path);
      } catch (e) {
        err = e;
      }
      out.push(this.entry(r.path, `ref:${r.path}`, 'reference', info, err, null, r.addedAt));
    }
    return out;
  }

  /** Deletes a model (all shards) from the models folder, or forgets a reference. */
  async delete(id: string, inUse: (p: string) => boolean): Promise<boolean> {
    const root = await this.modelsDir();
    if (id.startsWith('ref:')) {
      const p = id.slice(4);
      if (inUse(p)) throw new AppError('MODEL_IN_USE', { path: p });
      let found = false;
      await this.update((l) => {
        const n = l.references.length;
        l.references = l.references.filter((r) => r.path !== p);
        found = l.references.length !== n;
      });
      if (found) await this.notify();
      return found;
    }
    const abs = path.resolve(root, ...id.split('/'));
    const lexicallyInside =
      abs.startsWith(path.resolve(root) + path.sep) && !id.split('/').some((s) => s === '..' || s.startsWith('.'));
    // A vLLM snapshot is its folder; gone in one piece.
    const snapshot = lexicallyInside && (await deleteSnapshotFolder(abs, (d) => folderInside(root, d), inUse));
    // Only files inside the models folder can be deleted through an id.
    if (snapshot) {
      /* removed above; its record and empty parents go below */
    } else if (
      !abs.startsWith(path.resolve(root) + path.sep) ||
      !/\.gguf$/i.test(abs) ||
      id.split('/').some((s) => s === '..' || s.startsWith('.'))
    )
      throw new AppError('MODEL_NOT_FOUND', { path: id });
    // Lexically inside is not enough: a symlinked folder on the way leads elsewhere. (The file itself may be a link;
    // rm removes the link, never what it points to.)
    if (!snapshot && !(await folderInside(root, path.dirname(abs))))
      throw new AppError('MODEL_NOT_FOUND', { path: id });
    if (!snapshot && inUse(abs)) throw new AppError('MODEL_IN_USE', { path: abs });
    const shards = snapshot ? [] : (splitShardPaths(abs) ?? [abs]);
    let any = snapshot;
    for (const s of shards) {
      try {
        await fs.rm(s);
        any = true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
    }
    // Empty folders left behind (owner/repo) go too.
    let d = path.dirname(abs);
    while (d.startsWith(path.resolve(root) + path.sep)) {
      try {
        await fs.rmdir(d);
      } catch {
        break;
      }
      d = path.dirname(d);
    }
    await this.update((l) => {
      delete l.installed[id];
    });
    this.cache.delete(abs);
    if (any) await this.notify();
    return any;
  }

  /** Imports a local GGUF after validating it (every shard): copied into <models>/imported/, or referenced in place. */
  async import(src: string, mode: 'copy' | 'reference'): Promise<LibraryModel> {
    const abs = path.resolve(src);
    const info = await inspectModel(abs);
    const root = await this.modelsDir();
    if (mode === 'reference') {
      await this.update((l) => {
        if (!l.references.some((r) => r.path === abs)) l.references.push({ path: abs, addedAt: Date.now() });
      });
      await this.notify();
      return this.entry(abs, `ref:${abs}`, 'reference', info, null, null, Date.now());
    }
    const shards = splitShardPaths(abs) ?? [abs];
    const destDir = path.join(root, 'imported');
    const targets = shards.map((s) => path.join(destDir, path.basename(s)));
    for (const t of targets)
      if (
        await fs.stat(t).then(
          () => true,
          () => false,
        )
      )
        throw new AppError('MODEL_EXISTS', { path: t });
    const tmpDir = path.join(root, '.incomplete', 'imported');
    const tmps = targets.map((t) => path.join(tmpDir, `${path.basename(t)}.partial`));
    const copy = this.io.copyFile ?? ((a: string, b: string) => fs.copyFile(a, b));
    // Every shard is copied next to the models folder first, then all are moved in: the models folder never holds
    // half a file or part of a split model. On failure (a full disk is DISK_FULL) nothing of the copy stays behind.
    const moved: string[] = [];
    let i = 0;
    try {
      await fs.mkdir(tmpDir, { recursive: true });
      for (; i < shards.length; i++) await copy(shards[i]!, tmps[i]!);
      await fs.mkdir(destDir, { recursive: true });
      for (let k = 0; k < tmps.length; k++) {
        await fs.rename(tmps[k]!, targets[k]!);
        moved.push(targets[k]!);
      }
    } catch (e) {
      await Promise.all([...tmps, ...moved].map((t) => fs.rm(t, { force: true }).catch(() => undefined)));
      const err = diskFullError(e, tmps[Math.min(i, tmps.length - 1)]!);
      throw err instanceof AppError
        ? err
        : new AppError('DOWNLOAD_FAILED', {
            file: path.basename(shards[Math.min(i, shards.length - 1)]!),
            reason: (e as Error).message,
          });
    } finally {
      // Only when empty (another import may be copying); .incomplete itself belongs to the downloads.
      await fs.rmdir(tmpDir).catch(() => undefined);
    }
    const first = targets[0]!;
    await this.notify();
    return this.entry(
      first,
      this.rel(root, first),
      'models-folder',
      await this.inspectCached(first),
      null,
      null,
      Date.now(),
    );
  }
}
