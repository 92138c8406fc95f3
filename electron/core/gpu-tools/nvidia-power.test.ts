import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  formatWatts,
  lockClocksArgs,
  manualCommand,
  parsePowerOutput,
  resetClocksArgs,
  setLimitArgs,
  type PowerOutcome,
} from './nvidia-power';

const fixture = (name: string) => fs.readFileSync(path.join(__dirname, 'fixtures', name), 'utf8');

describe('parsePowerOutput (recorded nvidia-smi texts)', () => {
  // The exit code column shows why it cannot be trusted: "not supported" exits 0, like success.
  it.each<[string, number | null, Partial<PowerOutcome>]>([
    ['pl-success.txt', 0, { kind: 'ok', appliedW: 250, previousW: 450 }],
    ['pl-success-persistence-warning.txt', 0, { kind: 'ok', appliedW: 300, previousW: 350 }],
    ['pl-range.txt', 2, { kind: 'range', minW: 150, maxW: 600 }],
    ['pl-permission.txt', 4, { kind: 'permission' }],
    ['pl-unsupported.txt', 0, { kind: 'unsupported' }],
    ['lgc-success.txt', 0, { kind: 'ok', appliedW: null }],
    ['lgc-unsupported.txt', 0, { kind: 'unsupported' }],
    ['lgc-permission.txt', 4, { kind: 'permission' }],
    ['rgc-success.txt', 0, { kind: 'ok' }],
    ['no-driver.txt', 9, { kind: 'driver' }],
  ])('%s (exit %s)', (file, code, expected) => {
    const o = parsePowerOutput(fixture(file), code);
    expect(o).toMatchObject(expected);
    expect(o.text).toBe(fixture(file).trim());
  });

  it.each<[string, number | null, PowerOutcome['kind']]>([
    ['', 0, 'ok'],
    ['', 1, 'failed'],
    ['Something unexpected', 0, 'failed'],
    ['All done.', 3, 'failed'],
    // Success text wins over a misleading exit code.
    ['Power limit for GPU 00000000:01:00.0 was set to 200.00 W from 250.00 W.\nAll done.', 255, 'ok'],
  ])('%j exit %s → %s', (text, code, kind) => {
    expect(parsePowerOutput(text, code).kind).toBe(kind);
  });
});

describe('commands', () => {
  it('builds argv', () => {
    expect(setLimitArgs(1, 250)).toEqual(['-i', '1', '-pl', '250']);
    expect(setLimitArgs(0, 212.5)).toEqual(['-i', '0', '-pl', '212.5']);
    expect(lockClocksArgs(0, 210, 1500)).toEqual(['-i', '0', '-lgc', '210,1500']);
    expect(resetClocksArgs(2)).toEqual(['-i', '2', '-rgc']);
  });

  it.each<[number, string]>([
    [250, '250'],
    [212.5, '212.5'],
    [212.456, '212.46'],
    [100.1, '100.1'],
  ])('formatWatts(%d) = %s', (w, s) => {
    expect(formatWatts(w)).toBe(s);
  });

  it.each<[string, string]>([
    ['linux', 'sudo nvidia-smi -i 0 -pl 250'],
    ['darwin', 'sudo nvidia-smi -i 0 -pl 250'],
    ['win32', "Start-Process nvidia-smi -ArgumentList '-i 0 -pl 250' -Verb RunAs"],
  ])('the command to run by hand on %s', (platform, cmd) => {
    expect(manualCommand(setLimitArgs(0, 250), platform)).toBe(cmd);
  });
});
