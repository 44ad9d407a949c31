/**
 * The language model through bitweave's ONNX importer and functional executor, against what
 * bitweave did not compute: PyTorch's recorded logits of windows 0 and 1 and its recorded bits
 * per character (models/data/trained/lm-metrics.json, lm-windows.bin), and onnxruntime-node's
 * logits of the same ONNX file. Then the accuracy run on the text set through PE kinds, and the
 * refusals of mismatched models and data sets.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runAccuracy } from '../../models/accuracy/run.ts';
import { loadGraph } from '../../models/accuracy/task.ts';
import { recordedLmFigures, resolveTrainedModel } from '../../models/accuracy/trained.ts';
import { executeGraph } from '../../models/exec/executor.ts';
import { loadText, windowCount, windowTargets, windowTokens } from '../../models/data/text.ts';
import { lmShape } from '../../models/lm/model.ts';
import { bitsOfTarget, scorePositions } from '../../models/lm/score.ts';
import { evaluateText } from '../../models/accuracy/text.ts';
import { arrayBackend } from '../../models/exec/array-backend.ts';
import { getPe } from '../../sim/pe/registry.ts';
import { InputError } from '../../sim/errors.ts';

const DIR = new URL('../../models/data/trained/', import.meta.url);
const metrics = JSON.parse(readFileSync(new URL('lm-metrics.json', DIR), 'utf8')) as {
  eval: { windows: number };
  eval_prefix: Record<string, { bits_per_char: number; top1_correct: number }>;
};
const MODEL = resolveTrainedModel('lm-austen');
const setup = (pe: string, extra: object = {}) => ({ modelFile: MODEL, dataset: 'austen', pe, peOptions: {}, dataflow: 'os' as const, rows: 32, ...extra });

describe('language model: bitweave fp32 against PyTorch and onnxruntime-node', () => {
  const g = loadGraph(MODEL);
  const { context: T, vocab: V } = lmShape(g, 'lm-austen');
  const text = loadText('austen');

  it('imports as a [1, 128] -> [1, 128, 128] language model; the text set has PyTorch\'s 3,647 windows', () => {
    expect([T, V]).toEqual([128, 128]);
    expect(windowCount(text.length, T)).toBe(metrics.eval.windows);
  });

  it('windows 0 and 1: logits equal PyTorch\'s and onnxruntime-node\'s to 1e-5 of their scale; bits per character equal PyTorch\'s to 1e-6', async () => {
    const buf = readFileSync(new URL('lm-logits-first2.bin', DIR));
    const torch = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
    const ort = await import('onnxruntime-node');
    const session = await ort.InferenceSession.create(readFileSync(MODEL));
    let bits = 0;
    for (let w = 0; w < 2; w++) {
      const tokens = windowTokens(text, w, T);
      const got = executeGraph(g, { tokens }).get('logits')!;
      const fromOrt = (await session.run({ tokens: new ort.Tensor('int64', BigInt64Array.from(tokens, (b) => BigInt(b)), [1, T]) })).logits.data as Float32Array;
      const want = torch.subarray(w * T * V, (w + 1) * T * V);
      let scale = 0, errTorch = 0, errOrt = 0;
      for (let i = 0; i < want.length; i++) {
        scale = Math.max(scale, Math.abs(want[i]));
        errTorch = Math.max(errTorch, Math.abs(got[i] - want[i]));
        errOrt = Math.max(errOrt, Math.abs(got[i] - fromOrt[i]));
      }
      expect(errTorch / scale).toBeLessThan(1e-5);
      expect(errOrt / scale).toBeLessThan(1e-5);
      bits += scorePositions(got, T, V, windowTargets(text, w, T)).bits;
    }
    await session.release();
    expect(Math.abs(bits / (2 * T) - metrics.eval_prefix['2'].bits_per_char)).toBeLessThan(1e-6);
  });

  it('bitsOfTarget is -log2 of the softmax probability (hand-worked rows)', () => {
    // logits [0, ln 3]: p = [1/4, 3/4]
    expect(bitsOfTarget([0, Math.log(3)], 0, 2, 1)).toBeCloseTo(Math.log2(4 / 3), 14);
    expect(bitsOfTarget([0, Math.log(3)], 0, 2, 0)).toBeCloseTo(2, 14);
    expect(bitsOfTarget([5, 5, 5, 5], 0, 4, 2)).toBeCloseTo(2, 14);
    expect(bitsOfTarget([0, NaN], 0, 2, 0)).toBeNaN();
  });
});

describe('language model: accuracy runs on the text set', () => {
  it('fp32 PE on window 0: the PE path, the reference and PyTorch\'s recorded window agree', async () => {
    const { summary } = await runAccuracy(setup('fp32'), { limit: 1 });
    const lm = summary.language!;
    const torch = recordedLmFigures('lm-austen', 1)!;
    expect(lm).toMatchObject({ windows: 1, characters: 128 });
    expect(Math.abs(lm.reference_bits_per_char - torch.bits_per_char)).toBeLessThan(1e-6);
    expect(Math.abs(lm.bits_per_char - torch.bits_per_char)).toBeLessThan(1e-4);
    // measured 2.0e-7 (the PE sums in the array's order): 1e-4 alone would hide a real slip
    expect(Math.abs(lm.bits_per_char - torch.bits_per_char)).toBeLessThan(2e-6);
    expect(summary.rel_error).toBeLessThan(1e-5); // measured 2.8e-7
    expect(lm.perplexity).toBeCloseTo(2 ** lm.bits_per_char, 10);
    expect(summary.top1).toBe(metrics.eval_prefix['1'].top1_correct / 128);
    expect(summary.agreement).toBe(1);
  });

  it('fp8-e4m3 on windows 0 and 1 (two jobs, a window each): figures beside the same fp32 reference', async () => {
    const e4m3 = await runAccuracy(setup('fp8-e4m3'), { limit: 2, chunk: 1, jobs: 2 });
    const torch2 = recordedLmFigures('lm-austen', 2)!;
    expect(Math.abs(e4m3.summary.language!.reference_bits_per_char - torch2.bits_per_char)).toBeLessThan(1e-6);
    // e4m3 products move the logits: a real but small loss
    expect(e4m3.summary.rel_error).toBeGreaterThan(1e-3);
    expect(e4m3.summary.agreement).toBeGreaterThan(0.8);
    // ...and small: measured rel_error 0.035, bits per character 0.010 from the reference
    expect(e4m3.summary.rel_error).toBeLessThan(0.1);
    expect(Math.abs(e4m3.summary.language!.bits_per_char - e4m3.summary.language!.reference_bits_per_char)).toBeLessThan(0.05);
    expect(e4m3.text!.bits.length).toBe(2);
  });

  it('without a reference (the table\'s PE rows) the logits stand in for it, scored once: the same figures as scoring them directly', () => {
    const g = loadGraph(MODEL);
    const text = loadText('austen');
    const array = arrayBackend(getPe('fp8-e4m3'), { dataflow: 'os', rows: 32 });
    const c = evaluateText(g, text, 5, 2, { array }, false);
    for (let i = 0; i < 2; i++) {
      const y = executeGraph(g, { tokens: windowTokens(text, 5 + i, 128) }, { array, tokenScales: true }).get('logits')!;
      const choices = new Uint16Array(128);
      const want = scorePositions(y, 128, 128, windowTargets(text, 5 + i, 128), choices);
      expect([c.bits[i], c.hits[i], c.refBits[i], c.refHits[i], c.agree[i]]).toEqual([want.bits, want.hits, want.bits, want.hits, 128]);
      expect([...c.choices.subarray(128 * i, 128 * (i + 1))]).toEqual([...choices]);
      expect([...c.refChoices.subarray(128 * i, 128 * (i + 1))]).toEqual([...choices]);
    }
    expect(c.errSq).toBe(0);
  });

  it('L-Mul in the attention matmuls alone moves the logits (window 0)', async () => {
    const attn = await runAccuracy(setup('fp32', { attentionPe: 'lmul-m4' }), { limit: 1 });
    expect(attn.summary.rel_error).toBeGreaterThan(0);
    expect(attn.summary.rel_error).toBeLessThan(0.05);
    // measured 0.015: more than fp32 rounding (3e-7 on the same window) could give
    expect(attn.summary.rel_error).toBeGreaterThan(3e-3);
  });

  it('refuses a language model on images, an image model on text, and a --limit beyond the windows', async () => {
    await expect(runAccuracy({ ...setup('fp32'), dataset: 'fmnist' })).rejects.toThrow(/is images, and the model takes token ids/);
    await expect(runAccuracy({ ...setup('fp32'), modelFile: resolveTrainedModel('mlp') })).rejects.toThrow(InputError);
    await expect(runAccuracy({ ...setup('fp32'), modelFile: resolveTrainedModel('mlp') })).rejects.toThrow(/not a language model/);
    await expect(runAccuracy(setup('fp32'), { limit: 3648 })).rejects.toThrow(/--limit must be an integer in 1\.\.3647/);
  });
});
