// Debian's Chromium for the benches that measure the UI (chart-tick, first-load, ui-stream): the built renderer
// (rebuilt when missing or stale) and the browser with the flags every bench run here uses.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { buildAll, isStale } from '../../build.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** Builds the app when dist/ has no renderer or is older than its sources. */
export async function ensureBuilt() {
  if (!fs.existsSync(path.join(root, 'dist/renderer/index.html')) || isStale()) await buildAll();
}

/** Headless Chromium (CHROMIUM_PATH, else /usr/bin/chromium); playwright-core adds its own headless flag too. */
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}
