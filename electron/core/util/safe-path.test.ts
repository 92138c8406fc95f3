/**
 * The path checks every file name from the network goes through. A hub listing is written by whoever runs the hub
 * (or sits between it and us), so each row here is a way a name could land outside the models folder or open
 * something that is not a file, on Linux, macOS or Windows.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expandHome, isBelow, realLocation, staysInside, unsafeRelativePath, type UnsafeReason } from './safe-path';

describe('unsafeRelativePath', () => {
  it.each<[string, UnsafeReason | null]>([
    // What real repos hold.
    ['model-Q4_K_M.gguf', null],
    ['DeepSeek-R1-UD-IQ1_S/DeepSeek-R1-UD-IQ1_S-00001-of-00003.gguf', null],
    ['.gitattributes', null],
    ['a/b/c/d.gguf', null],
    ['模型/量化-Q4_K_M.gguf', null],
    ['name with spaces.gguf', null],
    ['..hidden-but-fine.gguf', null],
    ['x'.repeat(255), null],
    // Climbing out.
    ['../x.gguf', 'dot-segment'],
    ['a/../../x.gguf', 'dot-segment'],
    ['a/..', 'dot-segment'],
    ['..', 'dot-segment'],
    ['./x.gguf', 'dot-segment'],
    ['a/./x.gguf', 'dot-segment'],
    // Absolute, on either system.
    ['/abs.gguf', 'absolute'],
    ['/etc/passwd', 'absolute'],
    ['C:/x.gguf', 'drive'],
    ['c:x.gguf', 'drive'],
    ['C:\\x.gguf', 'backslash'],
    ['\\\\server\\share\\x.gguf', 'backslash'],
    ['..\\x.gguf', 'backslash'],
    ['a\\..\\..\\x.gguf', 'backslash'],
    // A drive or a stream further in (NTFS "file:stream").
    ['a/C:/x.gguf', 'forbidden-char'],
    ['x.gguf:evil', 'forbidden-char'],
    // Empty pieces.
    ['', 'empty'],
    ['a//x.gguf', 'empty-segment'],
    ['a/', 'empty-segment'],
    // Characters that end strings in C, move the cursor, or that Windows refuses.
    ['x\u0000.gguf', 'control-char'],
    ['x\n.gguf', 'control-char'],
    ['x\u001b[2J.gguf', 'control-char'],
    ['x\u0085.gguf', 'control-char'],
    ['x?.gguf', 'forbidden-char'],
    ['x*.gguf', 'forbidden-char'],
    ['x<y>.gguf', 'forbidden-char'],
    ['x|y.gguf', 'forbidden-char'],
    ['x"y.gguf', 'forbidden-char'],
    ['bad\ud800.gguf', 'malformed'],
    // Names Windows rewrites or maps to devices.
    ['...', 'trailing-dot-or-space'],
    ['.. /x.gguf', 'trailing-dot-or-space'],
    ['x.gguf.', 'trailing-dot-or-space'],
    ['dir /x.gguf', 'trailing-dot-or-space'],
    ['nul.gguf', 'reserved-name'],
    ['a/CON', 'reserved-name'],
    ['COM1.gguf', 'reserved-name'],
    ['lpt9/x.gguf', 'reserved-name'],
    ['conout$', 'reserved-name'],
    ['console.gguf', null],
    // Lengths.
    ['x'.repeat(256), 'segment-too-long'],
    ['é'.repeat(128), 'segment-too-long'],
    [Array.from({ length: 600 }, () => 'ab').join('/'), 'too-long'],
  ])('%j → %s', (p, reason) => {
    expect(unsafeRelativePath(p)).toBe(reason);
  });

  it('refuses what is not a string at all (a listing is parsed JSON)', () => {
    expect(unsafeRelativePath(null as unknown as string)).toBe('empty');
  });
});

describe('isBelow', () => {
  it.each<[string, string, boolean, typeof path.posix | typeof path.win32]>([
    ['/m', '/m/a.gguf', true, path.posix],
    ['/m', '/m', false, path.posix],
    ['/m', '/mx/a.gguf', false, path.posix],
    ['/m', '/m/../x', false, path.posix],
    ['/m', '/m/..x/a', true, path.posix],
    ['/', '/a', true, path.posix],
    ['C:\\m', 'C:\\m\\a.gguf', true, path.win32],
    ['C:\\m', 'D:\\m\\a.gguf', false, path.win32],
    ['C:\\m', 'c:\\M\\a.gguf', true, path.win32],
  ])('%s ⊃ %s: %s', (parent, child, want, p) => {
    expect(isBelow(parent, child, p)).toBe(want);
  });
});

describe('staysInside / realLocation', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-safe-'));
  const root = path.join(tmp, 'models');
  const outside = path.join(tmp, 'elsewhere');
  fs.mkdirSync(path.join(root, 'o', 'r'), { recursive: true });
  fs.mkdirSync(outside);
  const canLink = (() => {
    try {
      fs.symlinkSync(outside, path.join(root, 'linked'), 'dir');
      fs.symlinkSync(path.join(outside, 'user.txt'), path.join(root, 'o', 'file-link.gguf'));
      fs.symlinkSync(path.join(root, 'loop'), path.join(root, 'loop'));
      return true;
    } catch {
      return false;
    }
  })();
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('a path that does not exist yet resolves through its deepest existing folder', async () => {
    expect(await realLocation(path.join(root, 'o', 'r', 'new', 'x.gguf'))).toBe(
      path.join(fs.realpathSync(root), 'o', 'r', 'new', 'x.gguf'),
    );
    expect(await staysInside(root, path.join(root, 'o', 'r', 'new', 'x.gguf'))).toBe(true);
  });

  it('lexical escapes are outside', async () => {
    expect(await staysInside(root, path.join(root, '..', 'elsewhere', 'x.gguf'))).toBe(false);
    expect(await staysInside(root, root)).toBe(false);
  });

  it.skipIf(!canLink)('a symlinked folder, a symlinked file or a loop inside the root leads outside', async () => {
    expect(await staysInside(root, path.join(root, 'linked', 'x.gguf'))).toBe(false);
    expect(await staysInside(root, path.join(root, 'linked', 'deeper', 'x.gguf'))).toBe(false);
    expect(await staysInside(root, path.join(root, 'o', 'file-link.gguf'))).toBe(false);
    expect(await staysInside(root, path.join(root, 'loop', 'x'))).toBe(false);
  });

  it.skipIf(!canLink)('a root that is itself a symlink is followed on both sides', async () => {
    const alias = path.join(tmp, 'alias');
    fs.symlinkSync(root, alias, 'dir');
    expect(await staysInside(alias, path.join(alias, 'o', 'x.gguf'))).toBe(true);
    expect(await staysInside(alias, path.join(alias, 'linked', 'x.gguf'))).toBe(false);
  });
});

describe('expandHome', () => {
  it.each<[string, NodeJS.Platform, string]>([
    ['~', 'linux', '/home/u'],
    ['~/models', 'linux', '/home/u/models'],
    ['  ~/models  ', 'linux', '/home/u/models'],
    ['~\\models', 'linux', '~\\models'],
    ['~\\models', 'win32', path.join('/home/u', 'models')],
    ['~other/models', 'linux', '~other/models'],
    ['/abs/models', 'linux', '/abs/models'],
    ['models', 'linux', 'models'],
  ])('%j on %s → %s', (p, platform, want) => {
    expect(expandHome(p, '/home/u', platform)).toBe(want);
  });
});
