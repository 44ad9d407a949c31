/**
 * The closed-form count of real (non-padding) im2col entries in a tile, against a brute-force
 * count from a direct convolution index computed here; and the fold arithmetic of the mapping.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { convLayer, convOutput, gemmView } from '../../sim/workload/layer.ts';
import { validCount } from '../../sim/workload/im2col.ts';
import { mapGemm } from '../../sim/dataflows/mapping.ts';
import { mappingEfficiency } from '../../sim/dataflows/efficiency.ts';

describe('im2col', () => {
  it('validCount equals a brute-force count over the tile', () => {
    fc.assert(
      fc.property(
        fc.record({
          kH: fc.integer({ min: 1, max: 6 }), kW: fc.integer({ min: 1, max: 6 }), dil: fc.integer({ min: 1, max: 2 }),
          extraH: fc.integer({ min: 0, max: 6 }), extraW: fc.integer({ min: 0, max: 6 }), ch: fc.integer({ min: 1, max: 3 }),
          sH: fc.integer({ min: 1, max: 3 }), sW: fc.integer({ min: 1, max: 3 }),
          pt: fc.integer({ min: 0, max: 3 }), pb: fc.integer({ min: 0, max: 3 }), pl: fc.integer({ min: 0, max: 3 }), pr: fc.integer({ min: 0, max: 3 }),
          a: fc.double({ min: 0, max: 1, noNaN: true }), b: fc.double({ min: 0, max: 1, noNaN: true }),
          c: fc.double({ min: 0, max: 1, noNaN: true }), d: fc.double({ min: 0, max: 1, noNaN: true }),
        }),
        (p) => {
          const spanH = p.dil * (p.kH - 1) + 1, spanW = p.dil * (p.kW - 1) + 1;
          const l = convLayer({
            name: 'x', inH: spanH + p.extraH, inW: spanW + p.extraW, kH: p.kH, kW: p.kW, channels: p.ch, filters: 1,
            strideH: p.sH, strideW: p.sW, dilationH: p.dil, dilationW: p.dil,
            padding: { top: p.pt, bottom: p.pb, left: p.pl, right: p.pr },
          });
          const { m, k } = gemmView(l);
          const { outW } = convOutput(l);
          const m0 = Math.floor(p.a * m), m1 = m0 + Math.floor(p.b * (m - m0 + 1));
          const k0 = Math.floor(p.c * k), k1 = k0 + Math.floor(p.d * (k - k0 + 1));
          let brute = 0;
          for (let i = m0; i < Math.min(m1, m); i++) {
            const oh = Math.floor(i / outW), ow = i % outW;
            for (let j = k0; j < Math.min(k1, k); j++) {
              const pos = Math.floor(j / p.ch), kh = Math.floor(pos / p.kW), kw = pos % p.kW;
              const ih = oh * p.sH + kh * p.dil - p.pt, iw = ow * p.sW + kw * p.dil - p.pl;
              if (ih >= 0 && ih < l.inH && iw >= 0 && iw < l.inW) brute++;
            }
          }
          expect(validCount(l, m0, Math.min(m1, m), k0, Math.min(k1, k))).toBe(brute);
        },
      ),
      { numRuns: 1500, seed: 42 },
    );
  });
});

describe('mapping', () => {
  it('folds cover the spatial dimensions; efficiency is the mean over folds of the PEs used', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), fc.constantFrom('os', 'ws', 'is' as const),
        (m, n, k, R, C, df) => {
          const mp = mapGemm({ m, n, k }, R, C, df);
          const [sr, sc] = df === 'os' ? [m, n] : df === 'ws' ? [k, n] : [k, m];
          let used = 0, folds = 0;
          for (let r0 = 0; r0 < sr; r0 += R) {
            for (let c0 = 0; c0 < sc; c0 += C) {
              used += (Math.min(R, sr - r0) * Math.min(C, sc - c0)) / (R * C);
              folds++;
            }
          }
          expect(mp.folds).toBe(folds);
          expect(mappingEfficiency(mp)).toBeCloseTo(used / folds, 12);
        },
      ),
      { numRuns: 300, seed: 7 },
    );
  });
});
