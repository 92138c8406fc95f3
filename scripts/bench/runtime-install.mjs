#!/usr/bin/env node
// Runtime install time on loopback, from the release stand-in (scripts/release-emulator), in one run:
//   install   installRelease (electron/core/runtimes/install.ts): the resumable downloader with SHA-256 as the bytes
//             arrive, checked against the feed's digest, unpacked with the archive checks into staging (every file
//             hashed as it is written, for runtime.json), renamed into place (the whole user-visible job)
//   shell     `curl -sSL -o` + `sha256sum -c` + `tar -xzf` (or `unzip`) of the same asset from the same server
// for the official-named CPU asset llama-<tag>-bin-ubuntu-x64.tar.gz (our CPU build) and, with --zip, the zip
// layout llama-<tag>-bin-win-cpu-x64.zip (installed as win32; skip with --no-zip). Target: install ≤ 1.1 × shell.
//   node scripts/bench/runtime-install.mjs [--rounds N] [--no-zip] [--dir DIR] [--json]
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { makeReleaseAssets } from '../release-emulator/make-assets.mjs';
import { DEFAULT_REPO, startReleaseEmulator } from '../release-emulator/server.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    'no-zip': { type: 'boolean', default: false },
    dir: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const ROUNDS = Number(values.rounds);
const TARGET = 1.1;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** installRelease, fetchRelease and pickAssets bundled from the TypeScript sources (node_modules stay external). */
async function loadInstaller() {
  const out = path.join(root, 'dist', 'bench', 'runtime-install-lib.mjs');
  await build({
    stdin: {
      contents: [
        "export { installRelease } from './electron/core/runtimes/install.ts';",
        "export { fetchRelease } from './electron/core/runtimes/release-feed.ts';",
        "export { pickAssets } from './electron/core/runtimes/assets.ts';",
      ].join('\n'),
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile: out,
    logLevel: 'warning',
  });
  return import(out);
}

function timedShell(script) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn('bash', ['-euo', 'pipefail', '-c', script], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve((performance.now() - t0) / 1000) : reject(new Error(`shell exited ${code}: ${err}`)),
    );
  });
}

const q = (s) => `'${s.replaceAll("'", "'\\''")}'`;

async function measure({ lib, emu, tag, platform, asset, unpackCmd, tmp }) {
  const release = await lib.fetchRelease({ endpoint: emu.url, repo: DEFAULT_REPO, tag, fetch });
  const picked = lib.pickAssets(release, platform, 'x64', 'cpu');
  if (!picked || picked.assets.length !== 1 || picked.assets[0].name !== asset.name)
    throw new Error(`pickAssets did not pick ${asset.name} for ${platform}: ${JSON.stringify(picked?.assets)}`);
  const url = picked.assets[0].url;
  const times = { install: [], shell: [] };
  /** Seconds spent per phase of installRelease (download includes the hashing; unpack includes file hashes + commit). */
  const phases = { download: [], unpack: [] };
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 ? ['shell', 'install'] : ['install', 'shell'];
    for (const what of order) {
      const work = path.join(tmp, `${what}-${r}`);
      fs.mkdirSync(work, { recursive: true });
      if (what === 'install') {
        const t0 = performance.now();
        let unpackAt = 0;
        const rt = await lib.installRelease({
          onProgress: (p) => {
            if (p.phase === 'unpack' && !unpackAt) unpackAt = performance.now();
          },
          dataDir: work,
          release: { tag },
          assets: picked.assets,
          variant: 'cpu',
          platform,
          arch: 'x64',
          fetch,
          signal: new AbortController().signal,
        });
        const t1 = performance.now();
        times.install.push((t1 - t0) / 1000);
        phases.download.push((unpackAt - t0) / 1000);
        phases.unpack.push((t1 - unpackAt) / 1000);
        if (!fs.existsSync(rt.server)) throw new Error('install produced no llama-server');
      } else {
        const file = path.join(work, asset.name);
        const out = path.join(work, 'out');
        fs.mkdirSync(out);
        times.shell.push(
          await timedShell(
            `curl -sSL -o ${q(file)} ${q(url)} && echo ${q(`${asset.sha256}  ${file}`)} | sha256sum -c --quiet - && ${unpackCmd(q(file), q(out))}`,
          ),
        );
      }
      fs.rmSync(work, { recursive: true, force: true });
    }
  }
  const install = median(times.install);
  const shell = median(times.shell);
  const split = { download: median(phases.download), unpack: median(phases.unpack) };
  return { asset: asset.name, size: asset.size, install, shell, ratio: install / shell, split, times };
}

async function main() {
  for (const tool of ['curl', 'sha256sum', 'tar', ...(values['no-zip'] ? [] : ['unzip'])])
    if (spawnSync('bash', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status !== 0)
      throw new Error(`${tool} is needed for the comparison`);
  const tag = 'v0.5.0';
  const variants = values['no-zip'] ? ['cpu'] : ['cpu', 'win-cpu'];
  const made = await makeReleaseAssets({ tag, variants });
  if (made.skipped.length) throw new Error(made.skipped.map((s) => s.reason).join('; '));
  const lib = await loadInstaller();
  // Both sides write into RAM when there is room (as download.mjs does): disk writeback stalls would drown the
  // difference being measured.
  const shm = '/dev/shm';
  const need = 6 * made.assets.reduce((s, a) => s + a.size, 0);
  const shmFree = fs.existsSync(shm)
    ? await fs.promises.statfs(shm).then(
        (s) => Number(s.bavail) * Number(s.bsize),
        () => 0,
      )
    : 0;
  const tmp = fs.mkdtempSync(path.join(values.dir ?? (shmFree > need ? shm : os.tmpdir()), 'rt-bench-'));
  const emu = await startReleaseEmulator({
    tag,
    assets: made.assets.map((a) => ({ name: a.name, path: a.path, sha256: a.sha256 })),
  });
  try {
    const results = [];
    const tarGz = made.assets.find((a) => a.variant === 'cpu');
    results.push(
      await measure({
        lib,
        emu,
        tag,
        platform: 'linux',
        asset: tarGz,
        tmp,
        unpackCmd: (f, d) => `tar -xzf ${f} -C ${d}`,
      }),
    );
    const zip = made.assets.find((a) => a.variant === 'win-cpu');
    if (zip)
      results.push(
        await measure({
          lib,
          emu,
          tag,
          platform: 'win32',
          asset: zip,
          tmp,
          unpackCmd: (f, d) => `unzip -q ${f} -d ${d}`,
        }),
      );
    if (values.json) console.log(JSON.stringify({ rounds: ROUNDS, target: TARGET, results }, null, 2));
    else {
      const f = (x, d = 2) => x.toFixed(d);
      const ok = (b) => (b ? 'OK' : 'MISSED');
      console.log(`runtime install from the release stand-in, median of ${ROUNDS} rounds (alternating order)`);
      for (const r of results) {
        console.log(`  ${r.asset} (${f(r.size / 2 ** 20, 1)} MiB)`);
        console.log(
          `    install (download + SHA-256 + unpack & hash + commit)       ${f(r.install)} s  (download+verify ${f(r.split.download)} s, unpack+commit ${f(r.split.unpack)} s)`,
        );
        console.log(
          `    curl -sSL -o + sha256sum -c + ${r.asset.endsWith('.zip') ? 'unzip' : 'tar -xzf'}`.padEnd(63) +
            `${f(r.shell)} s`,
        );
        console.log(`    install / shell: ${f(r.ratio, 3)} (target <= ${TARGET}) ${ok(r.ratio <= TARGET)}`);
      }
    }
    return 0;
  } finally {
    await emu.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  (code) => (process.exitCode = code),
  (e) => {
    console.error(e?.stack ?? e);
    process.exit(1);
  },
);
