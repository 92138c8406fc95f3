// Types for llama-toolchain.mjs.
export const VARIANTS: readonly string[];
export function nvccMajor(): number | null;
export function resolveVariantName(name: string, cudaMajor?: () => number | null): string;
export interface Toolchain {
  complete: boolean;
  missing: string[];
  compiler: string;
  id: string;
  /** Vulkan only: glslc knows GL_KHR_cooperative_matrix / the headers know VK_EXT_layer_settings. */
  glslcCoopmat?: boolean;
  layerSettings?: boolean;
  old?: boolean;
}
export function vulkanToolchain(): Omit<Toolchain, 'compiler'>;
export function toolchainFor(variant: string): Toolchain;
export function hasVulkanGpu(): boolean;
