/**
 * The out-of-memory ladder on a real failure: the Vulkan build on one 2048 MiB lavapipe device
 * (GGML_VK_VISIBLE_DEVICES=0), the 4-layer `small` synthetic model with every layer offloaded and a context whose KV
 * cache (4 layers × 2 × 128 × 2 B = 2 KiB per token: 2048 MiB at 1M tokens) the device cannot hold. llama-server
 * aborts while it reserves the graph (stderr-classifier.ts: BACKEND_OOM); the supervision halves the context and
 * the model loads. Missing, the Vulkan build skips this on a developer machine and FAILS under CI=true (or
 * DEEPLOCAL_REQUIRE_VULKAN=1), like runtimes/vulkan.int.test.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { ensureTestModel } from '../../../../scripts/make-test-model.mjs';
import type { BackendStatus } from '../../../shared/schemas';
import { coreUnderTest } from '../../../test/core-under-test';
import { pathWithoutGpuTools, waitForStatus } from '../../../test/helpers';

const resourcesDir = inject('resourcesDir');
const direct = { transport: 'direct' as const };
const vulkanDir = path.join(resourcesDir, 'bin', `${process.platform}-${process.arch}-vulkan`);
const built = fs.existsSync(path.join(vulkanDir, 'llama-server'));
const required = process.env.CI === 'true' || process.env.DEEPLOCAL_REQUIRE_VULKAN === '1';

const cores = coreUnderTest(resourcesDir);

it('the Vulkan build is there, or this is not CI', () => {
  expect(
    built || !required,
    `no Vulkan build in ${vulkanDir}; build it: node scripts/build-llama-server.mjs --variant vulkan`,
  ).toBe(true);
});

describe.skipIf(!built)('out-of-memory ladder on lavapipe', () => {
  it(
    'an impossible context fails to load, is halved, and the model ends loaded with the smaller one',
    { timeout: 240_000 },
    async () => {
      const small = await ensureTestModel({ preset: 'small', seed: 1 });
      const core = await cores.start({
        prefix: 'dl-heal-oom-',
        env: { ...process.env, PATH: pathWithoutGpuTools(), GGML_VK_VISIBLE_DEVICES: '0' },
      });
      expect((await core.handlers['app.info']({}, direct)).backend.variant).toBe('vulkan');
      const seen: BackendStatus[] = [];
      core.backend.onStatus((s) => seen.push(s));

      await core.handlers['backend.start'](
        { modelPath: small, options: { contextSize: 1_048_576, gpuLayers: 'all' } },
        direct,
      );
      const ready = await waitForStatus(core, (s) => s.state === 'ready' || s.recovery?.phase === 'gave-up', 200_000);
      const failed = seen.find((s) => s.state === 'crashed');
      expect(failed?.error?.code).toBe('BACKEND_OOM');
      expect(failed?.error?.details).toMatch(/pre-allocated tensor \(cache_k_l0\)/);
      expect(failed?.recovery).toMatchObject({ phase: 'restarting', attempt: 1, reason: { code: 'BACKEND_OOM' } });
      expect(ready.state).toBe('ready');
      expect(ready.options).toMatchObject({ contextSize: 524_288, gpuLayers: 'all' });
      expect(ready.recovery).toMatchObject({ phase: 'restarted', restarts: 1 });
      expect(ready.recovery!.steps.map((s) => `${s.what} ${s.from} → ${s.to} (${s.because})`)).toEqual([
        'context 1048576 → 524288 (BACKEND_OOM)',
      ]);
      const logs = core.backend.recentLogs(500).map((l) => l.text);
      expect(logs.some((l) => /restarting in .* with context 1048576 → 524288 \(BACKEND_OOM\)/.test(l))).toBe(true);
      expect(logs.some((l) => /-c 524288 .*-ngl all/.test(l))).toBe(true);
    },
  );
});
