/**
 * The trained character-level Austen language model (models/data/trained/lm-*, trained by
 * models/train/lm/) and its evaluation text (models/data/text/austen-eval.txt): the recorded
 * PyTorch figures agree with the committed per-window records and files, the ONNX graph is the
 * one described, and onnxruntime-node running the exported ONNX file gives PyTorch's recorded
 * logits, PyTorch's bits per character over the first windows and PyTorch's greedy continuation.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import onnxPkg from 'onnx-proto';
import { describe, expect, it } from 'vitest';

const { onnx } = onnxPkg;
const DIR = new URL('../../models/data/trained/', import.meta.url);
const read = (f: string) => new Uint8Array(readFileSync(new URL(f, DIR)));
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

interface Figures {
  windows: number;
  chars_scored: number;
  bits_per_char: number;
  nats_per_char: number;
  perplexity: number;
  top1_correct: number;
  top1_accuracy: number;
}
interface LmMetrics {
  model: {
    onnx: string;
    onnx_sha256: string;
    ops: Record<string, number>;
    config: { vocab: number; context: number; dim: number; heads: number; layers: number; hidden: number };
    parameters: number;
    macs_per_window: { linear: number; attention: number; total: number };
  };
  dataset: { text: string; text_sha256: string; text_bytes: number };
  eval: Figures;
  eval_prefix: Record<string, Figures>;
  files: { logits_first2: { file: string; sha256: string }; windows: { file: string; sha256: string } };
  training: { valid_bits_per_char: number };
  greedy: { prompt: string; continuation: string };
}
const metrics = JSON.parse(readFileSync(new URL('lm-metrics.json', DIR), 'utf8')) as LmMetrics;
const { context: T, vocab: V } = metrics.model.config;
const text = new Uint8Array(readFileSync(new URL(`../../${metrics.dataset.text}`, import.meta.url)));
const windowCount = Math.floor((text.length - 1) / T);

/** Per window [sum of -log2 p, top-1 hits] as PyTorch recorded them. */
function windowRecords(): Float64Array {
  const b = read(metrics.files.windows.file);
  return new Float64Array(b.slice().buffer);
}

/** The protocol's window w: tokens bytes [w T, w T + T), targets bytes [w T + 1, w T + T + 1). */
function windowTokens(w: number): { tokens: Uint8Array; targets: Uint8Array } {
  return { tokens: text.subarray(w * T, w * T + T), targets: text.subarray(w * T + 1, w * T + T + 1) };
}

/** Sum of -log2 softmax(logits)[target] over one window and its top-1 hits, in float64. */
function scoreWindow(logits: Float32Array, targets: Uint8Array): { bits: number; hits: number } {
  let bits = 0;
  let hits = 0;
  for (let i = 0; i < T; i++) {
    const row = logits.subarray(i * V, i * V + V);
    let best = 0;
    for (let c = 1; c < V; c++) if (row[c] > row[best]) best = c;
    let sum = 0;
    for (let c = 0; c < V; c++) sum += Math.exp(row[c] - row[best]);
    bits -= (row[targets[i]] - row[best] - Math.log(sum)) / Math.LN2;
    if (best === targets[i]) hits++;
  }
  return { bits, hits };
}

describe('language model: recorded figures and files', () => {
  it('the evaluation text is the recorded file, in the normalized alphabet', () => {
    expect(text.length).toBe(metrics.dataset.text_bytes);
    expect(sha256(text)).toBe(metrics.dataset.text_sha256);
    let outside = 0;
    for (const b of text) if (b !== 10 && (b < 32 || b > 126)) outside++;
    expect(outside).toBe(0);
  });

  it('the model files are the recorded ones', () => {
    expect(sha256(read(metrics.model.onnx))).toBe(metrics.model.onnx_sha256);
    expect(sha256(read(metrics.files.logits_first2.file))).toBe(metrics.files.logits_first2.sha256);
    expect(read(metrics.files.logits_first2.file).length).toBe(2 * T * V * 4);
    expect(sha256(read(metrics.files.windows.file))).toBe(metrics.files.windows.sha256);
  });

  it('the figures follow from the per-window records over every window, and prefixes', () => {
    const rec = windowRecords();
    expect(rec.length).toBe(2 * windowCount);
    const check = (f: Figures, w: number) => {
      let bits = 0;
      let hits = 0;
      for (let i = 0; i < w; i++) {
        bits += rec[2 * i];
        hits += rec[2 * i + 1];
      }
      expect(f.windows).toBe(w);
      expect(f.chars_scored).toBe(w * T);
      expect(f.bits_per_char).toBeCloseTo(bits / (w * T), 12);
      expect(f.nats_per_char).toBeCloseTo(f.bits_per_char * Math.LN2, 12);
      expect(f.perplexity).toBeCloseTo(2 ** f.bits_per_char, 10);
      expect(f.top1_correct).toBe(hits);
      expect(f.top1_accuracy).toBeCloseTo(hits / (w * T), 12);
    };
    check(metrics.eval, windowCount);
    for (const [w, f] of Object.entries(metrics.eval_prefix)) check(f, Number(w));
  });

  it('the model learned: well under 2.5 bits per character on the held-out novel', () => {
    expect(metrics.eval.bits_per_char).toBeLessThan(2.5);
    expect(metrics.training.valid_bits_per_char).toBeLessThan(2.5);
    // a unigram model of the text needs ~4.4 bits per character; a character LM's top-1 beats 50 %
    expect(metrics.eval.top1_accuracy).toBeGreaterThan(0.5);
  });

  it('the ONNX graph: the recorded op types, tokens int64 [1, T] -> logits float32 [1, T, V]', () => {
    const model = onnx.ModelProto.decode(read(metrics.model.onnx));
    const graph = model.graph!;
    const ops: Record<string, number> = {};
    for (const n of graph.node ?? []) ops[n.opType!] = (ops[n.opType!] ?? 0) + 1;
    expect(ops).toEqual(metrics.model.ops);
    const dims = (v: typeof graph.input) => (v ?? []).map((i) => [
      i.name, i.type!.tensorType!.elemType, (i.type!.tensorType!.shape!.dim ?? []).map((d) => Number(d.dimValue)),
    ]);
    expect(dims(graph.input)).toEqual([['tokens', onnx.TensorProto.DataType.INT64, [1, T]]]);
    expect(dims(graph.output)).toEqual([['logits', onnx.TensorProto.DataType.FLOAT, [1, T, V]]]);
    // the attention MatMuls multiply two activations: per layer, q k^T and softmax(.) v
    const inits = new Set((graph.initializer ?? []).map((t) => t.name));
    const actMatMuls = (graph.node ?? []).filter((n) => n.opType === 'MatMul' && !inits.has(n.input![1]));
    expect(actMatMuls.length).toBe(2 * metrics.model.config.layers);
    let params = 0;
    for (const t of graph.initializer ?? []) params += (t.dims ?? []).reduce((a: number, d) => a * Number(d), 1);
    expect(params).toBe(metrics.model.parameters);
  });

  it('MACs per window: the dense MatMul sizes of the configuration', () => {
    const { dim: d, hidden: h, layers: L } = metrics.model.config;
    const linear = L * T * (4 * d * d + 2 * d * h) + T * d * V;
    const attention = L * 2 * T * T * d;
    expect(metrics.model.macs_per_window).toEqual({ linear, attention, total: linear + attention });
  });
});

describe('language model in onnxruntime-node: the PyTorch figures', () => {
  type Ort = typeof import('onnxruntime-node');
  const run = async (ort: Ort, session: import('onnxruntime-node').InferenceSession, w: number) => {
    const { tokens } = windowTokens(w);
    const input = new ort.Tensor('int64', BigInt64Array.from(tokens, (b) => BigInt(b)), [1, T]);
    const out = (await session.run({ tokens: input })).logits;
    expect(out.dims).toEqual([1, T, V]);
    return out.data as Float32Array;
  };

  it('windows 0 and 1: logits equal PyTorch\'s recorded logits to 1e-5 of their scale', async () => {
    const ort = await import('onnxruntime-node');
    const session = await ort.InferenceSession.create(read(metrics.model.onnx));
    const ref = new Float32Array(read(metrics.files.logits_first2.file).slice().buffer);
    const rec = windowRecords();
    for (let w = 0; w < 2; w++) {
      const got = await run(ort, session, w);
      const want = ref.subarray(w * T * V, (w + 1) * T * V);
      let scale = 0;
      let maxErr = 0;
      for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
      for (let i = 0; i < want.length; i++) maxErr = Math.max(maxErr, Math.abs(got[i] - want[i]));
      expect(maxErr / scale).toBeLessThan(1e-5);
      // the recorded logits score to the recorded per-window figures (the protocol in float64)
      const s = scoreWindow(want, windowTokens(w).targets);
      expect(s.bits).toBeCloseTo(rec[2 * w], 9);
      expect(s.hits).toBe(rec[2 * w + 1]);
    }
    await session.release();
  });

  it('the first 64 windows: bits per character equal PyTorch\'s to 1e-5, top-1 to one flip', async () => {
    const W = 64;
    const want = metrics.eval_prefix[String(W)];
    const ort = await import('onnxruntime-node');
    const session = await ort.InferenceSession.create(read(metrics.model.onnx));
    let bits = 0;
    let hits = 0;
    for (let w = 0; w < W; w++) {
      const s = scoreWindow(await run(ort, session, w), windowTokens(w).targets);
      bits += s.bits;
      hits += s.hits;
    }
    await session.release();
    expect(Math.abs(bits / (W * T) - want.bits_per_char)).toBeLessThan(1e-5);
    expect(Math.abs(hits - want.top1_correct)).toBeLessThanOrEqual(1);
  });

  it('greedy decoding from the recorded prompt gives PyTorch\'s continuation', async () => {
    const ort = await import('onnxruntime-node');
    const session = await ort.InferenceSession.create(read(metrics.model.onnx));
    const seq = [...Buffer.from(metrics.greedy.prompt, 'ascii')];
    while (seq.length < T) {
      const padded = BigInt64Array.from({ length: T }, (_, i) => BigInt(i < seq.length ? seq[i] : 32));
      const out = (await session.run({ tokens: new ort.Tensor('int64', padded, [1, T]) })).logits.data as Float32Array;
      const row = out.subarray((seq.length - 1) * V, seq.length * V);
      let best = 0;
      for (let c = 1; c < V; c++) if (row[c] > row[best]) best = c;
      seq.push(best);
    }
    await session.release();
    expect(Buffer.from(seq.slice(metrics.greedy.prompt.length)).toString('ascii')).toBe(metrics.greedy.continuation);
  });
});
