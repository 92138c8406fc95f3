import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors';
import { locateQuantTools, quantToolPaths } from './tools';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quant-tools-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const touch = (sub: string, names: string[]) => {
  const d = path.join(dir, sub);
  fs.mkdirSync(d, { recursive: true });
  for (const n of names) fs.writeFileSync(path.join(d, n), '');
  return d;
};

describe('locateQuantTools', () => {
  it('finds the three tools beside llama-server and carries the build', () => {
    const d = touch('all', ['llama-server', 'llama-quantize', 'llama-imatrix', 'llama-perplexity']);
    expect(locateQuantTools(path.join(d, 'llama-server'), 'b1234', 'linux')).toEqual({
      quantize: path.join(d, 'llama-quantize'),
      imatrix: path.join(d, 'llama-imatrix'),
      perplexity: path.join(d, 'llama-perplexity'),
      build: 'b1234',
    });
  });

  it('uses .exe on Windows', () => {
    expect(quantToolPaths('C:\\rt\\llama-server.exe', 'win32')).toEqual({
      quantize: 'C:\\rt\\llama-quantize.exe',
      imatrix: 'C:\\rt\\llama-imatrix.exe',
      perplexity: 'C:\\rt\\llama-perplexity.exe',
    });
  });

  it.each([
    [['llama-imatrix', 'llama-perplexity'], 'llama-quantize'],
    [['llama-quantize', 'llama-perplexity'], 'llama-imatrix'],
    [['llama-quantize', 'llama-imatrix'], 'llama-perplexity'],
  ])('QUANT_TOOL_MISSING names the first missing tool (%j present)', (present, missing) => {
    const d = touch(`miss-${missing}`, ['llama-server', ...present]);
    const e = (() => {
      try {
        locateQuantTools(path.join(d, 'llama-server'), 'b1', 'linux');
      } catch (x) {
        return x;
      }
    })();
    expect(e).toBeInstanceOf(AppError);
    expect((e as AppError).code).toBe('QUANT_TOOL_MISSING');
    expect((e as AppError).params).toEqual({ tool: missing, path: path.join(d, missing) });
  });

  it('a folder with the tool name is not the tool', () => {
    const d = touch('dir', ['llama-server', 'llama-imatrix', 'llama-perplexity']);
    fs.mkdirSync(path.join(d, 'llama-quantize'));
    expect(() => locateQuantTools(path.join(d, 'llama-server'), 'b1', 'linux')).toThrow(AppError);
  });
});
