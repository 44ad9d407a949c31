/**
 * DRAM energy per bit transferred, by interface type (read and write alike: background,
 * activate/precharge and refresh amortised in, as the sources report them). Off-chip energy
 * does not scale with the accelerator's process node.
 */
import type { ScalarEntry } from '../types.ts';

export const DRAM_TYPES: Readonly<Record<string, ScalarEntry>> = {
  ddr3: {
    source: 'Horowitz, ISSCC 2014, memory table: DRAM 64-bit access 1.3-2.6 nJ (low end, 1.3 nJ / 64 bit)',
    node_nm: 0,
    verified: false,
    note: 'the table gives 1.3-2.6 nJ; a 2014 (DDR3-era) DIMM figure, not re-read here (docs/SOURCES.md)',
    value: 1300 / 64,
    unit: 'pJ/bit',
    scaling: 'none',
  },
  ddr4: {
    source:
      'Ramulator2 DDR4_8Gb_x8 2400R IDD/VDD model: read 5.62 pJ/b + activate/precharge/refresh + background = 13.8 pJ/b ' +
      '(tabulated in github.com Dongyunkam/DRAM_info README, section 5.5)',
    node_nm: 0,
    verified: false,
    note: 'secondary source (a tabulation of a simulator\'s IDD model), not a measurement',
    value: 13.8,
    unit: 'pJ/bit',
    scaling: 'none',
  },
  lpddr4: {
    source:
      'H. Ha, Stanford PhD thesis (DramDSE simulation of a 32 Gb LPDDR4 single-die package, 3.2 Gb/s/pin): 14.0 pJ/bit; ' +
      'quad-die package 13.0 pJ/bit (as tabulated in Dongyunkam/DRAM_info README, section 4)',
    node_nm: 0,
    verified: false,
    note: 'secondary source; includes the I/O',
    value: 14.0,
    unit: 'pJ/bit',
    scaling: 'none',
  },
  gddr5: {
    source: 'O\'Connor et al., "Fine-Grained DRAM: energy-efficient DRAM for extreme bandwidth systems", MICRO-50 2017, Fig. 1',
    node_nm: 0,
    verified: false,
    note: 'value recalled from the paper\'s figure (GDDR5 ~14 pJ/bit); not re-read here',
    value: 14.0,
    unit: 'pJ/bit',
    scaling: 'none',
  },
  hbm2: {
    source: 'O\'Connor et al., "Fine-Grained DRAM", MICRO-50 2017 (HBM2 baseline ~3.9 pJ/bit; FGDRAM claims 2x better)',
    node_nm: 0,
    verified: false,
    note: 'value recalled from the paper; its abstract (checked) says FGDRAM is 2x more energy-efficient than HBM2',
    value: 3.9,
    unit: 'pJ/bit',
    scaling: 'none',
  },
  gddr6: {
    source: 'vendor figure commonly quoted for GDDR6 (~7.5 pJ/bit); no primary source found or checked',
    node_nm: 0,
    verified: false,
    note: 'placeholder-quality: replace with a measured figure when one is at hand',
    value: 7.5,
    unit: 'pJ/bit',
    scaling: 'none',
  },
};

export function dramTypeNames(): string[] {
  return Object.keys(DRAM_TYPES);
}
