/**
 * The saved external servers: <data>/remote/servers.json, written atomically, read defensively (a hand-edited or
 * damaged file must not stop the app: entries that do not parse are dropped with a log line, a file that is not
 * JSON at all is set aside and the list starts empty). Never holds a key (keys.ts). Writes are serialised.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { RemoteCheck } from '../../shared/backends';
import { AppError } from '../../shared/errors';
import { WriteQueue, writeFileAtomic } from '../util/atomic-write';
import { setAside } from '../util/set-aside';
import { normalizeServerUrl } from './url';

const isNormalUrl = (u: string): boolean => {
  try {
    return normalizeServerUrl(u) === u;
  } catch {
    return false;
  }
};

/** Servers kept at most (a list, not a database). */
export const MAX_SERVERS = 100;

export const StoredServer = z.object({
  id: z.string().regex(/^[a-z0-9-]{1,64}$/),
  name: z.string().min(1).max(100),
  /** Exactly what url.ts makes of it (http/https, no credentials, no path): a hand-edited file cannot add one. */
  url: z.string().max(2000).refine(isNormalUrl),
  trustedFingerprint256: z
    .string()
    .regex(/^([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$/)
    .nullable(),
  addedAt: z.number(),
  /** A last check that no longer parses is forgotten, not fatal. */
  lastCheck: RemoteCheck.nullable().catch(null),
});
export type StoredServer = z.infer<typeof StoredServer>;

const FileShape = z.object({ version: z.literal(1), servers: z.array(z.unknown()) });

export class ServerStore {
  readonly file: string;
  private cache: StoredServer[] | null = null;
  private readonly queue = new WriteQueue();

  constructor(
    dir: string,
    private readonly log: (msg: string) => void = () => {},
  ) {
    this.file = path.join(dir, 'servers.json');
  }

  async list(): Promise<StoredServer[]> {
    this.cache ??= await this.load();
    return this.cache.map((s) => ({ ...s }));
  }

  /** Throws REMOTE_NOT_FOUND. */
  async get(id: string): Promise<StoredServer> {
    const s = (await this.list()).find((x) => x.id === id);
    if (!s) throw new AppError('REMOTE_NOT_FOUND');
    return s;
  }

  add(server: StoredServer): Promise<StoredServer> {
    return this.queue.run(async () => {
      const list = await this.list();
      if (list.length >= MAX_SERVERS)
        throw new AppError('INVALID_PARAMS', { issues: `at most ${MAX_SERVERS} servers can be saved` });
      const next = [...list, StoredServer.parse(server)];
      await this.save(next);
      return { ...server };
    });
  }

  /** Applies `fn` to the saved server and saves it; throws REMOTE_NOT_FOUND. */
  update(id: string, fn: (s: StoredServer) => StoredServer): Promise<StoredServer> {
    return this.queue.run(async () => {
      const list = await this.list();
      const i = list.findIndex((x) => x.id === id);
      if (i < 0) throw new AppError('REMOTE_NOT_FOUND');
      const updated = StoredServer.parse({ ...fn(list[i]!), id });
      list[i] = updated;
      await this.save(list);
      return { ...updated };
    });
  }

  remove(id: string): Promise<boolean> {
    return this.queue.run(async () => {
      const list = await this.list();
      const next = list.filter((x) => x.id !== id);
      if (next.length === list.length) return false;
      await this.save(next);
      return true;
    });
  }

  private async save(list: StoredServer[]): Promise<void> {
    await writeFileAtomic(this.file, JSON.stringify({ version: 1, servers: list }, null, 2));
    this.cache = list;
  }

  private async load(): Promise<StoredServer[]> {
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      this.log(`servers.json could not be read: ${(e as Error).message}`);
      return [];
    }
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {
      /* set aside below */
    }
    const shape = FileShape.safeParse(json);
    if (!shape.success) {
      const aside = await setAside(this.file);
      this.log(`servers.json is damaged; set aside as ${aside ?? '(could not move it)'}`);
      return [];
    }
    const out: StoredServer[] = [];
    const ids = new Set<string>();
    for (const raw of shape.data.servers.slice(0, MAX_SERVERS)) {
      const s = StoredServer.safeParse(raw);
      if (!s.success || ids.has(s.data.id)) {
        this.log('servers.json: an entry that does not parse (or repeats an id) was left out');
        continue;
      }
      ids.add(s.data.id);
      out.push(s.data);
    }
    return out;
  }
}
