/**
 * A hostile hub: the emulator lists (and serves) files whose names climb out of the repo folder, are absolute, carry
 * drive letters or backslashes, or name Windows devices, next to one ordinary model. Through the same handlers the UI
 * calls, on both hub APIs: the bad names are skipped with HUB_UNSAFE_PATH naming the repo, asking for one by name is
 * refused, the ordinary model still downloads, and nothing is written outside the models folder (a user's file where
 * an escaping name points stays as it was). Symlinked folders inside the models folder do not lead out either.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startHubEmulator, type HubEmulator } from '../../../scripts/hub-emulator/server.mjs';
import { methods } from '../../shared/contract';
import type { DownloadJob, RepoListing } from '../../shared/models';
import { tmpDir } from '../../test/helpers';
import { tinyLlamaGguf } from '../../test/hub-fixtures';
import { createModelsFeature, type ModelsFeature } from '../compose/models';
import { SettingsStore } from '../settings/store';
import { createEventBus } from '../util/event-bus';

const model = (name: string) => tinyLlamaGguf(name, 2048);

const REPO = 'evil/hostile-GGUF';
const GOOD = 'good-Q4_K_M.gguf';
// Relative to <models>/evil/hostile-GGUF/: three levels up is the data folder, four the sandbox.
const HOSTILE = [
  '../../../escape-Q8_0.gguf',
  '../../../../escape2-Q8_0.gguf',
  'sub/../../../../../dots-Q8_0.gguf',
  '/abs-Q8_0.gguf',
  '..\\..\\..\\win-Q8_0.gguf',
  'C:/drive-Q8_0.gguf',
  'C:drive2-Q8_0.gguf',
  './dot-Q8_0.gguf',
  'a//empty-Q8_0.gguf',
  'nul\u0000-Q8_0.gguf',
  'NUL.gguf',
  'x.gguf:stream-Q8_0.gguf',
  '../../../split-Q8_0-00001-of-00002.gguf',
  '../../../split-Q8_0-00002-of-00002.gguf',
];
const USER_FILE_CONTENT = 'the user wrote this; nobody may replace it\n';

let emu: HubEmulator;
beforeAll(async () => {
  emu = await startHubEmulator();
  await emu.addRepo({
    id: REPO,
    files: [
      { path: GOOD, data: model('Good') },
      ...HOSTILE.map((p, i) => ({ path: p, data: model(`Evil ${i}`) })),
      { path: 'README.md', data: Buffer.from('# hi\n') },
    ],
  });
  await emu.addRepo({ id: 'evil/linked-GGUF', files: [{ path: 'linked-Q4_K_M.gguf', data: model('Linked') }] });
  await emu.addRepo({ id: 'evil/inclinked-GGUF', files: [{ path: 'inc-Q4_K_M.gguf', data: model('Inc') }] });
});
afterAll(() => emu.close());

let sandbox: string;
let dataDir: string;
let outside: string;
let feature: ModelsFeature;
const ctx = { transport: 'direct' as const };

beforeEach(async () => {
  sandbox = tmpDir('dl-hostile-');
  dataDir = path.join(sandbox, 'data');
  outside = path.join(sandbox, 'elsewhere');
  fs.mkdirSync(outside, { recursive: true });
  fs.mkdirSync(dataDir, { recursive: true });
  // Where the escaping names point: files a user already has.
  fs.writeFileSync(path.join(dataDir, 'escape-Q8_0.gguf'), USER_FILE_CONTENT);
  fs.writeFileSync(path.join(sandbox, 'escape2-Q8_0.gguf'), USER_FILE_CONTENT);
  feature = await createModelsFeature({
    dataDir,
    resourcesDirs: [path.join(__dirname, '../../../resources')],
    settings: new SettingsStore(dataDir),
    bus: createEventBus(),
    env: {},
    hubEndpoints: { huggingface: emu.url, 'hf-mirror': emu.url, modelscope: emu.url },
    downloadTuning: { segmentBytes: 1 << 20, stallMs: 1000, backoffBaseMs: 20, backoffMaxMs: 100, maxRetries: 1 },
    probeTimeoutMs: 500,
  });
});

/** Every file under the sandbox, relative to it. */
function allFiles(): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(path.relative(sandbox, p).split(path.sep).join('/'));
    }
  };
  walk(sandbox);
  return out.sort();
}

afterEach(async () => {
  await feature.dispose();
  try {
    // Outside the models folder: only the app's own data files and the user's files, unchanged.
    const stray = allFiles().filter((f) => !f.startsWith('data/models/') && !/^data\/[a-z]+\.json$/.test(f));
    expect(stray).toEqual(['data/escape-Q8_0.gguf', 'escape2-Q8_0.gguf']);
    expect(fs.readFileSync(path.join(dataDir, 'escape-Q8_0.gguf'), 'utf8')).toBe(USER_FILE_CONTENT);
    expect(fs.readFileSync(path.join(sandbox, 'escape2-Q8_0.gguf'), 'utf8')).toBe(USER_FILE_CONTENT);
    // Nothing of the bad names was even asked for.
    expect(Object.keys(emu.stats.bytesByFile).filter((f) => HOSTILE.includes(f))).toEqual([]);
  } finally {
    emu.resetStats();
    fs.rmSync(sandbox, { recursive: true, force: true });
  }
});

const call = async <M extends keyof typeof methods>(m: M, params: unknown) => {
  const h = feature.handlers[m as keyof ModelsFeature['handlers']] as (p: unknown, c: typeof ctx) => Promise<unknown>;
  const out = await h(methods[m].params.parse(params), ctx);
  return methods[m].result.parse(out) as ReturnType<(typeof methods)[M]['result']['parse']>;
};

describe.each([
  ['Hugging Face', REPO],
  ['ModelScope', `modelscope.cn/models/${REPO}`],
])('a hostile listing on %s', (_, ref) => {
  it('lists only the safe files and names each skipped one with HUB_UNSAFE_PATH and the repo', async () => {
    const listing = (await call('models.openRepo', { ref })) as RepoListing;
    expect(listing.groups.map((g) => g.path)).toEqual([GOOD]);
    expect(listing.files.map((f) => f.path).sort()).toEqual(['README.md', GOOD]);
    expect(listing.skipped).toHaveLength(HOSTILE.length);
    for (const e of listing.skipped!) {
      expect(e.code).toBe('HUB_UNSAFE_PATH');
      expect(e.params?.repo).toBe(REPO);
      expect(e.message).toContain(REPO);
    }
    // The NUL is shown escaped, never raw.
    expect(listing.skipped!.map((e) => String(e.params?.path))).toContain('nul\\u0000-Q8_0.gguf');
  });

  it.each(HOSTILE)('asking for %j by name is refused before anything is written', async (file) => {
    await expect(call('downloads.start', { ref, file })).rejects.toMatchObject({
      code: expect.stringMatching(/^(HUB_UNSAFE_PATH|INVALID_PARAMS)$/),
    });
    expect(fs.existsSync(path.join(dataDir, 'models', '.incomplete'))).toBe(false);
  });

  it('pulling the repo still downloads the safe model, into the models folder', async () => {
    const job = (await call('downloads.start', { ref })) as DownloadJob;
    const end = await feature.manager.waitFor(job.id);
    expect(end.state).toBe('completed');
    expect(end.targetPath).toBe(path.join(dataDir, 'models', 'evil', 'hostile-GGUF', GOOD));
    expect((await feature.library.list()).map((m) => m.name)).toEqual(['Good']);
  });
});

describe('symlinks inside the models folder', () => {
  const canLink = (() => {
    const d = tmpDir('dl-link-probe-');
    try {
      fs.symlinkSync(d, path.join(d, 'l'), 'dir');
      return true;
    } catch {
      return false;
    } finally {
      fs.rmSync(d, { recursive: true, force: true });
    }
  })();

  it.skipIf(!canLink)(
    'a repo folder that is a symlink to elsewhere is refused (HUB_UNSAFE_PATH), nothing lands there',
    async () => {
      const models = await feature.modelsDir();
      fs.mkdirSync(path.join(models, 'evil'), { recursive: true });
      fs.symlinkSync(outside, path.join(models, 'evil', 'linked-GGUF'), 'dir');
      await expect(call('downloads.start', { ref: 'evil/linked-GGUF' })).rejects.toMatchObject({
        code: 'HUB_UNSAFE_PATH',
        params: { repo: 'evil/linked-GGUF' },
      });
      expect(fs.readdirSync(outside)).toEqual([]);
      fs.unlinkSync(path.join(models, 'evil', 'linked-GGUF'));
    },
  );

  it.skipIf(!canLink)('a partial-download folder that is a symlink to elsewhere is refused too', async () => {
    const models = await feature.modelsDir();
    fs.mkdirSync(path.join(models, '.incomplete'), { recursive: true });
    fs.symlinkSync(outside, path.join(models, '.incomplete', 'evil'), 'dir');
    await expect(call('downloads.start', { ref: 'evil/inclinked-GGUF' })).rejects.toMatchObject({
      code: 'HUB_UNSAFE_PATH',
    });
    expect(fs.readdirSync(outside)).toEqual([]);
    fs.unlinkSync(path.join(models, '.incomplete', 'evil'));
  });
});
