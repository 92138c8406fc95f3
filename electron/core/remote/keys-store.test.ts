import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KeyStore, type KeychainPort } from './keys';
import { ServerStore, type StoredServer } from './store';

const dirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-remote-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
const posix = process.platform !== 'win32';
const modeOf = (f: string) => fs.statSync(f).mode & 0o777;

/** A reversible stand-in for safeStorage: the bytes differ from the key, so the file never shows it. */
const keychain = (available = true): KeychainPort => ({
  available: () => available,
  encrypt: (s) => Buffer.from(Buffer.from(s, 'utf8').map((b) => b ^ 0x5a)),
  decrypt: (b) => Buffer.from(b.map((x) => x ^ 0x5a)).toString('utf8'),
});

describe('KeyStore', () => {
  it('keeps keys in a 0600 file without a keychain, and puts a widened mode back', async () => {
    const dir = tmp();
    const keys = new KeyStore(dir);
    expect(keys.storage()).toBe('file');
    expect(await keys.set('a', 'sk-secret')).toBe('file');
    expect(await keys.get('a')).toBe('sk-secret');
    if (posix) {
      expect(modeOf(keys.file)).toBe(0o600);
      fs.chmodSync(keys.file, 0o644);
      const lines: string[] = [];
      const again = new KeyStore(dir, undefined, (m) => lines.push(m));
      expect(await again.get('a')).toBe('sk-secret');
      expect(modeOf(keys.file)).toBe(0o600);
      expect(lines.join()).toMatch(/mode 644/);
      expect(lines.join()).not.toContain('sk-secret');
    }
    await keys.remove('a');
    expect(await keys.get('a')).toBeNull();
    expect(await keys.storageOf('a')).toBeNull();
  });

  it('encrypts with the keychain: the file never holds the key', async () => {
    const dir = tmp();
    const keys = new KeyStore(dir, keychain());
    expect(await keys.set('a', 'sk-secret')).toBe('keychain');
    expect(fs.readFileSync(keys.file, 'utf8')).not.toContain('sk-secret');
    expect(await keys.get('a')).toBe('sk-secret');
    expect(await keys.storageOf('a')).toBe('keychain');
    // The keychain went away (another desktop session): the key reads as missing, nothing throws.
    expect(await new KeyStore(dir, keychain(false)).get('a')).toBeNull();
  });

  it('a damaged keys file is set aside, not fatal; prototype names are not keys', async () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'keys.json'), '{"version":1,"keys":{"a":{"storage":"file","key":5}}}', {
      mode: 0o600,
    });
    const keys = new KeyStore(dir);
    expect(await keys.get('a')).toBeNull();
    expect(fs.readdirSync(dir).some((n) => n.startsWith('keys.json.corrupt-'))).toBe(true);
    expect(await keys.get('__proto__')).toBeNull();
    expect(await keys.get('constructor')).toBeNull();
  });
});

const server = (id: string, over: Partial<StoredServer> = {}): StoredServer => ({
  id,
  name: `server ${id}`,
  url: 'http://127.0.0.1:8080',
  trustedFingerprint256: null,
  addedAt: 1,
  lastCheck: null,
  ...over,
});

describe('ServerStore', () => {
  it('adds, updates, removes, and a new store reads the same', async () => {
    const dir = tmp();
    const s = new ServerStore(dir);
    await s.add(server('a'));
    await s.add(server('b'));
    await s.update('a', (x) => ({ ...x, name: 'renamed' }));
    expect(await s.remove('b')).toBe(true);
    expect(await s.remove('b')).toBe(false);
    const again = new ServerStore(dir);
    expect((await again.list()).map((x) => [x.id, x.name])).toEqual([['a', 'renamed']]);
    await expect(again.get('zz')).rejects.toMatchObject({ code: 'REMOTE_NOT_FOUND' });
    await expect(again.update('zz', (x) => x)).rejects.toMatchObject({ code: 'REMOTE_NOT_FOUND' });
  });

  it('drops entries that do not parse, keeps the rest', async () => {
    const dir = tmp();
    const lines: string[] = [];
    const file = path.join(dir, 'servers.json');
    fs.writeFileSync(
      file,
      JSON.stringify({
        version: 1,
        servers: [
          server('good'),
          server('good'),
          { ...server('bad-url'), url: 'ftp://x' },
          { ...server('creds'), url: 'http://u:p@host' },
          { ...server('Bad ID!') },
          { ...server('check'), lastCheck: { nonsense: true } },
          42,
        ],
      }),
    );
    const s = new ServerStore(dir, (m) => lines.push(m));
    const list = await s.list();
    expect(list.map((x) => x.id)).toEqual(['good', 'check']);
    expect(list[1]!.lastCheck).toBeNull();
    expect(lines.length).toBeGreaterThan(0);
  });

  it('a file that is not JSON is set aside and the list starts empty', async () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'servers.json'), '{"version":1,"servers":[');
    const s = new ServerStore(dir);
    expect(await s.list()).toEqual([]);
    await s.add(server('a'));
    expect(fs.readdirSync(dir).some((n) => n.startsWith('servers.json.corrupt-'))).toBe(true);
    expect((await new ServerStore(dir).list()).map((x) => x.id)).toEqual(['a']);
  });
});
