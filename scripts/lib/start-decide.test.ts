/**
 * `npm start`'s llama-server decisions as a table. What matters most: a runtime that is already here is used as is
 * (no fetch, no build on every start); the official build is fetched before anything is compiled; a source build
 * happens only when the release cannot be had, a GPU variant only with a complete toolchain and never blocking the
 * app when a CPU build exists; a build that failed before is not retried, and the line says how to retry.
 */
import { describe, expect, it } from 'vitest';
import { decideStart, retryCommand } from './start-decide.mjs';

type State = Parameters<typeof decideStart>[0];

const failure = { failedAt: '2025-01-02T03:04:05Z', headline: 'glslc: error: unknown extension' };
const cpuBuild = { id: 'source-de3ff81-cpu', variant: 'cpu', source: 'source' };
const vulkanBuild = { id: 'source-de3ff81-vulkan', variant: 'vulkan', source: 'source' };
const release = { id: 'v0.5.0-vulkan', variant: 'vulkan', source: 'release' };
const unreachable = { ok: false as const, code: 'RELEASE_UNREACHABLE', message: 'connect ECONNREFUSED 127.0.0.1:9' };

function state(over: Partial<Omit<State, 'build'>> & { build?: Partial<State['build']> } = {}): State {
  return {
    skip: false,
    override: null,
    installed: [],
    fetch: null,
    ...over,
    build: {
      wanted: 'cpu',
      toolchain: { complete: true, missing: [] },
      wantedBuilt: false,
      wantedFailed: null,
      cpuFailed: null,
      ...over.build,
    },
  };
}

describe('decideStart', () => {
  it.each<[string, State, { action: string; foreground?: string | null; background?: string | null }]>([
    ['DEEPLOCAL_SKIP_BACKEND_BUILD: nothing at all', state({ skip: true }), { action: 'run' }],
    [
      'the override wins: no fetch even with nothing installed',
      state({ override: '/opt/llama-server' }),
      { action: 'run' },
    ],
    [
      'a release runtime in the data folder: start on it',
      state({ installed: [release] }),
      { action: 'run', background: null },
    ],
    [
      'a release runtime and a CPU source build: no background build (not a source-only machine)',
      state({ installed: [release, cpuBuild], build: { wanted: 'vulkan' } }),
      { action: 'run', background: null },
    ],
    [
      'the CPU source build, this machine wants the CPU: start',
      state({ installed: [cpuBuild] }),
      { action: 'run', background: null },
    ],
    [
      'the CPU source build, Vulkan wanted with a complete toolchain: start now, Vulkan built meanwhile',
      state({ installed: [cpuBuild], build: { wanted: 'vulkan' } }),
      { action: 'run', background: 'vulkan' },
    ],
    [
      'the wanted GPU variant is built already: just start',
      state({ installed: [cpuBuild, vulkanBuild], build: { wanted: 'vulkan', wantedBuilt: true } }),
      { action: 'run', background: null },
    ],
    ['nothing here: fetch the official build first', state(), { action: 'fetch' }],
    [
      'nothing here even though a GPU is wanted: still fetch first (no compiling when a build can be had)',
      state({ build: { wanted: 'cuda-12' } }),
      { action: 'fetch' },
    ],
    ['the fetch worked: start on it', state({ fetch: { ok: true, id: 'v0.5.0-cpu' } }), { action: 'run' }],
    [
      'release unreachable, CPU wanted: build the CPU variant in the foreground',
      state({ fetch: unreachable }),
      { action: 'build', foreground: 'cpu', background: null },
    ],
    [
      'release unreachable, CUDA wanted and buildable: CPU first, CUDA in the background',
      state({ fetch: unreachable, build: { wanted: 'cuda-12' } }),
      { action: 'build', foreground: 'cpu', background: 'cuda-12' },
    ],
    [
      'release unreachable, CPU build failed before, GPU buildable: the GPU build is all there is (foreground)',
      state({ fetch: unreachable, build: { wanted: 'vulkan', cpuFailed: failure } }),
      { action: 'build', foreground: 'vulkan', background: null },
    ],
    [
      'release unreachable, CPU build failed before, nothing else: start without a backend, no build',
      state({ fetch: unreachable, build: { cpuFailed: failure } }),
      { action: 'run', foreground: null, background: null },
    ],
    [
      'another fetch failure (a digest mismatch): build from source too',
      state({ fetch: { ok: false, code: 'RUNTIME_DIGEST_MISMATCH', message: 'sha256 differs' } }),
      { action: 'build', foreground: 'cpu' },
    ],
  ])('%s', (_why, s, want) => {
    expect(decideStart(s)).toMatchObject(want);
  });

  it.each<[string, State, RegExp[]]>([
    ['a plain start on an installed runtime says nothing', state({ installed: [release] }), []],
    ['fetching says so', state(), [/^no llama\.cpp runtime here yet; fetching the official build/]],
    [
      'unreachable says why and what happens instead',
      state({ fetch: unreachable }),
      [
        /^the llama\.cpp releases cannot be reached; building llama-server from source instead \(connect ECONNREFUSED 127\.0\.0\.1:9\)$/,
      ],
    ],
    [
      'a background build says the app starts on the CPU build meanwhile',
      state({ installed: [cpuBuild], build: { wanted: 'vulkan' } }),
      [/^building the vulkan variant from source in the background; the app starts on the CPU build meanwhile/],
    ],
    [
      'an incomplete GPU toolchain: says what is missing, builds nothing for it',
      state({
        installed: [cpuBuild],
        build: { wanted: 'vulkan', toolchain: { complete: false, missing: ['glslc (apt: glslc)'] } },
      }),
      [/^not building the vulkan variant: its toolchain is incomplete \(missing glslc \(apt: glslc\)\)$/],
    ],
    [
      'a GPU build that failed before: one line with the date, the error and how to retry',
      state({ installed: [cpuBuild], build: { wanted: 'vulkan', wantedFailed: failure } }),
      [
        new RegExp(
          `^the vulkan build failed on ${failure.failedAt} \\(glslc: error: unknown extension\\); not retrying on every start\\. To retry: npm run setup:backend -- --variant vulkan --retry$`,
        ),
      ],
    ],
    [
      'a CPU build that failed before and nothing else: says so, and that the app starts without llama-server',
      state({ fetch: unreachable, build: { cpuFailed: failure } }),
      [
        /releases cannot be reached/,
        /^the cpu build failed on .*To retry: npm run setup:backend -- --variant cpu --retry$/,
        /starts without llama-server/,
      ],
    ],
  ])('%s', (_why, s, lines) => {
    const got = decideStart(s).lines;
    expect(got).toHaveLength(lines.length);
    lines.forEach((re, i) => expect(got[i]).toMatch(re));
  });

  it('a failed GPU build is never started again by a plain start', () => {
    const d = decideStart(state({ installed: [cpuBuild], build: { wanted: 'cuda-13', wantedFailed: failure } }));
    expect(d.background).toBeNull();
    expect(d.lines.join('\n')).toContain(retryCommand('cuda-13'));
  });
});
