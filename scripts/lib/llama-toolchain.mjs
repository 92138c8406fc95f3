// Toolchain checks for the llama.cpp source build (scripts/build-llama-server.mjs): which variants can be built
// here, what is missing, an identity string for the build key, and whether Debian 12's old Vulkan toolchain needs
// scripts/patches/bookworm-vulkan.patch.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The runtime variants (electron/shared/runtimes.ts RuntimeVariant). */
export const VARIANTS = ['cpu', 'cuda-12', 'cuda-13', 'vulkan', 'rocm', 'metal'];

const tool = (cmd, args = ['--version']) => {
  try {
    const r = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000 });
    return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}`, status: r.status };
  } catch {
    return { ok: false, out: '', status: null };
  }
};

const firstLine = (s) => s.split('\n').find((l) => l.trim()) ?? '';

/** The CUDA major version of the nvcc on PATH ("release 12.8" → 12), or null. */
export function nvccMajor() {
  const r = tool('nvcc');
  const m = r.ok ? /release (\d+)\.(\d+)/.exec(r.out) : null;
  return m ? Number(m[1]) : null;
}

/** `--variant cuda` (the old name) → cuda-12 or cuda-13 from nvcc's version; other names unchanged. */
export function resolveVariantName(name, cudaMajor = nvccMajor) {
  if (name !== 'cuda') return name;
  const major = cudaMajor();
  return major !== null && major >= 13 ? 'cuda-13' : 'cuda-12';
}

const sdk = () => process.env.VULKAN_SDK;
const includeDirs = () => [sdk() && path.join(sdk(), 'include'), '/usr/include', '/usr/local/include'].filter(Boolean);
const libDirs = () =>
  [
    sdk() && path.join(sdk(), 'lib'),
    `/usr/lib/${os.arch() === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu`,
    '/usr/lib64',
    '/usr/lib',
    '/usr/local/lib',
  ].filter(Boolean);
const findIn = (dirs, rel) => dirs.map((d) => path.join(d, rel)).find((p) => fs.existsSync(p)) ?? null;

function glslcPath() {
  const inSdk = sdk() && path.join(sdk(), 'bin', 'glslc');
  if (inSdk && fs.existsSync(inSdk)) return inSdk;
  return tool('glslc').ok ? 'glslc' : null;
}

/**
 * What the Vulkan build finds on this machine. `glslcCoopmat` runs the same probe as llama.cpp's CMake
 * (test_shader_extension_support): glslc is old when it says "extension not supported: GL_KHR_cooperative_matrix".
 */
export function vulkanToolchain() {
  const glslc = glslcPath();
  const vulkanHpp = findIn(includeDirs(), 'vulkan/vulkan.hpp');
  const vulkanCore = findIn(includeDirs(), 'vulkan/vulkan_core.h');
  const spirv = findIn(includeDirs(), 'spirv/unified1/spirv.hpp');
  const lib =
    process.platform === 'linux'
      ? findIn(libDirs(), 'libvulkan.so')
      : process.platform === 'win32'
        ? findIn(libDirs(), 'vulkan-1.lib')
        : findIn(libDirs(), 'libvulkan.dylib');
  const missing = [];
  if (!glslc) missing.push('glslc (apt: glslc)');
  if (!vulkanHpp || !vulkanCore) missing.push('Vulkan C++ headers vulkan/vulkan.hpp (apt: libvulkan-dev)');
  if (!lib) missing.push('the Vulkan loader library for linking (apt: libvulkan-dev)');
  if (!spirv) missing.push('SPIR-V headers spirv/unified1/spirv.hpp (apt: spirv-headers)');
  if (missing.length) return { complete: false, missing };
  const core = fs.readFileSync(vulkanCore, 'utf8');
  const headerVersion = /#define VK_HEADER_VERSION (\d+)/.exec(core)?.[1] ?? '?';
  const layerSettings = /\bVK_EXT_layer_settings\b/.test(core);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'deeplocal-glslc-'));
  const shader = path.join(tmp, 'coopmat.comp');
  fs.writeFileSync(shader, '#version 460\n\n#extension GL_KHR_cooperative_matrix : require\n\nvoid main()\n{\n}\n');
  const probe = tool(glslc, ['-o', '-', '-fshader-stage=compute', '--target-env=vulkan1.3', shader]);
  fs.rmSync(tmp, { recursive: true, force: true });
  const glslcCoopmat = !/extension not supported: GL_KHR_cooperative_matrix/.test(probe.out);
  return {
    complete: true,
    missing: [],
    glslcCoopmat,
    layerSettings,
    /** Debian 12 (glslc 2023.2, headers 1.3.239) lacks both; either gap breaks this llama.cpp release. */
    old: !glslcCoopmat || !layerSettings,
    id: `glslc ${firstLine(tool(glslc).out)}; vulkan headers 1.3.${headerVersion}`,
  };
}

/** cuBLAS, which ggml-cuda links: beside the toolkit nvcc belongs to, or in the system library folders. */
function cublasFound() {
  const nvcc = spawnSync(process.platform === 'win32' ? 'where' : 'which', ['nvcc'], {
    encoding: 'utf8',
  }).stdout?.trim();
  const roots = [process.env.CUDA_PATH, process.env.CUDA_HOME, '/usr/local/cuda', '/opt/cuda'];
  if (nvcc) {
    const real = fs.realpathSync(nvcc.split(/\r?\n/)[0]);
    roots.push(path.dirname(path.dirname(real)));
    // A wrapper script (exec /usr/local/cuda-13.0/bin/nvcc "$@") names the real toolkit.
    const m = /exec\s+(\S+)\/bin\/nvcc/.exec(fs.statSync(real).size < 4096 ? fs.readFileSync(real, 'utf8') : '');
    if (m) roots.push(m[1]);
  }
  const rels = [
    'lib64/libcublas.so',
    'lib/libcublas.so',
    'lib/x64/cublas.lib',
    'targets/x86_64-linux/lib/libcublas.so',
    'targets/sbsa-linux/lib/libcublas.so',
  ];
  const dirs = [
    ...roots.filter(Boolean).flatMap((r) => rels.map((x) => path.join(r, x))),
    ...libDirs().map((d) => path.join(d, 'libcublas.so')),
  ];
  return dirs.some((f) => fs.existsSync(f));
}

const compilerLine = () => firstLine(tool('c++').out) || 'unknown';

/**
 * { complete, missing: string[], id } for `variant`. A GPU variant is built only when this says complete; `id`
 * goes into the build key so a toolchain upgrade rebuilds and a remembered failure is retried.
 */
export function toolchainFor(variant) {
  const missing = [];
  for (const [cmd, pkg] of [
    ['cmake', 'cmake'],
    ['git', 'git'],
    ['c++', 'g++'],
  ])
    if (!tool(cmd).ok) missing.push(`${cmd} (apt: ${pkg})`);
  const compiler = compilerLine();
  const base = { complete: missing.length === 0, missing, compiler, id: compiler };
  if (variant === 'cpu') return base;
  if (variant === 'vulkan') {
    const vk = vulkanToolchain();
    return {
      ...vk,
      compiler,
      complete: base.complete && vk.complete,
      missing: [...missing, ...vk.missing],
      id: `${compiler}; ${vk.id ?? ''}`,
    };
  }
  if (variant === 'cuda-12' || variant === 'cuda-13') {
    const major = nvccMajor();
    const want = variant === 'cuda-13' ? 13 : 12;
    if (major === null) missing.push('nvcc (the CUDA toolkit)');
    else if (major !== want) missing.push(`nvcc for CUDA ${want} (found CUDA ${major})`);
    else if (!cublasFound()) missing.push('cuBLAS (libcublas, part of the full CUDA toolkit)');
    const release = /release [\d.]+[^\n]*/.exec(tool('nvcc').out)?.[0] ?? '';
    return { complete: missing.length === 0, missing, compiler, id: `${compiler}; nvcc ${release}` };
  }
  if (variant === 'rocm') {
    const hipcc = tool('hipcc');
    if (!hipcc.ok) missing.push('hipcc (ROCm)');
    return { complete: missing.length === 0, missing, compiler, id: `${compiler}; ${firstLine(hipcc.out)}` };
  }
  if (variant === 'metal') {
    if (process.platform !== 'darwin') missing.push('macOS (Metal)');
    return { complete: missing.length === 0, missing, compiler, id: compiler };
  }
  return {
    complete: false,
    missing: [`a known variant (got "${variant}"; one of ${VARIANTS.join(', ')})`],
    compiler,
    id: compiler,
  };
}

/** True when vulkaninfo lists a Vulkan device that is not a CPU (lavapipe is one, and ggml skips it by default). */
export function hasVulkanGpu() {
  const r = tool('vulkaninfo', ['--summary']);
  if (!r.ok) return false;
  const types = [...r.out.matchAll(/deviceType\s*=\s*(\S+)/g)].map((m) => m[1]);
  return types.some((t) => t !== 'PHYSICAL_DEVICE_TYPE_CPU');
}
