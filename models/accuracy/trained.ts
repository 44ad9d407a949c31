/** The trained models committed under models/data/trained/ (see models/train/README.md). */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageFile } from '../package-files.ts';
import { InputError } from '../../sim/errors.ts';
import { isZooSpec } from '../zoo/index.ts';

export const TRAINED_DIR = packageFile('models/data/trained/');

export interface TrainedEntry {
  readonly onnx: string;
  readonly test_accuracy_fp32: number;
  readonly test_correct: number;
  readonly predictions: string;
  readonly parameters: number;
  readonly macs_per_image: number;
  readonly architecture: string;
}

export function trainedMetrics(): Record<string, TrainedEntry> {
  const file = join(TRAINED_DIR, 'metrics.json');
  if (!existsSync(file)) return {};
  return (JSON.parse(readFileSync(file, 'utf8')) as { models: Record<string, TrainedEntry> }).models;
}

/** A trained model name or an .onnx path -> the ONNX file. */
export function resolveTrainedModel(source: string): string {
  const s = source.trim();
  if (/\.onnx$/i.test(s)) return s;
  const models = trainedMetrics();
  const entry = models[s];
  if (entry) return join(TRAINED_DIR, entry.onnx);
  const names = Object.keys(models).join(', ');
  if (isZooSpec(s)) {
    throw new InputError(`model '${s}' has no trained weights (a zoo model can be timed, not evaluated); trained models: ${names}, or an .onnx file`);
  }
  throw new InputError(`unknown trained model '${s}'; valid: ${names}, or an .onnx file with weights`);
}

/** PyTorch's fp32 predictions recorded at training time (one byte per test image). */
export function recordedPredictions(name: string): Uint8Array | undefined {
  const entry = trainedMetrics()[name];
  if (!entry) return undefined;
  return new Uint8Array(readFileSync(join(TRAINED_DIR, entry.predictions)));
}
