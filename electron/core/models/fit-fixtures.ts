/**
 * Fixtures of the fit tests (fit.test.ts, fit-recommend.test.ts): the real catalog and typical gaming PCs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Catalog, type CatalogModel, type HardwareInput } from '../../shared/models';
import { quantInput } from './catalog';
import { GiB } from './fit';

export const catalog = Catalog.parse(
  JSON.parse(fs.readFileSync(path.join(__dirname, '../../../resources/catalog.json'), 'utf8')),
).models;
export const model = (id: string): CatalogModel => catalog.find((m) => m.id === id)!;
export const q = (id: string, quant: string) =>
  quantInput(
    model(id),
    model(id).quants.find((x) => x.id === quant)!,
  );

/** A machine: GPUs as [name, free GiB], RAM available in GiB. */
export function machine(gpus: [string, number][], ramGiB: number, unified = false): HardwareInput {
  return {
    gpus: gpus.map(([name, free], i) => ({
      index: i,
      name,
      freeBytes: free * GiB,
      totalBytes: Math.ceil(free) * GiB,
      bandwidthGBs: null,
    })),
    ramAvailableBytes: ramGiB * GiB,
    ramTotalBytes: ramGiB * GiB,
    unifiedMemory: unified,
    ramBandwidthGBs: null,
  };
}

export const CPU32 = machine([], 28);
export const RTX4060 = machine([['NVIDIA GeForce RTX 4060', 7.5]], 28);
export const RTX4090 = machine([['NVIDIA GeForce RTX 4090', 23.5]], 60);
export const TWO3060 = machine(
  [
    ['NVIDIA GeForce RTX 3060', 11.5],
    ['NVIDIA GeForce RTX 3060', 11.5],
  ],
  60,
);
export const M3MAX = machine([['Apple M3 Max', 48]], 60, true);
export const BIGRAM = machine([['NVIDIA GeForce RTX 4090', 23.5]], 240);
export const TINYVRAM = machine([['NVIDIA GeForce GT 1030', 1.1]], 28);
