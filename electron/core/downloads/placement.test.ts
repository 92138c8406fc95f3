/**
 * Where downloads go. The paths in downloads.json are re-checked before each write and move, so a stored job whose
 * paths were not produced by placeFile (edited, or from an older build that trusted hub names) must be refused, while
 * a job planned before the user moved the models folder keeps working in its own folder.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors';
import { placeFile, plannedRoot } from './placement';

const root = path.resolve('/m/models');

describe('placeFile', () => {
  it('puts the file under owner/repo and its partial under .incomplete at the same place', () => {
    expect(placeFile(root, 'o/r-GGUF', 'Q4/x-Q4_K_M.gguf')).toEqual({
      target: path.join(root, 'o', 'r-GGUF', 'Q4', 'x-Q4_K_M.gguf'),
      partial: path.join(root, '.incomplete', 'o', 'r-GGUF', 'Q4', 'x-Q4_K_M.gguf.partial'),
    });
  });

  it.each([
    ['o/r', '../x.gguf', 'HUB_UNSAFE_PATH'],
    ['o/r', '/x.gguf', 'HUB_UNSAFE_PATH'],
    ['o/r', 'a\\..\\x.gguf', 'HUB_UNSAFE_PATH'],
    ['o/r', 'C:/x.gguf', 'HUB_UNSAFE_PATH'],
    ['o/r', '', 'HUB_UNSAFE_PATH'],
    ['../r', 'x.gguf', 'HUB_BAD_REF'],
    ['o/r/extra', 'x.gguf', 'HUB_BAD_REF'],
    ['nul/r', 'x.gguf', 'HUB_BAD_REF'],
  ])('%s + %j → %s', (repo, file, code) => {
    let err: unknown;
    try {
      placeFile(root, repo, file);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe(code);
    if (code === 'HUB_UNSAFE_PATH') expect((err as AppError).params).toMatchObject({ repo });
  });
});

describe('plannedRoot', () => {
  it('finds the models folder a stored job was planned in, also an older one', () => {
    expect(plannedRoot('o/r', 'x.gguf', placeFile(root, 'o/r', 'x.gguf'))).toBe(root);
    const old = path.resolve('/old/place');
    expect(plannedRoot('o/r', 'd/x.gguf', placeFile(old, 'o/r', 'd/x.gguf'))).toBe(old);
  });

  it.each([
    [
      'a target elsewhere',
      { target: path.resolve('/etc/x.gguf'), partial: path.join(root, '.incomplete', 'o', 'r', 'x.gguf.partial') },
    ],
    [
      'a partial in another folder',
      { target: path.join(root, 'o', 'r', 'x.gguf'), partial: path.resolve('/tmp/x.gguf.partial') },
    ],
    [
      'a target that climbs',
      {
        target: path.join(root, 'o', 'r', '..', '..', '..', 'x.gguf'),
        partial: path.join(root, '.incomplete', 'o', 'r', 'x.gguf.partial'),
      },
    ],
    ['another repo', placeFile(root, 'o/other', 'x.gguf')],
  ])('refuses %s', (_, stored) => {
    expect(plannedRoot('o/r', 'x.gguf', stored)).toBeNull();
  });
});
