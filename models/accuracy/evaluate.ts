/**
 * Accuracy of a trained model on a labelled image set, run through the simulator's
 * functional path, beside the plain fp32 reference executor on the same images.
 */
import type { Graph } from '../graph.ts';
import type { RunAccuracy } from '../../sim/result.ts';
import { executeGraph } from '../exec/executor.ts';
import { fp32Backend, type ArrayBackend } from '../exec/backends.ts';

export interface ChunkResult {
  readonly count: number;
  readonly classes: number;
  readonly logits: Float32Array;
  readonly refLogits: Float32Array;
}

export interface Backends {
  readonly array: ArrayBackend;
  readonly attention?: ArrayBackend;
  readonly binary?: ArrayBackend;
}

/** Runs `count` images (NCHW float32, one after another: the graphs have a batch of 1). */
export function evaluateImages(g: Graph, images: Float32Array, count: number, backends: Backends, reference = true): ChunkResult {
  const input = g.inputs[0];
  const output = g.outputs[0];
  const per = images.length / count;
  let classes = 0;
  let logits = new Float32Array(0), refLogits = new Float32Array(0);
  for (let i = 0; i < count; i++) {
    const x = images.subarray(i * per, (i + 1) * per);
    const y = executeGraph(g, { [input]: x }, {
      array: backends.array,
      ...(backends.attention && { attentionArray: backends.attention }),
      ...(backends.binary && { binaryArray: backends.binary }),
    }).get(output) as Float32Array;
    // without a reference (benchmarks of the PE path alone) the logits stand in for it
    const r = reference ? (executeGraph(g, { [input]: x }, { array: fp32Backend }).get(output) as Float32Array) : y;
    if (i === 0) {
      classes = y.length;
      logits = new Float32Array(count * classes);
      refLogits = new Float32Array(count * classes);
    }
    logits.set(y, i * classes);
    refLogits.set(r, i * classes);
  }
  return { count, classes, logits, refLogits };
}

export function argmax(v: ArrayLike<number>, start: number, n: number): number {
  let best = start;
  for (let i = start + 1; i < start + n; i++) if (v[i] > v[best]) best = i; // NaN never wins
  return best - start;
}

/** The figures of an accuracy run (sim/result.ts defines them, as a SimResult carries them). */
export type AccuracySummary = Omit<RunAccuracy, 'dataset'>;

export function summarize(r: ChunkResult, labels: ArrayLike<number>): AccuracySummary {
  let correct = 0, refCorrect = 0, agree = 0, errSq = 0, refSq = 0, cosSum = 0, nonFinite = 0;
  const c = r.classes;
  for (let i = 0; i < r.count; i++) {
    const o = i * c;
    const p = argmax(r.logits, o, c), q = argmax(r.refLogits, o, c);
    if (p === labels[i]) correct++;
    if (q === labels[i]) refCorrect++;
    if (p === q) agree++;
    let dot = 0, nx = 0, ny = 0, finite = true;
    for (let j = o; j < o + c; j++) {
      const x = r.logits[j], y = r.refLogits[j];
      if (!Number.isFinite(x)) finite = false;
      errSq += (x - y) * (x - y);
      refSq += y * y;
      dot += x * y;
      nx += x * x;
      ny += y * y;
    }
    if (!finite) nonFinite++;
    cosSum += nx > 0 && ny > 0 ? dot / Math.sqrt(nx * ny) : 0;
  }
  const n = r.count;
  return {
    images: n,
    top1: correct / n,
    reference_top1: refCorrect / n,
    agreement: agree / n,
    rel_error: refSq > 0 ? Math.sqrt(errSq / refSq) : 0,
    cosine: cosSum / n,
    non_finite: nonFinite,
  };
}

/** Concatenates chunk results in order. */
export function concatChunks(chunks: readonly ChunkResult[]): ChunkResult {
  const count = chunks.reduce((s, c) => s + c.count, 0);
  const classes = chunks[0]?.classes ?? 0;
  const logits = new Float32Array(count * classes), refLogits = new Float32Array(count * classes);
  let off = 0;
  for (const c of chunks) {
    logits.set(c.logits, off);
    refLogits.set(c.refLogits, off);
    off += c.count * classes;
  }
  return { count, classes, logits, refLogits };
}
