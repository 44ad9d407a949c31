/**
 * Accuracy on real data through the simulator's functional path. References: PyTorch's
 * predictions recorded at training time (models/data/trained/predictions_*.bin), and
 * onnxruntime-node running the same exported ONNX files.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { argmax, evaluateImages } from '../../models/accuracy/evaluate.ts';
import { runAccuracy } from '../../models/accuracy/run.ts';
import { loadGraph } from '../../models/accuracy/task.ts';
import { TRAINED_DIR, recordedPredictions, resolveTrainedModel } from '../../models/accuracy/trained.ts';
import { loadFmnist, normalizeImages } from '../../models/data/fmnist.ts';
import { fp32Backend } from '../../models/exec/backends.ts';
import { runCli } from '../cli/run-cli.ts';

// the committed models, by name: a missing file fails the suite instead of shrinking the loops
const models = ['mlp', 'cnn', 'vit', 'bcnn'];
/** the MST-regularized binary CNNs (models/train/train_mst.py): bcnn's graph, other weights */
const mstModels = ['bcnn_mst03', 'bcnn_mst06', 'bcnn_mst2'];
const setup = (model: string, pe: string, extra: Record<string, unknown> = {}) => ({
  modelFile: resolveTrainedModel(model), dataset: 'fmnist' as const, pe, peOptions: {}, dataflow: 'os' as const, rows: 32, ...extra,
});

describe('trained models through the simulator in fp32', () => {
  for (const model of models) {
    it(`${model}: the fp32 path predicts what PyTorch recorded (first 300 images, at most 2 flips)`, async () => {
      const { result } = await runAccuracy(setup(model, 'fp32'), { limit: 300 });
      const recorded = recordedPredictions(model)!;
      let flips = 0, refFlips = 0;
      for (let i = 0; i < 300; i++) {
        if (argmax(result.logits, i * result.classes, result.classes) !== recorded[i]) flips++;
        if (argmax(result.refLogits, i * result.classes, result.classes) !== recorded[i]) refFlips++;
      }
      expect(flips).toBeLessThanOrEqual(2);
      expect(refFlips).toBeLessThanOrEqual(2);
    });
  }

  it('matches onnxruntime-node on the exported ONNX files (logits of 20 images, 1e-5 relative)', async () => {
    const ort = await import('onnxruntime-node');
    const data = loadFmnist({ limit: 20 });
    for (const model of [...models, ...mstModels]) {
      const file = join(TRAINED_DIR, `${model}.onnx`);
      const session = await ort.InferenceSession.create(readFileSync(file));
      const g = loadGraph(file);
      const ours = evaluateImages(g, normalizeImages(data, 0, 20), 20, { array: fp32Backend });
      let errSq = 0, refSq = 0;
      for (let i = 0; i < 20; i++) {
        const x = normalizeImages(data, i, 1);
        const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', x, [1, 1, 28, 28]) });
        const y = out[session.outputNames[0]].data as Float32Array;
        for (let j = 0; j < y.length; j++) {
          const d = ours.refLogits[i * y.length + j] - y[j];
          errSq += d * d;
          refSq += y[j] * y[j];
        }
      }
      expect({ model, rel: Math.sqrt(errSq / refSq) < 1e-5 }).toEqual({ model, rel: true });
    }
  });
});

describe('binary CNN on XNOR-popcount', () => {
  it('imports Sign -> Conv(+-1) -> Mul(alpha) as binary convolutions', () => {
    const g = loadGraph(resolveTrainedModel('bcnn'));
    expect(g.nodes.filter((n) => n.op === 'binary_conv2d').map((n) => n.name)).toHaveLength(2);
    expect(g.nodes.some((n) => n.op === 'sign')).toBe(false);
  });

  it('the XNOR PE gives the fp32 path exactly (integer dot products of +-1), first/last layers in fp32', async () => {
    const xnor = await runAccuracy(setup('bcnn', 'fp32', { binaryPe: 'xnor' }), { limit: 150 });
    const fp = await runAccuracy(setup('bcnn', 'fp32'), { limit: 150 });
    expect(Array.from(xnor.result.logits)).toEqual(Array.from(fp.result.logits));
    expect(xnor.summary.agreement).toBe(1);
  });

  for (const model of mstModels) {
    it(`${model}: the XNOR PE predicts what PyTorch recorded (first 100 images, at most 1 flip)`, async () => {
      const { result } = await runAccuracy(setup(model, 'fp32', { binaryPe: 'xnor' }), { limit: 100 });
      const recorded = recordedPredictions(model)!;
      let flips = 0;
      for (let i = 0; i < 100; i++) if (argmax(result.logits, i * result.classes, result.classes) !== recorded[i]) flips++;
      expect(flips).toBeLessThanOrEqual(1);
    });
  }
});

describe('bitweave accuracy', () => {
  it('reports accuracy, agreement and output error as JSON; results do not depend on --jobs', () => {
    const one = runCli(['accuracy', '--model', 'cnn', '--pe', 'fp8-e4m3', '--limit', '60', '--json']);
    const two = runCli(['accuracy', '--model', 'cnn', '--pe', 'fp8-e4m3', '--limit', '60', '--jobs', '2', '--json']);
    expect(one.code, one.stderr).toBe(0);
    const a = JSON.parse(one.stdout) as Record<string, number>, b = JSON.parse(two.stdout) as Record<string, number>;
    for (const k of ['top1', 'reference_top1', 'agreement', 'rel_error', 'cosine']) expect(b[k]).toBe(a[k]);
    expect(a.images).toBe(60);
    expect(a.agreement).toBeGreaterThan(0.9);
    expect(a.cosine).toBeGreaterThan(0.99);
    expect(a.rel_error).toBeGreaterThan(0); // fp8 is not fp32
  });

  it('bad input: a model without weights, an unknown dataset, an unknown PE', () => {
    const noWeights = runCli(['accuracy', '--model', 'resnet18', '--pe', 'fp32']);
    expect(noWeights.code).toBe(2);
    expect(noWeights.stderr).toContain('no trained weights');
    const dataset = runCli(['accuracy', '--model', 'cnn', '--pe', 'fp32', '--dataset', 'cifar10']);
    expect(dataset.code).toBe(2);
    expect(dataset.stderr).toContain("unknown dataset 'cifar10'");
    const pe = runCli(['accuracy', '--model', 'cnn', '--pe', 'fp9', '--limit', '5']);
    expect(pe.code).toBe(2);
    expect(pe.stderr).toContain("unknown PE kind 'fp9'");
  });
});
