#!/usr/bin/env node
// `npm run cli -- …`: bundles electron/cli.ts into dist/electron/cli.mjs when a source is newer (esbuild, ~0.2 s),
// then runs it in this same process (so Ctrl-C and kill reach the downloader directly).
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist', 'electron', 'cli.mjs');

function newest(p) {
  const st = fs.statSync(p, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.mtimeMs;
  let n = st.mtimeMs;
  for (const e of fs.readdirSync(p))
    if (!e.startsWith('.') && e !== 'node_modules') n = Math.max(n, newest(path.join(p, e)));
  return n;
}

const built = fs.statSync(out, { throwIfNoEntry: false })?.mtimeMs ?? 0;
const sources = [
  'electron/cli.ts',
  'electron/cli-runtime.ts',
  'electron/cli-bench.ts',
  'electron/core',
  'electron/shared',
  'package.json',
].map((p) => newest(path.join(root, p)));
if (Math.max(...sources) > built) {
  await build({
    entryPoints: ['electron/cli.ts'],
    outfile: out,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
    absWorkingDir: root,
  });
}
await import(pathToFileURL(out).href);
