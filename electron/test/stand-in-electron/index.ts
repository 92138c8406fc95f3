/**
 * A folder laid out like an unpacked Electron for linux-x64 (the official electron-v<version>-linux-x64.zip; see
 * SOURCES.md), for packaging tests on machines that cannot download Electron. electron-builder copies it as the app's
 * skeleton (`electronDist`), renames `electron` to the executable name, moves LICENSE to LICENSE.electron.txt and
 * writes resources/app.asar. The files are placeholders: nothing here can run a window, and fuses cannot be flipped in
 * it (the test config turns electronFuses off).
 */
import { createPackage } from '@electron/asar';
import fs from 'node:fs';
import path from 'node:path';

/** Entries of the official linux-x64 zip that packaging touches or that a real package carries. */
const FILES = [
  'LICENSE',
  'LICENSES.chromium.html',
  'chrome-sandbox',
  'chrome_100_percent.pak',
  'chrome_200_percent.pak',
  'chrome_crashpad_handler',
  'icudtl.dat',
  'libEGL.so',
  'libGLESv2.so',
  'libffmpeg.so',
  'libvk_swiftshader.so',
  'libvulkan.so.1',
  'locales/en-US.pak',
  'locales/zh-CN.pak',
  'resources.pak',
  'snapshot_blob.bin',
  'v8_context_snapshot.bin',
  'vk_swiftshader_icd.json',
];

export async function makeStandInElectron(dir: string, version: string): Promise<string> {
  for (const f of FILES) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    fs.writeFileSync(path.join(dir, f), `stand-in ${f}\n`);
  }
  fs.writeFileSync(path.join(dir, 'version'), version);
  fs.writeFileSync(path.join(dir, 'electron'), '#!/bin/sh\necho "stand-in Electron: cannot run" >&2\nexit 1\n', {
    mode: 0o755,
  });
  // A real (tiny) archive: electron-builder reads the header of every .asar in resources/ for the integrity hashes.
  const app = path.join(dir, '.default_app');
  fs.mkdirSync(app);
  fs.writeFileSync(path.join(app, 'package.json'), '{"name":"electron","main":"main.js"}\n');
  fs.writeFileSync(path.join(app, 'main.js'), '// stand-in default_app\n');
  await createPackage(app, path.join(dir, 'resources', 'default_app.asar'));
  fs.rmSync(app, { recursive: true });
  return dir;
}
