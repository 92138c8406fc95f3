// Helpers for benches that drive the built renderer in Chromium without a server: the stand-in bridge bundled
// for the browser (see stand-in-bridge.ts) and a static file server for dist/renderer (module scripts do not
// load from file:// in Chromium, and the Electron window's file:// is not available here).
import { build } from 'esbuild';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..', '..');

/** The init script for page.addInitScript: options first, then the bundled bridge. */
export async function standInScript(options = {}) {
  const out = await build({
    entryPoints: [path.join(here, 'stand-in-bridge.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    absWorkingDir: root,
    logLevel: 'warning',
  });
  return `globalThis.__standInOptions = ${JSON.stringify(options)};\n${out.outputFiles[0].text}`;
}

const TYPES = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.png': 'image/png',
};

/** Serves dist/renderer on a free loopback port; returns { url, close }. */
export async function serveRenderer(dir = path.join(root, 'dist', 'renderer')) {
  if (!fs.existsSync(path.join(dir, 'index.html')))
    throw new Error(`${dir}/index.html missing: run node scripts/build.mjs first`);
  const server = http.createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).replace(/^\/+/, '') || 'index.html';
    const file = path.resolve(dir, rel);
    if (!file.startsWith(dir) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((r) => server.close(r)) };
}
