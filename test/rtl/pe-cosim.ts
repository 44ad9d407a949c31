/** Shared body of the PE co-simulation test files: one test per catalogue design. */
import { expect, it } from 'vitest';
import { checkTarget, describeMismatch } from '../../rtl/cosim/pe-check.ts';
import type { RtlTarget } from '../../rtl/gen/pe.ts';

/** Random pairs for kinds with more than 2^16 operand pairs (rtl-check runs 2^20). */
export const RANDOM_IN_TESTS = 65_536;

export function cosimTest(t: RtlTarget): void {
  it(`${t.key}: RTL product and accumulator step equal bitweave bit for bit`, () => {
    const r = checkTarget(t, RANDOM_IN_TESTS, 1);
    const detail = r.examples.map(describeMismatch).join('\n');
    console.log(
      `rtl ${t.key}: ${r.vectors} vectors (${r.exhaustive ? 'every operand pair' : 'corners + seeded random'}), ` +
        `${r.productMismatches} product / ${r.accMismatches} accumulator mismatches, ` +
        `build ${r.buildSeconds.toFixed(1)} s${r.buildSeconds === 0 ? ' (cached)' : ''}, simulation ${r.simSeconds.toFixed(2)} s`,
    );
    expect(r.productMismatches, detail).toBe(0);
    expect(r.accMismatches, detail).toBe(0);
    if (r.exhaustive) expect(r.vectors).toBeGreaterThanOrEqual(4);
    else expect(r.vectors).toBeGreaterThan(RANDOM_IN_TESTS);
  });
}
