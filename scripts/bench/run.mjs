#!/usr/bin/env node
// `npm run bench`: builds the app if needed, then runs every benchmark in scripts/bench/ and prints its ratios.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildAll, isStale } from '../build.mjs';
import { ensureBackend } from '../build-llama-server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
await ensureBackend({ variant: process.env.DEEPLOCAL_BACKEND_VARIANT ?? 'auto' });
if (isStale()) await buildAll();
const only = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const extra = process.argv.slice(2).filter((a) => a.startsWith('-'));
const benches = fs
  .readdirSync(here)
  .filter((f) => f.endsWith('.mjs') && f !== 'run.mjs' && (only.length === 0 || only.some((o) => f.startsWith(o))));
let failed = false;
for (const b of benches) {
  console.log(`\n--- ${b} ---`);
  const r = spawnSync(process.execPath, [path.join(here, b), ...extra], { stdio: 'inherit' });
  if (r.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
