import { describe, expect, it } from 'vitest';
import { fp32Backend, outputStationaryGemm, peBackend, tensorScale, type PeGemm } from '../../models/exec/backends.ts';
import { executeGraph } from '../../models/exec/executor.ts';
import { mergeBatchNorms } from '../../models/merge-batchnorm.ts';
import { paramCount, type Graph } from '../../models/graph.ts';
import { GraphBuilder } from '../../models/zoo/builder.ts';
import { binaryResnet18 } from '../../models/zoo/cnn.ts';
import { bert, gpt2, llamaBlocks } from '../../models/zoo/transformers.ts';
import { BF16, INT8 } from '../../sim/pe/formats.ts';
import { getPe } from '../../sim/pe/registry.ts';
import { makeRng } from '../../sim/random.ts';
import { relError } from './onnx-builder.ts';

function smallCnn(): Graph {
  const b = new GraphBuilder('small', { weights: true, seed: 3 });
  let x = b.input('x', [1, 3, 16, 16]);
  x = b.relu(b.bn(b.conv(x, 'c1', { out: 8, k: 3, stride: 2 }), 'bn1'), 'r1');
  const y = b.bn(b.conv(x, 'c2', { out: 8, k: 3, groups: 8 }), 'bn2');
  x = b.relu(b.binary('add', y, x, 'add'), 'r2');
  x = b.flatten(b.gap(x, 'gap'), 'flat');
  b.output(b.linear(x, 'fc', 10));
  return b.g;
}

const rand = (n: number, seed: number) => {
  const r = makeRng(seed);
  return Float32Array.from({ length: n }, () => r.normal());
};

describe('functional execution through the PE arithmetic', () => {
  const g = smallCnn();
  const x = rand(3 * 16 * 16, 1);
  const ref = executeGraph(g, { x }).get('fc')!;

  it('fp32 PE (fp32 products and sums in k order) ~ the fp32 reference', () => {
    const out = executeGraph(g, { x }, { array: peBackend(getPe('fp32')) }).get('fc')!;
    expect(relError(out, ref)).toBeLessThan(1e-5);
  });

  it('bf16 and int8 PEs: close to the reference, not equal', () => {
    for (const [pe, tol] of [['bf16', 0.03], ['int8', 0.05], ['fp8-e4m3', 0.15]] as const) {
      const out = executeGraph(mergeBatchNorms(g), { x }, { array: peBackend(getPe(pe)) }).get('fc')!;
      const e = relError(out, ref);
      expect(e, pe).toBeLessThan(tol);
      expect(e, pe).toBeGreaterThan(0);
    }
  });

  it('the vector format rounds vector results (bf16 vs fp32)', () => {
    const out = executeGraph(g, { x }, { vectorFormat: BF16 }).get('fc')!;
    const e = relError(out, ref);
    expect(e).toBeGreaterThan(0);
    expect(e).toBeLessThan(0.05);
  });

  it('output-stationary order: each output is one pe.dot over k = 0..K-1', () => {
    const pe = getPe('bf16');
    const r = makeRng(9);
    const [m, n, k] = [3, 4, 37];
    const a = Uint32Array.from({ length: m * k }, () => pe.quantizeInput(r.normal()));
    const b = Uint32Array.from({ length: k * n }, () => pe.quantizeWeight(r.normal()));
    const out = outputStationaryGemm(pe, a, b, m, n, k);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
      let acc = pe.accZero;
      for (let p = 0; p < k; p++) acc = pe.mac(acc, a[i * k + p], b[p * n + j]);
      expect(out[i * n + j]).toBe(pe.accValue(acc));
    }
  });

  it('the PE GEMM is pluggable (the array engine can replace it)', () => {
    let calls = 0;
    const spy: PeGemm = (pe, a, b, m, n, k) => {
      calls++;
      return outputStationaryGemm(pe, a, b, m, n, k);
    };
    const out = executeGraph(g, { x }, { array: peBackend(getPe('fp32'), { gemm: spy }) }).get('fc')!;
    expect(calls).toBe(1 + 8 + 1); // c1, c2 per group, fc
    expect(relError(out, ref)).toBeLessThan(1e-5);
  });

  it('per-tensor scales: max-abs for integers, mean-abs for binary, none for floats', () => {
    const d = Float32Array.of(-2, 1, 0.5, 0.5);
    expect(tensorScale(INT8, d)).toBeCloseTo(2 / 127, 12);
    expect(tensorScale(getPe('xnor').input, d)).toBe(1);
    expect(tensorScale(BF16, d)).toBe(1);
    expect(fp32Backend.scale(d, 'input')).toBe(1);
  });

  it('batch-norm folding keeps the outputs and removes BN params', () => {
    const f = mergeBatchNorms(g);
    expect(f.nodes.filter((n) => n.op === 'batchnorm')).toHaveLength(0);
    expect(paramCount(f)).toBe(paramCount(g) - 2 * 16 + 16); // gamma/beta go, two conv biases come
    expect(relError(executeGraph(f, { x }).get('fc')!, ref)).toBeLessThan(1e-5);
  });
});

describe('transformers run end to end', () => {
  it('gpt2-style decode with a KV cache equals the prefill of the whole prompt', () => {
    const p = { batch: 1, layers: 2, dim: 16, heads: 2, vocab: 40, positions: 16 };
    const o = { weights: true, seed: 4 };
    const ids = Float32Array.of(3, 17, 5, 29, 11);
    const full = gpt2({ ...p, seq: 5, mode: 'prefill' }, o);
    const logits = executeGraph(full, { input_ids: ids }).get('lm_head')!;
    const pre = gpt2({ ...p, seq: 4, mode: 'prefill' }, o);
    const all = executeGraph(pre, { input_ids: ids.subarray(0, 4) }, { keepAll: true });
    const dec = gpt2({ ...p, seq: 4, mode: 'decode' }, o);
    const feeds: Record<string, Float32Array> = { input_ids: ids.subarray(4) };
    for (let l = 0; l < 2; l++) {
      feeds[`past.${l}.k`] = all.get(`h.${l}.attn.k`)!;
      feeds[`past.${l}.v`] = all.get(`h.${l}.attn.v`)!;
    }
    const step = executeGraph(dec, feeds);
    expect(relError(step.get('lm_head')!, logits.subarray(4 * 40))).toBeLessThan(1e-5);
    expect(step.get('h.0.attn.k_cache')!.length).toBe(5 * 16);
  });

  it('llama-style block (RoPE, GQA, SwiGLU): decode equals prefill at the last position', () => {
    const p = { batch: 1, layers: 1, dim: 16, heads: 4, kvHeads: 2, hidden: 24, ropeBase: 10000 };
    const o = { weights: true, seed: 6 };
    const x = rand(5 * 16, 2);
    const full = executeGraph(llamaBlocks({ ...p, seq: 5, mode: 'prefill' }, o), { hidden_in: x }).get('layers.0.ffn.residual')!;
    const pre = executeGraph(llamaBlocks({ ...p, seq: 4, mode: 'prefill' }, o), { hidden_in: x.subarray(0, 64) }, { keepAll: true });
    const step = executeGraph(llamaBlocks({ ...p, seq: 4, mode: 'decode' }, o), {
      hidden_in: x.subarray(64), 'past.0.k': pre.get('layers.0.attn.rope_k')!, 'past.0.v': pre.get('layers.0.attn.wv')!,
    }).get('layers.0.ffn.residual')!;
    expect(relError(step, full.subarray(64))).toBeLessThan(1e-5);
  });

  it('a small BERT runs; fp32 PE ~ reference, int8 PE within 5%', () => {
    const g = bert({ batch: 2, seq: 6, layers: 2, dim: 16, heads: 2, ffn: 32, vocab: 50 }, { weights: true, seed: 8 });
    const feeds = { input_ids: Float32Array.from({ length: 12 }, (_, i) => (i * 7) % 50), token_type_ids: new Float32Array(12) };
    const ref = executeGraph(g, feeds);
    expect(ref.get('pooler.tanh')!.every(Number.isFinite)).toBe(true);
    const seqOut = ref.get('layer.1.ffn.ln')!;
    const f = executeGraph(g, feeds, { array: peBackend(getPe('fp32')) }).get('layer.1.ffn.ln')!;
    expect(relError(f, seqOut)).toBeLessThan(1e-5);
    const q = executeGraph(g, feeds, { array: peBackend(getPe('int8')) }).get('layer.1.ffn.ln')!;
    expect(relError(q, seqOut)).toBeLessThan(0.05);
  });

  it('binary resnet18 (16x16): binary convs on an XNOR PE, the rest in fp32', () => {
    const g = binaryResnet18({ batch: 1, resolution: 16, classes: 10 }, { weights: true, seed: 2 });
    const x = rand(3 * 16 * 16, 5);
    const ref = executeGraph(g, { input: x }).get('fc')!;
    const xnor = executeGraph(g, { input: x }, { binaryArray: peBackend(getPe('xnor')) }).get('fc')!;
    expect(xnor.every(Number.isFinite)).toBe(true);
    expect(xnor.length).toBe(ref.length);
    // the XNOR array sees the zero padding of the borders as +1: close, not equal
    expect(relError(xnor, ref)).toBeGreaterThan(0);
  });

  it('binary conv / linear without padding: the XNOR PE gives exactly the reference', () => {
    const b = new GraphBuilder('bin', { weights: true, seed: 12 });
    let x = b.input('x', [2, 5, 7, 7]);
    x = b.conv(x, 'bc', { out: 6, k: 3, pad: 0, stride: 2, binary: true });
    x = b.linear(b.flatten(x, 'flat'), 'bl', 4, { binary: true });
    b.output(x);
    const xin = rand(2 * 5 * 49, 13);
    const ref = executeGraph(b.g, { x: xin }).get('bl')!;
    for (const pe of ['xnor', 'int8', 'fp32']) {
      const out = executeGraph(b.g, { x: xin }, { binaryArray: peBackend(getPe(pe)) }).get('bl')!;
      expect(relError(out, ref), pe).toBeLessThan(1e-6);
    }
  });
});
