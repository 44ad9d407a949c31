/**
 * gates45: the PE priced from its synthesized netlists (rtl/netlists/, NanGate FreePDK45 cells:
 * tables/nangate45.ts; sim/cost/gates/), calibrated to Horowitz's 45 nm integer operators; the
 * rest of the machine (SRAM, DRAM, the vector unit, leakage of the memories) from the operator
 * tables, through the fallback: horowitz45, then aladdin40.
 */
import type { TechTable } from '../types.ts';

export const GATES45: TechTable = {
  name: 'gates45',
  description: 'gate level: synthesized PE netlists with NanGate FreePDK45 cells, value-aware toggles (calibrated to Horowitz 45 nm); memories from horowitz45',
  node_nm: 45,
  vdd: 0.9,
  fallback: 'horowitz45',
  entries: {},
};
