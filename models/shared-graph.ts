/**
 * A graph whose tensor data live in one SharedArrayBuffer, so every thread of a process reads
 * the same weights instead of each parsing the model file into its own copy (issue 21: a
 * worker of an accuracy run parsed the ONNX file, 0.4-3.4 MB of weights, and held them twice
 * over with the main thread's).
 *
 * `shareGraph` lays the graph out once: the tensor values (Float32Array, 4-byte aligned) one
 * after another in the buffer, then the rest of the graph (nodes, shapes, attributes: plain
 * data, written with V8's structured-clone serializer, which keeps Maps, typed arrays and
 * non-finite numbers that JSON would lose) with each tensor's data replaced by its place in the
 * buffer. Sending a `SharedGraph` to a worker copies nothing of the data: a SharedArrayBuffer
 * crosses by reference. `graphOfShared` reads it back, the tensors as views into the buffer.
 * The values are never written after sharing (weights are read-only to every kernel).
 */
import { deserialize, serialize } from 'node:v8';
import type { Graph, TensorInfo } from './graph.ts';

export interface SharedGraph {
  /** the tensor values, then the serialized rest of the graph at `metaOffset` */
  readonly buffer: SharedArrayBuffer;
  readonly metaOffset: number;
  readonly metaLength: number;
}

/** where a tensor's values sit in the buffer, in place of `data` */
interface DataRef {
  readonly offset: number;
  readonly length: number;
}

type SharedTensorInfo = Omit<TensorInfo, 'data'> & { readonly ref?: DataRef };

interface SharedMeta {
  readonly name: string;
  /** [key in the graph's map, tensor] */
  readonly tensors: [string, SharedTensorInfo][];
  readonly nodes: Graph['nodes'];
  readonly inputs: string[];
  readonly outputs: string[];
}

/**
 * The graph in shared memory, and the same graph with its tensors as views of that memory (for
 * this thread to use, so it holds one copy of the weights too).
 */
export function shareGraph(g: Graph): { readonly shared: SharedGraph; readonly graph: Graph } {
  let bytes = 0;
  for (const t of g.tensors.values()) if (t.data) bytes += t.data.byteLength;
  const tensors: [string, SharedTensorInfo][] = [];
  // the data first (4-byte aligned from offset 0), so every view is a valid Float32Array
  const scratch: { t: TensorInfo; ref: DataRef }[] = [];
  let at = 0;
  for (const [key, t] of g.tensors) {
    const { data, ...rest } = t;
    if (!data) {
      tensors.push([key, rest]);
      continue;
    }
    const ref = { offset: at, length: data.length };
    at += data.byteLength;
    tensors.push([key, { ...rest, ref }]);
    scratch.push({ t, ref });
  }
  const meta = serialize({ name: g.name, tensors, nodes: g.nodes, inputs: g.inputs, outputs: g.outputs } satisfies SharedMeta);
  const buffer = new SharedArrayBuffer(bytes + meta.length);
  for (const { t, ref } of scratch) new Float32Array(buffer, ref.offset, ref.length).set(t.data as Float32Array);
  new Uint8Array(buffer, bytes, meta.length).set(meta);
  const shared = { buffer, metaOffset: bytes, metaLength: meta.length };
  return { shared, graph: graphOfShared(shared) };
}

/** The graph of a shared layout: its tensors' data are views of the shared buffer (no copy). */
export function graphOfShared(s: SharedGraph): Graph {
  // the serializer reads a plain (non-shared) buffer: a copy of the small metadata only
  const metaBytes = Buffer.from(new Uint8Array(s.buffer, s.metaOffset, s.metaLength));
  const meta = deserialize(metaBytes) as SharedMeta;
  const tensors = new Map<string, TensorInfo>();
  for (const [key, t] of meta.tensors) {
    const { ref, ...rest } = t;
    tensors.set(key, ref ? { ...rest, data: new Float32Array(s.buffer, ref.offset, ref.length) } : rest);
  }
  return { name: meta.name, tensors, nodes: meta.nodes, inputs: meta.inputs, outputs: meta.outputs };
}
