/**
 * `bitweave exec` throughput on ResNet-18 at 64x64 (batch 1, random weights, seed 1), beside
 * onnxruntime-node's fp32 time on the same ONNX file in the same run.
 *
 * The ONNX file: the zoo's resnet18:resolution=64 graph with its batch norms merged into the
 * convolutions (what torch.onnx.export writes in eval mode), written as ONNX Conv / Relu /
 * MaxPool / Add / GlobalAveragePool / Flatten / Gemm nodes by `zooToOnnx` below (onnx-proto),
 * 11.7 M parameters. Both sides read that file: bitweave imports it (models/source.ts) and
 * onnxruntime-node loads it (CPU, default graph optimizations, one thread: the executor runs on one).
 *
 * Figures (ms per image, best of 3 rounds; images/s): the fp32 reference executor (float64
 * products and sums, one rounding per output) and the array-order executor through each PE
 * kind (fp32, fp8-e4m3, lmul-bf16; output-stationary order, exec's default) — one `exec --pe X`
 * does both, so its time per image is their sum — and onnxruntime's fp32 session.run.
 */
import onnxPkg from 'onnx-proto';
import ort from 'onnxruntime-node';
import { printTable } from '../cli/io.ts';
import { arrayBackend } from '../models/exec/array-backend.ts';
import { executeGraph } from '../models/exec/executor.ts';
import type { Graph } from '../models/graph.ts';
import { mergeBatchNorms } from '../models/merge-batchnorm.ts';
import { graphMacs } from '../models/operators.ts';
import { openModel } from '../models/source.ts';
import { buildZooModel } from '../models/zoo/index.ts';
import { getPe } from '../sim/pe/registry.ts';
import { makeRng } from '../sim/random.ts';
import { measure } from './timing.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const { onnx } = onnxPkg;

/** A zoo CNN graph (conv, relu, maxpool, add, global average pool, flatten, linear) as ONNX bytes. */
export function zooToOnnx(g: Graph): Uint8Array {
  const T = onnx.AttributeProto.AttributeType;
  const ints = (name: string, v: readonly number[]) => ({ name, type: T.INTS, ints: [...v] });
  const nodes = g.nodes.map((n) => {
    const base = { name: n.name, input: [...n.inputs], output: [n.output] };
    switch (n.op) {
      case 'conv2d':
        return {
          ...base, opType: 'Conv', attribute: [
            ints('strides', n.stride), ints('pads', n.pads), ints('dilations', n.dilation), { name: 'group', type: T.INT, i: n.groups },
          ],
        };
      case 'relu': return { ...base, opType: 'Relu' };
      case 'add': return { ...base, opType: 'Add' };
      case 'maxpool': return { ...base, opType: 'MaxPool', attribute: [ints('kernel_shape', n.kernel), ints('strides', n.stride), ints('pads', n.pads)] };
      case 'global_avgpool': return { ...base, opType: 'GlobalAveragePool' };
      case 'flatten': return { ...base, opType: 'Flatten', attribute: [{ name: 'axis', type: T.INT, i: n.axis }] };
      case 'linear': return { ...base, opType: 'Gemm', attribute: [{ name: 'transB', type: T.INT, i: 1 }] };
      default: throw new Error(`zooToOnnx: no ONNX form for ${n.op}`);
    }
  });
  const DT = onnx.TensorProto.DataType;
  const used = new Set(g.nodes.flatMap((n) => n.inputs));
  const initializer = [...g.tensors.values()].filter((t) => t.data && used.has(t.name)).map((t) => ({
    name: t.name, dims: [...t.shape], dataType: DT.FLOAT, rawData: new Uint8Array(t.data!.buffer, t.data!.byteOffset, t.data!.byteLength),
  }));
  const vi = (name: string) => ({ name, type: { tensorType: { elemType: DT.FLOAT, shape: { dim: g.tensors.get(name)!.shape.map((d) => ({ dimValue: d })) } } } });
  const model = onnx.ModelProto.create({
    irVersion: 8, producerName: 'bitweave-bench', opsetImport: [{ domain: '', version: 13 }],
    graph: { name: g.name, node: nodes, initializer, input: g.inputs.map(vi), output: g.outputs.map(vi) },
  });
  return onnx.ModelProto.encode(model).finish();
}

const PES = ['fp32', 'fp8-e4m3', 'lmul-bf16'];

export async function printExecBench(): Promise<void> {
  const zoo = mergeBatchNorms(buildZooModel('resnet18:resolution=64', { weights: true, seed: 1 }));
  const bytes = zooToOnnx(zoo);
  const file = join(mkdtempSync(join(tmpdir(), 'bitweave-bench-')), 'resnet18_64.onnx');
  writeFileSync(file, bytes);
  const shape = [1, 3, 64, 64];
  const rng = makeRng(5);
  const x = Float32Array.from({ length: 3 * 64 * 64 }, () => rng.normal());
  const g = openModel(file).graph({ input: shape });
  const macs = graphMacs(g);

  // one thread, as the executor runs on one
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const feeds = { input: new ort.Tensor('float32', x, shape) };
  await session.run(feeds);
  let ortMs = Infinity;
  for (let r = 0; r < 3; r++) {
    const t0 = performance.now();
    const n = 20;
    for (let i = 0; i < n; i++) await session.run(feeds);
    ortMs = Math.min(ortMs, (performance.now() - t0) / n);
  }
  await session.release();

  const opts = { rounds: 3, minMs: 300 };
  const refMs = measure(() => executeGraph(g, { input: x }), opts);
  const rows: string[][] = [['fp32 reference executor', refMs.toFixed(1), (1000 / refMs).toFixed(1), `${(macs / refMs / 1e3).toFixed(0)}`, (refMs / ortMs).toFixed(1)]];
  for (const pe of PES) {
    const array = arrayBackend(getPe(pe), { dataflow: 'os', rows: 32 });
    const ms = measure(() => executeGraph(g, { input: x }, { array }), opts);
    rows.push([`PE ${pe} (os order)`, ms.toFixed(1), (1000 / ms).toFixed(1), `${(macs / ms / 1e3).toFixed(0)}`, (ms / ortMs).toFixed(1)]);
    rows.push([`  exec --pe ${pe} (reference + PE)`, (ms + refMs).toFixed(1), (1000 / (ms + refMs)).toFixed(1), '', ((ms + refMs) / ortMs).toFixed(1)]);
  }
  rows.push(['onnxruntime-node fp32 (1 thread)', ortMs.toFixed(2), (1000 / ortMs).toFixed(1), `${(macs / ortMs / 1e3).toFixed(0)}`, '1.0']);
  process.stdout.write(`\nexec on ResNet-18 at 64x64 (batch 1, ${(macs / 1e6).toFixed(1)} M MACs), beside onnxruntime-node in the same run:\n`);
  printTable(['executor', 'ms / image', 'images / s', 'M MAC/s', 'x onnxruntime'], rows);
}

if (import.meta.url === `file://${process.argv[1]}`) await printExecBench();
