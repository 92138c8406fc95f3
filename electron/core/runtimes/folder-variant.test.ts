import { describe, expect, it } from 'vitest';
import { variantFromFiles, variantFromFolderName } from './folder-variant';

describe('variantFromFolderName', () => {
  it.each([
    ['linux-x64-vulkan', 'linux', 'x64', 'vulkan'],
    ['linux-x64-cpu', 'linux', 'x64', 'cpu'],
    // Source builds made before the CUDA major was part of the variant.
    ['win32-x64-cuda', 'win32', 'x64', 'cuda-12'],
    ['linux-x64-cuda-13', 'linux', 'x64', 'cuda-13'],
    // Another platform's build, or a name that is no variant: not ours to guess.
    ['linux-arm64-cpu', 'linux', 'x64', null],
    ['linux-x64-sycl', 'linux', 'x64', null],
    ['llama-b1-bin', 'linux', 'x64', null],
  ])('%s on %s-%s → %s', (name, platform, arch, want) => {
    expect(variantFromFolderName(name, platform, arch)).toBe(want);
  });
});

describe('variantFromFiles', () => {
  it.each([
    [['llama-server.exe', 'ggml-cuda.dll', 'cudart64_12.dll', 'cublas64_12.dll'], 'win32', 'x64', 'cuda-12'],
    [['llama-server.exe', 'ggml-cuda.dll', 'cudart64_13.dll'], 'win32', 'x64', 'cuda-13'],
    // The cudart archive not unpacked yet: still a CUDA build, of the older major by default.
    [['llama-server.exe', 'ggml-cuda.dll'], 'win32', 'x64', 'cuda-12'],
    [['llama-server', 'libggml-cuda.so', 'libcudart.so.13'], 'linux', 'x64', 'cuda-13'],
    [['llama-server', 'libggml-vulkan.so', 'libggml-base.so'], 'linux', 'x64', 'vulkan'],
    [['llama-server.exe', 'ggml-hip.dll'], 'win32', 'x64', 'rocm'],
    [['llama-b1/llama-server', 'llama-b1/libggml-cpu-haswell.so'], 'linux', 'x64', 'cpu'],
    [['llama-server', 'libggml-metal.dylib'], 'darwin', 'arm64', 'metal'],
    // Statically linked: nothing to go on.
    [['llama-server'], 'darwin', 'arm64', 'metal'],
    [['llama-server'], 'darwin', 'x64', 'cpu'],
  ])('%j on %s-%s → %s', (files, platform, arch, want) => {
    expect(variantFromFiles(files, platform, arch)).toBe(want);
  });
});
