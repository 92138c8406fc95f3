#!/usr/bin/env node
// Builds the renderer (Vite) and the Node/Electron entries (esbuild) into dist/, and writes a brotli and a gzip copy
// beside each compressible file of the renderer, which the headless server sends by Accept-Encoding
// (electron/transport/static-files.ts).
//   node scripts/build.mjs [--if-stale] [--no-renderer]
import { build as esbuild } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import zlib from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');

function newestMtime(dir) {
  let newest = 0;
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else newest = Math.max(newest, fs.statSync(p).mtimeMs);
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return newest;
}

export function isStale() {
  const stamp = path.join(dist, '.build-stamp');
  if (!fs.existsSync(stamp)) return true;
  const built = fs.statSync(stamp).mtimeMs;
  return (
    ['electron', 'renderer'].some((d) => newestMtime(path.join(root, d)) > built) ||
    fs.statSync(path.join(root, 'package.json')).mtimeMs > built
  );
}

const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.svg', '.json', '.txt', '.ttf', '.ico']);
const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

/**
 * Writes `<file>.br` (brotli, best quality) and `<file>.gz` (gzip, level 9) beside each compressible file under `dir`
 * whose copy saves at least 5 % (and 256 bytes). Copies of files no longer there are removed. Returns the files
 * written, with their sizes.
 */
export async function precompress(dir) {
  const files = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) files.push(p);
    }
  };
  walk(dir);
  for (const f of files) if ((f.endsWith('.br') || f.endsWith('.gz')) && !files.includes(f.slice(0, -3))) fs.rmSync(f);
  const written = [];
  await Promise.all(
    files
      .filter((f) => COMPRESSIBLE.has(path.extname(f)))
      .map(async (f) => {
        const data = fs.readFileSync(f);
        const text = path.extname(f) !== '.ttf' && path.extname(f) !== '.ico';
        const copies = await Promise.all([
          brotli(data, {
            params: {
              [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY,
              [zlib.constants.BROTLI_PARAM_MODE]: text
                ? zlib.constants.BROTLI_MODE_TEXT
                : zlib.constants.BROTLI_MODE_GENERIC,
              [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length,
            },
          }),
          gzip(data, { level: 9 }),
        ]);
        for (const [suffix, copy] of [
          ['.br', copies[0]],
          ['.gz', copies[1]],
        ]) {
          const out = f + suffix;
          if (copy.length <= data.length * 0.95 && data.length - copy.length >= 256) {
            fs.writeFileSync(out, copy);
            written.push({ file: out, size: copy.length, original: data.length });
          } else fs.rmSync(out, { force: true });
        }
      }),
  );
  return written;
}

export async function buildAll({ renderer = true, log = console.error } = {}) {
  const started = Date.now();
  const common = {
    bundle: true,
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    logLevel: 'warning',
    absWorkingDir: root,
  };
  await Promise.all([
    esbuild({
      ...common,
      entryPoints: ['electron/headless.ts'],
      outfile: 'dist/electron/headless.mjs',
      format: 'esm',
      packages: 'external',
    }),
    fs.existsSync(path.join(root, 'electron/cli.ts')) &&
      esbuild({
        ...common,
        entryPoints: ['electron/cli.ts'],
        outfile: 'dist/electron/cli.mjs',
        format: 'esm',
        packages: 'external',
      }),
    esbuild({
      ...common,
      entryPoints: ['electron/main/main.ts'],
      outfile: 'dist/electron/main/main.cjs',
      format: 'cjs',
      external: ['electron'],
      packages: 'external',
    }),
    // A sandboxed preload can require only 'electron': bundle everything else into it.
    esbuild({
      ...common,
      entryPoints: ['electron/preload/preload.ts'],
      outfile: 'dist/electron/preload/preload.cjs',
      format: 'cjs',
      external: ['electron'],
    }),
  ]);
  if (renderer) {
    const { build } = await import('vite');
    await build({ configFile: path.join(root, 'renderer', 'vite.config.ts'), logLevel: 'warn' });
    await precompress(path.join(dist, 'renderer'));
  }
  // The stamp means "everything is current", so a partial (no-renderer) build does not write it.
  if (renderer) fs.writeFileSync(path.join(dist, '.build-stamp'), new Date().toISOString());
  log(`built dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  if (args.includes('--if-stale') && !isStale()) process.exit(0);
  buildAll({ renderer: !args.includes('--no-renderer') }).catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
