/** Settings on disk: zod-validated on read, written atomically, a damaged file set aside rather than lost. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { AppError } from '../../shared/errors';
import { Settings, SettingsPatch } from '../../shared/schemas';
import { WriteQueue, writeFileAtomic, type AtomicFs } from '../util/atomic-write';
import { expandHome } from '../util/safe-path';
import { setAside } from '../util/set-aside';

const PATH_FIELDS = ['modelsDir', 'llamaServerPath'] as const;

/**
 * Checks a patch as the contract does (core callers too: the CLI, power limits), and makes its paths absolute for
 * this platform: `~` expanded, anything still relative refused. Errors are INVALID_PARAMS naming the field.
 */
export function normalizePatch(patch: unknown, home?: string): SettingsPatch {
  const parsed = SettingsPatch.safeParse(patch);
  if (!parsed.success) throw new AppError('INVALID_PARAMS', { issues: z.prettifyError(parsed.error).slice(0, 500) });
  const out: SettingsPatch = { ...parsed.data };
  for (const k of PATH_FIELDS) {
    const v = out[k];
    if (typeof v !== 'string') continue;
    const p = expandHome(v, home);
    if (!path.isAbsolute(p))
      throw new AppError('INVALID_PARAMS', {
        issues: `${k}: must be an absolute path on this system (or start with ~): ${v.slice(0, 200)}`,
      });
    out[k] = path.normalize(p);
  }
  if (out.runtime?.folders) {
    const folders = out.runtime.folders.map((f) => {
      const p = expandHome(f, home);
      if (!path.isAbsolute(p))
        throw new AppError('INVALID_PARAMS', {
          issues: `runtime.folders: must be an absolute path on this system (or start with ~): ${f.slice(0, 200)}`,
        });
      return path.normalize(p);
    });
    out.runtime = { ...out.runtime, folders };
  }
  return out;
}

export class SettingsStore {
  private current: Settings | null = null;
  private readonly queue = new WriteQueue();
  readonly file: string;

  constructor(
    dataDir: string,
    private readonly log: (msg: string) => void = () => undefined,
    private readonly onChange: (s: Settings) => void = () => undefined,
    /** Tests: a file system that fails like a full disk. */
    private readonly io: { fs?: AtomicFs } = {},
  ) {
    this.file = path.join(dataDir, 'settings.json');
  }

  /** A full disk is DISK_FULL; the settings in memory then stay the previous ones, as on disk. */
  private write(s: Settings): Promise<void> {
    return writeFileAtomic(this.file, JSON.stringify(s, null, 2) + '\n', 0o644, this.io.fs ? { fs: this.io.fs } : {});
  }

  async get(): Promise<Settings> {
    if (this.current) return this.current;
    let raw: string | null = null;
    try {
      raw = await fs.readFile(this.file, 'utf8');
    } catch {
      /* first run */
    }
    if (raw !== null) {
      try {
        this.current = Settings.parse(JSON.parse(raw));
        return this.current;
      } catch (e) {
        const aside = await setAside(this.file);
        this.log(
          `settings file was unreadable (${(e as Error).message.slice(0, 200)}); ${aside ? `kept it as ${path.basename(aside)}` : 'could not move it aside'} and started from defaults`,
        );
      }
    }
    this.current = Settings.parse({});
    return this.current;
  }

  async update(input: SettingsPatch): Promise<Settings> {
    const patch = normalizePatch(input);
    return this.queue.run(async () => {
      const cur = await this.get();
      // Nested groups merge field by field; sampling is replaced whole (unset fields mean "model default").
      const next = Settings.parse({
        ...cur,
        ...patch,
        loadOptions: { ...cur.loadOptions, ...(patch.loadOptions ?? {}) },
        power: { ...cur.power, ...(patch.power ?? {}) },
        thermalGuard: { ...cur.thermalGuard, ...(patch.thermalGuard ?? {}) },
        alerts: { ...cur.alerts, ...(patch.alerts ?? {}) },
        hub: { ...cur.hub, ...(patch.hub ?? {}) },
        updates: { ...cur.updates, ...(patch.updates ?? {}) },
        runtime: { ...cur.runtime, ...(patch.runtime ?? {}) },
        backend: { ...cur.backend, ...(patch.backend ?? {}) },
        chat: { ...cur.chat, ...(patch.chat ?? {}) },
        api: { ...cur.api, ...(patch.api ?? {}) },
        rpc: { ...cur.rpc, worker: { ...cur.rpc.worker, ...(patch.rpc?.worker ?? {}) } },
        sampling: patch.sampling ? { ...patch.sampling } : cur.sampling,
      });
      await this.write(next);
      this.current = next;
      this.onChange(next);
      return next;
    });
  }

  /**
   * A change the core makes itself, outside settings.update's patch (the RPC worker list, which rpc.addWorker and
   * rpc.removeWorker check first). `fn` gets the current settings and returns the next ones (validated, written
   * atomically, settings.changed emitted).
   */
  async mutate(fn: (cur: Settings) => Settings): Promise<Settings> {
    return this.queue.run(async () => {
      const next = Settings.parse(fn(await this.get()));
      await this.write(next);
      this.current = next;
      this.onChange(next);
      return next;
    });
  }

  async addRecentModel(modelPath: string): Promise<Settings> {
    return this.queue.run(async () => {
      const cur = await this.get();
      const next = {
        ...cur,
        recentModels: [modelPath, ...cur.recentModels.filter((p) => p !== modelPath)].slice(0, 10),
      };
      await this.write(next);
      this.current = next;
      this.onChange(next);
      return next;
    });
  }
}
