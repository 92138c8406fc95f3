/**
 * deleteSnapshotFolder on real folders: a downloaded snapshot goes whole; a folder the user filled keeps what is not
 * the snapshot's (other models below it, notes), since the library never listed those; MODEL_IN_USE while served.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { deleteSnapshotFolder } from './library-entry';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function snapshot(extra: Record<string, string> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dl-snap-del-'));
  dirs.push(dir);
  const files: Record<string, string> = {
    'config.json': '{}',
    'tokenizer.json': '{}',
    'model.safetensors.index.json': '{}',
    'model-00001-of-00002.safetensors': 'x',
    'model-00002-of-00002.safetensors': 'y',
    'README.md': '# card',
    ...extra,
  };
  for (const [name, data] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), data);
  }
  return dir;
}
const inside = async () => true;
const notUsed = () => false;

describe('deleteSnapshotFolder', () => {
  it('a snapshot of only its own files goes whole, folder included', async () => {
    const dir = snapshot();
    expect(await deleteSnapshotFolder(dir, inside, notUsed)).toBe(true);
    expect(fs.existsSync(dir)).toBe(false);
  });

  it("keeps what is not the snapshot's: another model below it, the user's notes (and so the folder)", async () => {
    const dir = snapshot({ 'gguf/model-Q4_K_M.gguf': 'GGUF', 'notes.txt': 'mine' });
    expect(await deleteSnapshotFolder(dir, inside, notUsed)).toBe(true);
    expect(fs.readdirSync(dir, { recursive: true }).map(String).sort()).toEqual([
      'gguf',
      path.join('gguf', 'model-Q4_K_M.gguf'),
      'notes.txt',
    ]);
  });

  it('refuses while the folder is served, and is no snapshot once config.json is gone', async () => {
    const dir = snapshot();
    await expect(deleteSnapshotFolder(dir, inside, (p) => p === dir)).rejects.toMatchObject({ code: 'MODEL_IN_USE' });
    expect(fs.existsSync(path.join(dir, 'config.json'))).toBe(true);
    fs.rmSync(path.join(dir, 'config.json'));
    expect(await deleteSnapshotFolder(dir, inside, notUsed)).toBe(false);
    expect(fs.existsSync(path.join(dir, 'model-00001-of-00002.safetensors'))).toBe(true);
  });
});
