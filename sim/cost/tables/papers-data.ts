/** Published figures the cost model is checked against (claims and third-party measurements). */
import type { Provenance } from '../types.ts';

export const LMUL_CLAIMS: Provenance & { readonly elementwise_saving_pct: number; readonly dot_saving_pct: number } = {
  source:
    'Luo & Sun, "Addition is All You Need for Energy-efficient Language Models", arXiv 2410.00907: "can potentially reduce ' +
    '95% energy cost by element-wise floating point tensor multiplications and 80% energy cost of dot products"',
  node_nm: 45,
  verified: true,
  note: 'the abstract\'s figures; the paper computes them from Horowitz\'s 45 nm table (docs/SOURCES.md)',
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
  source: 'third-party synthesis, FreePDK45 (student project)',
  node_nm: 45,
  verified: false,
  note: 'not re-read here (docs/SOURCES.md)',
  points: [
    { format: 'fp8 (e4m3)', expBits: 4, manBits: 3, lmul_um2: 112.8, ieee_um2: 347.4 },
    { format: 'bf16', expBits: 8, manBits: 7, lmul_um2: 255.6, ieee_um2: 1067.7 },
    { format: 'fp32', expBits: 8, manBits: 23, lmul_um2: 702.5, ieee_um2: 6311.9 },
  ],
};

/** EN-T's headline figures (arXiv 2404.11887, abstract; docs/SOURCES.md). */
export const ENT_CLAIMS: Provenance & {
  readonly points: readonly { readonly name: string; readonly gops: number; readonly energy_efficiency_pct: number; readonly area_efficiency_pct: number }[];
} = {
  source:
    '"EN-T: Optimizing Tensor Computing Engines Performance via Encoder-Based Methodology", arXiv 2404.11887 (ICCD 2024), ' +
    'abstract: +8.7/+12.2/+11.0% area efficiency and +13.0/+17.5/+15.5% energy efficiency at 256 GOPS / 1 TOPS / 4 TOPS',
  node_nm: 22,
  verified: true,
  note: 'the abstract\'s figures only; the array shapes, clock, dataflow and what "efficiency" covers are not known here (the node is the group\'s 22 nm, unverified)',
  points: [
    { name: '256 GOPS', gops: 256, energy_efficiency_pct: 13.0, area_efficiency_pct: 8.7 },
    { name: '1 TOPS', gops: 1024, energy_efficiency_pct: 17.5, area_efficiency_pct: 12.2 },
    { name: '4 TOPS', gops: 4096, energy_efficiency_pct: 15.5, area_efficiency_pct: 11.0 },
  ],
};
