/**
 * A composed core (createCore) in a fresh data folder for integration tests that drive the core directly: `start()`
 * makes one, and after each test it is disposed and its folder removed. Call at a test file's top level (it registers
 * the afterEach).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach } from 'vitest';
import { createCore, type Core, type CoreOptions } from '../core/app';
import { tmpDir } from './helpers';

export interface StartCoreOptions extends Partial<Omit<CoreOptions, 'dataDir'>> {
  /** The data folder's name prefix (under the OS temp folder). */
  prefix?: string;
  /** Written as the data folder's settings.json before the core starts. */
  settings?: object;
}

export interface CoreUnderTest {
  /** A fresh data folder, then the core on it: browser shell, version "test", the repo's resources. */
  start(opts?: StartCoreOptions): Promise<Core>;
  /** The current test's data folder (null before start and after the test). */
  readonly dataDir: string | null;
}

export function coreUnderTest(resourcesDir: string): CoreUnderTest {
  let core: Core | null = null;
  let dataDir: string | null = null;
  afterEach(async () => {
    await core?.dispose();
    core = null;
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    dataDir = null;
  });
  return {
    async start({ prefix = 'dl-test-', settings, ...opts } = {}) {
      dataDir = tmpDir(prefix);
      if (settings) fs.writeFileSync(path.join(dataDir, 'settings.json'), JSON.stringify(settings));
      core = await createCore({ dataDir, resourcesDirs: [resourcesDir], shell: 'browser', version: 'test', ...opts });
      return core;
    },
    get dataDir() {
      return dataDir;
    },
  };
}
