/** Published figures the cost model is checked against (claims and third-party measurements). */
import type { Provenance } from '../types.ts';

export const LMUL_CLAIMS: Provenance & { readonly elementwise_saving_pct: number; readonly dot_saving_pct: number } = {
  source:
    'Luo & Sun, "Addition is All You Need for Energy-efficient Language Models", arXiv 2410.00907: "can potentially reduce ' +
    '95% energy cost by element-wise floating point tensor multiplications and 80% energy cost of dot products"',
  node_nm: 45,
  verified: true,
  note: 'as stated in REFERENCE.md; the paper computes them from Horowitz\'s 45 nm table',
  elementwise_saving_pct: 95,
  dot_saving_pct: 80,
};

export interface SynthesisPoint {
  readonly format: string;
  readonly expBits: number;
  readonly manBits: number;
  readonly lmul_um2: number;
  readonly ieee_um2: number;
}

export const FREEPDK45_SYNTHESIS: Provenance & { readonly points: readonly SynthesisPoint[] } = {
  source: 'third-party synthesis, FreePDK45 (student project), as listed in REFERENCE.md',
  node_nm: 45,
  verified: false,
  note: 'REFERENCE.md marks it *unverified*',
  points: [
    { format: 'fp8 (e4m3)', expBits: 4, manBits: 3, lmul_um2: 112.8, ieee_um2: 347.4 },
    { format: 'bf16', expBits: 8, manBits: 7, lmul_um2: 255.6, ieee_um2: 1067.7 },
    { format: 'fp32', expBits: 8, manBits: 23, lmul_um2: 702.5, ieee_um2: 6311.9 },
  ],
};
