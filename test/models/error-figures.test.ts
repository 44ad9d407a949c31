/**
 * The error figures and the jump rule of `bitweave exec` (models/exec/error-figures.ts) on
 * vectors whose figures are worked out by hand here.
 */
import { describe, expect, it } from 'vitest';
import { errorFigures, firstJump, largestJump, nodeJump, type NodeError } from '../../models/exec/error-figures.ts';

describe('error figures', () => {
  it('y = [1, 2, 3] against r = [1, 2, 4]', () => {
    const f = errorFigures(Float32Array.of(1, 2, 3), Float32Array.of(1, 2, 4));
    expect(f.max_abs).toBe(1);
    expect(f.max_rel).toBe(0.25); // 1 / max|r| = 1 / 4
    expect(f.snr_db).toBeCloseTo(10 * Math.log10(21), 12); // sum r^2 = 21, sum d^2 = 1
    expect(f.cosine).toBeCloseTo(17 / Math.sqrt(14 * 21), 12);
    expect(f.rel_rms).toBeCloseTo(1 / Math.sqrt(21), 12);
    expect(f.non_finite).toBe(0);
  });

  it('equal tensors: SNR +inf, cosine 1; an all-zero reference; non-finite values equal in both agree, others count', () => {
    expect(errorFigures(Float32Array.of(1, -2), Float32Array.of(1, -2))).toMatchObject({ max_abs: 0, max_rel: 0, snr_db: Infinity, cosine: 1, rel_rms: 0 });
    expect(errorFigures(Float32Array.of(0, 1), Float32Array.of(0, 0))).toMatchObject({ max_abs: 1, snr_db: -Infinity, max_rel: Infinity, cosine: 0, non_finite: 0 });
    // a causal mask's -inf in both: left out of the sums
    const masked = errorFigures(Float32Array.of(-Infinity, 3), Float32Array.of(-Infinity, 4));
    expect(masked).toMatchObject({ max_abs: 1, max_rel: 0.25, non_finite: 0 });
    expect(masked.snr_db).toBeCloseTo(10 * Math.log10(16), 12); // sum r^2 = 16, sum d^2 = 1 over the finite pair
    expect(masked.cosine).toBeCloseTo(1, 12); // [3] against [4]
    const bad = errorFigures(Float32Array.of(NaN, 3), Float32Array.of(1, 4));
    expect(bad.non_finite).toBe(1);
    expect(bad.snr_db).toBeNaN();
  });

  it('a jump is a drop of at least 10 dB below the worst input; exact inputs make any error a jump', () => {
    expect(nodeJump(40, [])).toEqual({ input_snr_db: Infinity, drop_db: Infinity, jumps: true });
    expect(nodeJump(Infinity, [])).toEqual({ input_snr_db: Infinity, drop_db: 0, jumps: false });
    expect(nodeJump(30, [45, 40])).toEqual({ input_snr_db: 40, drop_db: 10, jumps: true });
    expect(nodeJump(30.5, [40])).toMatchObject({ jumps: false });
    const node = (name: string, snr: number, inputs: number[]): NodeError => ({
      node: name, op: 'x', output: name, shape: [1], figures: { max_abs: 0, max_rel: 0, snr_db: snr, cosine: 1, rel_rms: 0, non_finite: 0 }, ...nodeJump(snr, inputs),
    });
    const nodes = [node('a', Infinity, []), node('b', 50, [Infinity]), node('c', 45, [50]), node('d', 20, [45]), node('e', 12, [20])];
    expect(firstJump(nodes)?.node).toBe('b');
    // among nodes whose inputs already carry error: the largest drop
    expect(largestJump(nodes)).toEqual({ node: 'd', op: 'x', input_snr_db: 45, snr_db: 20 });
  });
});
