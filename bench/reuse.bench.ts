/**
 * Computation reuse benchmarks: the cost of building the reuse tree (Hamming matrix, the
 * minimum-depth MST, and a depth-bounded tree) per binary layer of binary_resnet18, and the
 * saving and storage on random vs trained / correlated weights (bcnn and the MST-trained
 * bcnn_mst* models). `printReuseBench()` prints both tables.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import onnxPkg from 'onnx-proto';
import { performance } from 'node:perf_hooks';
import { loadWorkload } from '../models/workload.ts';
import { gemmView } from '../sim/workload/layer.ts';
import { mstStats, buildReuseTree, hammingMatrix } from '../sim/schedulers/mst-reuse.ts';
import { correlatedWeights, layerWeightSeed, packColumns, randomPacked } from '../sim/schedulers/mst-layer.ts';

const { onnx } = onnxPkg;

const TRAINED_DIR = 'models/data/trained';
/** bcnn and the MST-trained models beside it */
const TRAINED = existsSync(TRAINED_DIR)
  ? readdirSync(TRAINED_DIR).filter((f) => /^bcnn.*\.onnx$/.test(f)).sort().map((f) => `${TRAINED_DIR}/${f}`)
  : [];


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
  out.push(row(['layer', 'channels x K', 'hamming ms', 'tree ms', 'total ms', 'ops saved', 'depth', 'depth <= 4: ms', 'ops saved']),
    row(['---', '---', '---', '---', '---', '---', '---', '---', '---']));
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
    const bounded = mstStats(buildReuseTree(dist, g.n, 4), g.n, g.k);
    const t3 = performance.now();
    out.push(row([layer.name, `${g.n} x ${g.k}`, (t1 - t0).toFixed(2), (t2 - t1).toFixed(2), (t2 - t0).toFixed(2), `${(100 * st.saving).toFixed(1)}%`, st.tree_depth,
      (t3 - t2).toFixed(2), `${(100 * bounded.saving).toFixed(1)}%`]));
  });
  out.push('', `all binary layers: ${total.toFixed(1)} ms`, '');

  out.push('## MST saving: random vs trained / correlated weights', '');
  out.push(row(['weights', 'layer', 'channels x K', 'ops saved', 'depth', 'storage', 'weight bits direct -> MST']), row(['---', '---', '---', '---', '---', '---', '---']));
  const add = (what: string, name: string, w: Float32Array | Uint32Array, k: number, n: number) => {
    const packed = w instanceof Uint32Array ? w : packColumns(w, k, n, (v) => v < 0);
    const st = mstStats(buildReuseTree(hammingMatrix(packed, n, k), n), n, k);
    const s = st.storage;
    out.push(row([what, name, `${n} x ${k}`, `${(100 * st.saving).toFixed(1)}%`, st.tree_depth,
      s.format === 'direct' ? 'plain (layer)' : `${s.children_list} lists, ${s.children_plain} plain`, `${st.direct_weight_bits} -> ${st.reuse_weight_bits}`]));
  };
  for (const [n, k] of [[64, 576], [256, 2304]] as const) {
    add('random +-1', `synthetic`, randomPacked(7, n, k), k, n);
    add('correlated (3 prototypes, 8% flips)', 'synthetic', correlatedWeights(7, k, n, 0.08), k, n);
  }
  for (const trained of TRAINED) {
    const layers = binaryInitializers(trained);
    if (layers.length === 0) out.push('', `${trained}: no +-1 conv weights found`);
    for (const l of layers) add(`trained (${trained.slice(TRAINED_DIR.length + 1)})`, l.name, l.w, l.k, l.n);
  }
  for (const l of TRAINED.length > 0 ? binaryInitializers(TRAINED[0]) : []) {
    // the same shapes with random weights, for comparison
    add('random +-1, same shape', l.name, randomPacked(11, l.n, l.k), l.k, l.n);
  }
  process.stdout.write(out.join('\n') + '\n');
}

if (import.meta.url === `file://${process.argv[1]}`) printReuseBench();
