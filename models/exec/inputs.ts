/**
 * Binding a user's arrays (.npy / .npz) to a model's inputs, every disagreement an InputError
 * that names the file, the input and what the model expects:
 *
 * - names: `name=FILE.npy`, or `FILE.npz` whose keys are input names (`name=FILE.npz` takes the
 *   key `name`, or the archive's only array); a bare `FILE.npy` only for a model with one input;
 *   every input exactly once, nothing the model does not have;
 * - data types: float inputs take float32 (float64 and float16 are rounded to float32, as
 *   `torch.from_numpy(x).float()` does); integer inputs (token ids) take any integer type whose
 *   values float32 holds exactly (|v| <= 2^24); anything else is refused;
 * - shapes: the rank and every static dimension must match; a symbolic dimension (`batch`,
 *   `seq`) takes the array's size (the model is imported with it), and `--input-shape` values
 *   must agree with the data; a model exported with a static batch of 1 runs an array of N
 *   samples one sample at a time (`samples` = N): then every input must hold N samples.
 */
import { InputError } from '../../sim/errors.ts';
import { decode } from '../../sim/pe/codec.ts';
import { FP16 } from '../../sim/pe/formats.ts';
import { numel, shapeStr } from '../graph.ts';
import type { NpyArray } from '../io/npy.ts';

import type { DeclaredInput } from '../import/onnx.ts';

export type { DeclaredInput };

/** One --input: the arrays of one file, with the name given before '=' (if any). */
export interface GivenInput {
  readonly name?: string;
  readonly file: string;
  /** an .npy file's array, or an .npz file's arrays by key */
  readonly arrays: NpyArray | ReadonlyMap<string, NpyArray>;
}

export interface BoundInputs {
  /** values per input name, float32 (every sample) */
  readonly values: ReadonlyMap<string, Float32Array>;
  /** the shapes to import the model with (symbolic dims resolved; the per-sample shape when looping) */
  readonly importShapes: Readonly<Record<string, number[]>>;
  /** the shapes of the data (with all samples) */
  readonly dataShapes: Readonly<Record<string, number[]>>;
  /** samples run one at a time (a static batch-1 model given N samples), else 1 */
  readonly samples: number;
}

const isFloat = (t: string) => t === 'float' || t === 'float32';

function describe(d: DeclaredInput): string {
  return `${d.name} [${d.shape.join(', ')}] ${isFloat(d.elemType) ? 'float32' : d.elemType}`;
}

export function expectedInputs(declared: readonly DeclaredInput[]): string {
  return declared.map(describe).join('; ');
}

function toFloat32(a: NpyArray, d: DeclaredInput, where: string): Float32Array {
  const want = isFloat(d.elemType) ? 'float32' : d.elemType;
  const bad = (): never => {
    throw new InputError(`${where}: data type ${a.dtype}, input '${d.name}' expects ${want}${isFloat(d.elemType) ? ' (or float64 / float16, rounded to float32)' : ' (integers)'}`);
  };
  if (isFloat(d.elemType)) {
    switch (a.dtype) {
      case 'float32': return a.data as Float32Array;
      case 'float64': return Float32Array.from(a.data as Float64Array);
      case 'float16': return Float32Array.from(a.data as Uint16Array, (b) => decode(FP16, b));
      default: return bad();
    }
  }
  if (a.dtype.startsWith('float') || a.dtype === 'bool') return bad();
  const out = new Float32Array(numel(a.shape));
  const src = a.data;
  for (let i = 0; i < out.length; i++) {
    const v = Number(src[i]);
    if (Math.abs(v) > 2 ** 24) throw new InputError(`${where}: value ${v} of input '${d.name}' is beyond 2^24, which float32 does not hold exactly`);
    out[i] = v;
  }
  return out;
}

/** Parses `name=1x3x224x224` values of --input-shape. */
export function parseInputShape(text: string): { name: string; shape: number[] } {
  const eq = text.lastIndexOf('=');
  const name = eq > 0 ? text.slice(0, eq) : '';
  const dims = eq > 0 ? text.slice(eq + 1).split('x') : [];
  if (name === '' || dims.length === 0 || dims.some((d) => !/^\d+$/.test(d.trim()) || Number(d) < 1)) {
    throw new InputError(`--input-shape must be NAME=D1xD2x... with positive integers, got '${text}'`);
  }
  return { name, shape: dims.map(Number) };
}

/** --input-shape values by input name (each name once) */
export function inputShapesOf(texts: readonly string[]): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const t of texts) {
    const { name, shape } = parseInputShape(t);
    if (out[name] !== undefined) throw new InputError(`--input-shape: '${name}' is given twice`);
    out[name] = shape;
  }
  return out;
}

export function bindInputs(
  declared: readonly DeclaredInput[], given: readonly GivenInput[], inputShapes: Readonly<Record<string, readonly number[]>> = {},
): BoundInputs {
  const byName = new Map(declared.map((d) => [d.name, d]));
  const expected = `the model's inputs: ${expectedInputs(declared)}`;
  for (const n of Object.keys(inputShapes)) if (!byName.has(n)) throw new InputError(`--input-shape: '${n}' is not an input; ${expected}`);
  const arrays = new Map<string, { a: NpyArray; where: string }>();
  const put = (name: string, a: NpyArray, where: string) => {
    if (!byName.has(name)) throw new InputError(`${where}: '${name}' is not an input of the model; ${expected}`);
    if (arrays.has(name)) throw new InputError(`${where}: input '${name}' is given twice (also in ${arrays.get(name)!.where})`);
    arrays.set(name, { a, where });
  };
  for (const g of given) {
    if (g.arrays instanceof Map) {
      const m = g.arrays as ReadonlyMap<string, NpyArray>;
      if (g.name !== undefined) {
        const a = m.get(g.name) ?? (m.size === 1 ? [...m.values()][0] : undefined);
        if (!a) throw new InputError(`${g.file}: no array '${g.name}' (its arrays: ${[...m.keys()].join(', ')})`);
        put(g.name, a, g.file);
      } else {
        if (m.size === 0) throw new InputError(`${g.file}: the archive holds no arrays`);
        for (const [k, a] of m) put(k, a, `${g.file} (array '${k}')`);
      }
    } else {
      const a = g.arrays as NpyArray;
      if (g.name !== undefined) put(g.name, a, g.file);
      else if (declared.length === 1) put(declared[0].name, a, g.file);
      else throw new InputError(`${g.file}: the model has ${declared.length} inputs, name the one this file is: --input NAME=${g.file}; ${expected}`);
    }
  }
  const missing = declared.filter((d) => !arrays.has(d.name));
  if (missing.length > 0) throw new InputError(`missing input${missing.length > 1 ? 's' : ''} ${missing.map(describe).join('; ')}: give --input NAME=FILE.npy (${expected})`);

  const values = new Map<string, Float32Array>();
  const importShapes: Record<string, number[]> = {}, dataShapes: Record<string, number[]> = {};
  let samples = 1;
  const looped: string[] = [];
  for (const d of declared) {
    const { a, where } = arrays.get(d.name)!;
    const sh = [...a.shape];
    const fits = (s: readonly number[]) => s.length === d.shape.length && s.every((v, i) => typeof d.shape[i] !== 'number' || d.shape[i] === v);
    const forced = inputShapes[d.name];
    if (forced !== undefined && (forced.length !== sh.length || forced.some((v, i) => v !== sh[i]))) {
      throw new InputError(`${where}: input '${d.name}' has shape ${shapeStr(sh)}, --input-shape says ${shapeStr(forced)}`);
    }
    let importShape = sh;
    if (!fits(sh)) {
      // a static batch of 1, N samples given: one sample at a time
      const perSample = [1, ...sh.slice(1)];
      if (d.shape[0] === 1 && sh.length === d.shape.length && sh[0] > 1 && fits(perSample)) {
        importShape = perSample;
        looped.push(d.name);
        if (samples !== 1 && samples !== sh[0]) throw new InputError(`${where}: ${sh[0]} samples, other inputs have ${samples}`);
        samples = sh[0];
      } else {
        throw new InputError(`${where}: input '${d.name}' has shape ${shapeStr(sh)}, the model expects [${d.shape.join(', ')}]`);
      }
    }
    values.set(d.name, toFloat32(a, d, where));
    importShapes[d.name] = importShape;
    dataShapes[d.name] = sh;
  }
  if (samples > 1 && looped.length !== declared.length) {
    const other = declared.find((d) => !looped.includes(d.name))!;
    throw new InputError(`inputs ${looped.join(', ')} hold ${samples} samples for a model with a static batch of 1, but '${other.name}' does not`);
  }
  return { values, importShapes, dataShapes, samples };
}
