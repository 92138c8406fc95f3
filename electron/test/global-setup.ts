/**
 * Integration tests run the real llama-server on synthetic models. This makes sure both exist (building or
 * generating them on first use, cached under ~/.cache/deeplocal) and hands their paths to the tests.
 */
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { ensureBackend } from '../../scripts/build-llama-server.mjs';
import { buildAll } from '../../scripts/build.mjs';
import { ensureTestModel } from '../../scripts/make-test-model.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    llamaServer: string;
    tinyModel: string;
    resourcesDir: string;
  }
}

export default async function setup(project: TestProject) {
  const dir: string = await ensureBackend({ variant: 'cpu', log: () => undefined });
  // The orphan test runs the bundled headless entry as its own process.
  await buildAll({ renderer: false, log: () => undefined });
  const tiny = await ensureTestModel({ preset: 'tiny', seed: 1 });
  project.provide('llamaServer', path.join(dir, process.platform === 'win32' ? 'llama-server.exe' : 'llama-server'));
  project.provide('tinyModel', tiny);
  project.provide('resourcesDir', path.resolve(dir, '..', '..'));
}
