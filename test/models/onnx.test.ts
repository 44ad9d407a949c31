import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { executeGraph } from '../../models/exec/executor.ts';
import { mergeBatchNorms } from '../../models/merge-batchnorm.ts';
import { paramCount } from '../../models/graph.ts';
import { importOnnx, SUPPORTED_ONNX_OPS } from '../../models/import/onnx.ts';
import { loadModel } from '../../models/source.ts';
import { InputError } from '../../sim/errors.ts';
import { runCli } from '../cli/run-cli.ts';
import { OnnxModelBuilder, randomInput, relError, runOrt } from './onnx-builder.ts';

/** conv (asymmetric pads, stride, dilation), BN, relu, grouped conv, residual add, pool, depthwise, clip, GAP, gemm */
function cnnModel(): Uint8Array {
  const b = new OnnxModelBuilder(11);
  b.input('x', [1, 3, 12, 12]);
  b.node('Conv', ['x', b.weight('w1', [8, 3, 3, 3]), b.weight('b1', [8], 0.1)], 'c1', { pads: [1, 0, 2, 1], strides: [2, 1], dilations: [1, 2], kernel_shape: [3, 3] });
  const pos = (n: number) => Float32Array.from({ length: n }, (_, i) => 0.5 + 0.1 * i);
  b.node('BatchNormalization', ['c1', b.weight('g', [8]), b.weight('beta', [8], 0.2), b.weight('mu', [8], 0.3), b.weight('var', [8], 0, pos(8))], 'bn1', { epsilon: { float: 1e-5 } });
  b.node('Relu', ['bn1'], 'r1');
  b.node('Conv', ['r1', b.weight('w2', [8, 4, 3, 3], 0.3)], 'c2', { pads: [1, 1, 1, 1], group: 2 });
  b.node('Add', ['c2', 'r1'], 'res');
  b.node('MaxPool', ['res'], 'mp', { kernel_shape: [2, 2], strides: [2, 2] });
  b.node('Conv', ['mp', b.weight('wd', [8, 1, 3, 3])], 'dw', { pads: [1, 1, 1, 1], group: 8 });
  b.node('Clip', ['dw', b.weight('lo', [], 0, Float32Array.of(0)), b.weight('hi', [], 0, Float32Array.of(6))], 'clip');
  b.node('GlobalAveragePool', ['clip'], 'gap');
  b.node('Flatten', ['gap'], 'flat', { axis: 1 });
  b.node('Gemm', ['flat', b.weight('wf', [10, 8]), b.weight('bf', [10], 0.1)], 'logits', { transB: 1 });
  b.output('logits');
  return b.encode();
}

/** layer norm, q/k/v projections, heads via reshape/transpose, Q K^T, scale, softmax, A V, erf-GELU */
function attentionModel(): Uint8Array {
  const b = new OnnxModelBuilder(12);
  const [B, S, D, H] = [2, 5, 8, 2];
  b.input('x', [B, S, D]);
  b.node('LayerNormalization', ['x', b.weight('ln_g', [D]), b.weight('ln_b', [D], 0.1)], 'ln', { axis: -1, epsilon: { float: 1e-5 } });
  for (const p of ['q', 'k', 'v']) {
    b.node('MatMul', ['ln', b.weight(`w${p}`, [D, D])], p);
    b.node('Reshape', [p, b.ints(`shape_${p}`, [B, S, H, D / H])], `${p}4`);
  }
  b.node('Transpose', ['q4'], 'qh', { perm: [0, 2, 1, 3] });
  b.node('Transpose', ['k4'], 'kt', { perm: [0, 2, 3, 1] });
  b.node('Transpose', ['v4'], 'vh', { perm: [0, 2, 1, 3] });
  b.node('MatMul', ['qh', 'kt'], 'scores');
  b.node('Mul', ['scores', b.weight('scale', [1], 0, Float32Array.of(0.5))], 'scaled');
  b.node('Softmax', ['scaled'], 'probs', { axis: -1 });
  b.node('MatMul', ['probs', 'vh'], 'ctx');
  b.node('Transpose', ['ctx'], 'ctx_t', { perm: [0, 2, 1, 3] });
  b.node('Reshape', ['ctx_t', b.ints('shape_out', [B, S, D])], 'ctx_flat');
  b.node('MatMul', ['ctx_flat', b.weight('wo', [D, D])], 'proj');
  b.node('Add', ['proj', b.weight('bo', [D], 0.1)], 'proj_b');
  b.node('Add', ['proj_b', 'x'], 'res');
  // GELU as PyTorch exports it at opset 17: x * 0.5 * (1 + erf(x / sqrt 2))
  b.node('Div', ['res', b.weight('sqrt2', [], 0, Float32Array.of(Math.SQRT2))], 'gd');
  b.node('Erf', ['gd'], 'ge');
  b.node('Add', ['ge', b.weight('one', [], 0, Float32Array.of(1))], 'g1');
  b.node('Mul', ['res', 'g1'], 'g2');
  b.node('Mul', ['g2', b.weight('half', [], 0, Float32Array.of(0.5))], 'y');
  b.output('y');
  return b.encode();
}

/** Gemm with transB = 0, sigmoid, MatMul with a weight, tanh, concat, div / sub by constants */
function mlpModel(): Uint8Array {
  const b = new OnnxModelBuilder(13);
  b.input('x', ['N', 6]);
  b.node('Gemm', ['x', b.weight('w', [6, 5]), b.weight('c', [5], 0.1)], 'h');
  b.node('Sigmoid', ['h'], 's');
  b.node('MatMul', ['x', b.weight('w2', [6, 3])], 'm');
  b.node('Tanh', ['m'], 't');
  b.node('Concat', ['s', 't'], 'cat', { axis: 1 });
  b.node('Div', ['cat', b.weight('two', [], 0, Float32Array.of(2))], 'd');
  b.node('Sub', ['d', b.weight('off', [8], 0.3)], 'y');
  b.output('y');
  return b.encode();
}

async function compare(bytes: Uint8Array, inShape: number[], dims?: Record<string, number>): Promise<number> {
  const g = importOnnx(bytes, { file: 't.onnx', ...(dims && { dims }) });
  const x = randomInput(inShape.reduce((a, c) => a * c, 1));
  const ours = executeGraph(g, { x });
  const ref = await runOrt(bytes, { x: { data: x, dims: inShape } });
  const name = g.outputs[0];
  expect(ours.get(name)!.length).toBe(ref[name].length);
  return relError(ours.get(name)!, ref[name]);
}

describe('ONNX import vs onnxruntime-node (fp32, 1e-5 relative)', () => {
  it('conv / batch norm / grouped + depthwise conv / residual add / pooling / gemm', async () => {
    expect(await compare(cnnModel(), [1, 3, 12, 12])).toBeLessThan(1e-5);
  });
  it('attention-like matmuls with heads, softmax, layer norm, erf GELU', async () => {
    expect(await compare(attentionModel(), [2, 5, 8])).toBeLessThan(1e-5);
  });
  it('gemm (transB 0), matmul with a weight, concat, element-wise with constants, symbolic batch', async () => {
    expect(await compare(mlpModel(), [3, 6], { N: 3 })).toBeLessThan(1e-5);
  });

  it('initializers become weights, BN statistics buffers; folding BN keeps the output', () => {
    const g = importOnnx(cnnModel());
    // w1 81*... : conv1 216+8, bn gamma/beta 16, conv2 288, dw 72, fc 80+10, clip bounds 2 (consts counted as params)
    expect(g.tensors.get('mu')!.role).toBe('buffer');
    expect(g.tensors.get('var')!.role).toBe('buffer');
    expect(paramCount(g)).toBe(216 + 8 + 16 + 288 + 72 + 80 + 10 + 2);
    const x = randomInput(3 * 12 * 12, 3);
    const a = executeGraph(g, { x }).get('logits')!;
    const folded = mergeBatchNorms(g);
    expect(folded.nodes.some((n) => n.op === 'batchnorm')).toBe(false);
    const b = executeGraph(folded, { x }).get('logits')!;
    expect(relError(b, a)).toBeLessThan(1e-5);
  });

  it('lowers the attention-like model: batched GEMMs per head on the array', () => {
    const g = importOnnx(attentionModel());
    const l = loadModelFromBytes(attentionModel());
    const qk = l.arrayOps.find((o) => o.node === 'scores')!;
    expect(qk.repeat).toBe(4); // batch 2 x heads 2
    expect(qk.layer).toMatchObject({ kind: 'gemm', m: 5, n: 5, k: 4 });
    expect(l.arrayOps.filter((o) => o.op === 'linear')).toHaveLength(4);
    expect(g.nodes.find((n) => n.name === 'scores')!.op).toBe('matmul');
  });
});

function loadModelFromBytes(bytes: Uint8Array) {
  const dir = mkdtempSync(join(tmpdir(), 'bitweave-onnx-'));
  const file = join(dir, 'm.onnx');
  writeFileSync(file, bytes);
  return loadModel(file).lowered;
}

describe('ONNX bad input', () => {
  it('a truncated file is an InputError naming the file', () => {
    const bytes = cnnModel();
    expect(() => importOnnx(bytes.subarray(0, Math.floor(bytes.length / 2)), { file: 'cut.onnx' })).toThrow(/cut\.onnx: not a valid ONNX model/);
  });
  it('corrupt bytes and an empty file are InputErrors', () => {
    const junk = Uint8Array.from({ length: 200 }, (_, i) => (i * 37 + 11) & 0xff);
    expect(() => importOnnx(junk, { file: 'junk.onnx' })).toThrow(InputError);
    expect(() => importOnnx(new Uint8Array(0), { file: 'empty.onnx' })).toThrow(/empty file/);
  });
  it('an unsupported operator names the node, its op type and the supported list', () => {
    const b = new OnnxModelBuilder();
    b.input('x', [1, 4]);
    b.node('Relu', ['x'], 'r');
    b.node('Celu', ['r'], 'hs', undefined, 'my_celu');
    b.output('hs');
    let msg = '';
    try {
      importOnnx(b.encode(), { file: 'u.onnx' });
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      msg = (e as Error).message;
    }
    expect(msg).toContain("node 'my_celu' (Celu)");
    expect(msg).toContain("unsupported op type 'Celu'");
    for (const op of SUPPORTED_ONNX_OPS) expect(msg).toContain(op);
  });
  it('a shape mismatch between layers names the node', () => {
    const b = new OnnxModelBuilder();
    b.input('x', [2, 6]);
    b.node('MatMul', ['x', b.weight('w', [6, 4])], 'h');
    b.node('MatMul', ['h', b.weight('w2', [5, 3])], 'bad_mm');
    b.output('bad_mm');
    expect(() => importOnnx(b.encode(), { file: 's.onnx' })).toThrow(/s\.onnx: node 'bad_mm' \(linear\): input \[2, 4\] has 4 features, the weight \[3, 5\] expects 5/);
  });
  it('the CLI exits 2 on a corrupt ONNX file and an unsupported operator', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bitweave-onnx-'));
    const bad = join(dir, 'bad.onnx');
    writeFileSync(bad, cnnModel().subarray(0, 100));
    const r = runCli(['zoo', 'show', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('bad.onnx: not a valid ONNX model');
  });
});
