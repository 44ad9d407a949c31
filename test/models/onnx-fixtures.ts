/**
 * The ONNX fixtures of test/fixtures/onnx/ (written by models/train/fixtures/export_fixtures.py):
 * their manifest, meta.json and recorded inputs/outputs, for every test that runs them.
 * Every file named is required: a missing one is an error, never a skipped check.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readNpy, type NpyArray } from '../../models/io/npy.ts';

export const FIXTURES_DIR = fileURLToPath(new URL('../fixtures/onnx/', import.meta.url));

export interface TensorMeta {
  readonly name: string;
  /** a dimension is a number, or the dim_param name of a symbolic one */
  readonly shape: readonly (number | string)[];
  readonly dtype: 'float32';
}
export interface CaseFile {
  readonly file: string;
  readonly shape: readonly number[];
  readonly dtype: 'float32';
}
export interface FixtureCase {
  readonly batch: number;
  readonly inputs: Readonly<Record<string, CaseFile>>;
  readonly outputs: Readonly<Record<string, CaseFile>>;
}
export interface FixtureMeta {
  readonly name: string;
  readonly constructor: string;
  readonly seed: number;
  readonly export: { readonly opset: number; readonly dynamic_batch: boolean; readonly call: string };
  readonly versions: Readonly<Record<string, string>>;
  readonly onnx_inputs: readonly TensorMeta[];
  readonly onnx_outputs: readonly TensorMeta[];
  readonly cases: readonly FixtureCase[];
  readonly parameters: number;
  readonly macs_per_sample: {
    readonly total: number;
    readonly by_kind: Readonly<Record<string, number>>;
    readonly onnx_graph_count: number | string;
    readonly profiler_count: number;
  };
  readonly node_count: number;
  readonly op_types: Readonly<Record<string, number>>;
  /** sha256 of every file of the fixture but meta.json */
  readonly files: Readonly<Record<string, string>>;
}

/** The fixtures listed in manifest.json, in its order. */
export function fixtureNames(): string[] {
  const m = JSON.parse(readFileSync(`${FIXTURES_DIR}manifest.json`, 'utf8')) as { fixtures: string[] };
  return m.fixtures;
}

export function fixturePath(name: string, file: string): string {
  const p = `${FIXTURES_DIR}${name}/${file}`;
  if (!existsSync(p)) throw new Error(`fixture ${name}: ${file} is missing (${p})`);
  return p;
}

export function fixtureMeta(name: string): FixtureMeta {
  return JSON.parse(readFileSync(fixturePath(name, 'meta.json'), 'utf8')) as FixtureMeta;
}

export function fixtureModel(name: string): Uint8Array {
  return new Uint8Array(readFileSync(fixturePath(name, 'model.onnx')));
}

/** A case's arrays by ONNX input/output name, read from the recorded .npy files. */
export function fixtureCase(name: string, c: FixtureCase): { inputs: Map<string, NpyArray>; outputs: Map<string, NpyArray> } {
  const read = (files: Readonly<Record<string, CaseFile>>) =>
    new Map(Object.entries(files).map(([k, f]) => [k, readNpy(fixturePath(name, f.file))]));
  return { inputs: read(c.inputs), outputs: read(c.outputs) };
}
