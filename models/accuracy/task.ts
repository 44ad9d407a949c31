/**
 * One unit of an accuracy run: a range of test images (or text windows, for a language model on
 * a text set) through one model on one PE setup.
 * Plain data, so it crosses to worker threads; each worker caches the model and the data.
 */
import { readFileSync } from 'node:fs';
import type { Accumulate, Dataflow } from '../../sim/arch/schema.ts';
import { InputError } from '../../sim/errors.ts';
import { getFormat } from '../../sim/pe/formats.ts';
import { getPe, type PeOptions } from '../../sim/pe/registry.ts';
import { loadFmnist, normalizeImages, normalizePixels, type FmnistSet } from '../data/fmnist.ts';
import type { Graph } from '../graph.ts';
import { importOnnx } from '../import/onnx.ts';
import { graphOfShared, shareGraph, type SharedGraph } from '../shared-graph.ts';
import { arrayBackend } from '../exec/array-backend.ts';
import { fp32Backend } from '../exec/backends.ts';
import { evaluateImages, type Backends, type ChunkResult } from './evaluate.ts';
import { evaluateText, type TextChunk } from './text.ts';
import { checkVocabulary, isTextSet, loadText, windowCount, TEXT_SETS } from '../data/text.ts';
import { lmShape } from '../lm/model.ts';

/** image sets, then the text sets of language models (models/data/text.ts) */
export const DATASETS: readonly string[] = ['fmnist', ...Object.keys(TEXT_SETS)];
export type DatasetName = string;

export interface AccuracySetup {
  readonly modelFile: string;
  readonly dataset: DatasetName;
  readonly pe: string;
  readonly peOptions: PeOptions;
  /** PE of the attention matmuls alone (default: `pe`) */
  readonly attentionPe?: string;
  /** PE of the binary conv / linear layers (default: `pe`) */
  readonly binaryPe?: string;
  readonly dataflow: Dataflow;
  readonly rows: number;
  readonly psum?: string;
  /** ws / is accumulation structure (default: below) */
  readonly accumulate?: Accumulate;
}

export interface AccuracyTask extends AccuracySetup {
  readonly start: number;
  readonly count: number;
  /** also run the fp32 reference executor (default true) */
  readonly reference?: boolean;
  /**
   * run only the fp32 reference executor, its figures in the PE's place (a text set's table
   * computes the reference once for every PE kind; bench/lm-table.ts)
   */
  readonly referenceOnly?: boolean;
  /**
   * the raw pixels of images start .. start+count-1, usually a view of shared memory
   * (models/accuracy/run.ts: the data set's bytes shared once by all threads, each task
   * normalizing its own range); without it the task loads and normalizes them itself
   */
  readonly pixels?: Uint8Array;
  /**
   * the model with its weights in shared memory (`sharedModel`): a worker adopts it instead of
   * reading and parsing the model file, and every thread reads one copy of the weights
   */
  readonly model?: SharedGraph;
}

/**
 * The PEs of a model's layers for a PE kind: an XNOR array runs the binary layers only; the
 * others stay in higher precision (`fpPe`), as binary networks keep their first and last layers.
 */
export function layerPes(pe: string, fpPe = 'fp32'): { pe: string; binaryPe?: string } {
  return pe === 'xnor' ? { pe: fpPe, binaryPe: 'xnor' } : { pe };
}

const graphs = new Map<string, Graph>();
let fmnist: FmnistSet | undefined;

export function loadGraph(file: string): Graph {
  let g = graphs.get(file);
  if (!g) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch {
      throw new InputError(`cannot read model file '${file}'`);
    }
    g = importOnnx(bytes, { file });
    graphs.set(file, g);
  }
  return g;
}

const sharedModels = new Map<string, SharedGraph>();

/**
 * The model of `file` in shared memory, for the tasks of a parallel run; made once per process,
 * and from then on this thread's own graph of the file is the shared one (one copy of the
 * weights for every thread).
 */
export function sharedModel(file: string): SharedGraph {
  let s = sharedModels.get(file);
  if (!s) {
    const { shared, graph } = shareGraph(loadGraph(file));
    graphs.set(file, graph);
    sharedModels.set(file, shared);
    s = shared;
  }
  return s;
}

/** A task's graph: the shared one it carries (adopted once per thread), else the file's. */
function taskGraph(t: AccuracyTask): Graph {
  if (t.model && !graphs.has(t.modelFile)) graphs.set(t.modelFile, graphOfShared(t.model));
  return loadGraph(t.modelFile);
}

/** Samples of a data set for a model: images, or the windows of a text set at the model's context. */
export function datasetSamples(name: DatasetName, g: Graph, what: string): number {
  if (!isTextSet(name)) {
    lmRefused(g, name);
    return loadDataset(name).count;
  }
  const lm = lmShape(g, what);
  const text = loadText(name);
  checkVocabulary(text, lm.vocab, `data set '${name}'`);
  return windowCount(text.length, lm.context);
}

/** A language model on an image set: refused by name rather than by a shape mismatch deep in the run. */
function lmRefused(g: Graph, name: string): void {
  const x = g.inputs.length === 1 ? g.tensors.get(g.inputs[0]) : undefined;
  if (x?.dtype === 'int64') throw new InputError(`data set '${name}' is images, and the model takes token ids; text data sets: ${Object.keys(TEXT_SETS).join(', ')}`);
}

export function loadDataset(name: DatasetName): FmnistSet {
  if (name !== 'fmnist') throw new InputError(`unknown dataset '${name}'; valid: ${DATASETS.join(', ')}`);
  fmnist ??= loadFmnist();
  return fmnist;
}

/**
 * The backends of a setup, kept per thread: a thread runs many ranges of one setup, and the
 * backends hold the PE's tables and the quantized, laid-out weights.
 */
const backendCache = new Map<string, Backends>();
const BACKEND_CACHE_MAX = 16;

function backendsOf(t: AccuracySetup): Backends {
  const key = JSON.stringify([t.pe, t.peOptions, t.attentionPe, t.binaryPe, t.dataflow, t.rows, t.psum, t.accumulate]);
  let b = backendCache.get(key);
  if (!b) {
    const order = {
      dataflow: t.dataflow, rows: t.rows, ...(t.psum !== undefined && { psum: getFormat(t.psum) }), ...(t.accumulate !== undefined && { accumulate: t.accumulate }),
    };
    const attention = t.attentionPe !== undefined ? arrayBackend(getPe(t.attentionPe, t.peOptions), order) : undefined;
    const binary = t.binaryPe !== undefined ? arrayBackend(getPe(t.binaryPe), order) : undefined;
    b = { array: arrayBackend(getPe(t.pe, t.peOptions), order), ...(attention && { attention }), ...(binary && { binary }) };
    if (backendCache.size >= BACKEND_CACHE_MAX) backendCache.delete(backendCache.keys().next().value as string);
    backendCache.set(key, b);
  }
  return b;
}

export function runAccuracyTask(t: AccuracyTask): ChunkResult | TextChunk {
  const g = taskGraph(t);
  if (isTextSet(t.dataset)) {
    const backends = t.referenceOnly ? { array: fp32Backend } : backendsOf(t);
    return evaluateText(g, loadText(t.dataset), t.start, t.count, backends, !t.referenceOnly && (t.reference ?? true));
  }
  const images = t.pixels ? normalizePixels(t.pixels) : normalizeImages(loadDataset(t.dataset), t.start, t.count);
  return evaluateImages(g, images, t.count, backendsOf(t), t.reference ?? true);
}
