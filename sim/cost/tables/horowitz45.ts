/**
 * Horowitz, "Computing's energy problem (and what we can do about it)", ISSCC 2014,
 * keynote paper 1.1 (DOI 10.1109/ISSCC.2014.6757323), 45 nm, 0.9 V. The energy column is
 * the one the L-Mul paper (arXiv 2410.00907) quotes; the area column (um^2) is from the same
 * slide ("Energy" / "Area" table of the talk), which we could not open here, so those areas
 * are `verified: false`. What was checked, entry by entry: docs/SOURCES.md.
 *
 * Missing here (bitwise ops, registers, leakage): `fallback: 'aladdin40'`, scaled to 45 nm
 * with Stillmaker & Baas factors.
 */
import type { TechTable } from '../types.ts';

const HOROWITZ = 'M. Horowitz, "Computing\'s energy problem (and what we can do about it)", ISSCC 2014, pp. 10-14';

export const HOROWITZ45: TechTable = {
  name: 'horowitz45',
  description: 'Horowitz ISSCC 2014, 45 nm, 0.9 V (the table the L-Mul paper uses)',
  node_nm: 45,
  vdd: 0.9,
  fallback: 'aladdin40',
  entries: {
    int_add: {
      source: `${HOROWITZ}, energy table: 8b/16b/32b add 0.03/0.05/0.1 pJ; areas 36/67/137 um^2`,
      node_nm: 45,
      verified: true,
      note: '32-bit energy checked in a second source quoting Horowitz (docs/SOURCES.md); the 8- and 16-bit points and the areas are from the slide (unchecked here)',
      scaling: 'linear',
      points: [
        { bits: 8, energy_pj: 0.03, area_um2: 36 },
        { bits: 16, energy_pj: 0.05, area_um2: 67 },
        { bits: 32, energy_pj: 0.1, area_um2: 137 },
      ],
    },
    int_mult: {
      source: `${HOROWITZ}, energy table: 8b/32b mult 0.2/3.1 pJ; areas 282/3495 um^2`,
      node_nm: 45,
      verified: true,
      note: '32-bit energy checked in a second source quoting Horowitz (docs/SOURCES.md), 8-bit and areas unchecked. 3.1/0.2 = 15.5 ~ (32/8)^2: quadratic beyond the points',
      scaling: 'quadratic',
      points: [
        { bits: 8, energy_pj: 0.2, area_um2: 282 },
        { bits: 32, energy_pj: 3.1, area_um2: 3495 },
      ],
    },
    fp_add: {
      source: `${HOROWITZ}, energy table: 16b/32b FP add 0.4/0.9 pJ; areas 1360/4184 um^2`,
      node_nm: 45,
      verified: true,
      note: 'fp32 0.9 pJ checked (L-Mul paper, a second source; docs/SOURCES.md); fp16 0.4 pJ and the areas unchecked. Other formats: power law in total width through the two points',
      scaling: 'powerlaw',
      points: [
        { bits: 16, expBits: 5, manBits: 10, energy_pj: 0.4, area_um2: 1360 },
        { bits: 32, expBits: 8, manBits: 23, energy_pj: 0.9, area_um2: 4184 },
      ],
    },
    fp_mult: {
      source: `${HOROWITZ}, energy table: 16b/32b FP mult 1.1/3.7 pJ; areas 1640/7700 um^2`,
      node_nm: 45,
      verified: true,
      note: 'fp32 3.7 pJ checked (L-Mul paper, a second source; docs/SOURCES.md); fp16 1.1 pJ and the areas unchecked',
      scaling: 'powerlaw',
      points: [
        { bits: 16, expBits: 5, manBits: 10, energy_pj: 1.1, area_um2: 1640 },
        { bits: 32, expBits: 8, manBits: 23, energy_pj: 3.7, area_um2: 7700 },
      ],
    },
    sram_read: {
      source: `${HOROWITZ}, memory table: 64-bit read from an 8 KB / 32 KB / 1 MB SRAM: 10 / 20 / 100 pJ`,
      node_nm: 45,
      verified: false,
      note: '8 KB 10 pJ checked in a second source quoting Horowitz (docs/SOURCES.md); 32 KB and 1 MB from the slide, unchecked here',
      word_bits: 64,
      scaling: 'powerlaw',
      points: [
        { kb: 8, energy_pj: 10 },
        { kb: 32, energy_pj: 20 },
        { kb: 1024, energy_pj: 100 },
      ],
    },
    dram_access: {
      source: `${HOROWITZ}, memory table: DRAM 64-bit access 1.3-2.6 nJ`,
      node_nm: 45,
      verified: false,
      note: 'the table gives ~1.3-2.6 nJ (not re-read here); we use the low end, 1.3 nJ per 64 bits = 20.3 pJ/bit',
      scaling: 'linear',
      points: [{ bits: 64, energy_pj: 1300 }],
    },
  },
};
