/**
 * PE kinds with at most 2^16 operand pairs (the 8-bit kinds, int4, ternary, xnor, their
 * EN-T and accumulator variants, an 8-bit XNOR-popcount unit): every pair, through the
 * product and one accumulator step, RTL (Verilator) against bitweave's sim/pe.
 */
import { describe, expect, it } from 'vitest';
import { rtlTargets } from '../../rtl/gen/catalogue.ts';
import { buildPeRtl } from '../../rtl/gen/pe.ts';
import { skipRtl } from './needs-verilator.ts';
import { cosimTest } from './pe-cosim.ts';

const narrow = rtlTargets().filter((t) => {
  const w = buildPeRtl(t).widths;
  return w.a + w.b <= 16;
});

describe.skipIf(skipRtl)('RTL co-simulation, exhaustive kinds', () => {
  it('covers every 8-bit PE kind', () => {
    const keys = narrow.map((t) => t.key);
    for (const k of ['fp8-e4m3', 'fp8-e5m2', 'lmul-fp8-e4m3', 'int8', 'int4', 'ternary', 'xnor', 'xnor-popcount-8']) expect(keys).toContain(k);
  });
  for (const t of narrow) cosimTest(t);
});
