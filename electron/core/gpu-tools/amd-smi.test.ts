import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { amdNumber, parseAmdSmiMetric, parseAmdSmiStatic, parseRocmSmi } from './amd-smi';

const fixture = (name: string) => fs.readFileSync(path.join(__dirname, 'fixtures', name), 'utf8');

describe('amd-smi / rocm-smi', () => {
  it.each<[unknown, number | null]>([
    [42, 42],
    ['42', 42],
    ['16368 MB', 16368],
    [{ value: 87, unit: '%' }, 87],
    [{ value: 'N/A', unit: '%' }, null],
    ['N/A', null],
    [null, null],
    [[1], null],
  ])('amdNumber(%j) = %j', (x, expected) => {
    expect(amdNumber(x)).toBe(expected);
  });

  it('reads amd-smi static (array form)', () => {
    expect(parseAmdSmiStatic(fixture('amd-smi-static.json'))).toEqual([
      { index: 0, name: 'AMD Radeon RX 7900 XTX', vramTotalMiB: 24560, driverVersion: '6.7.0' },
    ]);
  });

  it('reads amd-smi metric ({gpu_data: […]} form) with names from static', () => {
    const [s] = parseAmdSmiMetric(fixture('amd-smi-metric.json'), new Map([[0, 'AMD Radeon RX 7900 XTX']]));
    expect(s).toEqual({
      index: 0,
      name: 'AMD Radeon RX 7900 XTX',
      vramUsedMiB: 19873,
      vramTotalMiB: 24560,
      temperatureC: 68,
      powerDrawW: 289,
      powerLimitW: null,
      powerMinW: null,
      powerMaxW: null,
      powerDefaultW: null,
      utilizationPct: 87,
      smClockMHz: 2395,
      memClockMHz: 1249,
      fanPct: 57,
    });
  });

  it('tolerates warnings before the JSON and garbage', () => {
    expect(parseAmdSmiMetric('WARNING: something\n' + fixture('amd-smi-metric.json'))).toHaveLength(1);
    expect(parseAmdSmiMetric('not json')).toEqual([]);
    expect(parseAmdSmiStatic('')).toEqual([]);
  });

  it('reads rocm-smi --json into probe data and a sample', () => {
    const { gpus, samples } = parseRocmSmi(fixture('rocm-smi.json'));
    expect(gpus).toEqual([{ index: 0, name: 'Radeon RX 7900 XT', vramTotalMiB: 20464, driverVersion: null }]);
    expect(samples[0]).toMatchObject({
      temperatureC: 38,
      powerDrawW: 55,
      powerLimitW: 265,
      utilizationPct: 4,
      smClockMHz: 43,
      memClockMHz: 456,
      fanPct: 21,
      vramUsedMiB: 1501,
    });
  });
});
