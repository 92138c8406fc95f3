/**
 * API keys of external servers, kept apart from the server list (servers.json never holds one, nor do statuses,
 * events or logs: they say `hasKey`). <data>/remote/keys.json, mode 0600, written atomically, maps a server id to
 * its key: encrypted by the OS keychain where the desktop shell offers one (Electron safeStorage: Keychain, DPAPI,
 * libsecret/kwallet), else as text in a file only this user can read. On POSIX the mode is checked at every read
 * and put back to 0600 if something widened it. A damaged file is set aside (never deleted) and reads as empty.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { AppError } from '../../shared/errors';
import { WriteQueue, writeFileAtomic } from '../util/atomic-write';
import { setAside } from '../util/set-aside';

/** The OS keychain (Electron's safeStorage). Absent in the browser shell and headless. */
export interface KeychainPort {
  available(): boolean;
  encrypt(plain: string): Buffer;
  decrypt(data: Buffer): string;
}

const Entry = z.discriminatedUnion('storage', [
  z.object({ storage: z.literal('keychain'), data: z.string().max(65_536) }),
  z.object({ storage: z.literal('file'), key: z.string().max(4096) }),
]);
const KeysFile = z.object({ version: z.literal(1), keys: z.record(z.string().max(100), Entry) });
type KeysFile = z.infer<typeof KeysFile>;

export const KEY_FILE_MODE = 0o600;

export class KeyStore {
  readonly file: string;
  private readonly queue = new WriteQueue();

  constructor(
    dir: string,
    private readonly keychain?: KeychainPort,
    private readonly log: (msg: string) => void = () => {},
  ) {
    this.file = path.join(dir, 'keys.json');
  }

  /** Where a key saved now goes. */
  storage(): 'keychain' | 'file' {
    try {
      return this.keychain?.available() ? 'keychain' : 'file';
    } catch {
      return 'file';
    }
  }

  /** The key of a server; null when it has none (or it can no longer be decrypted: the log says so). */
  async get(id: string): Promise<string | null> {
    const keys = (await this.read()).keys;
    const entry = Object.hasOwn(keys, id) ? keys[id] : undefined;
    if (!entry) return null;
    if (entry.storage === 'file') return entry.key;
    try {
      if (!this.keychain?.available()) throw new Error('the keychain is not available');
      return this.keychain.decrypt(Buffer.from(entry.data, 'base64'));
    } catch (e) {
      this.log(`the key of server ${id} could not be decrypted: ${(e as Error).message}`);
      return null;
    }
  }

  /** Saves (or with null/'' removes) a server's key; returns where it went. Throws SECRET_STORE_FAILED. */
  set(id: string, key: string | null): Promise<'keychain' | 'file' | null> {
    return this.queue.run(async () => {
      const f = await this.read();
      let where: 'keychain' | 'file' | null = null;
      if (!key) delete f.keys[id];
      else if (this.storage() === 'keychain') {
        try {
          f.keys[id] = { storage: 'keychain', data: this.keychain!.encrypt(key).toString('base64') };
        } catch (e) {
          throw new AppError('SECRET_STORE_FAILED', { reason: (e as Error).message.slice(0, 200) });
        }
        where = 'keychain';
      } else {
        f.keys[id] = { storage: 'file', key };
        where = 'file';
      }
      await this.write(f);
      return where;
    });
  }

  async remove(id: string): Promise<void> {
    await this.set(id, null);
  }

  /** Where a server's saved key is; null without one. */
  async storageOf(id: string): Promise<'keychain' | 'file' | null> {
    const keys = (await this.read()).keys;
    return Object.hasOwn(keys, id) ? (keys[id]?.storage ?? null) : null;
  }

  private async read(): Promise<KeysFile> {
    let text: string;
    try {
      if (process.platform !== 'win32') {
        const st = await fs.stat(this.file);
        if ((st.mode & 0o777) !== KEY_FILE_MODE) {
          this.log(`keys.json had mode ${(st.mode & 0o777).toString(8)}: set back to 600`);
          await fs.chmod(this.file, KEY_FILE_MODE);
        }
      }
      text = await fs.readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, keys: {} };
      throw new AppError('SECRET_STORE_FAILED', { reason: (e as Error).message.slice(0, 200) });
    }
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {
      /* damaged: set aside below */
    }
    const parsed = KeysFile.safeParse(json);
    if (parsed.success) return { version: 1, keys: { ...parsed.data.keys } };
    const aside = await setAside(this.file);
    this.log(`keys.json could not be read; set aside as ${aside ?? '(could not move it)'}`);
    return { version: 1, keys: {} };
  }

  private async write(f: KeysFile): Promise<void> {
    try {
      await writeFileAtomic(this.file, JSON.stringify(f), KEY_FILE_MODE);
      if (process.platform !== 'win32') await fs.chmod(this.file, KEY_FILE_MODE);
    } catch (e) {
      if (e instanceof AppError) throw e;
      throw new AppError('SECRET_STORE_FAILED', { reason: (e as Error).message.slice(0, 200) });
    }
  }
}
