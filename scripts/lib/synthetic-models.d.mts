export interface SyntheticModel {
  arch: 'qwen2' | 'llama' | 'qwen3' | 'qwen3moe' | 'deepseek2';
  [k: string]: unknown;
}
export function syntheticModelSpec(h: SyntheticModel | Record<string, unknown>): Promise<unknown>;
export function writeSyntheticModel(file: string, h: SyntheticModel | Record<string, unknown>): Promise<number>;
