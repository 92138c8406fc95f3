#!/usr/bin/env node
// Download performance on loopback, from the hub emulator (scripts/hub-emulator), in one run:
//   pull     `node dist/electron/cli.mjs pull` of a 1 GiB GGUF: parallel Range segments, SHA-256 while downloading,
//            GGUF validation, rename into the models folder (the whole user-visible job)
//   curl     `curl -L -o` of the same file from the same server (download alone, nothing verified)
//   sha256   node:crypto throughput over the same bytes
//   resume   kill -9 of the CLI at ~50 %, run again: bytes fetched twice, against one segment (32 MiB)
// Targets: pull ≤ 1.15 × curl, SHA-256 ≥ 1 GB/s, resume re-fetch ≤ 1 segment. The 1 GiB file is generated in a temp
// folder (random bytes behind a GGUF header) and deleted afterwards.
//   node scripts/bench/download.mjs [--size-mib N] [--rounds N] [--dir DIR] [--json]
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startHubEmulator } from '../hub-emulator/server.mjs';
import { GGMLType, encodeGGUFHeader, gguf } from '../lib/gguf-writer.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values } = parseArgs({
  options: {
    'size-mib': { type: 'string', default: '1024' },
    rounds: { type: 'string', default: '3' },
    dir: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const SIZE_MIB = Number(values['size-mib']);
const ROUNDS = Number(values.rounds);
const SEGMENT = 32 * 1024 * 1024; // the downloader's default
const REPO = 'bench/big-GGUF';
const FILE = 'Bench-Big-F32.gguf';
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** A valid GGUF: one F32 tensor of SIZE_MIB MiB of random bytes. Returns its sha256. */
function makeModel(file) {
  const n = (SIZE_MIB * 1024 * 1024) / 4;
  const { header } = encodeGGUFHeader({
    kv: [
      ['general.architecture', gguf.str('llama')],
      ['general.name', gguf.str('Bench')],
    ],
    tensors: [{ name: 'blk.0.ffn_up.weight', ne: [1024, n / 1024], type: GGMLType.F32 }],
  });
  const h = createHash('sha256');
  const fd = fs.openSync(file, 'w');
  try {
    fs.writeSync(fd, header);
    h.update(header);
    const chunk = Buffer.allocUnsafe(8 << 20);
    for (let left = n * 4; left > 0; left -= chunk.length) {
      const c = left >= chunk.length ? chunk : chunk.subarray(0, left);
      randomFillSync(c);
      fs.writeSync(fd, c);
      h.update(c);
    }
  } finally {
    fs.closeSync(fd);
  }
  return h.digest('hex');
}

/** Bytes a download's sidecar (under DATA/models/.incomplete) says are on disk, or null when there is none. */
function sidecarBytes(dataDir) {
  const found = [];
  const walk = (d) => {
    for (const e of fs.existsSync(d) ? fs.readdirSync(d, { withFileTypes: true }) : []) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.partial.json')) found.push(p);
    }
  };
  walk(path.join(dataDir, 'models'));
  if (found.length !== 1) return null;
  const st = JSON.parse(fs.readFileSync(found[0], 'utf8'));
  let done = 0;
  for (let i = 0, n = Math.ceil(st.size / st.segmentBytes); i < n; i++) {
    const len = Math.min(st.size, (i + 1) * st.segmentBytes) - i * st.segmentBytes;
    done += i < st.doneBelow ? len : Math.min(len, st.partial[String(i)] ?? 0);
  }
  return done;
}

function timed(cmd, args, env = {}) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve((performance.now() - t0) / 1000)
        : reject(new Error(`${cmd} exited ${code}: ${err.slice(-500)}`)),
    );
  });
}

async function main() {
  const cli = path.join(root, 'dist', 'electron', 'cli.mjs');
  if (!fs.existsSync(cli))
    spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs'), '--no-renderer'], { stdio: 'inherit' });
  if (spawnSync('curl', ['--version']).status !== 0) throw new Error('curl is needed for the comparison');
  // Both tools write into RAM (tmpfs) when there is room: a VM disk's writeback stalls vary by seconds from run to
  // run and would drown the difference being measured (and curl does not fsync, while pull does before installing).
  const shm = '/dev/shm';
  const shmFree = fs.existsSync(shm)
    ? await fs.promises.statfs(shm).then(
        (s) => Number(s.bavail) * Number(s.bsize),
        () => 0,
      )
    : 0;
  const base = values.dir ?? (shmFree > 4 * SIZE_MIB * 1024 * 1024 ? shm : os.tmpdir());
  const tmp = fs.mkdtempSync(path.join(base, 'dl-bench-'));
  const emu = await startHubEmulator();
  try {
    const src = path.join(tmp, FILE);
    const sha = makeModel(src);
    const size = fs.statSync(src).size;
    await emu.addRepo({ id: REPO, files: [{ path: FILE, source: src, sha256: sha }] });
    const env = { HF_ENDPOINT: emu.url, MODELSCOPE_ENDPOINT: emu.url, LANG: 'C.UTF-8' };
    const url = `${emu.url}/${REPO}/resolve/main/${FILE}`;

    // SHA-256 throughput of node:crypto (what the downloader uses), over bytes already in memory.
    const buf = Buffer.allocUnsafe(64 << 20);
    randomFillSync(buf);
    const hashRuns = [];
    for (let r = 0; r < 3; r++) {
      const h = createHash('sha256');
      const t0 = performance.now();
      for (let i = 0; i < 16; i++) h.update(buf);
      h.digest();
      hashRuns.push((16 * buf.length) / 1e9 / ((performance.now() - t0) / 1000));
    }
    const shaGBs = median(hashRuns);

    // pull vs curl, interleaved; each writes a fresh file in the same folder.
    const times = { pull: [], curl: [] };
    for (let r = 0; r < ROUNDS; r++) {
      const data = path.join(tmp, `data-${r}`);
      const order = r % 2 ? ['curl', 'pull'] : ['pull', 'curl'];
      for (const what of order) {
        if (what === 'pull') {
          times.pull.push(await timed(process.execPath, [cli, 'pull', REPO, '--data-dir', data], env));
          const got = path.join(data, 'models', ...REPO.split('/'), FILE);
          if (fs.statSync(got).size !== size) throw new Error('pull produced a wrong file');
          fs.rmSync(data, { recursive: true, force: true });
        } else {
          const out = path.join(tmp, `curl-${r}.gguf`);
          times.curl.push(await timed('curl', ['-sS', '-L', '-o', out, url]));
          fs.rmSync(out, { force: true });
        }
      }
    }
    const pull = median(times.pull);
    const curl = median(times.curl);

    // kill -9 at ~50 %, then resume.
    const data = path.join(tmp, 'data-resume');
    emu.resetStats();
    const child = spawn(process.execPath, [cli, 'pull', REPO, '--data-dir', data], {
      stdio: 'ignore',
      env: { ...process.env, ...env },
    });
    const exited = new Promise((r) => child.on('exit', r));
    while ((emu.stats.bytesByFile[FILE] ?? 0) < size / 2 && child.exitCode === null)
      await new Promise((r) => setTimeout(r, 2));
    child.kill('SIGKILL');
    await exited;
    const firstRun = emu.stats.bytesByFile[FILE] ?? 0;
    // What the killed run had saved (its sidecar): the rest of what the hub had sent was in flight at the kill, in
    // the kernel's socket buffers (loopback autotunes them up to net.ipv4.tcp_rmem's max per connection) or in the
    // downloader's memory (blocks being filled or written, bytes since the last checkpoint).
    const savedAtKill = sidecarBytes(data);
    const rmemMax = (() => {
      try {
        return Number(fs.readFileSync('/proc/sys/net/ipv4/tcp_rmem', 'utf8').trim().split(/\s+/)[2]);
      } catch {
        return null;
      }
    })();
    const t0 = performance.now();
    await timed(process.execPath, [cli, 'pull', REPO, '--data-dir', data], env);
    const resumeSecs = (performance.now() - t0) / 1000;
    const total = emu.stats.bytesByFile[FILE];
    const refetched = Math.max(0, total - size);

    const out = {
      sizeBytes: size,
      rounds: ROUNDS,
      pullSeconds: pull,
      curlSeconds: curl,
      pullOverCurl: pull / curl,
      pullMBs: size / 1e6 / pull,
      curlMBs: size / 1e6 / curl,
      sha256GBs: shaGBs,
      resume: {
        killedAtBytes: firstRun,
        killedAtPct: (firstRun / size) * 100,
        savedAtKillBytes: savedAtKill,
        inFlightAtKillBytes: savedAtKill === null ? null : firstRun - savedAtKill,
        tcpRmemMaxBytes: rmemMax,
        refetchedBytes: refetched,
        segmentBytes: SEGMENT,
        refetchedSegments: refetched / SEGMENT,
        resumeSeconds: resumeSecs,
      },
    };
    if (values.json) console.log(JSON.stringify(out, null, 2));
    else {
      const ok = (b) => (b ? 'ok' : 'MISS');
      const f = (x, d = 2) => x.toFixed(d);
      console.log(
        `download  ${f(size / 2 ** 30)} GiB from the hub emulator on loopback into ${base}, ${ROUNDS} rounds (medians), ${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(1)}`,
      );
      console.log(`  pull (download + SHA-256 + GGUF check + install) ${f(pull)} s  ${f(out.pullMBs, 0)} MB/s`);
      console.log(`  curl -L -o (download only)                       ${f(curl)} s  ${f(out.curlMBs, 0)} MB/s`);
      console.log(`  pull / curl: ${f(out.pullOverCurl, 3)} (target <= 1.15) ${ok(out.pullOverCurl <= 1.15)}`);
      console.log(`  SHA-256 (node:crypto): ${f(shaGBs)} GB/s (target >= 1) ${ok(shaGBs >= 1)}`);
      console.log(
        `  resume after kill -9 at ${f(out.resume.killedAtPct, 0)}%: re-fetched ${f(refetched / 2 ** 20, 1)} MiB = ${f(out.resume.refetchedSegments, 3)} segment(s) of 32 MiB (target <= 1) ${ok(out.resume.refetchedSegments <= 1)}; resume took ${f(resumeSecs)} s`,
      );
      if (savedAtKill !== null) {
        const mib = (b) => f(b / 2 ** 20, 1);
        console.log(
          `    at the kill: hub had sent ${mib(firstRun)} MiB, the sidecar had saved ${mib(savedAtKill)} MiB, so ${mib(firstRun - savedAtKill)} MiB were in flight (socket buffers${rmemMax ? ` up to ${mib(rmemMax)} MiB per connection here` : ''}, blocks in memory, since the last checkpoint)`,
        );
      }
    }
  } finally {
    await emu.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
