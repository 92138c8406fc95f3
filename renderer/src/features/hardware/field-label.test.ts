import { describe, expect, it } from 'vitest';
import { fieldLabel } from './field-label';

describe('fieldLabel', () => {
  it.each([
    ['gpu0.vramTotalMiB', { key: 'hardware.field.vramTotal', params: { gpu: 0 } }],
    ['gpu12.vramFreeMiB', { key: 'hardware.field.vramFree', params: { gpu: 12 } }],
    ['nvidia.gpuCount', { key: 'hardware.field.gpuCount', params: { vendor: 'NVIDIA' } }],
    ['amd.gpuCount', { key: 'hardware.field.gpuCount', params: { vendor: 'AMD' } }],
    ['gpu0.driverVersion', null],
    ['intel.gpuCount', null],
  ])('%s', (field, want) => expect(fieldLabel(field)).toEqual(want));
});
