/**
 * One entry point for every model source: a zoo spec (`resnet50`, `bert_base:seq=384`), an
 * ONNX file (`*.onnx`) or a SCALE-Sim topology CSV (`*.csv`). Returns the graph (where there
 * is one) and its lowering: the array ops (sim/workload/layer.ts Layers with repeat counts) and
 * the vector ops that `bitweave run` simulates.
 */
import { basename } from 'node:path';
import { InputError } from '../sim/errors.ts';
import type { Layer, PaddingMode } from '../sim/workload/layer.ts';
import type { Graph } from './graph.ts';
import { paramCount } from './graph.ts';
import { graphMacs } from './operators.ts';
import { importOnnx, onnxSignature, type DeclaredInput } from './import/onnx.ts';
import { LANGUAGE_MODELS, trainedMetrics, trainedModelFile } from './accuracy/trained.ts';
import { parseTopologyCsv } from './import/scalesim-csv.ts';
import { lowerGraph, lowerLayers, type LowerOptions, type Lowered } from './lower.ts';
import { buildZooModel, isZooSpec, zooNames } from './zoo/index.ts';
import { decodeText, readInputBytes } from './io/input-file.ts';
import type { BuildOptions } from './zoo/builder.ts';

export type ModelSourceKind = 'zoo' | 'onnx' | 'csv';

export interface LoadedModel {
  readonly name: string;
  readonly source: ModelSourceKind;
  /** absent for SCALE-Sim topologies (a list of layers, no operators between them) */
  readonly graph?: Graph;
  readonly lowered: Lowered;
  /** parameters of the graph (0 for a topology CSV: it has no weights) */
  readonly params: number;
  readonly macs: number;
}

export interface LoadOptions extends LowerOptions {
  /** zoo models: build random weights (for execution) */
  readonly weights?: boolean;
  readonly seed?: number;
  /** SCALE-Sim CSVs: padding mode (default: the topology reader's, SCALE-Sim's own view) */
  readonly padding?: PaddingMode;
  /** ONNX: values of symbolic input dims */
  readonly dims?: Readonly<Record<string, number>>;
  /** ONNX: shapes of the graph inputs by name (a dynamic model's; --input-shape) */
  readonly inputShapes?: Readonly<Record<string, readonly number[]>>;
}


/** Whether a model source names a file (an ONNX model or a SCALE-Sim topology), not a zoo model or a GEMM. */
export function isModelFile(source: string): boolean {
  return /\.(onnx|csv)$/i.test(source.trim());
}

export function loadModel(source: string, opts: LoadOptions = {}): LoadedModel {
  const s = source.trim();
  const lower = (g: Graph, kind: ModelSourceKind): LoadedModel => ({
    name: g.name, source: kind, graph: g, lowered: lowerGraph(g, opts), params: paramCount(g), macs: graphMacs(g),
  });
  if (/\.onnx$/i.test(s)) {
    const g = importOnnx(readInputBytes(s, 'model file', 'onnx_bytes'), { file: s, ...(opts.dims && { dims: opts.dims }), ...(opts.inputShapes && { inputShapes: opts.inputShapes }) });
    return lower(g, 'onnx');
  }
  if (/\.csv$/i.test(s)) {
    const text = decodeText(readInputBytes(s, 'topology file'), s);
    const layers: Layer[] = parseTopologyCsv(text, { file: s, ...(opts.padding && { padding: opts.padding }) });
    const name = basename(s).replace(/\.csv$/i, '');
    const lowered = lowerLayers(name, layers);
    return { name, source: 'csv', lowered, params: 0, macs: lowered.summary.arrayMacs };
  }
  if (isZooSpec(s)) {
    const bo: BuildOptions = { weights: opts.weights ?? false, ...(opts.seed !== undefined && { seed: opts.seed }) };
    return lower(buildZooModel(s, bo), 'zoo');
  }
  throw new InputError(`unknown model '${source}': give a zoo model (${zooNames().join(', ')}), a .onnx file or a SCALE-Sim .csv topology`);
}

/** A model with weights to run on the user's data: its declared inputs, and the graph for given input shapes. */
export interface RunnableModel {
  readonly name: string;
  readonly source: 'onnx' | 'trained' | 'zoo';
  /** the file's bytes (ONNX and trained models), for baselines' hashes */
  readonly bytes?: Uint8Array;
  readonly inputs: readonly DeclaredInput[];
  readonly outputs: readonly string[];
  /** the graph with these input shapes (ONNX: imported with them, constants folded) */
  graph(inputShapes: Readonly<Record<string, readonly number[]>>): Graph;
}

/** An .onnx file, a trained model's name or a zoo spec (random weights from `seed`) as a runnable model. */
export function openModel(source: string, seed = 1): RunnableModel {
  const s = source.trim();
  const trained = trainedModelFile(s);
  if (/\.onnx$/i.test(s) || trained) {
    const file = trained ?? s;
    const bytes = new Uint8Array(readInputBytes(file, 'model file', 'onnx_bytes'));
    const sig = onnxSignature(bytes, file);
    return {
      name: trained ? s : basename(file), source: trained ? 'trained' : 'onnx', bytes, inputs: sig.inputs, outputs: sig.outputs,
      graph: (inputShapes) => importOnnx(bytes, { file, inputShapes }),
    };
  }
  if (isZooSpec(s)) {
    const g = buildZooModel(s, { weights: true, seed });
    const inputs = g.inputs.map((n) => {
      const t = g.tensors.get(n)!;
      return { name: n, shape: [...t.shape], elemType: t.dtype === 'int64' ? 'int64' : 'float' };
    });
    return { name: s, source: 'zoo', inputs, outputs: [...g.outputs], graph: () => g };
  }
  throw new InputError(`unknown model '${source}': give an .onnx file, a trained model (${[...Object.keys(trainedMetrics()), ...Object.keys(LANGUAGE_MODELS)].join(', ')}) or a zoo model (${zooNames().join(', ')})`);
}
