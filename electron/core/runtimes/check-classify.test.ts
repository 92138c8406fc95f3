import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RuntimeVariant } from '../../shared/runtimes';
import type { ToolResult } from '../util/run-tool';
import { classifyDeviceCheck, loaderMissingLibrary } from './check-classify';

// Recorded outputs: ours in ./fixtures, the CUDA/Metal ones beside the parser (see both SOURCES.md files).
const ours = (name: string) => fs.readFileSync(path.join(__dirname, 'fixtures', name), 'utf8');
const parserFixture = (name: string) =>
  fs.readFileSync(path.join(__dirname, '..', 'gpu-tools', 'fixtures', name), 'utf8');

const run = (patch: Partial<ToolResult>): ToolResult => ({
  ok: (patch.code ?? 0) === 0 && !patch.signal && !patch.timedOut,
  code: 0,
  signal: null,
  stdout: '',
  stderr: '',
  timedOut: false,
  missing: false,
  error: null,
  durationMs: 120,
  ...patch,
});

// Folder contents of the official archives (release.yml at de3ff81): the Windows CUDA zip is the CPU zip plus
// ggml-cuda.dll, with the cudart zip unpacked beside it; Linux tarballs carry versioned .so files ($ORIGIN).
const WIN_BASE = ['llama-server.exe', 'llama.dll', 'ggml.dll', 'ggml-base.dll', 'ggml-cpu-haswell.dll', 'mtmd.dll'];
const WIN_CUDA12 = [...WIN_BASE, 'ggml-cuda.dll', 'cudart64_12.dll', 'cublas64_12.dll', 'cublasLt64_12.dll'];
const WIN_CUDA13 = [...WIN_BASE, 'ggml-cuda.dll', 'cudart64_13.dll', 'cublas64_13.dll', 'cublasLt64_13.dll'];
const LINUX_BASE = ['llama-server', 'libllama.so.0', 'libggml.so.0', 'libggml-base.so.0', 'libggml-cpu-haswell.so'];
const LINUX_CUDA12 = [...LINUX_BASE, 'libggml-cuda.so', 'libcudart.so.12', 'libcublas.so.12', 'libcublasLt.so.12'];
/** Our source builds are static: llama-server alone. */
const SOURCE_BUILD = ['llama-server', 'build.json', 'runtime.json'];

const check = (variant: RuntimeVariant, platform: string, result: ToolResult, files: readonly string[]) =>
  classifyDeviceCheck({ variant, platform, result, files });

describe('recorded device lists that pass', () => {
  it.each([
    ['CUDA 12, Windows', 'cuda-12', 'win32', parserFixture('list-devices-cuda.txt'), WIN_CUDA12, ['CUDA0']],
    [
      'a CUDA + Vulkan build asked for Vulkan',
      'vulkan',
      'linux',
      parserFixture('list-devices-two-cuda-vulkan.txt'),
      SOURCE_BUILD,
      ['CUDA0', 'CUDA1', 'Vulkan0'],
    ],
    ['Metal (BLAS line dropped)', 'metal', 'darwin', parserFixture('list-devices-metal.txt'), SOURCE_BUILD, ['MTL0']],
    ['ROCm RX 7900 XTX', 'rocm', 'linux', ours('list-devices-rocm-7900xtx.txt'), LINUX_BASE, ['ROCm0']],
    [
      'ROCm with a log line inside the list (one stream)',
      'rocm',
      'linux',
      ours('list-devices-rocm-uma-interleaved.txt'),
      LINUX_BASE,
      ['ROCm0'],
    ],
    ['Vulkan on RADV', 'vulkan', 'linux', ours('list-devices-vulkan-radv.txt'), LINUX_BASE, ['Vulkan0']],
    [
      'Vulkan on lavapipe (GGML_VK_VISIBLE_DEVICES=0)',
      'vulkan',
      'linux',
      ours('list-devices-lavapipe.txt'),
      SOURCE_BUILD,
      ['Vulkan0'],
    ],
  ] as const)('%s', (_, variant, platform, stdout, files, names) => {
    const v = check(variant, platform, run({ stdout }), files);
    expect(v.problem).toBeNull();
    expect(v.ok).toBe(true);
    expect(v.devices.map((d) => d.name)).toEqual(names);
  });

  it('reads the ROCm device with its memory', () => {
    const v = check('rocm', 'linux', run({ stdout: ours('list-devices-rocm-7900xtx.txt') }), LINUX_BASE);
    expect(v.devices).toEqual([
      { name: 'ROCm0', description: 'AMD Radeon RX 7900 XTX', totalMiB: 24560, freeMiB: 24484 },
    ]);
    const uma = check('rocm', 'linux', run({ stdout: ours('list-devices-rocm-uma-interleaved.txt') }), LINUX_BASE);
    expect(uma.devices).toEqual([
      { name: 'ROCm0', description: 'AMD Radeon Graphics', totalMiB: 120000, freeMiB: 124704 },
    ]);
  });

  it('a CPU runtime passes with an empty list (our pinned CPU build: "(none)" on stdout, a log line on stderr)', () => {
    const result = run({
      stdout: ours('list-devices-pinned-none.txt'),
      stderr: ours('list-devices-pinned-none.stderr.txt'),
    });
    expect(check('cpu', 'linux', result, SOURCE_BUILD)).toEqual({ ok: true, devices: [], problem: null });
  });

  it('a list printed before a crash on the way out still counts (the list is the answer)', () => {
    const v = check(
      'vulkan',
      'linux',
      run({ stdout: ours('list-devices-lavapipe.txt'), code: null, signal: 'SIGSEGV' }),
      SOURCE_BUILD,
    );
    expect(v.ok).toBe(true);
  });
});

describe('a GPU runtime that lists no GPU of its kind', () => {
  it('lavapipe without GGML_VK_VISIBLE_DEVICES: "(none)" is the real fallback case', () => {
    const v = check('vulkan', 'linux', run({ stdout: ours('list-devices-pinned-none.txt') }), SOURCE_BUILD);
    expect(v.ok).toBe(false);
    expect(v.problem).toMatchObject({ code: 'NO_GPU_LISTED', params: { variant: 'Vulkan', listed: '' } });
    expect(v.problem!.message).toBe('sees no GPU');
  });

  it('a CUDA runtime that lists only Vulkan devices did not load CUDA', () => {
    const stdout = 'Available devices:\n  Vulkan0: NVIDIA GeForce RTX 4090 (24564 MiB, 23000 MiB free)\n';
    const v = check('cuda-12', 'linux', run({ stdout }), LINUX_CUDA12);
    expect(v.problem).toMatchObject({ code: 'NO_GPU_LISTED', params: { variant: 'CUDA 12', listed: 'Vulkan0' } });
    expect(v.devices.map((d) => d.name)).toEqual(['Vulkan0']);
  });

  it('the release CUDA build without its cudart (backend loaded silently, "(none)", exit 0) names the DLL', () => {
    const files = WIN_CUDA12.filter((f) => f !== 'cudart64_12.dll');
    const v = check('cuda-12', 'win32', run({ stdout: ours('list-devices-pinned-none.txt') }), files);
    expect(v.problem).toMatchObject({ code: 'MISSING_LIBRARY', params: { library: 'cudart64_12.dll' } });
    expect(v.problem!.message).toBe('cudart64_12.dll missing');
  });

  it.each([
    ['cuda-13', 'win32', WIN_CUDA13.filter((f) => f !== 'cublas64_13.dll'), 'cublas64_13.dll'],
    ['cuda-12', 'linux', LINUX_CUDA12.filter((f) => f !== 'libcublasLt.so.12'), 'libcublasLt.so.12'],
    ['rocm', 'win32', [...WIN_BASE, 'ggml-hip.dll'], 'amdhip64_7.dll'],
    ['vulkan', 'win32', WIN_BASE, 'ggml-vulkan.dll'],
  ] as const)('%s on %s: the first expected library that is not there (%s)', (variant, platform, files, library) => {
    const v = check(variant, platform, run({ stdout: 'Available devices:\n  (none)\n' }), files);
    expect(v.problem).toMatchObject({ code: 'MISSING_LIBRARY', params: { library } });
  });

  it('file names compare case-insensitively on Windows', () => {
    const files = WIN_CUDA12.map((f) => f.toUpperCase());
    const v = check('cuda-12', 'win32', run({ stdout: 'Available devices:\n  (none)\n' }), files);
    expect(v.problem?.code).toBe('NO_GPU_LISTED');
  });

  it('a static source build is not accused of missing release libraries', () => {
    const v = check('cuda-12', 'linux', run({ stdout: 'Available devices:\n  (none)\n' }), SOURCE_BUILD);
    expect(v.problem?.code).toBe('NO_GPU_LISTED');
  });

  it("names what ggml's backend loader reported (debug builds log it)", () => {
    const linux = run({
      stdout: 'Available devices:\n  (none)\n',
      stderr:
        'load_backend: failed to load /rt/libggml-cuda.so: libcublasLt.so.12: cannot open shared object file: No such file or directory\n',
    });
    expect(check('cuda-12', 'linux', linux, LINUX_CUDA12).problem?.params.library).toBe('libcublasLt.so.12');
    // dl_error() is empty on Windows: the module itself is named.
    const win = run({
      stdout: 'Available devices:\n  (none)\n',
      stderr: 'load_backend: failed to load C:\\rt\\ggml-cuda.dll: \n',
    });
    expect(check('cuda-13', 'win32', win, WIN_CUDA13).problem?.params.library).toBe('ggml-cuda.dll');
  });
});

describe('a runtime that does not start or answer', () => {
  it.each([
    [
      'Linux loader, libgomp (official Vulkan tarball on a bare Ubuntu)',
      ours('loader-linux-libgomp.txt'),
      'libgomp.so.1',
    ],
    ['Linux loader, libcudart', ours('loader-linux-libcudart.txt'), 'libcudart.so.12'],
  ])('%s', (_, stderr, library) => {
    const v = check('vulkan', 'linux', run({ stderr, code: 127 }), LINUX_BASE);
    expect(v).toMatchObject({ ok: false, devices: [], problem: { code: 'MISSING_LIBRARY', params: { library } } });
  });

  it('macOS dyld (abort)', () => {
    const v = check('metal', 'darwin', run({ stderr: ours('dyld-macos.txt'), code: null, signal: 'SIGABRT' }), []);
    expect(v.problem).toMatchObject({ code: 'MISSING_LIBRARY', params: { library: 'libggml-base.0.dylib' } });
  });

  it.each([
    [3221225781, WIN_CUDA12.filter((f) => f !== 'ggml-base.dll'), 'ggml-base.dll'],
    [-1073741515, WIN_CUDA12.filter((f) => f !== 'llama.dll'), 'llama.dll'],
    // Everything we ship is there: a system DLL is missing, which one Windows does not say.
    [3221225781, WIN_CUDA12, 'DLL'],
  ])('Windows exit %d (STATUS_DLL_NOT_FOUND) -> %s', (code, files, library) => {
    const v = check('cuda-12', 'win32', run({ code }), files);
    expect(v.problem).toMatchObject({ code: 'MISSING_LIBRARY', params: { library } });
  });

  it.each([
    [
      'a signal',
      run({ code: null, signal: 'SIGSEGV', stderr: 'ggml_vulkan: Found 1 Vulkan devices:\n' }),
      'linux',
      'SIGSEGV',
    ],
    ['an exit code', run({ code: 134, stderr: 'GGML_ASSERT(ctx) failed\n' }), 'linux', '134'],
    ['an NTSTATUS in hex', run({ code: 3221225477 }), 'win32', '0xC0000005'],
  ])('CRASHED with %s', (_, result, platform, exit) => {
    const v = check('vulkan', platform, result, []);
    expect(v.problem).toMatchObject({ code: 'CRASHED', params: { exit } });
  });

  it('CRASHED keeps the last lines of output', () => {
    const stderr = Array.from({ length: 9 }, (_, i) => `line ${i + 1}`).join('\n');
    const v = check('cuda-13', 'linux', run({ code: 1, stderr }), []);
    expect(v.problem?.params.output).toBe('line 5 | line 6 | line 7 | line 8 | line 9');
    expect(v.problem?.message).toBe(
      'llama-server crashed while listing devices (exit 1): line 5 | line 6 | line 7 | line 8 | line 9',
    );
  });

  it('TIMEOUT says how long it waited', () => {
    const v = check('vulkan', 'linux', run({ timedOut: true, code: null, signal: 'SIGKILL', durationMs: 8003.4 }), []);
    expect(v.problem).toMatchObject({ code: 'TIMEOUT', params: { ms: 8003 } });
  });

  it('NOT_EXECUTABLE when it cannot be spawned', () => {
    const v = check('cpu', 'linux', run({ missing: true, code: null, error: 'spawn /rt/llama-server EACCES' }), []);
    expect(v.problem).toMatchObject({ code: 'NOT_EXECUTABLE', params: { error: 'spawn /rt/llama-server EACCES' } });
  });

  it.each([
    ['exit 0 without a list', run({ stdout: 'version: 1 (de3ff81)\n' })],
    ['an older llama-server without the option', run({ code: 1, stderr: 'error: invalid argument: --list-devices\n' })],
  ])('NO_DEVICE_LIST: %s', (_, result) => {
    const v = check('cpu', 'linux', result, []);
    expect(v.problem?.code).toBe('NO_DEVICE_LIST');
    expect(String(v.problem?.params.output)).not.toBe('');
  });
});

describe('loaderMissingLibrary', () => {
  it.each([
    [
      './llama-server: error while loading shared libraries: libmtmd.so.0: cannot open shared object file',
      'libmtmd.so.0',
    ],
    ['dlopen(libggml.dylib): Library not loaded: @rpath/libggml-blas.dylib', 'libggml-blas.dylib'],
    ['everything fine', null],
  ])('%j -> %s', (text, expected) => {
    expect(loaderMissingLibrary(text)).toBe(expected);
  });
});
