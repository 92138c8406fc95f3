/**
 * The llama.cpp tools the quantization feature runs: llama-quantize, llama-imatrix and llama-perplexity, shipped
 * beside llama-server in every runtime (same folder, same build).
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../shared/errors';
import type { QuantTools } from './types';

export const QUANT_TOOL_NAMES = ['llama-quantize', 'llama-imatrix', 'llama-perplexity'] as const;

export const exeName = (name: string, platform: string = process.platform) =>
  platform === 'win32' ? `${name}.exe` : name;

/** Where each tool would be beside `serverPath` (pure: no file is looked at). */
export function quantToolPaths(serverPath: string, platform: string = process.platform) {
  const dir = (platform === 'win32' ? path.win32 : path.posix).dirname(serverPath);
  const join = (n: string) => (platform === 'win32' ? path.win32 : path.posix).join(dir, exeName(n, platform));
  return {
    quantize: join('llama-quantize'),
    imatrix: join('llama-imatrix'),
    perplexity: join('llama-perplexity'),
  };
}

const isFile = (p: string) => {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
};

/**
 * The tools beside the active runtime's llama-server. Throws QUANT_TOOL_MISSING {tool, path} for the first one
 * that is not there (an older runtime built before these tools were bundled).
 */
export function locateQuantTools(serverPath: string, build: string, platform: string = process.platform): QuantTools {
  const paths = quantToolPaths(serverPath, platform);
  const order: [keyof typeof paths, string][] = [
    ['quantize', 'llama-quantize'],
    ['imatrix', 'llama-imatrix'],
    ['perplexity', 'llama-perplexity'],
  ];
  for (const [key, tool] of order) {
    if (!isFile(paths[key])) throw new AppError('QUANT_TOOL_MISSING', { tool, path: paths[key] });
  }
  return { ...paths, build };
}
