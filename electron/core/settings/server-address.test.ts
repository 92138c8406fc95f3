/**
 * server.json on disk: written with mode 0600 (the token is a secret), a damaged file set aside (never lost, never
 * trusted) with a note, a new token saved before it is handed out and keeping the saved port, and the handler
 * answering UNSUPPORTED where there is no server (the desktop window).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors';
import { mintToken, SERVER_FILE, ServerAddress, ServerAddressStore, serverHandlers } from './server-address';

const dirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-addr-unit-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
const read = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, SERVER_FILE), 'utf8'));

describe('server address on disk', () => {
  it('first start: nothing saved; once listening, the OS port and a minted token, mode 0600', async () => {
    const dir = tmp();
    const a = await ServerAddress.open(dir, {});
    expect(a.plan).toMatchObject({ port: 0, portFrom: 'os', tokenFrom: 'new' });
    expect(a.plan.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    await a.listened(41234);
    expect(read(dir)).toEqual({ v: 1, port: 41234, token: a.plan.token });
    if (process.platform !== 'win32') expect(fs.statSync(path.join(dir, SERVER_FILE)).mode & 0o777).toBe(0o600);
    const again = await ServerAddress.open(dir, {});
    expect(again.plan).toMatchObject({ port: 41234, portFrom: 'saved', token: a.plan.token, tokenFrom: 'saved' });
  });

  it.each([
    ['not JSON', '{"v":1,'],
    ['a token too short to be a secret', JSON.stringify({ v: 1, port: 8080, token: 'abc' })],
    ['a port out of range', JSON.stringify({ v: 1, port: 0, token: mintToken() })],
  ])('a damaged file (%s) is set aside with a note, and a new address chosen', async (_why, content) => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, SERVER_FILE), content);
    const notes: string[] = [];
    const a = await ServerAddress.open(dir, {}, (m) => notes.push(m));
    expect(a.plan.tokenFrom).toBe('new');
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(
      /^server\.json was unreadable; kept it as server\.json\.corrupt-\d+ and chose a new address$/,
    );
    const aside = fs.readdirSync(dir).find((n) => n.startsWith(`${SERVER_FILE}.corrupt-`))!;
    expect(fs.readFileSync(path.join(dir, aside), 'utf8')).toBe(content);
  });

  it.skipIf(process.platform === 'win32')('a restored copy with a wider mode is narrowed to 0600 on load', async () => {
    const dir = tmp();
    const file = path.join(dir, SERVER_FILE);
    fs.writeFileSync(file, JSON.stringify({ v: 1, port: 8080, token: mintToken() }), { mode: 0o644 });
    fs.chmodSync(file, 0o644);
    await new ServerAddressStore(dir).load();
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('a new token is saved (the saved port kept) before it is returned', async () => {
    const dir = tmp();
    const a = await ServerAddress.open(dir, {});
    await a.listened(5555);
    const next = await a.newToken();
    expect(next).not.toBe(a.plan.token);
    expect(read(dir)).toEqual({ v: 1, port: 5555, token: next });
  });

  it('a new token that cannot be saved is an error, and the old one stays', async () => {
    const dir = tmp();
    const a = await ServerAddress.open(dir, {});
    await a.listened(5555);
    // A folder where server.json should be: the rename fails, even for root.
    const file = path.join(dir, SERVER_FILE);
    fs.rmSync(file);
    fs.mkdirSync(file);
    fs.writeFileSync(path.join(file, 'x'), '');
    await expect(a.newToken()).rejects.toThrow();
    expect(a.store.current()).toEqual({ v: 1, port: 5555, token: a.plan.token });
    expect(fs.readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });
});

describe('server.newToken handler', () => {
  it('answers UNSUPPORTED without a server (the desktop window)', async () => {
    const h = serverHandlers(() => null);
    await expect(h['server.newToken']({}, { transport: 'ipc' })).rejects.toSatisfy(
      (e) => e instanceof AppError && e.code === 'UNSUPPORTED',
    );
  });

  it('answers the server’s new URL where there is one', async () => {
    const h = serverHandlers(() => ({ newToken: async () => ({ url: 'http://127.0.0.1:5/?token=t' }) }));
    await expect(h['server.newToken']({}, { transport: 'ws' })).resolves.toEqual({
      url: 'http://127.0.0.1:5/?token=t',
    });
  });
});
