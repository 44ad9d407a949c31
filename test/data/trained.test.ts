/**
 * The trained Fashion-MNIST models (models/data/trained/): the recorded metrics agree with the
 * committed predictions and labels, and onnxruntime-node running the exported
 * ONNX files gives the PyTorch predictions on the first 500 test images.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadFmnist, normalizeImages, type FmnistSet } from '../../models/data/fmnist.ts';

const DIR = new URL('../../models/data/trained/', import.meta.url);
const read = (f: string) => new Uint8Array(readFileSync(new URL(f, DIR)));
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

interface ModelMetrics {
  onnx: string;
  onnx_sha256: string;
  ops: string[];
  parameters: number;
  test_accuracy_fp32: number;
  test_correct: number;
  predictions: string;
  predictions_sha256: string;
  logits_first100: string;
}
const metrics = JSON.parse(readFileSync(new URL('metrics.json', DIR), 'utf8')) as { models: Record<string, ModelMetrics> };

/** the accuracy floors (fp32, the full test set) */
const FLOOR: Record<string, number> = { mlp: 0.85, cnn: 0.9, bcnn: 0.85, vit: 0.85, bcnn_mst03: 0.85, bcnn_mst06: 0.85, bcnn_mst2: 0.85 };
/** the MST-regularized binary CNNs (models/train/train_mst.py) beside the four of round 1 */
const MODELS = ['mlp', 'cnn', 'bcnn', 'vit', 'bcnn_mst03', 'bcnn_mst06', 'bcnn_mst2'];

// onnxruntime-node is a dev dependency: a checkout without it fails here instead of skipping
type Ort = typeof import('onnxruntime-node');
const ort = (await import('onnxruntime-node')).default as unknown as Ort;

describe('trained models: recorded metrics', () => {
  let set: FmnistSet;
  beforeAll(() => {
    set = loadFmnist();
  });

  it('every model is recorded, with its files', () => {
    expect(Object.keys(metrics.models).sort()).toEqual([...MODELS].sort());
  });

  for (const name of MODELS) {
    it(`${name}: predictions match the recorded accuracy, which meets the floor`, () => {
      const m = metrics.models[name];
      const preds = read(m.predictions);
      expect(preds.length).toBe(10_000);
      expect(sha256(preds)).toBe(m.predictions_sha256);
      expect(sha256(read(m.onnx))).toBe(m.onnx_sha256);
      let correct = 0;
      for (let i = 0; i < set.count; i++) if (preds[i] === set.labels[i]) correct++;
      expect(correct).toBe(m.test_correct);
      expect(correct / 10_000).toBe(m.test_accuracy_fp32);
      expect(m.test_accuracy_fp32).toBeGreaterThanOrEqual(FLOOR[name]);
      expect(read(m.logits_first100).length).toBe(100 * 10 * 4);
    });
  }

  it('the binary CNN graph holds +-1 weights behind Sign nodes', () => {
    expect(metrics.models.bcnn.ops).toContain('Sign');
    expect(metrics.models.vit.ops).toEqual(expect.arrayContaining(['LayerNormalization', 'Softmax', 'MatMul']));
  });
});

describe('trained models in onnxruntime-node: the PyTorch predictions', () => {
  const N = 500;
  let set: FmnistSet;
  beforeAll(() => {
    set = loadFmnist({ limit: N });
  });

  for (const name of MODELS) {
    it(`${name}: ${N} images, predictions equal PyTorch's (at most 2 flips), logits within 1e-4`, async () => {
      const m = metrics.models[name];
      const session = await ort.InferenceSession.create(read(m.onnx));
      const preds = read(m.predictions);
      const ref = new Float32Array(read(m.logits_first100).slice().buffer);
      let flips = 0;
      let maxErr = 0;
      for (let i = 0; i < N; i++) {
        const x = new ort.Tensor('float32', normalizeImages(set, i, 1), [1, 1, 28, 28]);
        const out = (await session.run({ input: x })).logits.data as Float32Array;
        let best = 0;
        for (let c = 1; c < 10; c++) if (out[c] > out[best]) best = c;
        if (best !== preds[i]) flips++;
        if (i < 100) {
          let scale = 0;
          for (let c = 0; c < 10; c++) scale = Math.max(scale, Math.abs(ref[i * 10 + c]));
          for (let c = 0; c < 10; c++) maxErr = Math.max(maxErr, Math.abs(out[c] - ref[i * 10 + c]) / scale);
        }
      }
      await session.release();
      expect(flips).toBeLessThanOrEqual(2);
      expect(maxErr).toBeLessThan(1e-4);
    });
  }
});
