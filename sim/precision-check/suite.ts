/**
 * The precision regression suite behind `bitweave precision check`: a fixed, fast set of
 * figures that pin the simulator's arithmetic, compared with a committed baseline
 * (baseline.ts).
 *
 *  - `mul/...`: the multiplier error statistics of `mulPrecision` (fixed seed and samples),
 *    compared within a tolerance, the L-Mul claims' verdicts, and a hash of the product bit
 *    patterns of every PE kind over seeded random operand patterns (bit-exact);
 *  - `func/...`: the hash (FNV-1a, as `simulate` reports it) of the functional outputs of a
 *    small GEMM and a small convolution, for every PE kind (and two EN-T variants), every
 *    dataflow and two partial-sum formats, on a 4x4 array so that partial sums leave the
 *    array between folds (bit-exact);
 *  - `trained/...`: the accuracy entries of the trained models' metrics.json, when the
 *    caller passes one (within a tolerance);
 *  - `accuracy/...`: top-1 and a logits hash of the trained MLP and CNN on the first test
 *    images through a few PE kinds, bit-exact, when the caller can load them.
 *
 * Everything is deterministic; the PE source is a parameter so tests can check that the
 * suite notices a perturbed PE without any test hook in the simulator itself.
 */
import { createHash } from 'node:crypto';
import { convLayer, gemmLayer, type Layer } from '../workload/layer.ts';
import { getPreset } from '../arch/presets.ts';
import type { Dataflow } from '../arch/schema.ts';
import { isValidBits } from '../pe/codec.ts';
import { getFormat, type NumberFormat } from '../pe/formats.ts';
import { mulPrecision } from '../pe/multiplier-error.ts';
import { getPe as registryGetPe, peNames as registryPeNames, type PeOptions } from '../pe/registry.ts';
import type { PeKind } from '../pe/types.ts';
import { makeRng } from '../random.ts';
import { simulate } from '../simulate.ts';
import type { FigureSet } from './baseline.ts';

/** A value as the baseline stores it: non-finite numbers are spelled as strings ('NaN'). */
export type EntryValue = number | string | boolean;

export interface Tolerance {
  /** |now - baseline| <= max(abs, rel * |baseline|) passes; no tolerance means exact */
  readonly abs?: number;
  readonly rel?: number;
}

export interface Entry {
  readonly value: EntryValue;
  readonly tol?: Tolerance;
}

export interface SuiteConfig {
  readonly mul: { readonly samples: number; readonly seed: number; readonly dist: 'loguniform' };
  readonly products: { readonly samples: number; readonly seed: number };
  readonly functional: {
    readonly arch: string;
    readonly array: string;
    readonly shapes: readonly string[];
    readonly dataflows: readonly Dataflow[];
  };
}

export interface SuiteResult extends FigureSet {
  readonly config: SuiteConfig;
}

export interface SuiteDeps {
  /** where PEs come from (default: the registry) */
  readonly getPe?: (name: string, opts?: PeOptions) => PeKind;
  /** the PE kinds to cover (default: every registered kind) */
  readonly peNames?: () => string[];
  /** the parsed metrics.json of the trained models; undefined: that group is skipped */
  readonly trainedMetrics?: unknown;
  /** why the trained group is skipped, when trainedMetrics is undefined */
  readonly trainedSkipReason?: string;
  /**
   * the simulator's accuracy of the trained models through a PE (the caller loads models and
   * data: I/O stays at the edge); undefined: that group is skipped
   */
  readonly accuracyOf?: (pe: PeKind) => readonly TrainedAccuracy[];
}

export interface TrainedAccuracy {
  readonly model: string;
  readonly images: number;
  readonly top1: number;
  /** hash of the logits' bits: any arithmetic change shows, even without a flipped prediction */
  readonly logits: string;
}

/** PE kinds whose accuracy on the trained models is pinned (a fast subset). */
export const ACCURACY_PES: readonly string[] = ['fp32', 'fp8-e4m3', 'lmul-m4', 'int8'];

const MUL_TOL: Tolerance = { abs: 1e-6 };
const MAX_TOL: Tolerance = { rel: 1e-6 };
const ACCURACY_TOL: Tolerance = { abs: 0.005 };

export const SUITE_CONFIG: SuiteConfig = {
  mul: { samples: 20000, seed: 1, dist: 'loguniform' },
  products: { samples: 20000, seed: 7 },
  functional: {
    arch: 'edge',
    array: '4x4',
    shapes: ['gemm 9x7x21 (seed 1)', 'conv 6x6x3 -> 5 filters 3x3 same (seed 2)'],
    dataflows: ['os', 'ws', 'is'],
  },
};

/** EN-T variants covered besides the registered kinds (the registry's names). */
const REUSE_VARIANTS: readonly { label: string; name: string; opts: PeOptions }[] = [
  { label: 'int8+ent', name: 'int8', opts: { reuse: 'ent' } },
  { label: 'fp8-e4m3+ent', name: 'fp8-e4m3', opts: { reuse: 'ent' } },
];

/** a figure as a baseline entry value (non-finite numbers as strings: JSON has none) */
export function entryValue(v: number | boolean | string): EntryValue {
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  return v;
}

/** The first 16 hex digits of the SHA-256 of an array's bytes (its bit patterns). */
export function hashPatterns(values: ArrayBufferView): string {
  return createHash('sha256').update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength)).digest('hex').slice(0, 16);
}

function randomPattern(f: NumberFormat, next: () => number): number {
  for (;;) {
    const bits = Math.floor(next() * 2 ** f.bits);
    if (isValidBits(f, bits)) return bits;
  }
}

/** hash of the product patterns of `samples` seeded random operand pairs (specials included) */
function productHash(pe: PeKind, samples: number, seed: number): string {
  const rng = makeRng(seed);
  const out = new Float64Array(samples);
  for (let i = 0; i < samples; i++) {
    const a = randomPattern(pe.input, rng.next);
    const b = randomPattern(pe.weight, rng.next);
    out[i] = pe.mul(a, b);
  }
  return hashPatterns(out);
}

function functionalLayers(): { label: string; layer: Layer; seed: number }[] {
  return [
    { label: 'gemm9x7x21', layer: gemmLayer('gemm', 9, 7, 21), seed: 1 },
    {
      label: 'conv6x6x3-5f3x3',
      layer: convLayer({ name: 'conv', inH: 6, inW: 6, kH: 3, kW: 3, channels: 3, filters: 5, padding: 'same' }),
      seed: 2,
    },
  ];
}

/** The partial-sum formats a PE is checked with: its accumulator's, and a narrower one. */
function psumFormats(pe: PeKind): (NumberFormat | undefined)[] {
  const narrow = pe.acc.kind === 'float' ? 'bf16' : 'int16';
  return [undefined, getFormat(narrow)];
}

function trainedEntries(metrics: unknown, entries: Record<string, Entry>): number {
  const models = (metrics as { models?: unknown } | null)?.models;
  if (models === null || typeof models !== 'object') return 0;
  let n = 0;
  for (const name of Object.keys(models).sort()) {
    const m = (models as Record<string, unknown>)[name];
    if (m === null || typeof m !== 'object') continue;
    for (const field of Object.keys(m).sort()) {
      const v = (m as Record<string, unknown>)[field];
      if (!/accuracy/i.test(field) || typeof v !== 'number') continue;
      entries[`trained/${name}/${field}`] = { value: entryValue(v), tol: ACCURACY_TOL };
      n++;
    }
  }
  return n;
}

export function runPrecisionSuite(deps: SuiteDeps = {}): SuiteResult {
  const getPe = deps.getPe ?? registryGetPe;
  const names = (deps.peNames ?? registryPeNames)();
  const cfg = SUITE_CONFIG;
  const entries: Record<string, Entry> = {};
  const skipped: Record<string, string> = {};

  // (a) multiplier error statistics and the L-Mul claims
  const report = mulPrecision({ ...cfg.mul, getPe });
  for (const r of report.rows) {
    entries[`mul/${r.kind}/mean_rel_error`] = { value: entryValue(r.mean_rel_error), tol: MUL_TOL };
    entries[`mul/${r.kind}/mean_bias`] = { value: entryValue(r.mean_bias), tol: MUL_TOL };
    entries[`mul/${r.kind}/max_rel_error`] = { value: entryValue(r.max_rel_error), tol: MAX_TOL };
    entries[`mul/${r.kind}/non_finite`] = { value: r.non_finite };
  }
  report.claims.forEach((c, i) => {
    entries[`claim/${i + 1} ${c.lhs} vs ${c.rhs}/holds`] = { value: c.holds };
  });

  // one PE object per variant: tables are built once
  const variants = [
    ...names.map((name) => ({ label: name, pe: getPe(name) })),
    ...REUSE_VARIANTS.filter((v) => names.includes(v.name)).map((v) => ({ label: v.label, pe: getPe(v.name, v.opts) })),
  ];

  // (b) bit-exact: products over random patterns, functional outputs of every dataflow
  for (const v of variants) {
    entries[`mul/${v.label}/products`] = { value: productHash(v.pe, cfg.products.samples, cfg.products.seed) };
  }
  const base = getPreset(cfg.functional.arch);
  const [rows, cols] = cfg.functional.array.split('x').map(Number);
  for (const v of variants) {
    for (const dataflow of cfg.functional.dataflows) {
      const arch = { ...base, array: { rows, cols }, dataflow, pe: v.pe.name };
      for (const psum of psumFormats(v.pe)) {
        for (const shape of functionalLayers()) {
          const r = simulate({
            arch, pe: v.pe, layers: [shape.layer], functional: true, seed: shape.seed,
            ...(psum !== undefined && { psumFormat: psum }),
          });
          const out = r.layers[0].output;
          if (!out) throw new Error(`functional run of ${v.label} gave no output summary`);
          entries[`func/${v.label}/${dataflow}/psum-${psum?.name ?? v.pe.acc.name}/${shape.label}`] = { value: `${out.count}:${out.checksum}` };
        }
      }
    }
  }

  // (d) the simulator's accuracy on real data through each PE
  if (deps.accuracyOf === undefined) {
    skipped.accuracy = 'no trained models given';
  } else {
    for (const name of ACCURACY_PES.filter((n) => names.includes(n))) {
      for (const a of deps.accuracyOf(getPe(name))) {
        entries[`accuracy/${a.model}/${name}/top1 (${a.images} images)`] = { value: a.top1 };
        entries[`accuracy/${a.model}/${name}/logits (${a.images} images)`] = { value: a.logits };
      }
    }
  }

  // (c) trained models' recorded accuracies
  if (deps.trainedMetrics === undefined) {
    skipped.trained = deps.trainedSkipReason ?? 'no trained-model metrics given';
  } else if (trainedEntries(deps.trainedMetrics, entries) === 0) {
    skipped.trained = 'the trained-model metrics have no accuracy entries';
  }

  const sorted: Record<string, Entry> = {};
  for (const k of Object.keys(entries).sort()) sorted[k] = entries[k];
  return { config: cfg, entries: sorted, skipped };
}
