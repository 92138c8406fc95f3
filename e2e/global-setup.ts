/**
 * Starts the built headless app exactly as a user would (`node dist/electron/headless.mjs`), with a fresh data dir
 * and the fake nvidia-smi (two GPUs) first on its PATH, plus the hub emulator with a catalog entry pointing at it
 * (e2e/hub-fixture.ts), and hands the URLs to the specs. Returns the teardown that stops them (and llama-server).
 */
import { ensureTestModel } from '../scripts/make-test-model.mjs';
import { startApp } from './app';
import { startHubFixture } from './hub-fixture';

export default async function globalSetup() {
  const model = await ensureTestModel({ preset: 'tiny', seed: 1 });
  // The hub emulator stands in for Hugging Face and ModelScope (models.spec.ts): the app finds it through the same
  // environment variables a user behind a mirror would set, and a catalog entry in its data folder points at it.
  const hub = await startHubFixture();
  process.env.HF_ENDPOINT = hub.url;
  process.env.MODELSCOPE_ENDPOINT = hub.url;
  // 1 MiB segments: the 27 MB test files download as many Range requests over several connections, so a resume that
  // restarted from zero would show in the emulator's byte count (models.spec.ts).
  process.env.DEEPLOCAL_DL_SEGMENT_BYTES = String(1 << 20);
  let app;
  try {
    app = await startApp({ profile: 'two-gpus' });
  } catch (e) {
    await hub.stop();
    throw e;
  }
  hub.writeCatalog(app.dataDir);
  process.env.DEEPLOCAL_E2E_HUB = hub.url;
  process.env.DEEPLOCAL_E2E_URL = app.url;
  process.env.DEEPLOCAL_E2E_MODEL = model;
  process.env.DEEPLOCAL_E2E_DATA = app.dataDir;
  return async () => {
    await app.stop();
    await hub.stop();
  };
}
