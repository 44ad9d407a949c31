/**
 * Structural constants of the SRAM and PE models that are not per-operator energies: cell
 * area, array efficiency, per-bank periphery, write/read energy ratio, the EN-T encoder share.
 * Each carries its source; the ones we could not check are `verified: false`.
 */
import type { ScalarEntry } from '../types.ts';

export const SRAM_STRUCTURE: {
  readonly cell_area: ScalarEntry;
  readonly array_efficiency: ScalarEntry;
  readonly bank_periphery: ScalarEntry;
  readonly write_read_ratio: ScalarEntry;
} = {
  cell_area: {
    source: 'K. Mistry et al., "A 45nm logic technology with high-k + metal gate transistors...", IEDM 2007: 6T SRAM cell 0.346 um^2',
    node_nm: 45,
    verified: false,
    note: 'recalled from the paper, not re-read here',
    value: 0.346,
    unit: 'um^2/bit',
    scaling: 'linear',
  },
  array_efficiency: {
    source: 'assumption: cells / macro area of a mid-size (32-256 KB) SRAM macro, typical of CACTI outputs',
    node_nm: 45,
    verified: false,
    note: 'no single source; change it here to match a memory compiler',
    value: 0.7,
    unit: 'fraction',
    scaling: 'none',
  },
  bank_periphery: {
    source:
      'CACTI 7 at 45 nm, 128 B SRAM (4 B blocks, 32-bit port): 0.00149898 mm^2 (Bitfusion configuration, tabulated in ' +
      'Dongyunkam/DRAM_info README section 5.2), minus its 1024 cells at cell_area',
    node_nm: 45,
    verified: false,
    note: 'decoders, sense amplifiers and drivers of one bank: 1498.98 - 1024 * 0.346 = 1144.7 um^2',
    value: 1498.98 - 1024 * 0.346,
    unit: 'um^2/bank',
    scaling: 'none',
  },
  write_read_ratio: {
    source:
      'CACTI 7 at 28 nm, 4 KB and 8 KB SRAMs with 512-bit ports: write/read dynamic energy 0.03973/0.03299 and ' +
      '0.04861/0.03470 pJ/bit (Dongyunkam/DRAM_info README section 5.2), mean of the two ratios',
    node_nm: 28,
    verified: false,
    note: 'ratios 1.204 and 1.401',
    value: (0.039730859375 / 0.03299296875 + 0.048606640625 / 0.0347046) / 2,
    unit: 'ratio',
    scaling: 'none',
  },
};

export const ENT_STRUCTURE: { readonly encoder_share: ScalarEntry } = {
  encoder_share: {
    source:
      'EN-T group\'s later work on encoder-based tensor engines: at 22 nm an INT8 multiplier is 141.9 um^2 and its radix-4 Booth encoder 40.4 um^2 (paper not identified and read here: docs/SOURCES.md)',
    node_nm: 22,
    verified: false,
    note: 'share of the int multiplier (area and, by assumption, energy) in the encoder: 40.4 / 141.9; EN-T pays it once per row',
    value: 40.4 / 141.9,
    unit: 'fraction',
    scaling: 'none',
  },
};
