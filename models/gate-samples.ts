/**
 * The operands a timing-only gates45 run prices each layer with (sim/cost/gates/layer-gates.ts):
 *  - a trained model (models/data/trained, Fashion-MNIST): its weights, and the activations a
 *    calibration batch (the first test images) produces at each array layer, captured from the
 *    fp32 reference executor and quantized per tensor into the PE's formats as the functional
 *    path quantizes them;
 *  - another model with weights (an .onnx with initializers): its weights, activations from the
 *    stated distribution;
 *  - no weights (zoo models, topologies, GEMMs): nothing here; the stated distribution.
 * Captured GEMMs are matched to the workload's layers in order by their shape (M, N, K).
 */
import { existsSync } from 'node:fs';
import type { PeKind } from '../sim/pe/types.ts';
import { tensorScale } from '../sim/pe/tensor-scale.ts';
import { makeRng } from '../sim/random.ts';
import type { GemmSample } from '../sim/cost/gates/layer-gates.ts';
import { gemmView, type Layer } from '../sim/workload/layer.ts';
import type { Workload } from '../sim/workload/workload.ts';
import { normalizeImages } from './data/fmnist.ts';
import { fp32Backend, type ArrayBackend } from './exec/backends.ts';
import { executeGraph } from './exec/executor.ts';
import { hasWeights, tensor, numel } from './graph.ts';
import { loadDataset, loadGraph } from './accuracy/task.ts';
import { resolveTrainedModel, trainedMetrics } from './accuracy/trained.ts';

export interface GemmCapture {
  readonly a: Float32Array;
  readonly b: Float32Array;
  readonly m: number;
  readonly n: number;
  readonly k: number;
}

/** An fp32 backend that also records every GEMM's real operands. */
export function capturingBackend(into: GemmCapture[]): ArrayBackend {
  return {
    name: 'fp32-capture',
    scale: () => 1,
    gemm: (a, b, m, n, k, sa, sb) => {
      into.push({ a: Float32Array.from(a), b: Float32Array.from(b), m, n, k });
      return fp32Backend.gemm(a, b, m, n, k, sa, sb);
    },
  };
}

/** Real operands quantized per tensor into the PE's formats (as models/exec/backends.ts does). */
export function quantizeCapture(pe: PeKind, c: GemmCapture, description: string): GemmSample {
  const q = (x: Float32Array, role: 'input' | 'weight'): Uint32Array => {
    const s = tensorScale(role === 'input' ? pe.input : pe.weight, x);
    const f = role === 'input' ? (v: number) => pe.quantizeInput(v) : (v: number) => pe.quantizeWeight(v);
    const out = new Uint32Array(x.length);
    for (let i = 0; i < x.length; i++) out[i] = f(s === 1 ? x[i] : x[i] / s);
    return out;
  };
  return { a: q(c.a, 'input'), b: q(c.b, 'weight'), m: c.m, n: c.n, k: c.k, description };
}

/** Captures of a trained model's GEMMs on the first `images` Fashion-MNIST test images. */
export function captureTrained(name: string, images: number): GemmCapture[] {
  const g = loadGraph(resolveTrainedModel(name));
  const input = g.inputs[0];
  const set = loadDataset('fmnist');
  const per = numel(tensor(g, input).shape);
  const x = normalizeImages(set, 0, images);
  const out: GemmCapture[] = [];
  for (let i = 0; i < images; i++) {
    const be = capturingBackend(out);
    executeGraph(g, { [input]: x.subarray(i * per, (i + 1) * per) }, { array: be, binaryArray: be, attentionArray: be });
  }
  return out;
}

/** Matches captures to layers in order by GEMM shape; the first capture of each layer's shape wins. */
export function matchCaptures(layers: readonly Layer[], caps: readonly GemmCapture[]): (GemmCapture | undefined)[] {
  const used = new Set<number>();
  let from = 0;
  return layers.map((l) => {
    const g = gemmView(l);
    for (let j = from; j < caps.length; j++) {
      const c = caps[j];
      if (!used.has(j) && c.m === g.m && c.n === g.n && c.k === g.k) {
        used.add(j);
        from = j + 1;
        return c;
      }
    }
    return undefined;
  });
}

export interface GateSamples {
  readonly samples: (index: number, layer: Layer) => GemmSample | undefined;
  readonly description: string;
}

/** Samples of a model for a PE, or undefined when the model has no weights. */
export function gateSamples(source: string, workload: Workload, pe: PeKind, opts: { images?: number; seed?: number } = {}): GateSamples | undefined {
  const s = source.trim();
  const images = opts.images ?? 1;
  if (trainedMetrics()[s] !== undefined) {
    const caps = matchCaptures(workload.layers, captureTrained(s, images));
    const description = `${s} weights, activations of ${images} Fashion-MNIST test image${images === 1 ? '' : 's'} (fp32 reference executor)`;
    const memo = new Map<number, GemmSample>();
    return {
      description,
      samples: (i) => {
        const c = caps[i];
        if (!c) return undefined;
        let q = memo.get(i);
        if (!q) {
          q = quantizeCapture(pe, c, description);
          memo.set(i, q);
        }
        return q;
      },
    };
  }
  if (/\.onnx$/i.test(s) && existsSync(s) && hasWeights(loadGraph(s)) && workload.weights !== undefined) {
    const description = `${s} weights, activations from the stated distribution (no data set for this model)`;
    return {
      description,
      samples: (i, layer) => {
        const w = workload.weights?.[i];
        if (!w) return undefined;
        const g = gemmView(layer);
        const m = Math.min(g.m, 64);
        const rng = makeRng((opts.seed ?? 1) + i);
        const a = new Float32Array(m * g.k);
        for (let j = 0; j < a.length; j++) a[j] = i === 0 ? rng.normal() : Math.max(0, rng.normal());
        return quantizeCapture(pe, { a, b: w, m, n: g.n, k: g.k }, description);
      },
    };
  }
  return undefined;
}
