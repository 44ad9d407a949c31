/**
 * Built-in architectures. `scale`, `google` and `eyeriss` are SCALE-Sim v2's example configs
 * (configs/scale.cfg, google.cfg, eyeriss.cfg: same array, SRAM sizes, dataflow and its
 * Bandwidth of 10 words/cycle, here 10 bytes/cycle with 1-byte int8 words); `edge` is a small
 * 16x16 int8 array with a narrow LPDDR4 interface and a realistic DRAM latency.
 */
import { unknownName } from '../errors.ts';
import { parseArch, type ArchConfig, type ArchInput } from './schema.ts';

const PRESETS: Readonly<Record<string, ArchInput>> = {
  scale: {
    name: 'scale',
    array: { rows: 32, cols: 32 },
    dataflow: 'os',
    pe: 'int8',
    sram: { ifmap_kb: 64, filter_kb: 64, ofmap_kb: 64 },
    dram: { bandwidth: 10, latency: 0, type: 'ddr4' },
  },
  google: {
    name: 'google',
    array: { rows: 256, cols: 256 },
    dataflow: 'ws',
    pe: 'int8',
    clock_mhz: 700,
    sram: { ifmap_kb: 6144, filter_kb: 6144, ofmap_kb: 2048 },
    dram: { bandwidth: 10, latency: 0, type: 'ddr3' },
  },
  eyeriss: {
    name: 'eyeriss',
    array: { rows: 12, cols: 14 },
    dataflow: 'ws',
    pe: 'int8',
    clock_mhz: 200,
    sram: { ifmap_kb: 36, filter_kb: 36, ofmap_kb: 36 },
    dram: { bandwidth: 10, latency: 0, type: 'ddr3' },
  },
  edge: {
    name: 'edge',
    array: { rows: 16, cols: 16 },
    dataflow: 'ws',
    pe: 'int8',
    clock_mhz: 500,
    sram: { ifmap_kb: 32, filter_kb: 32, ofmap_kb: 16 },
    dram: { bandwidth: 8, latency: 100, type: 'lpddr4' },
  },
};

export function presetNames(): string[] {
  return Object.keys(PRESETS);
}

export function isPreset(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(PRESETS, name);
}

export function getPreset(name: string): ArchConfig {
  if (!isPreset(name)) throw unknownName('arch preset', name, presetNames());
  return parseArch(PRESETS[name], `preset ${name}`);
}
