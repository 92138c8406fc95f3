/**
 * The headless server's stable address on disk: `<dataDir>/server.json` = { v, port, token }, written atomically
 * with mode 0600. Not in settings.json: the token is a secret, and Settings is pushed to every client
 * (`settings.changed`) and may be copied into reports; the desktop window has no server and never needs it.
 * The decisions (override, first start, busy port) are in address-plan.ts.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Handlers } from '../../shared/contract';
import { AppError } from '../../shared/errors';
import { WriteQueue, writeFileAtomic, removeStaleTemps } from '../util/atomic-write';
import { setAside } from '../util/set-aside';
import { addressToSave, planAddress, SavedAddress, type AddressInput, type AddressPlan } from './address-plan';

export const SERVER_FILE = 'server.json';

/** 24 random bytes, URL-safe (it travels in ?token= and in a WebSocket subprotocol). */
export const mintToken = () => randomBytes(24).toString('base64url');

export class ServerAddressStore {
  readonly file: string;
  private saved: SavedAddress | null = null;
  private readonly queue = new WriteQueue();

  constructor(dataDir: string) {
    this.file = path.join(dataDir, SERVER_FILE);
  }

  /** The saved address, or null (none yet, or a damaged file, which is set aside and reported in `note`). */
  async load(note: (msg: string) => void = () => undefined): Promise<SavedAddress | null> {
    await removeStaleTemps(this.file);
    let raw: string;
    try {
      raw = await fs.readFile(this.file, 'utf8');
    } catch {
      return (this.saved = null);
    }
    const parsed = (() => {
      try {
        return SavedAddress.safeParse(JSON.parse(raw));
      } catch {
        return null;
      }
    })();
    if (!parsed?.success) {
      const aside = await setAside(this.file);
      note(
        `${SERVER_FILE} was unreadable; ${aside ? `kept it as ${path.basename(aside)}` : 'could not move it aside'} and chose a new address`,
      );
      return (this.saved = null);
    }
    // A copy restored from a backup may have lost its mode; the token is readable by this user only.
    if (process.platform !== 'win32') await fs.chmod(this.file, 0o600).catch(() => undefined);
    return (this.saved = parsed.data);
  }

  current(): SavedAddress | null {
    return this.saved;
  }

  save(next: SavedAddress): Promise<void> {
    return this.queue.run(async () => {
      await writeFileAtomic(this.file, JSON.stringify(next, null, 2) + '\n', 0o600);
      this.saved = next;
    });
  }
}

/** What headless does with the store: plan the address, save what it chose once listening, mint new tokens. */
export class ServerAddress {
  private constructor(
    readonly store: ServerAddressStore,
    readonly plan: AddressPlan,
  ) {}

  static async open(
    dataDir: string,
    input: Omit<AddressInput, 'saved'>,
    note?: (msg: string) => void,
  ): Promise<ServerAddress> {
    const store = new ServerAddressStore(dataDir);
    const saved = await store.load(note);
    return new ServerAddress(store, planAddress({ ...input, saved }, mintToken));
  }

  /** Call once the server listens on `boundPort`. */
  async listened(boundPort: number): Promise<void> {
    const next = addressToSave(this.plan, this.store.current(), boundPort);
    if (next) await this.store.save(next);
  }

  /** A new token, saved before it is returned (a failed write leaves the old one valid, and is the error). */
  async newToken(): Promise<string> {
    const token = mintToken();
    await this.store.save({ v: 1, port: this.store.current()?.port ?? null, token });
    return token;
  }
}

/** What the server.* handlers reach; only headless has a server (the desktop window answers UNSUPPORTED). */
export interface ServerControl {
  /** Makes and saves a new token, switches the server to it, and returns the page URL with it. */
  newToken(): Promise<{ url: string }>;
}

export function serverHandlers(control: () => ServerControl | null): Pick<Handlers, 'server.newToken'> {
  return {
    'server.newToken': async () => {
      const c = control();
      if (!c) throw new AppError('UNSUPPORTED', { what: 'a server token (this window has no web server)' });
      return c.newToken();
    },
  };
}
