/**
 * relu on the fp32 vector unit (models/ops/unary.ts computes it on bit patterns, without a
 * branch) against its definition written here, x > 0 ? x : +0, on every kind of fp32 pattern:
 * both zeros, subnormals, +-Inf, NaNs of either sign and any payload, random values.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { executeGraph } from '../../models/exec/executor.ts';
import { GraphBuilder } from '../../models/zoo/builder.ts';

describe('relu on bit patterns', () => {
  it('gives x > 0 ? x : +0 for every fp32 pattern', () => {
    const n = 4096;
    const b = new GraphBuilder('relu', { weights: true, seed: 1 });
    b.output(b.relu(b.input('x', [1, n]), 'r'));
    const g = b.g;
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.constantFrom(0, 0x80000000, 0x7f800000, 0xff800000, 0x7f800001, 0x7fffffff, 0xffc00000, 1, 0x807fffff)), { minLength: n, maxLength: n }),
        (patterns) => {
          const x = new Float32Array(Uint32Array.from(patterns).buffer);
          const out = executeGraph(g, { x }).get(g.outputs[0]) as Float32Array;
          for (let i = 0; i < n; i++) if (!Object.is(out[i], x[i] > 0 ? x[i] : 0)) return false;
          return true;
        },
      ),
      { seed: 5, numRuns: 30 },
    );
  });
});
