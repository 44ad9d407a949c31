/**
 * What the simulator runs for a model source: the array layers (with how often each runs)
 * and the vector-unit work. One reader for `bitweave run --model`, `--gemm` and sweeps.
 *
 * Sources: `gemm:MxNxK`; a SCALE-Sim topology `.csv`; a zoo spec (`resnet50`,
 * `bert_base:seq=384`); an `.onnx` file.
 */
import { InputError } from '../sim/errors.ts';
import type { VectorWork } from '../sim/vector.ts';
import { gemmLayer, type Layer, type PaddingMode } from './layers.ts';
import { loadModel } from './source.ts';

export interface Workload {
  readonly name: string;
  readonly layers: Layer[];
  readonly repeats: number[];
  readonly vectorOps: VectorWork[];
}

export function parseGemm(text: string, where: string): Layer {
  const parts = text.trim().toLowerCase().split('x');
  if (parts.length !== 3 || parts.some((p) => !/^[+-]?\d+$/.test(p.trim()))) {
    throw new InputError(`${where} must be MxNxK (integers), got '${text}'`);
  }
  const [m, n, k] = parts.map(Number);
  return gemmLayer(`gemm_${m}x${n}x${k}`, m, n, k, where);
}

export function loadWorkload(source: string, opts: { padding?: PaddingMode } = {}): Workload {
  const s = source.trim();
  if (/^gemm:/i.test(s)) {
    const layer = parseGemm(s.slice(5), `model ${s}`);
    return { name: layer.name, layers: [layer], repeats: [1], vectorOps: [] };
  }
  const m = loadModel(s, opts.padding !== undefined ? { padding: opts.padding } : {});
  const ops = m.lowered.arrayOps;
  return {
    name: m.name,
    layers: ops.map((o) => o.layer),
    repeats: ops.map((o) => o.repeat),
    vectorOps: m.lowered.vectorOps.map((v) => ({ name: v.node, op: v.op, elements: v.elements, opsPerElement: v.opsPerElement })),
  };
}
