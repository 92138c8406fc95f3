/** Settings → LAN access: the address ticks map onto settings.api.lanAddresses without losing what was saved. */
import { describe, expect, it } from 'vitest';
import type { NetworkAddress } from '@shared/contract-api';
import { addressChoices, originsList, toggleAddress } from './lan-data';

const here: NetworkAddress[] = [
  { interface: 'eth0', address: '192.168.1.20', family: 'IPv4' },
  { interface: 'wlan0', address: '10.0.0.7', family: 'IPv4' },
];

describe('addressChoices', () => {
  it('"all" ticks every address; a saved address the machine lost stays listed (so it can be unticked)', () => {
    expect(addressChoices(['0.0.0.0'], here).map((c) => c.checked)).toEqual([true, true]);
    expect(addressChoices(['10.0.0.7', '172.16.0.9'], here)).toEqual([
      { address: '192.168.1.20', iface: 'eth0', checked: false },
      { address: '10.0.0.7', iface: 'wlan0', checked: true },
      { address: '172.16.0.9', iface: null, checked: true },
    ]);
  });
});

describe('toggleAddress', () => {
  it.each<[string[], string, boolean, string[]]>([
    [['10.0.0.7'], '0.0.0.0', true, ['0.0.0.0']],
    [['0.0.0.0'], '0.0.0.0', false, []],
    // Unticking one address under "all" leaves the others ticked, one by one.
    [['0.0.0.0'], '10.0.0.7', false, ['192.168.1.20']],
    [['10.0.0.7'], '192.168.1.20', true, ['10.0.0.7', '192.168.1.20']],
    [['10.0.0.7'], '10.0.0.7', false, []],
  ])('%j, %s → %s gives %j', (saved, address, on, want) => {
    expect(toggleAddress(saved, addressChoices(saved, here), address, on)).toEqual(want);
  });
});

it('origins: one per line, trimmed, without blanks or repeats', () => {
  expect(originsList(' https://a.example \n\nhttps://a.example\nhttps://*.b.example ')).toEqual([
    'https://a.example',
    'https://*.b.example',
  ]);
});
