import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { GpuSample } from '../../shared/telemetry';
import {
  classifyNvidiaSmiFailure,
  parseComputeApps,
  parseSampleLine,
  parseSampleLines,
  parseValue,
  streamArgs,
  TickGrouper,
  vramOfProcess,
} from './nvidia-smi';

const fixture = (name: string) => fs.readFileSync(path.join(__dirname, 'fixtures', name), 'utf8');

describe('parseValue', () => {
  it.each<[string | undefined, number | null]>([
    ['450.00', 450],
    [' 41 ', 41],
    ['0', 0],
    ['[N/A]', null],
    ['N/A', null],
    ['[Not Supported]', null],
    ['[Unknown Error]', null],
    ['[Insufficient Permissions]', null],
    ['[GPU is lost]', null],
    ['', null],
    [undefined, null],
    // Without nounits nvidia-smi appends the unit; the number still counts.
    ['450.00 W', 450],
    ['24564 MiB', 24564],
    ['garbage', null],
  ])('%j → %j', (raw, expected) => {
    expect(parseValue(raw)).toBe(expected);
  });
});

describe('parseSampleLine (recorded outputs)', () => {
  it('reads every field of a busy RTX 4090', () => {
    const [, busy] = parseSampleLines(fixture('stream-one-gpu.csv'));
    expect(busy).toEqual<GpuSample>({
      index: 0,
      name: 'NVIDIA GeForce RTX 4090',
      vramUsedMiB: 21987,
      vramTotalMiB: 24564,
      temperatureC: 67,
      powerDrawW: 412.88,
      powerLimitW: 450,
      powerMinW: 150,
      powerMaxW: 600,
      powerDefaultW: 450,
      utilizationPct: 98,
      smClockMHz: 2730,
      memClockMHz: 10501,
      fanPct: 54,
    });
  });

  it('turns [N/A], [Not Supported] and [Unknown Error] into null and keeps the rest', () => {
    const [t4, a100] = parseSampleLines(fixture('stream-na-fields.csv'));
    expect(t4).toMatchObject({
      name: 'Tesla T4',
      powerDrawW: null,
      powerMinW: null,
      powerMaxW: null,
      powerLimitW: 70,
      fanPct: null,
      vramUsedMiB: 0,
    });
    expect(a100).toMatchObject({
      index: 1,
      temperatureC: null,
      powerLimitW: null,
      powerMinW: 100,
      utilizationPct: null,
      smClockMHz: 1410,
    });
  });

  it('reads a laptop GPU whose limits are not exposed', () => {
    const [g] = parseSampleLines(fixture('stream-laptop.csv'));
    expect(g).toMatchObject({
      name: 'NVIDIA GeForce RTX 4070 Laptop GPU',
      powerLimitW: 115,
      powerMinW: null,
      powerMaxW: null,
      powerDefaultW: null,
      fanPct: null,
    });
  });

  it.each([
    ['a blank line', ''],
    ['a warning', 'WARNING: infoROM is corrupted at gpu 0000:01:00.0'],
    [
      'a header',
      'index, name, memory.used [MiB], memory.total [MiB], temperature.gpu, power.draw [W], enforced.power.limit [W], power.min_limit [W], power.max_limit [W], power.default_limit [W], utilization.gpu [%], clocks.sm [MHz], clocks.mem [MHz], fan.speed [%]',
    ],
    ['a short line', '0, NVIDIA GeForce RTX 4090, 1843'],
    ['the driver failure', "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver."],
  ])('ignores %s', (_name, line) => {
    expect(parseSampleLine(line)).toBeNull();
  });

  it('keeps a name that contains a comma whole', () => {
    const s = parseSampleLine('0, Weird, Inc. GPU, 1, 2, 3, 4.00, 5.00, 6.00, 7.00, 8.00, 9, 10, 11, 12');
    expect(s).toMatchObject({ name: 'Weird, Inc. GPU', vramUsedMiB: 1, fanPct: 12 });
  });
});

describe('TickGrouper', () => {
  const lines = parseSampleLines(fixture('stream-two-gpus.csv'));

  it('groups two GPUs per tick, emitting each tick on its last line once the GPU count is known', () => {
    const g = new TickGrouper();
    const emitted: number[][] = [];
    const afterEachLine: number[] = [];
    for (const l of lines) {
      for (const t of g.push(l)) emitted.push(t.map((s) => s.index));
      afterEachLine.push(emitted.length);
    }
    // First tick: only known complete when GPU 0 repeats (line 3); after that each tick closes on GPU 1's line.
    expect(afterEachLine).toEqual([0, 0, 1, 2, 2, 3]);
    expect(emitted).toEqual([
      [0, 1],
      [0, 1],
      [0, 1],
    ]);
    expect(g.flush()).toBeNull();
  });

  it('flushes a partial first tick (the quiet-period timer does this)', () => {
    const g = new TickGrouper();
    expect(g.push(lines[0]!)).toEqual([]);
    expect(g.push(lines[1]!)).toEqual([]);
    expect(g.flush()?.map((s) => s.index)).toEqual([0, 1]);
    // Learned: two GPUs per tick.
    expect(g.push(lines[2]!)).toEqual([]);
    expect(g.push(lines[3]!)).toHaveLength(1);
  });

  it('with one GPU, every line is a tick once the first has been seen', () => {
    const g = new TickGrouper();
    const one = parseSampleLines(fixture('stream-one-gpu.csv'));
    expect(g.push(one[0]!)).toEqual([]);
    // The repeat closes the first tick, and the count (1) is now known, so this line is a tick too.
    expect(g.push(one[1]!)).toHaveLength(2);
    expect(g.push(one[0]!)).toHaveLength(1);
  });

  it('sorts a tick by index', () => {
    const g = new TickGrouper();
    const [a, b] = parseSampleLines(fixture('stream-two-gpus.csv'));
    g.push(b!);
    g.push(a!);
    expect(g.flush()!.map((s) => s.index)).toEqual([0, 1]);
  });
});

describe('other nvidia-smi texts', () => {
  it.each([
    ['no-driver.txt', 'driver'],
    ['no-devices.txt', 'no-devices'],
    ['pl-permission.txt', 'permission'],
    ['stream-one-gpu.csv', null],
  ])('%s → %s', (file, expected) => {
    expect(classifyNvidiaSmiFailure(fixture(file))).toBe(expected);
  });

  it('sums a process over GPUs from --query-compute-apps', () => {
    const apps = parseComputeApps(fixture('compute-apps.csv'));
    expect(apps).toHaveLength(3);
    expect(vramOfProcess(apps, 48211)).toBe(11923);
    expect(vramOfProcess(apps, 1)).toBeNull();
  });

  it('streams with -lms and never below 50 ms', () => {
    expect(streamArgs(1000).slice(-2)).toEqual(['-lms', '1000']);
    expect(streamArgs(5).slice(-1)).toEqual(['50']);
    expect(streamArgs(1000)[0]).toBe(
      '--query-gpu=index,name,memory.used,memory.total,temperature.gpu,power.draw,enforced.power.limit,power.min_limit,power.max_limit,power.default_limit,utilization.gpu,clocks.sm,clocks.mem,fan.speed',
    );
  });
});
