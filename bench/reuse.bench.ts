/**
 * Computation reuse benchmarks: the cost of MST construction (Hamming matrix + two Prim
 * passes + re-rooting) per binary layer of binary_resnet18, and the saving on random vs
 * trained / correlated weights. `printReuseBench()` prints both tables.
 */
import { existsSync, readFileSync } from 'node:fs';
import onnxPkg from 'onnx-proto';
import { performance } from 'node:perf_hooks';
import { loadWorkload } from '../models/workload.ts';
import { gemmView } from '../sim/workload/layer.ts';
import { mstStats, buildReuseTree, hammingMatrix } from '../sim/schedulers/mst-reuse.ts';
import { correlatedWeights, layerWeightSeed, packColumns, randomPacked } from '../sim/schedulers/mst-layer.ts';

const { onnx } = onnxPkg;

const TRAINED = ['models/data/trained/bcnn.onnx', 'models/data/trained/binary_cnn.onnx'];


/**
 * The +-1 conv weights of a trained binary ONNX model, read straight from its initializers
 * (4-D float tensors whose every value is +1 or -1), as K x N B matrices: for models the
 * importer cannot run yet (bcnn.onnx's Sign op).
 */
function binaryInitializers(file: string): { name: string; k: number; n: number; w: Float32Array }[] {
  const m = onnx.ModelProto.decode(readFileSync(file));
  const out: { name: string; k: number; n: number; w: Float32Array }[] = [];
  for (const t of m.graph?.initializer ?? []) {
    const dims = (t.dims ?? []).map(Number);
    if (dims.length !== 4 || t.dataType !== 1) continue;
    const raw = t.rawData && t.rawData.length > 0
      ? new Float32Array(new Uint8Array(t.rawData).buffer.slice(0))
      : Float32Array.from(t.floatData ?? []);
    if (raw.length === 0 || raw.some((v) => v !== 1 && v !== -1)) continue;
    const [f, c, kh, kw] = dims;
    const k = c * kh * kw;
    const w = new Float32Array(k * f);
    for (let o = 0; o < f; o++) for (let ci = 0; ci < c; ci++) for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) {
      w[((y * kw + x) * c + ci) * f + o] = raw[((o * c + ci) * kh + y) * kw + x];
    }
    out.push({ name: t.name ?? '?', k, n: f, w });
  }
  return out;
}

function row(cells: (string | number)[]): string {
  return `| ${cells.join(' | ')} |`;
}

export function printReuseBench(): void {
  const work = loadWorkload('binary_resnet18');
  const out: string[] = ['', '## MST construction per binary layer of binary_resnet18 (seeded random +-1 weights)', ''];
  out.push(row(['layer', 'channels x K', 'hamming ms', 'tree ms', 'total ms', 'ops saved', 'depth']), row(['---', '---', '---', '---', '---', '---', '---']));
  let total = 0;
  work.layers.forEach((layer, i) => {
    if (!work.binary?.[i]) return;
    const g = gemmView(layer);
    const packed = randomPacked(layerWeightSeed(1, i), g.n, g.k);
    const t0 = performance.now();
    const dist = hammingMatrix(packed, g.n, g.k);
    const t1 = performance.now();
    const tree = buildReuseTree(dist, g.n);
    const t2 = performance.now();
    const st = mstStats(tree, g.n, g.k);
    total += t2 - t0;
    out.push(row([layer.name, `${g.n} x ${g.k}`, (t1 - t0).toFixed(2), (t2 - t1).toFixed(2), (t2 - t0).toFixed(2), `${(100 * st.saving).toFixed(1)}%`, st.tree_depth]));
  });
  out.push('', `all binary layers: ${total.toFixed(1)} ms`, '');

  out.push('## MST saving: random vs trained / correlated weights', '');
  out.push(row(['weights', 'layer', 'channels x K', 'ops saved', 'depth', 'weight bits direct -> reuse']), row(['---', '---', '---', '---', '---', '---']));
  const add = (what: string, name: string, w: Float32Array | Uint32Array, k: number, n: number) => {
    const packed = w instanceof Uint32Array ? w : packColumns(w, k, n, (v) => v < 0);
    const st = mstStats(buildReuseTree(hammingMatrix(packed, n, k), n), n, k);
    out.push(row([what, name, `${n} x ${k}`, `${(100 * st.saving).toFixed(1)}%`, st.tree_depth, `${st.direct_weight_bits} -> ${st.reuse_weight_bits}`]));
  };
  for (const [n, k] of [[64, 576], [256, 2304]] as const) {
    add('random +-1', `synthetic`, randomPacked(7, n, k), k, n);
    add('correlated (3 prototypes, 8% flips)', 'synthetic', correlatedWeights(7, k, n, 0.08), k, n);
  }
  const trained = TRAINED.find((p) => existsSync(p));
  if (trained !== undefined) {
    try {
      const layers = binaryInitializers(trained);
      if (layers.length === 0) out.push('', `${trained}: no +-1 conv weights found`);
      for (const l of layers) {
        add(`trained (${trained})`, l.name, l.w, l.k, l.n);
        // the same shape with random weights, for comparison
        add('random +-1, same shape', l.name, randomPacked(11, l.n, l.k), l.k, l.n);
      }
    } catch (e) {
      out.push('', `trained binary model ${trained}: could not be read (${e instanceof Error ? e.message : String(e)})`);
    }
  } else {
    out.push('', `no trained binary model yet (${TRAINED.join(' or ')}): correlated synthetic weights stand in`);
  }
  process.stdout.write(out.join('\n') + '\n');
}

if (import.meta.url === `file://${process.argv[1]}`) printReuseBench();
