/** Builds small ONNX models in tests (protobuf via onnx-proto), and runs them in onnxruntime-node. */
import ort from 'onnxruntime-node';
import onnxPkg from 'onnx-proto';
import { makeRng } from '../../sim/random.ts';

const { onnx } = onnxPkg;

export type AttrValue = number | number[] | string | { float: number } | { floats: number[] };

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  attrs?: Record<string, AttrValue>;
}

function attribute(name: string, v: AttrValue) {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'number') return { name, type: T.INT, i: v };
  if (typeof v === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: T.INTS, ints: v };
  if ('float' in v) return { name, type: T.FLOAT, f: v.float };
  return { name, type: T.FLOATS, floats: v.floats };
}

export class OnnxModelBuilder {
  private readonly nodes: NodeSpec[] = [];
  private readonly inits: { name: string; dims: number[]; data: Float32Array | number[]; int64?: boolean }[] = [];
  private readonly inputs: { name: string; dims: (number | string)[]; int64?: boolean }[] = [];
  private readonly outputs: string[] = [];
  private readonly rng;
  constructor(seed = 1, private readonly opset = 17) {
    this.rng = makeRng(seed);
  }

  input(name: string, dims: (number | string)[], int64 = false): string {
    this.inputs.push({ name, dims, int64 });
    return name;
  }

  /** float initializer, random N(0, std^2) unless data is given */
  weight(name: string, dims: number[], std = 0.5, data?: Float32Array): string {
    const n = dims.reduce((a, b) => a * b, 1);
    const d = data ?? Float32Array.from({ length: n }, () => this.rng.normal() * std);
    this.inits.push({ name, dims, data: d });
    return name;
  }

  /** int64 initializer (shapes) */
  ints(name: string, values: number[]): string {
    this.inits.push({ name, dims: [values.length], data: values, int64: true });
    return name;
  }

  /** int64 scalar initializer (rank 0) */
  scalar(name: string, value: number): string {
    this.inits.push({ name, dims: [], data: [value], int64: true });
    return name;
  }

  node(op: string, inputs: string[], output: string, attrs?: Record<string, AttrValue>, name?: string): string {
    this.nodes.push({ op, inputs, outputs: [output], attrs, name: name ?? output });
    return output;
  }

  /** a node with several outputs ('' for an absent one) */
  nodeN(op: string, inputs: string[], outputs: string[], attrs?: Record<string, AttrValue>): string[] {
    this.nodes.push({ op, inputs, outputs, attrs, name: outputs.find((o) => o !== '') ?? op });
    return outputs;
  }

  output(name: string): void {
    this.outputs.push(name);
  }

  encode(): Uint8Array {
    const valueInfo = (name: string, dims: (number | string)[], elemType: number) => ({
      name,
      type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
    });
    const DT = onnx.TensorProto.DataType;
    const model = onnx.ModelProto.create({
      irVersion: 8,
      producerName: 'bitweave-tests',
      opsetImport: [{ domain: '', version: this.opset }],
      graph: {
        name: 'test',
        node: this.nodes.map((n) => ({
          opType: n.op, input: n.inputs, output: n.outputs, name: n.name,
          attribute: Object.entries(n.attrs ?? {}).map(([k, v]) => attribute(k, v)),
        })),
        initializer: this.inits.map((t) => t.int64
          ? { name: t.name, dims: t.dims, dataType: DT.INT64, int64Data: Array.from(t.data) }
          : { name: t.name, dims: t.dims, dataType: DT.FLOAT, rawData: new Uint8Array(Float32Array.from(t.data).buffer) }),
        input: this.inputs.map((i) => valueInfo(i.name, i.dims, i.int64 ? DT.INT64 : DT.FLOAT)),
        output: this.outputs.map((o) => ({ name: o, type: { tensorType: { elemType: DT.FLOAT } } })),
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

/** Runs an ONNX model in onnxruntime-node (CPU) and returns its outputs as Float32Arrays. */
export async function runOrt(
  bytes: Uint8Array, feeds: Record<string, { data: Float32Array; dims: number[] }>,
): Promise<Record<string, Float32Array>> {
  const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'disabled' });
  const f: Record<string, InstanceType<typeof ort.Tensor>> = {};
  for (const [k, v] of Object.entries(feeds)) f[k] = new ort.Tensor('float32', v.data, v.dims);
  const out = await session.run(f);
  const r: Record<string, Float32Array> = {};
  for (const [k, v] of Object.entries(out)) r[k] = v.data as Float32Array;
  return r;
}

export function randomInput(n: number, seed = 7): Float32Array {
  const rng = makeRng(seed);
  return Float32Array.from({ length: n }, () => rng.normal());
}

/** max |a - b| / max |b| */
export function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0, den = 0;
  for (let i = 0; i < b.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return den === 0 ? num : num / den;
}
