/**
 * Settings on disk, in a temp data dir per test: first run, partial updates, writes racing each other, a damaged
 * file, and the recent-models list. The store is the only writer of settings.json, so what is on disk must always
 * be valid JSON equal to what the app believes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultLoadOptions, Settings, SettingsPatch } from '../../shared/schemas';
import { fullDiskFs } from '../../test/full-disk';
import { SettingsStore } from './store';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-settings-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const onDisk = (s: SettingsStore) => JSON.parse(fs.readFileSync(s.file, 'utf8')) as unknown;

describe('SettingsStore', () => {
  it('starts from defaults on first run without creating a file', async () => {
    const store = new SettingsStore(dir);
    const s = await store.get();
    expect(s).toEqual(Settings.parse({}));
    expect(s.loadOptions).toEqual(defaultLoadOptions());
    expect(s.recentModels).toEqual([]);
    // Reading must not write: a read-only data dir (portable installs) still lets the app start.
    expect(fs.existsSync(store.file)).toBe(false);
  });

  it('reads what an earlier run wrote', async () => {
    await new SettingsStore(dir).update({ theme: 'dark', loadOptions: { contextSize: 4096 } });
    const again = await new SettingsStore(dir).get();
    expect(again.theme).toBe('dark');
    expect(again.loadOptions.contextSize).toBe(4096);
  });

  it('merges a partial loadOptions patch into the saved options', async () => {
    const store = new SettingsStore(dir);
    await store.update({ loadOptions: { contextSize: 16384, gpuLayers: 20 } });
    const s = await store.update({ loadOptions: { threads: 6 } });
    // The second patch only names threads; the earlier choices must survive it.
    expect(s.loadOptions).toEqual({ ...defaultLoadOptions(), contextSize: 16384, gpuLayers: 20, threads: 6 });
    expect(onDisk(store)).toEqual(s);
  });

  it('merges a partial backend patch: turning restarts off keeps the reload choice and the hang timeout', async () => {
    const store = new SettingsStore(dir);
    await store.update({ backend: { reloadLastModel: false, hangTimeoutS: 60 } });
    const s = await store.update({ backend: { autoRestart: false } });
    expect(s.backend).toMatchObject({ autoRestart: false, reloadLastModel: false, hangTimeoutS: 60 });
    expect(onDisk(store)).toEqual(s);
  });

  it('merges a partial runtime patch: turning auto-update off keeps the chosen runtime, mirror and folders', async () => {
    const store = new SettingsStore(dir);
    await store.update({
      runtime: { active: 'v0.5.0-vulkan', releaseEndpoint: 'https://mirror.example/api', folders: ['~/llama'] },
    });
    const s = await store.update({ runtime: { autoUpdate: false } });
    expect(s.runtime).toEqual({
      active: 'v0.5.0-vulkan',
      releaseEndpoint: 'https://mirror.example/api',
      autoUpdate: false,
      folders: [path.join(os.homedir(), 'llama')],
    });
    expect(onDisk(store)).toEqual(s);
  });

  it('leaves fields the patch does not name untouched', async () => {
    const store = new SettingsStore(dir);
    await store.update({ language: 'zh-CN', llamaServerPath: '/opt/llama-server' });
    const s = await store.update({ theme: 'light' });
    expect(s).toMatchObject({ language: 'zh-CN', theme: 'light', llamaServerPath: '/opt/llama-server' });
  });

  it('rejects an invalid patch and keeps the file as it was', async () => {
    const store = new SettingsStore(dir);
    await store.update({ theme: 'dark' });
    const before = fs.readFileSync(store.file, 'utf8');
    await expect(store.update({ loadOptions: { contextSize: -5 } })).rejects.toThrow();
    expect(fs.readFileSync(store.file, 'utf8')).toBe(before);
    expect((await store.get()).theme).toBe('dark');
  });

  it('keeps the file valid and equal to memory after 20 concurrent updates', async () => {
    const store = new SettingsStore(dir);
    // Each update sets a different field value; the queue must apply all of them, in call order.
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.update({ loadOptions: { contextSize: 1024 * (i + 1) }, theme: i % 2 ? 'dark' : 'light' }),
      ),
    );
    expect(results.map((r) => r.loadOptions.contextSize)).toEqual(Array.from({ length: 20 }, (_, i) => 1024 * (i + 1)));
    const disk = onDisk(store);
    expect(Settings.parse(disk)).toEqual(disk);
    expect(disk).toEqual(await store.get());
    expect((await store.get()).loadOptions.contextSize).toBe(20 * 1024);
    // No temp files left behind by the atomic writes.
    expect(fs.readdirSync(dir)).toEqual(['settings.json']);
  });

  it('interleaves updates and addRecentModel without losing either', async () => {
    const store = new SettingsStore(dir);
    await Promise.all([
      store.update({ theme: 'dark' }),
      store.addRecentModel('/m/a.gguf'),
      store.update({ language: 'en' }),
      store.addRecentModel('/m/b.gguf'),
    ]);
    const s = await store.get();
    expect(s).toMatchObject({ theme: 'dark', language: 'en', recentModels: ['/m/b.gguf', '/m/a.gguf'] });
    expect(onDisk(store)).toEqual(s);
  });

  it.each([
    { name: 'not JSON', text: '{"theme": "dark",' },
    { name: 'an empty file (power cut during a non-atomic write by an older version)', text: '' },
    // Valid JSON but not our schema: trusting it would crash later where the value is used.
    { name: 'a wrong value', text: JSON.stringify({ theme: 'purple' }) },
    { name: 'a JSON array', text: '[]' },
  ])('sets aside a damaged settings.json ($name) and starts from defaults', async ({ text }) => {
    fs.writeFileSync(path.join(dir, 'settings.json'), text);
    const logs: string[] = [];
    const store = new SettingsStore(dir, (m) => logs.push(m));
    expect(await store.get()).toEqual(Settings.parse({}));
    const aside = fs.readdirSync(dir).filter((f) => /^settings\.json\.corrupt-\d+$/.test(f));
    // The user's file is kept (renamed), not deleted: they may want to recover a setting from it.
    expect(aside).toHaveLength(1);
    expect(fs.readFileSync(path.join(dir, aside[0]!), 'utf8')).toBe(text);
    expect(fs.existsSync(store.file)).toBe(false);
    expect(logs.join('\n')).toContain(aside[0]!);
    // The next update writes a fresh, valid file.
    await store.update({ theme: 'dark' });
    expect(onDisk(store)).toMatchObject({ theme: 'dark' });
  });

  it('fills fields added in a newer version with defaults when reading an older file', async () => {
    fs.writeFileSync(
      path.join(dir, 'settings.json'),
      JSON.stringify({ theme: 'dark', loadOptions: { contextSize: 2048 } }),
    );
    const s = await new SettingsStore(dir).get();
    expect(s.theme).toBe('dark');
    expect(s.loadOptions).toEqual({ ...defaultLoadOptions(), contextSize: 2048 });
    expect(fs.readdirSync(dir)).toEqual(['settings.json']);
  });

  it('tells onChange about every write, with exactly what was written (other windows follow settings.changed)', async () => {
    const seen: unknown[] = [];
    const store = new SettingsStore(dir, undefined, (s) => seen.push(s));
    await store.get();
    // Reads are not changes.
    expect(seen).toEqual([]);
    const a = await store.update({ theme: 'dark' });
    const b = await store.addRecentModel('/m/a.gguf');
    expect(seen).toEqual([a, b]);
    expect(onDisk(store)).toEqual(b);
  });

  describe('addRecentModel', () => {
    it('puts the newest first and moves a re-used model to the front instead of duplicating it', async () => {
      const store = new SettingsStore(dir);
      await store.addRecentModel('/m/a.gguf');
      await store.addRecentModel('/m/b.gguf');
      const s = await store.addRecentModel('/m/a.gguf');
      expect(s.recentModels).toEqual(['/m/a.gguf', '/m/b.gguf']);
      expect(onDisk(store)).toEqual(s);
    });

    it('keeps at most 10', async () => {
      const store = new SettingsStore(dir);
      for (let i = 0; i < 15; i++) await store.addRecentModel(`/m/${i}.gguf`);
      const s = await store.get();
      expect(s.recentModels).toEqual(Array.from({ length: 10 }, (_, i) => `/m/${14 - i}.gguf`));
    });

    it('keeps other settings', async () => {
      const store = new SettingsStore(dir);
      await store.update({ theme: 'dark', loadOptions: { gpuLayers: 'all' } });
      const s = await store.addRecentModel('/m/a.gguf');
      expect(s.theme).toBe('dark');
      expect(s.loadOptions.gpuLayers).toBe('all');
    });
  });

  // What the UI and API actually send goes through the contract's SettingsPatch first. In zod 4 LoadOptions.partial()
  // still applies each field's default, so { threads: 2 } arrives as a full set of defaults and wipes the saved
  // choices. The fix is in schemas.ts (a LoadOptionsPatch without defaults; see dispatch.test.ts).
  it('an update that went through the contract schema keeps the other saved load options', async () => {
    const store = new SettingsStore(dir);
    await store.update({ loadOptions: { contextSize: 16384, gpuLayers: 20 } });
    const s = await store.update(SettingsPatch.parse({ loadOptions: { threads: 2 } }));
    expect(s.loadOptions).toMatchObject({ contextSize: 16384, gpuLayers: 20, threads: 2 });
  });
});

describe('SettingsStore on a full disk', () => {
  it('update is DISK_FULL; the file and the settings in memory stay the previous ones, no temp file left', async () => {
    await new SettingsStore(dir).update({ theme: 'dark' });
    const store = new SettingsStore(dir, undefined, undefined, { fs: fullDiskFs('sync') });
    await expect(store.update({ theme: 'light' })).rejects.toMatchObject({ code: 'DISK_FULL' });
    expect((await store.get()).theme).toBe('dark');
    expect(fs.readdirSync(dir)).toEqual(['settings.json']);
    expect((onDisk(store) as Settings).theme).toBe('dark');
  });
});

// settings.update is reachable over the API: a patch is hostile input like any other. Each row must be refused
// with INVALID_PARAMS whose message names the field, and nothing written.
describe('settings.update validation', () => {
  const huge = '/' + 'x'.repeat(10 * 1024 * 1024);
  it.each<[string, string, unknown]>([
    ['an unknown key', 'isAdmin', { theme: 'dark', isAdmin: true }],
    ['an unknown key inside a group', 'bogus', { loadOptions: { contextSize: 4096, bogus: 1 } }],
    ['an unknown sampling key', 'logit_bias', { sampling: { temperature: 0.5, logit_bias: {} } }],
    ['a 10 MB llama-server path', 'llamaServerPath', { llamaServerPath: huge }],
    ['a 4097-character models folder', 'modelsDir', { modelsDir: '/' + 'm'.repeat(4096) }],
    ['a relative models folder', 'modelsDir', { modelsDir: 'models' }],
    ['a dot-relative models folder', 'modelsDir', { modelsDir: './models' }],
    ['a parent-relative llama-server', 'llamaServerPath', { llamaServerPath: '../bin/llama-server' }],
    ['a NUL in a path', 'modelsDir', { modelsDir: '/data/models\u0000/x' }],
    ['an empty path', 'modelsDir', { modelsDir: '' }],
    ...(process.platform === 'win32'
      ? []
      : ([['a Windows path on this system', 'modelsDir', { modelsDir: 'D:\\models' }]] as [string, string, unknown][])),
  ])('%s → INVALID_PARAMS naming %s', async (_, field, patch) => {
    const store = new SettingsStore(dir);
    await store.update({ theme: 'dark' });
    const before = fs.readFileSync(store.file, 'utf8');
    const err = await store.update(patch as SettingsPatch).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'INVALID_PARAMS' });
    expect((err as Error).message).toContain(field);
    expect((err as Error).message.length).toBeLessThan(1000);
    expect(fs.readFileSync(store.file, 'utf8')).toBe(before);
  });

  it('the contract refuses the same patches before they reach the store (one schema for both)', () => {
    expect(SettingsPatch.safeParse({ isAdmin: true }).success).toBe(false);
    expect(SettingsPatch.safeParse({ llamaServerPath: huge }).success).toBe(false);
    expect(SettingsPatch.safeParse({ modelsDir: 'models' }).success).toBe(false);
    for (const ok of ['/srv/models', '~', '~/models', 'C:\\Users\\me\\models', 'C:/models', '\\\\nas\\share\\models'])
      expect(SettingsPatch.safeParse({ modelsDir: ok }).success, ok).toBe(true);
  });

  it('~ is expanded when saved, so the folder does not depend on who reads it later', async () => {
    const s = await new SettingsStore(dir).update({ modelsDir: '~/llm-models', llamaServerPath: '~/bin/llama-server' });
    expect(s.modelsDir).toBe(path.join(os.homedir(), 'llm-models'));
    expect(s.llamaServerPath).toBe(path.join(os.homedir(), 'bin', 'llama-server'));
    expect(await new SettingsStore(dir).update({ modelsDir: null })).toMatchObject({ modelsDir: null });
  });
});
