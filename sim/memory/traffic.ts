/**
 * Off-chip traffic and stalls, fold by fold, for one layer.
 *
 * Reuse model. The fold loop is fc (outer) x fr (inner). Each operand depends on one index,
 * the other, or both (the dataflow's `recurrence` and `demand`, sim/dataflows/):
 *   os: ifmap ~ fr (pixel rows), filter ~ fc, ofmap ~ (fr, fc) written once per fold
 *   ws: ifmap ~ fr (window rows, all pixels), filter ~ (fr, fc), ofmap ~ fc (accumulated over fr)
 *   is: ifmap ~ (fr, fc), filter ~ fr (window rows, all filters), ofmap ~ fc (accumulated over fr)
 * - An operand that depends on fr only is swept again for every fc. The buffer keeps as much
 *   of it resident as fits (a fixed part, not LRU, which would thrash on a cyclic sweep); the
 *   rest is fetched again on every later sweep.
 * - An operand that depends on fc only is reused across the inner loop: its tile stays, or
 *   the part of it that does not fit is fetched again for every fr.
 * - Partial sums accumulated across fr stay in the ofmap buffer as far as they fit; the rest
 *   is written to DRAM after a fold and read back before the next one (non-compulsory), in the
 *   partial-sum format.
 * So traffic is non-increasing in every buffer size and reaches the compulsory traffic (each
 * input element and weight read once, each output written once) when everything fits.
 *
 * Stalls. Fold i needs its reads (and the writes of fold i-1) to move over the DRAM interface:
 * latency + bytes / bandwidth cycles. Double-buffered, that transfer overlaps fold i-1's compute
 * and only the excess stalls the array; the first fold's loads and the last fold's writes
 * overlap the neighbouring layers. Single-buffered, every transfer stalls the array.
 */
import { ifmapTouched, type Layer } from '../workload/layer.ts';
import { colsUsed, rowsUsed, type Mapping } from '../dataflows/mapping.ts';
import type { Recurrence } from '../dataflows/types.ts';
import type { Capacities, Footprints, WordBytes } from './buffers.ts';

export interface DramTraffic {
  ifmap_read_bytes: number;
  filter_read_bytes: number;
  ofmap_read_bytes: number;
  ofmap_write_bytes: number;
  compulsory_bytes: number;
  non_compulsory_bytes: number;
}

export interface MemoryTimingParams {
  /** bytes per cycle */
  readonly bandwidth: number;
  /** cycles from request to first byte */
  readonly latency: number;
  readonly doubleBuffered: boolean;
  /** SCALE-Sim parity: the interface never stalls */
  readonly stallFree: boolean;
}

export interface FoldTraffic {
  /** bytes read from DRAM for each fold (ifmap, filter, partial sums) */
  readonly ifmapRead: Float64Array;
  readonly filterRead: Float64Array;
  readonly psumRead: Float64Array;
  /** bytes written to DRAM after each fold (spills and final outputs) */
  readonly write: Float64Array;
  /** stall cycles charged before each fold, and after the last (index = folds) */
  readonly stall: Float64Array;
}

export interface LayerTraffic {
  readonly dram: DramTraffic;
  readonly stallCycles: number;
  /** stall cycles charged before the first fold, and before all folds together (stallCycles less the drain after the last) */
  readonly stallBefore: { readonly first: number; readonly folds: number };
  /** each fold's figures (made when first read: a timing run reads only the totals) */
  readonly perFold: FoldTraffic;
}

export function footprints(l: Layer, mp: Mapping, w: WordBytes): Footprints {
  const { m, n, k } = mp.gemm;
  return { ifmap: ifmapTouched(l) * w.input, filter: k * n * w.weight, ofmap: m * n * w.psum };
}

function resident(cap: number, size: number): number {
  return size <= 0 ? 1 : Math.min(1, cap / size);
}

export function layerTraffic(
  _l: Layer, mp: Mapping, w: WordBytes, fp: Footprints, cap: Capacities, t: MemoryTimingParams,
): LayerTraffic {
  const nFolds = mp.folds;
  const rhoA = resident(cap.ifmap, fp.ifmap);
  const rhoB = resident(cap.filter, fp.filter);
  const { rules } = mp;
  /** bytes of an operand's fold demand still to fetch, given how it recurs in the fold loop */
  const fetch = (how: Recurrence, bytes: number, fr: number, fc: number, wholeResident: number, capacity: number): number => {
    if (how === 'sweep') return fc === 0 ? bytes : bytes * (1 - wholeResident);
    if (how === 'tile') return fr === 0 ? bytes : bytes * (1 - resident(capacity, bytes));
    return bytes;
  };
  // a fold's demand depends on the rows and columns it uses: every fold uses all of them but
  // those of the last row fold and the last column fold, so four demands serve every fold
  // (an object per fold was much of a timing sweep's garbage: 10^4-10^5 folds a layer on
  // small arrays)
  const lastR = mp.rowFolds - 1, lastC = mp.colFolds - 1;
  const ruLast = rowsUsed(mp, lastR), cuLast = colsUsed(mp, lastC);
  const demands = [
    rules.demand(mp, mp.rows, mp.cols, fp, w), rules.demand(mp, mp.rows, cuLast, fp, w),
    rules.demand(mp, ruLast, mp.cols, fp, w), rules.demand(mp, ruLast, cuLast, fp, w),
  ];
  const F = mp.foldCycles;
  /**
   * Every fold in the mapping's loop order (fold index i = fc * rowFolds + fr): the totals, and
   * each fold's figures into `into` when given. A timing run needs the totals only; the
   * per-fold arrays (five of `folds` entries a layer) are made when a trace reads them.
   */
  const pass = (into?: FoldTraffic) => {
    let ia = 0, fb = 0, pr = 0, psumWrites = 0, finalWrites = 0, stallCycles = 0, firstStall = 0, prevWrite = 0;
    for (let i = 0; i < nFolds; i++) {
      const fr = i % mp.rowFolds, fc = (i - fr) / mp.rowFolds;
      const d = demands[(fr === lastR ? 2 : 0) + (fc === lastC ? 1 : 0)];
      const ifmap = fetch(rules.recurrence.ifmap, d.ifmap, fr, fc, rhoA, cap.ifmap);
      const filter = fetch(rules.recurrence.filter, d.filter, fr, fc, rhoB, cap.filter);
      const outBytes = d.outputs * w.psum;
      let psum = 0, write: number;
      if (!rules.accumulatesAcrossRowFolds) {
        write = outBytes;
        finalWrites += outBytes;
      } else {
        // partial sums stay in the ofmap buffer as far as they fit; the rest spills and comes back
        const spill = outBytes * (1 - resident(cap.ofmap, outBytes));
        psum = fr > 0 ? spill : 0;
        if (fr === lastR) {
          write = outBytes;
          finalWrites += outBytes;
        } else {
          write = spill;
          psumWrites += spill;
        }
      }
      ia += ifmap;
      fb += filter;
      pr += psum;
      let s = 0;
      if (!t.stallFree) {
        // the fold's reads and the previous fold's writes share the interface
        const need = t.latency + (ifmap + filter + psum + (i > 0 ? prevWrite : 0)) / t.bandwidth;
        if (t.doubleBuffered) s = i === 0 ? 0 : need > F ? Math.ceil(need - F) : 0;
        else s = Math.ceil(need);
        stallCycles += s;
        if (i === 0) firstStall = s;
      }
      if (into) {
        into.ifmapRead[i] = ifmap;
        into.filterRead[i] = filter;
        into.psumRead[i] = psum;
        into.write[i] = write;
        into.stall[i] = s;
      }
      prevWrite = write;
    }
    const beforeFolds = stallCycles;
    if (!t.stallFree && !t.doubleBuffered) {
      // single-buffered: the last fold's writes drain after it
      const s = Math.ceil(prevWrite / t.bandwidth);
      stallCycles += s;
      if (into) into.stall[nFolds] = s;
    }
    return { ia, fb, pr, psumWrites, finalWrites, stallCycles, firstStall, beforeFolds };
  };
  const totals = pass();
  const dram: DramTraffic = {
    ifmap_read_bytes: Math.round(totals.ia),
    filter_read_bytes: Math.round(totals.fb),
    ofmap_read_bytes: Math.round(totals.pr),
    ofmap_write_bytes: Math.round(totals.psumWrites + totals.finalWrites),
    compulsory_bytes: 0,
    non_compulsory_bytes: 0,
  };
  dram.compulsory_bytes = Math.round(fp.ifmap + fp.filter + fp.ofmap);
  dram.non_compulsory_bytes = Math.max(
    0,
    dram.ifmap_read_bytes + dram.filter_read_bytes + dram.ofmap_read_bytes + dram.ofmap_write_bytes - dram.compulsory_bytes,
  );
  let perFold: FoldTraffic | undefined;
  return {
    dram,
    stallCycles: totals.stallCycles,
    stallBefore: { first: totals.firstStall, folds: totals.beforeFolds },
    get perFold(): FoldTraffic {
      if (!perFold) {
        perFold = {
          ifmapRead: new Float64Array(nFolds), filterRead: new Float64Array(nFolds), psumRead: new Float64Array(nFolds),
          write: new Float64Array(nFolds), stall: new Float64Array(nFolds + 1),
        };
        pass(perFold);
      }
      return perFold;
    },
  };
}
