/**
 * What the simulator runs for a model source: the array layers (with how often each runs)
 * and the vector-unit work. One reader for `bitweave run --model`, `--gemm` and sweeps.
 *
 * Sources: `gemm:MxNxK`; a SCALE-Sim topology `.csv`; a zoo spec (`resnet50`,
 * `bert_base:seq=384`); an `.onnx` file.
 */
import { InputError } from '../sim/errors.ts';
import { gemmLayer, type Layer, type PaddingMode } from '../sim/workload/layer.ts';
import type { Workload } from '../sim/workload/workload.ts';
import type { Graph } from './graph.ts';
import { operatorOf } from './operators.ts';
import type { ArrayOp } from './lower.ts';
import { loadModel } from './source.ts';
import { scratchpadProblem } from './scratchpad-problem.ts';
import { trainedModelFile } from './accuracy/trained.ts';

/**
 * The weights of an array op in B layout (K x N row-major), from its operator's module
 * (conv OIHW with k = (kh * kW + kw) * C + c, the im2col order of sim/workload/layer.ts;
 * linear [N, K]); undefined where the node has none (no data, grouped convs, attention).
 */
export function arrayOpWeights(g: Graph, op: ArrayOp): Float32Array | undefined {
  const node = g.nodes.find((n) => n.name === op.node);
  if (node === undefined || op.part !== 'gemm') return undefined;
  return operatorOf(node.op).gemmWeights?.(g, node, op.layer);
}

function allSigns(w: Float32Array): boolean {
  for (let i = 0; i < w.length; i++) if (w[i] !== 1 && w[i] !== -1) return false;
  return w.length > 0;
}

export function parseGemm(text: string, where: string): Layer {
  const parts = text.trim().toLowerCase().split('x');
  if (parts.length !== 3 || parts.some((p) => !/^[+-]?\d+$/.test(p.trim()))) {
    throw new InputError(`${where} must be MxNxK (integers), got '${text}'`);
  }
  const [m, n, k] = parts.map(Number);
  return gemmLayer(`gemm_${m}x${n}x${k}`, m, n, k, where);
}

export interface WorkloadOptions {
  readonly padding?: PaddingMode;
  readonly weights?: boolean;
  /** ONNX: shapes of the graph inputs by name (a dynamic model's; --input-shape) */
  readonly inputShapes?: Readonly<Record<string, readonly number[]>>;
}

export function loadWorkload(source: string, opts: WorkloadOptions = {}): Workload {
  const s = source.trim();
  if (/^gemm:/i.test(s)) {
    const layer = parseGemm(s.slice(5), `model ${s}`);
    return { name: layer.name, layers: [layer], repeats: [1], vectorOps: [] };
  }
  // a trained model by name (bitweave accuracy's names) is its ONNX file
  const file = trainedModelFile(s) ?? s;
  const m = loadModel(file, { ...(opts.padding !== undefined && { padding: opts.padding }), ...(opts.inputShapes !== undefined && { inputShapes: opts.inputShapes }) });
  const ops = m.lowered.arrayOps;
  const g = m.graph;
  const weights = opts.weights === true && g !== undefined ? ops.map((o) => arrayOpWeights(g, o)) : undefined;
  return {
    name: m.name,
    layers: ops.map((o) => o.layer),
    repeats: ops.map((o) => o.repeat),
    vectorOps: m.lowered.vectorOps,
    binary: ops.map((o, i) => o.binary || (weights?.[i] !== undefined && allSigns(weights[i] as Float32Array))),
    ...(weights !== undefined && { weights }),
    ...(g !== undefined && {
      network: {
        layerNodes: ops.map((o) => o.node),
        problem: (words, opts) => scratchpadProblem(g, words, opts),
      },
    }),
  };
}
