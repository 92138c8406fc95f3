#!/usr/bin/env node
// `npm run dist -- [electron-builder args]`: builds the app if stale, stages the runtimes to ship
// (scripts/dist-runtimes.mjs), then runs electron-builder with electron-builder.yml.
//
//   DEEPLOCAL_ELECTRON_DIST=DIR  an unpacked Electron (or a folder holding electron-v<version>-<os>-<arch>.zip) to
//                                package instead of downloading one (our machines cannot): -c.electronDist=DIR
//   --official-only              ship release runtimes only, never a build from source (release machines)
//   --runtimes-from DIR          more runtime folders to ship (repeatable; see dist-runtimes.mjs)
//   --no-repo-runtimes           ignore resources/bin/*
// Everything else goes to electron-builder (e.g. --dir, --linux --x64, --win, --publish always). Without --publish it
// adds `--publish never`, so a local package never uploads.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildAll, isStale } from './build.mjs';
import { distRuntimes } from './dist-runtimes.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Splits our own flags from electron-builder's. Pure, so the test can check the command line it makes. */
export function planDist(argv, env) {
  const own = { officialOnly: false, from: [], repo: true };
  const builder = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--official-only') own.officialOnly = true;
    else if (a === '--no-repo-runtimes') own.repo = false;
    else if (a === '--runtimes-from' && argv[i + 1]) own.from.push(path.resolve(argv[++i]));
    else builder.push(a);
  }
  const hasConfig = builder.some((a) => a === '--config' || a === '-c' || a.startsWith('--config='));
  const args = hasConfig ? [...builder] : ['--config', 'electron-builder.yml', ...builder];
  if (!builder.some((a) => a === '--publish' || a === '-p' || a.startsWith('--publish=')))
    args.push('--publish', 'never');
  const electronDist = env.DEEPLOCAL_ELECTRON_DIST;
  if (electronDist) args.push(`-c.electronDist=${path.resolve(electronDist)}`);
  return { own, args, electronDist: electronDist ? path.resolve(electronDist) : null };
}

export async function dist(argv, { env = process.env, log = console.error } = {}) {
  const plan = planDist(argv, env);
  if (plan.electronDist && !fs.existsSync(plan.electronDist))
    throw new Error(`DEEPLOCAL_ELECTRON_DIST=${plan.electronDist} does not exist`);
  if (isStale()) await buildAll({ log });
  await distRuntimes({ ...plan.own, log });
  const bin = path.join(
    root,
    'node_modules',
    '.bin',
    process.platform === 'win32' ? 'electron-builder.cmd' : 'electron-builder',
  );
  log(`electron-builder ${plan.args.join(' ')}`);
  const code = await new Promise((resolve, reject) => {
    const child = spawn(bin, plan.args, { cwd: root, stdio: 'inherit', env, shell: process.platform === 'win32' });
    child.on('error', reject);
    child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0)));
  });
  if (code !== 0) throw new Error(`electron-builder exited with ${code}`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  dist(process.argv.slice(2)).catch((e) => {
    console.error(`dist: ${e.message}`);
    process.exit(1);
  });
}
