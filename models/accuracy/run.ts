/**
 * An accuracy run over a test set: the images split into ranges, run on this thread and, with
 * more than one job, on a warm worker-thread pool as well (models/parallel.ts); results are
 * assembled in image order, so they do not depend on jobs.
 */
import { workerModule } from '../package-files.ts';
import { runShared } from '../parallel.ts';
import { InputError } from '../../sim/errors.ts';
import { concatChunks, summarize, type AccuracySummary, type ChunkResult } from './evaluate.ts';
import { datasetSamples, loadDataset, loadGraph, runAccuracyTask, sharedModel, type AccuracySetup, type AccuracyTask } from './task.ts';
import { concatTextChunks, summarizeText, type TextChunk } from './text.ts';
import { isTextSet } from '../data/text.ts';
import { getFormat } from '../../sim/pe/formats.ts';
import { getPe } from '../../sim/pe/registry.ts';
import { hasWeights } from '../graph.ts';
import { isBinaryNode } from '../operators.ts';
import { peBackend } from '../exec/backends.ts';
import { checkTokenScalable } from '../exec/token-scales.ts';

export interface AccuracyRunOptions {
  /** first `limit` images of the set (default: all) */
  readonly limit?: number;
  readonly jobs?: number;
  /** images per task */
  readonly chunk?: number;
  /** run the fp32 reference beside the PE (default true; benchmarks turn it off) */
  readonly reference?: boolean;
  /** called as ranges of images finish: images done so far, of the total */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface AccuracyRun {
  readonly summary: AccuracySummary;
  /** an image set's logits (none on a text set) */
  readonly result: ChunkResult;
  /** a text set's per-window figures */
  readonly text?: TextChunk;
}

const workerFile = workerModule('models/accuracy/worker');

/** Everything a worker would refuse, refused here first (errors from workers lose their type). */
function checkSetup(setup: AccuracySetup): void {
  getPe(setup.pe, setup.peOptions);
  if (setup.attentionPe !== undefined) getPe(setup.attentionPe, setup.peOptions);
  if (setup.binaryPe !== undefined) getPe(setup.binaryPe);
  if (setup.psum !== undefined) getFormat(setup.psum);
  const g = loadGraph(setup.modelFile);
  datasetSamples(setup.dataset, g, `model ${setup.modelFile}`);
  if (!hasWeights(g)) throw new InputError(`model ${setup.modelFile} has no weights: accuracy needs a trained model`);
  if (setup.binaryPe !== undefined && !g.nodes.some(isBinaryNode)) {
    throw new InputError(`model ${setup.modelFile} has no binary layers for the ${setup.binaryPe} PE`);
  }
}

/**
 * The fp32 reference logits of the first images of a set, per model, kept for the process: an
 * accuracy table runs the same reference beside every PE kind, and it is the same every time.
 */
const referenceCache = new Map<string, { readonly count: number; readonly logits: Float32Array }>();
const REFERENCE_CACHE_MAX = 8;

export async function runAccuracy(setup: AccuracySetup, opts: AccuracyRunOptions = {}): Promise<AccuracyRun> {
  checkSetup(setup);
  if (isTextSet(setup.dataset)) return runTextAccuracy(setup, opts);
  const data = loadDataset(setup.dataset);
  const n = opts.limit ?? data.count;
  if (!Number.isInteger(n) || n < 1 || n > data.count) {
    throw new InputError(`--limit must be an integer in 1..${data.count}, got ${opts.limit}`);
  }
  const jobs = opts.jobs ?? 1;
  if (!Number.isInteger(jobs) || jobs < 1) throw new InputError(`--jobs must be a positive integer, got ${jobs}`);
  const refKey = `${setup.modelFile}\0${setup.dataset}`;
  const cachedRef = referenceCache.get(refKey);
  const wantReference = opts.reference ?? true;
  // reference logits already known for these images: only the PE pass runs
  const reference = wantReference && (cachedRef?.count ?? 0) < n;
  // the data set's pixels in shared memory, once per process: workers read their ranges in
  // place (no copy, no data set to load in each worker) and normalize them; this thread does
  // no per-image work beyond its own tasks
  const px = data.rows * data.cols;
  const pixels = sharedPixels(setup.dataset, data.images);
  const model = jobs > 1 ? { model: sharedModel(setup.modelFile) } : {};
  const tasks: AccuracyTask[] = [];
  for (const [start, count] of imageRanges(n, jobs, opts.chunk)) {
    tasks.push({ ...setup, ...model, start, count, reference, pixels: pixels.subarray(start * px, (start + count) * px) });
  }
  const chunks = (await runTasks(tasks, jobs, n, opts)) as ChunkResult[];
  let result = concatChunks(chunks);
  if (wantReference && !reference && cachedRef) {
    result = { ...result, refLogits: cachedRef.logits.slice(0, n * result.classes) };
  } else if (reference) {
    referenceCache.delete(refKey);
    if (referenceCache.size >= REFERENCE_CACHE_MAX) referenceCache.delete(referenceCache.keys().next().value as string);
    referenceCache.set(refKey, { count: n, logits: result.refLogits.slice() });
  }
  return { summary: summarize(result, data.labels.subarray(0, n)), result };
}

const shared = new Map<string, Uint8Array>();

/** A data set's raw pixels in a SharedArrayBuffer, kept for the process. */
function sharedPixels(name: string, images: Uint8Array): Uint8Array {
  let s = shared.get(name);
  if (!s) {
    s = new Uint8Array(new SharedArrayBuffer(images.length));
    s.set(images);
    shared.set(name, s);
  }
  return s;
}

/** Most images per task: a message per ~1 s of work, and progress that moves. */
const MAX_RANGE = 250;
/** Fewest images per task (but for the last): a message and a result per ~10 ms of work at least. */
const MIN_RANGE = 8;

/**
 * Ranges [start, count] of images, in order: `chunk` images each when given; else guided
 * (each range a quarter of what is left per job, between MIN_RANGE and MAX_RANGE), so ranges
 * are long while much is left (few messages) and short at the end, where a long last range
 * would leave the other threads idle. Images are independent (batch 1): the ranges change
 * no result.
 */
export function imageRanges(n: number, jobs: number, chunk?: number): [number, number][] {
  const out: [number, number][] = [];
  for (let start = 0; start < n;) {
    const size = chunk ?? Math.min(MAX_RANGE, Math.max(MIN_RANGE, Math.ceil((n - start) / (4 * jobs))));
    const count = Math.min(size, n - start);
    out.push([start, count]);
    start += count;
  }
  return out;
}

/** The tasks on this thread and the warm pool, progress as ranges finish; the first failure is thrown. */
async function runTasks(tasks: AccuracyTask[], jobs: number, n: number, opts: AccuracyRunOptions): Promise<unknown[]> {
  let done = 0;
  const settled = await runShared(tasks, {
    jobs, workerFile, local: runAccuracyTask,
    onResult: (t) => {
      done += t.count;
      opts.onProgress?.(done, n);
    },
  });
  return settled.map((r) => {
    if (r.status === 'rejected') throw r.reason;
    return r.value;
  });
}

/**
 * A language model on a text set: windows in ranges (a window is a whole forward pass, ~10^8
 * MACs: small ranges keep progress and workers even), this thread and the warm pool, chunks
 * assembled in window order.
 */
async function runTextAccuracy(setup: AccuracySetup, opts: AccuracyRunOptions): Promise<AccuracyRun> {
  const samples = datasetSamples(setup.dataset, loadGraph(setup.modelFile), `model ${setup.modelFile}`);
  const n = opts.limit ?? samples;
  if (!Number.isInteger(n) || n < 1 || n > samples) {
    throw new InputError(`--limit must be an integer in 1..${samples}, got ${opts.limit}`);
  }
  const jobs = opts.jobs ?? 1;
  if (!Number.isInteger(jobs) || jobs < 1) throw new InputError(`--jobs must be a positive integer, got ${jobs}`);
  // a language model runs with per-token scales (models/exec/token-scales.ts): refused here,
  // before any window, where an operator cannot scale per token under a data-scaled PE
  const pes = [setup.pe, setup.attentionPe].filter((p): p is string => p !== undefined).map((p) => peBackend(getPe(p, setup.peOptions)));
  checkTokenScalable(loadGraph(setup.modelFile), pes);
  const chunk = opts.chunk ?? Math.max(1, Math.min(4, Math.ceil(n / (4 * jobs))));
  const model = jobs > 1 ? { model: sharedModel(setup.modelFile) } : {};
  const tasks: AccuracyTask[] = [];
  for (let start = 0; start < n; start += chunk) tasks.push({ ...setup, ...model, start, count: Math.min(chunk, n - start), reference: opts.reference ?? true });
  const chunks = (await runTasks(tasks, jobs, n, opts)) as TextChunk[];
  const text = concatTextChunks(chunks);
  return { summary: summarizeText(text), result: concatChunks([]), text };
}
