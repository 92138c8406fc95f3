/**
 * The variant of a llama.cpp folder that has no runtime.json (a folder the user picked, the legacy override, a source
 * build made before builds wrote one): from its folder name where it follows bin/<platform>-<arch>-<variant>, else
 * from the backend libraries beside llama-server. Pure; table-tested in folder-variant.test.ts.
 */
import { RuntimeVariant } from '../../shared/runtimes';

/** Old source-build folder names: `cuda` was CUDA 12 before the CUDA major became part of the variant. */
const LEGACY: Record<string, RuntimeVariant> = { cuda: 'cuda-12', hip: 'rocm' };

/** `linux-x64-vulkan` → vulkan; `win32-x64-cuda` → cuda-12; anything else → null. */
export function variantFromFolderName(name: string, platform: string, arch: string): RuntimeVariant | null {
  const prefix = `${platform}-${arch}-`;
  if (!name.startsWith(prefix)) return null;
  const rest = name.slice(prefix.length);
  const parsed = RuntimeVariant.safeParse(rest);
  return parsed.success ? parsed.data : (LEGACY[rest] ?? null);
}

/**
 * From file names in the folder (official archives keep the ggml backends as shared libraries beside llama-server:
 * ggml-cuda.dll, libggml-vulkan.so, cudart64_12.dll, libcudart.so.13 …). A build with everything linked in gives no
 * hint: cpu, except Apple silicon, whose builds have Metal on by default.
 */
export function variantFromFiles(files: string[], platform: string, arch: string): RuntimeVariant {
  const names = files.map((f) => f.split(/[\\/]/).pop()!.toLowerCase());
  const has = (re: RegExp) => names.some((n) => re.test(n));
  if (has(/^(lib)?ggml-cuda\./)) {
    if (has(/^cudart64_13|^libcudart\.so\.13|^cublas64_13|^libcublas\.so\.13/)) return 'cuda-13';
    return 'cuda-12';
  }
  if (has(/^(lib)?ggml-hip\./)) return 'rocm';
  if (has(/^(lib)?ggml-metal\./)) return 'metal';
  if (has(/^(lib)?ggml-vulkan\./)) return 'vulkan';
  return platform === 'darwin' && arch === 'arm64' ? 'metal' : 'cpu';
}
