import { describe, expect, it } from 'vitest';
import { amdGfxTarget, rocmSupports } from './rocm-targets';

// Names as amd-smi (market_name), rocm-smi ("Card Series"), lspci / pci.ids and Windows (systeminformation) print them.
describe('amdGfxTarget', () => {
  it.each([
    ['AMD Radeon RX 9070 XT', 'gfx1201'],
    ['AMD Radeon AI PRO R9700', 'gfx1201'],
    ['AMD Radeon RX 9060 XT', 'gfx1200'],
    ['AMD Radeon RX 7900 XTX', 'gfx1100'],
    ['Radeon RX 7900 XT', 'gfx1100'],
    ['AMD Radeon RX 7900 GRE', 'gfx1100'],
    ['Navi 31 [Radeon RX 7900 XT/7900 XTX]', 'gfx1100'],
    ['AMD Radeon PRO W7900', 'gfx1100'],
    ['AMD Radeon RX 7800 XT', 'gfx1101'],
    ['AMD Radeon RX 7700 XT', 'gfx1101'],
    // 7700S is Navi 33, not Navi 32 like the 7700 XT.
    ['AMD Radeon RX 7700S', 'gfx1102'],
    ['AMD Radeon RX 7600', 'gfx1102'],
    ['AMD Radeon RX 7600M XT', 'gfx1102'],
    ['AMD Radeon 780M', 'gfx1103'],
    ['AMD Radeon 890M', 'gfx1150'],
    ['AMD Radeon 8060S', 'gfx1151'],
    ['AMD Radeon 860M', 'gfx1152'],
    ['AMD Radeon RX 6950 XT', 'gfx1030'],
    ['AMD Radeon RX 6800 XT', 'gfx1030'],
    ['Navi 21 [Radeon RX 6800/6800 XT / 6900 XT]', 'gfx1030'],
    ['AMD Radeon RX 6700 XT', 'gfx1031'],
    ['AMD Radeon RX 6800M', 'gfx1031'],
    ['AMD Radeon RX 6600', 'gfx1032'],
    ['AMD Radeon RX 6650 XT', 'gfx1032'],
    ['AMD Radeon RX 6800S', 'gfx1032'],
    ['AMD Radeon RX 6500 XT', 'gfx1034'],
    ['AMD Radeon 680M', 'gfx1035'],
    ['AMD Radeon RX 5700 XT', 'gfx1010'],
    ['AMD Radeon RX 5500 XT', 'gfx1012'],
    ['AMD Instinct MI100', 'gfx908'],
    ['AMD Instinct MI250X', 'gfx90a'],
    ['AMD Instinct MI300X', 'gfx942'],
    ['AMD Instinct MI355X', 'gfx950'],
    ['AMD Radeon VII', 'gfx906'],
    ['Radeon RX Vega 64', 'gfx900'],
    ['Radeon RX 580 Series', 'gfx803'],
    ['Ellesmere [Radeon RX 470/480/570/570X/580/580X/590]', 'gfx803'],
    ['AMD Radeon(TM) Graphics', null],
    ['', null],
  ])('%j -> %s', (name, target) => {
    expect(amdGfxTarget({ name, computeCapability: null })).toBe(target);
  });

  it('prefers a gfx target the probe read from the driver over the name', () => {
    expect(amdGfxTarget({ name: 'AMD Radeon(TM) Graphics', computeCapability: 'gfx1036' })).toBe('gfx1036');
    expect(amdGfxTarget({ name: 'AMD Radeon RX 7900 XTX', computeCapability: 'GFX1100' })).toBe('gfx1100');
    // Not a target: fall back to the name.
    expect(amdGfxTarget({ name: 'AMD Radeon RX 7600', computeCapability: '11.0' })).toBe('gfx1102');
  });
});

describe('rocmSupports (the release workflow gpu_targets)', () => {
  it.each([
    ['linux', 'gfx1100', true],
    ['win32', 'gfx1100', true],
    ['linux', 'gfx942', true],
    ['win32', 'gfx942', false],
    ['linux', 'gfx1153', false],
    ['win32', 'gfx1153', true],
    ['linux', 'gfx803', false],
    ['linux', 'gfx906', false],
    ['darwin', 'gfx1100', false],
    ['linux', null, false],
  ] as const)('%s %s -> %s', (platform, target, ok) => {
    expect(rocmSupports(platform, target)).toBe(ok);
  });
});
