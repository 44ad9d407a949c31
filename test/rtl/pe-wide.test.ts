/**
 * PE kinds with 16- and 32-bit operands (fp32, bf16, fp16, lmul-bf16, lmul-m3/m4, their
 * variants, a 32-bit XNOR-popcount unit): every pair of corner values (zeros, subnormals, one,
 * max, Inf, NaN, both signs) and 65,536 seeded random pairs here; `npm run rtl-check` runs
 * 2^20 random pairs each.
 */
import { describe } from 'vitest';
import { rtlTargets } from '../../rtl/gen/catalogue.ts';
import { buildPeRtl } from '../../rtl/gen/pe.ts';
import { skipRtl } from './needs-verilator.ts';
import { cosimTest } from './pe-cosim.ts';

const wide = rtlTargets().filter((t) => {
  const w = buildPeRtl(t).widths;
  return w.a + w.b > 16;
});

describe.skipIf(skipRtl)('RTL co-simulation, 16/32-bit kinds', () => {
  for (const t of wide) cosimTest(t);
});
