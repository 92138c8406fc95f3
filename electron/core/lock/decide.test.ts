/**
 * The data folder lock's and the stale-backend reaper's decisions, as tables. The cases that matter most: a live
 * owner is never judged stale (that was the bug: a second start killed the first one's backend), a dead owner's
 * lock is taken over without anyone cleaning up, and a pid the OS gave to another program is neither trusted as
 * the owner nor killed.
 */
import { describe, expect, it } from 'vitest';
import {
  decideLock,
  decideReap,
  judgeOwner,
  parseBackendPidRecord,
  parseLockRecord,
  SETTLE_MS,
  type LockRecord,
  type ProcessProbe,
} from './decide';

const owner = { pid: 4242, start: 'boot-a:1000' };
const record: LockRecord = {
  v: 1,
  pid: 4242,
  start: 'boot-a:1000',
  nonce: 'abcdef0123456789',
  shell: 'browser',
  url: 'http://127.0.0.1:5555',
  since: 1,
};
const alive = (start: string | null): ProcessProbe => ({ alive: true, start });
const dead: ProcessProbe = { alive: false, start: null };

describe('judgeOwner', () => {
  it.each([
    { why: 'running, same start time', owner, probe: alive('boot-a:1000'), want: 'alive' },
    { why: 'gone (ESRCH, or a zombie)', owner, probe: dead, want: 'dead' },
    { why: 'pid reused by a later process', owner, probe: alive('boot-a:2000'), want: 'reused' },
    {
      why: 'pid reused after a reboot (other boot id, same ticks)',
      owner,
      probe: alive('boot-b:1000'),
      want: 'reused',
    },
    // Where the OS cannot say when a process started we cannot tell reuse apart: never call a running pid stale.
    { why: 'running, OS gives no start time now', owner, probe: alive(null), want: 'alive' },
    {
      why: 'running, the record has no start time',
      owner: { pid: 4242, start: null },
      probe: alive('boot-a:2000'),
      want: 'alive',
    },
  ])('$why → $want', ({ owner: o, probe, want }) => {
    expect(judgeOwner(o, probe)).toBe(want);
  });
});

describe('decideLock', () => {
  it.each([
    { why: 'owner alive: refuse, naming it', rec: record, age: 60_000, probe: alive('boot-a:1000'), want: 'held' },
    { why: 'owner alive, lock just written', rec: record, age: 0, probe: alive('boot-a:1000'), want: 'held' },
    { why: 'owner killed -9: take over', rec: record, age: 60_000, probe: dead, want: 'stale:owner-dead' },
    {
      why: 'owner dead, lock written a moment ago: still take over',
      rec: record,
      age: 10,
      probe: dead,
      want: 'stale:owner-dead',
    },
    { why: 'pid reused: take over', rec: record, age: 60_000, probe: alive('boot-a:9999'), want: 'stale:pid-reused' },
    { why: 'malformed and old: take over', rec: null, age: SETTLE_MS + 1, probe: null, want: 'stale:malformed' },
    { why: 'empty and brand new: its creator is still writing', rec: null, age: 5, probe: null, want: 'settling' },
    {
      why: 'malformed, mtime in the future (clock set back)',
      rec: null,
      age: -(SETTLE_MS + 1),
      probe: null,
      want: 'stale:malformed',
    },
  ])('$why → $want', ({ rec, age, probe, want }) => {
    const v = decideLock(rec, age, probe);
    expect(v.kind === 'stale' ? `stale:${v.why}` : v.kind).toBe(want);
    if (v.kind === 'held') expect(v.record.url).toBe('http://127.0.0.1:5555');
  });
});

describe('parseLockRecord', () => {
  it.each([
    { why: 'a full record', text: JSON.stringify(record), ok: true },
    { why: 'a record without a URL yet', text: JSON.stringify({ ...record, url: null, start: null }), ok: true },
    { why: 'empty (being written)', text: '', ok: false },
    { why: 'cut short', text: JSON.stringify(record).slice(0, 30), ok: false },
    { why: 'not JSON', text: 'pid=4242', ok: false },
    { why: 'a bare number (an older pid file)', text: '4242\n', ok: false },
    { why: 'pid 0 (kill(0) would mean our own process group)', text: JSON.stringify({ ...record, pid: 0 }), ok: false },
    { why: 'negative pid (kill(-n) is a process group)', text: JSON.stringify({ ...record, pid: -1 }), ok: false },
    { why: 'fractional pid', text: JSON.stringify({ ...record, pid: 1.5 }), ok: false },
    { why: 'unknown version', text: JSON.stringify({ ...record, v: 2 }), ok: false },
    { why: 'unknown shell', text: JSON.stringify({ ...record, shell: 'x' }), ok: false },
    { why: 'huge URL', text: JSON.stringify({ ...record, url: 'http://x/' + 'a'.repeat(5000) }), ok: false },
  ])('$why → ok=$ok', ({ text, ok }) => {
    expect(parseLockRecord(text) !== null).toBe(ok);
  });
});

describe('decideReap', () => {
  const rec = { backendPid: 777, owner };
  it.each([
    // The reported bug: the first instance is alive, so its backend must survive a second start.
    {
      why: 'owner alive',
      rec,
      probe: alive('boot-a:1000'),
      cmd: '/x/llama-server -m m.gguf',
      want: 'leave-owner-alive',
    },
    { why: 'owner dead, backend still llama-server', rec, probe: dead, cmd: '/x/llama-server -m m.gguf', want: 'kill' },
    {
      why: 'owner pid reused, backend still llama-server',
      rec,
      probe: alive('boot-a:5'),
      cmd: 'llama-server --port 1',
      want: 'kill',
    },
    {
      why: 'owner dead, backend pid now another program',
      rec,
      probe: dead,
      cmd: '/usr/bin/vim notes.txt',
      want: 'leave-not-llama-server',
    },
    { why: 'owner dead, backend gone', rec, probe: dead, cmd: null, want: 'leave-not-llama-server' },
    {
      why: 'no owner recorded (bare pid from an older version)',
      rec: null,
      probe: null,
      cmd: 'llama-server',
      want: 'leave-owner-unknown',
    },
  ])('$why → $want', ({ rec: r, probe, cmd, want }) => {
    expect(decideReap(r, probe, cmd)).toBe(want);
  });

  it.each([
    { cmd: '/r/llama-quantize --allow-requantize /m/a-F16.gguf /m/.a-Q4_K_M.gguf.quantizing Q4_K_M', want: 'kill' },
    { cmd: '/r/llama-perplexity -m /m/a.gguf -f en.txt', want: 'kill' },
    { cmd: '/r/llama-server -m m.gguf', want: 'leave-not-llama-server' },
    { cmd: '/usr/bin/vim notes.txt', want: 'leave-not-llama-server' },
  ])('the quant tools pid file: $cmd → $want', ({ cmd, want }) => {
    expect(decideReap(rec, dead, cmd, /llama-(?:quantize|imatrix|perplexity)/)).toBe(want);
  });

  it.each([
    { text: JSON.stringify({ backendPid: 777, owner }), ok: true },
    { text: '777\n', ok: false },
    { text: JSON.stringify({ backendPid: 777 }), ok: false },
    { text: JSON.stringify({ backendPid: 0, owner }), ok: false },
    { text: '{', ok: false },
  ])('parses $text → ok=$ok', ({ text, ok }) => {
    expect(parseBackendPidRecord(text) !== null).toBe(ok);
  });
});
