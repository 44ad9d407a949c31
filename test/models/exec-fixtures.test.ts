/**
 * `bitweave exec` on the ONNX fixtures (real torch.onnx.export output, test/fixtures/onnx/),
 * against what the code did not compute:
 *
 * - fp32: the reference executor and the fp32 PE (output-stationary order on 32 rows, exec's
 *   default array) give PyTorch's recorded outputs and onnxruntime-node's, each within 1e-5
 *   relative: max |exec - other| / max |other| over each output tensor, every case (batch 1 and,
 *   for the dynamic-batch fixtures, batch 2);
 * - MACs against the counts the export script recorded with forward hooks (meta.json), by kind:
 *   conv = conv2d nodes; linear + attention_projections = linear nodes (a MatMul / Gemm with a
 *   constant B, which is how nn.MultiheadAttention's F.linear projections export); attention
 *   matmuls = matmul / einsum nodes with two computed operands; lstm = the unrolled LSTM's gate
 *   matmuls (4H x (input + H) per step and layer in both counts: the recurrent product of the
 *   first step, with h0 = 0, is computed on the array and counted by the hooks alike);
 * - parameters against the file's initializers (meta.json's count; DenseNet's batch-norm
 *   running statistics are buffers, not parameters, as PyTorch's `parameters()` says);
 * - fp8-e4m3 and bf16: efficientnet_b0 and gpt2_block equal, bit for bit, an independent ONNX
 *   interpreter with emulated PEs written in the tests (onnx-emulator.ts).
 */
import ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { arrayBackend } from '../../models/exec/array-backend.ts';
import { bindInputs } from '../../models/exec/inputs.ts';
import { runModel, type PeSetup } from '../../models/exec/run-model.ts';
import { paramCount, tensor, type Graph } from '../../models/graph.ts';
import { nodeMacs } from '../../models/operators.ts';
import { openModel } from '../../models/source.ts';
import { getPe } from '../../sim/pe/registry.ts';
import { emulate, PES } from './onnx-emulator.ts';
import { relError } from './onnx-builder.ts';
import { fixtureCase, fixtureMeta, fixtureModel, fixtureNames, fixturePath } from './onnx-fixtures.ts';

const TOLERANCE = 1e-5;
const ORDER = { dataflow: 'os' as const, rows: 32 };

function load(name: string, caseIndex: number) {
  const meta = fixtureMeta(name);
  const c = meta.cases[caseIndex];
  const { inputs, outputs } = fixtureCase(name, c);
  const model = openModel(fixturePath(name, 'model.onnx'));
  const bound = bindInputs(model.inputs, [...inputs].map(([n, a]) => ({ name: n, file: `${name}/${c.inputs[n].file}`, arrays: a })));
  return { meta, c, inputs, outputs, graph: model.graph(bound.importShapes), bound };
}

function run(name: string, caseIndex: number, setups: PeSetup[]) {
  const f = load(name, caseIndex);
  return { ...f, result: runModel({ graph: f.graph, inputs: f.bound.values, samples: f.bound.samples, setups, nodes: false }) };
}

async function onnxruntime(name: string, inputs: ReadonlyMap<string, { shape: readonly number[]; data: unknown }>) {
  const session = await ort.InferenceSession.create(fixtureModel(name));
  const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {};
  for (const [k, a] of inputs) feeds[k] = new ort.Tensor('float32', a.data as Float32Array, [...a.shape]);
  const out = await session.run(feeds);
  await session.release();
  return out;
}

describe.each(fixtureNames())('exec on fixture %s', (name) => {
  it(`fp32 (reference executor and fp32 PE) = PyTorch and onnxruntime within ${TOLERANCE} relative, every case`, async () => {
    const meta = fixtureMeta(name);
    for (let ci = 0; ci < meta.cases.length; ci++) {
      const { result, outputs, inputs, c } = run(name, ci, [{ label: 'fp32', array: arrayBackend(getPe('fp32'), ORDER) }]);
      const ortOut = await onnxruntime(name, inputs);
      for (const [k, want] of outputs) {
        const ref = result.reference.outputs.find((o) => o.name === k)!;
        const pe = result.runs[0].outputs.find((o) => o.name === k)!;
        expect(ref.shape, `${k} batch ${c.batch}`).toEqual(want.shape);
        const torch = want.data as Float32Array, rt = ortOut[k].data as Float32Array;
        const errs = { ref_torch: relError(ref.values, torch), ref_ort: relError(ref.values, rt), pe_torch: relError(pe.values, torch), pe_ort: relError(pe.values, rt) };
        for (const [what, e] of Object.entries(errs)) expect(e, `${k} batch ${c.batch} ${what}`).toBeLessThanOrEqual(TOLERANCE);
      }
    }
  });

  it('MACs by kind equal the forward hooks\' counts; parameters equal the file\'s', () => {
    const { meta, graph, c } = load(name, 0);
    const by: Record<string, number> = { conv: 0, linear: 0, attention: 0, lstm: 0 };
    for (const n of graph.nodes) {
      const m = nodeMacs(graph, n) / c.batch;
      if (m === 0) continue;
      const computedB = (g: Graph) => tensor(g, n.inputs[1]).data === undefined;
      if (n.op === 'conv2d') by.conv += m;
      else if (n.op === 'linear') by.linear += m;
      else if ((n.op === 'matmul' || n.op === 'einsum') && computedB(graph)) by.attention += m;
      else if (n.op === 'matmul' || n.op === 'einsum') by.linear += m;
      else if (n.op === 'lstm' || n.op === 'gru') by.lstm += m;
      else throw new Error(`MACs in a ${n.op} node`);
    }
    const k = (kind: string) => meta.macs_per_sample.by_kind[kind] ?? 0;
    expect(by).toEqual({
      conv: k('conv'), linear: k('linear') + k('attention_projections'), attention: k('attention_matmuls'), lstm: k('lstm'),
    });
    expect(by.conv + by.linear + by.attention + by.lstm).toBe(meta.macs_per_sample.total);
    // batch-norm running statistics are the file's too, but buffers (not parameters)
    const buffers = [...graph.tensors.values()].filter((t) => t.role === 'buffer').reduce((s, t) => s + t.shape.reduce((a, b) => a * b, 1), 0);
    expect(paramCount(graph) + buffers).toBe(meta.parameters);
    if (!('BatchNormalization' in meta.op_types)) expect(buffers).toBe(0);
  });
});

describe('exec through fp8-e4m3 and bf16 = an independent emulation, bit for bit', () => {
  for (const name of ['efficientnet_b0', 'gpt2_block']) {
    for (const pe of ['fp8-e4m3', 'bf16'] as const) {
      it(`${name}, ${pe}`, () => {
        const { result, inputs } = run(name, 0, [{ label: pe, array: arrayBackend(getPe(pe), ORDER) }]);
        const want = emulate(fixtureModel(name), Object.fromEntries([...inputs].map(([k, a]) => [k, a.data as Float32Array])), PES[pe]);
        for (const o of result.runs[0].outputs) {
          const w = want.get(o.name)!;
          expect(o.values.length).toBe(w.length);
          // bit patterns equal (and the PE's error is real: not the fp32 reference's values)
          expect(Array.from(new Uint32Array(o.values.buffer, o.values.byteOffset, o.values.length)), `${name} ${pe} ${o.name}`)
            .toEqual(Array.from(new Uint32Array(w.buffer)));
          expect(o.figures.snr_db).toBeLessThan(80);
        }
      });
    }
  }
});

describe('exec with an attention PE = the independent emulation, bit for bit', () => {
  it('gpt2_block: bf16 on the array, fp8-e4m3 on the attention matmuls (Q K^T, A V) alone', () => {
    const name = 'gpt2_block';
    const setup = { label: 'bf16+attention-fp8-e4m3', array: arrayBackend(getPe('bf16'), ORDER), attention: arrayBackend(getPe('fp8-e4m3'), ORDER) };
    const { result, inputs } = run(name, 0, [setup]);
    const feeds = Object.fromEntries([...inputs].map(([k, a]) => [k, a.data as Float32Array]));
    const want = emulate(fixtureModel(name), feeds, PES.bf16, PES['fp8-e4m3']);
    const bf16Only = emulate(fixtureModel(name), feeds, PES.bf16);
    for (const o of result.runs[0].outputs) {
      const bits = (x: Float32Array) => Array.from(new Uint32Array(x.buffer, x.byteOffset, x.length));
      expect(bits(o.values), o.name).toEqual(bits(want.get(o.name)!));
      // the attention PE made a difference: not the all-bf16 outputs
      expect(bits(o.values), o.name).not.toEqual(bits(bf16Only.get(o.name)!));
    }
  });
});
