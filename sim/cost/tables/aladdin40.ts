/**
 * Aladdin's functional-unit library (Shao, Reagen, Wei, Brooks, "Aladdin: a pre-RTL,
 * power-performance accelerator simulator...", ISCA 2014), file common/power_func.h of
 * harvard-acc/ALADDIN: "Function units power model normalized to a commercial 40g ... Power
 * in mW, energy in pJ, time in ns, area in um^2". We use the 1 ns (1 GHz) characterisation:
 * integer ADD/MUL are 32-bit, REG is per bit, BIT is a 32-bit AND/OR/XOR, FP units are
 * Synopsys DesignWare 3-stage single/double precision (dynamic energy over the 3 stages).
 * Accelergy's hwcomponents-library (aladdin.py) carries the same integer numbers
 * (add 0.21 pJ 278 um^2, mult 12.68 pJ 6350 um^2, register 0.009 pJ/bit 5.98 um^2), which we
 * checked; the FP rows we read in power_func.h itself.
 */
import type { TechTable, WidthPoint } from '../types.ts';

const ALADDIN = 'Aladdin (Shao et al., ISCA 2014), harvard-acc/ALADDIN common/power_func.h, TSMC 40 nm (40G), 1 ns';

const ADD32: WidthPoint = { bits: 32, energy_pj: 0.2104162, area_um2: 277.9792, leak_mw: 0.002249908 };
const MUL32: WidthPoint = { bits: 32, energy_pj: 12.68341, area_um2: 6351.338, leak_mw: 0.07786052 };
const REG1: WidthPoint = { bits: 1, energy_pj: 0.008999495, area_um2: 5.981433, leak_mw: 0.00007395312 };
const BIT32: WidthPoint = { bits: 32, energy_pj: 0.0180559, area_um2: 50.36996, leak_mw: 0.0006111633 };
const FPSP_ADD = { bits: 32, expBits: 8, manBits: 23, energy_pj: 16.6788, area_um2: 4361.094, leak_mw: 0.05311069 };
const FPSP_MUL = { bits: 32, expBits: 8, manBits: 23, energy_pj: 35.32019, area_um2: 8967.113, leak_mw: 0.1198412 };

/** The units whose leakage/area ratio gives the logic leakage density. */
const LEAK_UNITS: readonly WidthPoint[] = [ADD32, MUL32, REG1, BIT32, FPSP_ADD, FPSP_MUL];
const leakDensity =
  LEAK_UNITS.reduce((s, p) => s + (p.leak_mw ?? 0) / (p.area_um2 ?? 1), 0) / LEAK_UNITS.length;

export const ALADDIN40: TechTable = {
  name: 'aladdin40',
  description: 'Aladdin functional units, TSMC 40 nm at 1 GHz (power_func.h)',
  node_nm: 40,
  vdd: 0.9,
  // no SRAM/DRAM entries of its own (Aladdin calls CACTI): use Horowitz's, scaled to 40 nm
  fallback: 'horowitz45',
  entries: {
    int_add: {
      source: `${ALADDIN}: ADD_1ns (32-bit)`,
      node_nm: 40,
      verified: true,
      note: 'Accelergy aladdin.py scales the adder linearly in width',
      scaling: 'linear',
      points: [ADD32],
    },
    int_mult: {
      source: `${ALADDIN}: MUL_1ns (32x32-bit)`,
      node_nm: 40,
      verified: true,
      note: 'Accelergy aladdin.py scales the multiplier by width_a * width_b (quadratic)',
      scaling: 'quadratic',
      points: [MUL32],
    },
    fp_add: {
      source: `${ALADDIN}: FP_SP_3STAGE_ADD_1ns (DesignWare, single precision)`,
      node_nm: 40,
      verified: true,
      note: 'one point: other formats take the shape (power-law exponent) of the fallback table, scaled to this point',
      scaling: 'powerlaw',
      points: [FPSP_ADD],
    },
    fp_mult: {
      source: `${ALADDIN}: FP_SP_3STAGE_MUL_1ns (DesignWare, single precision)`,
      node_nm: 40,
      verified: true,
      note: 'one point: the overhead exponent comes from the fallback table, scaled to this point',
      scaling: 'powerlaw',
      points: [FPSP_MUL],
    },
    bit_op: {
      source: `${ALADDIN}: BIT_1ns (32-bit AND/OR/XOR)`,
      node_nm: 40,
      verified: true,
      scaling: 'linear',
      points: [BIT32],
    },
    register: {
      source: `${ALADDIN}: REG_1ns (per bit)`,
      node_nm: 40,
      verified: true,
      scaling: 'linear',
      points: [REG1],
    },
    leakage_density: {
      source: `${ALADDIN}: leakage_power / area of ADD, MUL, REG, BIT, FP_SP_ADD, FP_SP_MUL (1 ns), averaged`,
      node_nm: 40,
      verified: true,
      note: 'standard-cell logic; applied to SRAM area too (an assumption: real SRAM macros use low-leakage cells)',
      value: leakDensity,
      unit: 'mW/um^2',
      scaling: 'none',
    },
  },
};
