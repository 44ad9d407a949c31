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

/** The trained language models (models/train/lm/README.md), by name: their ONNX file and figures. */
export const LANGUAGE_MODELS: Readonly<Record<string, { readonly onnx: string; readonly metrics: string; readonly dataset: string }>> = {
  'lm-austen': { onnx: 'lm-austen.onnx', metrics: 'lm-metrics.json', dataset: 'austen' },
};

/** The ONNX file of a trained model's name (image or language model), or undefined. */
export function trainedModelFile(name: string): string | undefined {
  const entry = trainedMetrics()[name];
  if (entry) return join(TRAINED_DIR, entry.onnx);
  const lm = Object.hasOwn(LANGUAGE_MODELS, name) ? LANGUAGE_MODELS[name] : undefined;
  return lm ? join(TRAINED_DIR, lm.onnx) : undefined;
}

/** A trained model name or an .onnx path -> the ONNX file. */
export function resolveTrainedModel(source: string): string {
  const s = source.trim();
  if (/\.onnx$/i.test(s)) return s;
  const models = trainedMetrics();
  const entry = models[s];
  if (entry) return join(TRAINED_DIR, entry.onnx);
  const lm = Object.hasOwn(LANGUAGE_MODELS, s) ? LANGUAGE_MODELS[s] : undefined;
  if (lm) return join(TRAINED_DIR, lm.onnx);
  const names = [...Object.keys(models), ...Object.keys(LANGUAGE_MODELS)].join(', ');
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

/**
 * PyTorch's fp32 figures of a trained language model over its first `windows` windows, from the
 * per-window records written at export ([W, 2] float64: bits of the window's targets, top-1 hits).
 */
/** PyTorch's recorded per-window figures of a language model: [bits, top-1 hits] of window w at 2w, 2w + 1. */
export function recordedLmWindows(name: string): { readonly windows: Float64Array; readonly context: number } | undefined {
  const lm = Object.hasOwn(LANGUAGE_MODELS, name) ? LANGUAGE_MODELS[name] : undefined;
  if (!lm) return undefined;
  const metrics = JSON.parse(readFileSync(join(TRAINED_DIR, lm.metrics), 'utf8')) as {
    files: { windows: { file: string } }; model: { config: { context: number } };
  };
  const buf = readFileSync(join(TRAINED_DIR, metrics.files.windows.file));
  return { windows: new Float64Array(buf.buffer, buf.byteOffset, buf.length / 8), context: metrics.model.config.context };
}

export function recordedLmFigures(name: string, windows: number): { bits_per_char: number; top1: number } | undefined {
  const recorded = recordedLmWindows(name);
  if (!recorded) return undefined;
  const rec = recorded.windows;
  if (windows > rec.length / 2) return undefined;
  let bits = 0, hits = 0;
  for (let w = 0; w < windows; w++) {
    bits += rec[2 * w];
    hits += rec[2 * w + 1];
  }
  const chars = windows * recorded.context;
  return { bits_per_char: bits / chars, top1: hits / chars };
}
