/**
 * An ONNX interpreter written for the tests, independent of models/ and sim/pe: it decodes the
 * protobuf itself (onnx-proto), walks the nodes in order and evaluates a small set of operators
 * (those of the efficientnet_b0 and gpt2_block fixtures) with the arithmetic the simulator
 * documents, so that `bitweave exec` can be held to it bit for bit:
 *
 * - matrix products (Conv, Gemm, MatMul): each output is a dot product through an emulated PE
 *   (`Pe` below, written here too), products in k order; a convolution's k runs over (kh, kw, c)
 *   (im2col's order), a Gemm's / MatMul's over the inner dimension; then Math.fround, then the
 *   bias added and rounded to fp32;
 * - every other operator in fp32: one Math.fround per elementary operation; ReduceMean and
 *   GlobalAveragePool add in input order rounding each partial sum, then divide; Softmax takes
 *   the max, exp(x - max) rounded (x - max rounded first), a running rounded sum, a rounded
 *   division; integer tensors (shape computations) exactly.
 *
 * The emulated PEs (Pe): bf16 (inputs rounded to bf16 to nearest even by bit arithmetic, the
 * product exact, an fp32 accumulator: Math.fround of each sum) and fp8-e4m3 (OCP E4M3: inputs
 * and every product rounded to nearest even, saturating at +-448, subnormals below 2^-6; fp32
 * accumulator).
 */
import onnxPkg from 'onnx-proto';
import type { onnx as OnnxTypes } from 'onnx-proto';

const { onnx } = onnxPkg;

export interface Tensor {
  readonly shape: number[];
  readonly data: Float64Array;
}

/** A dot product as a PE adds it: products of a[i] and b[i] in order, from zero. */
export type Pe = (a: ArrayLike<number>, b: ArrayLike<number>) => number;

const f32 = new Float32Array(1), u32 = new Uint32Array(f32.buffer);

export function roundBf16(x: number): number {
  f32[0] = x;
  const b = u32[0];
  if ((b & 0x7f800000) === 0x7f800000) return f32[0];
  u32[0] = ((b + 0x7fff + ((b >>> 16) & 1)) & 0xffff0000) >>> 0;
  return f32[0];
}

/** OCP E4M3 (e4m3fn), round to nearest even, saturating at 448 */
export function roundE4m3(x: number): number {
  if (x === 0 || Number.isNaN(x)) return x;
  const a = Math.abs(x);
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  if (2 ** (e + 1) <= a) e++;
  const step = 2 ** (Math.max(e, -6) - 3);
  const q = a / step;
  const fl = Math.floor(q);
  const r = q - fl > 0.5 || (q - fl === 0.5 && fl % 2 === 1) ? fl + 1 : fl;
  const v = Math.min(r * step, 448);
  return x < 0 ? -v : v;
}

export const PES: Readonly<Record<'bf16' | 'fp8-e4m3', Pe>> = {
  bf16: (a, b) => {
    let s = 0;
    for (let i = 0; i < a.length; i++) s = Math.fround(s + roundBf16(a[i]) * roundBf16(b[i]));
    return s;
  },
  'fp8-e4m3': (a, b) => {
    let s = 0;
    for (let i = 0; i < a.length; i++) s = Math.fround(s + roundE4m3(roundE4m3(a[i]) * roundE4m3(b[i])));
    return s;
  },
};

type Long = number | { toNumber(): number };
const num = (v: Long | null | undefined): number => (v == null ? 0 : typeof v === 'number' ? v : v.toNumber());
const fr = Math.fround;
const numel = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

function strides(s: readonly number[]): number[] {
  const st = new Array<number>(s.length);
  for (let i = s.length - 1, acc = 1; i >= 0; i--) {
    st[i] = acc;
    acc *= s[i];
  }
  return st;
}

function tensorOf(t: OnnxTypes.ITensorProto): Tensor {
  const shape = (t.dims ?? []).map((d) => num(d as Long));
  const n = numel(shape);
  const raw = t.rawData && t.rawData.length > 0 ? new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength) : undefined;
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (t.dataType === 1) data[i] = raw ? raw.getFloat32(4 * i, true) : t.floatData![i];
    else if (t.dataType === 7) data[i] = raw ? Number(raw.getBigInt64(8 * i, true)) : num(t.int64Data![i] as Long);
    else if (t.dataType === 9) data[i] = raw ? raw.getUint8(i) : t.int32Data![i];
    else throw new Error(`emulator: data type ${t.dataType}`);
  }
  return { shape, data };
}

/** value of output element `e` of `out` broadcast from `t` */
function broadcastIndex(outShape: readonly number[], t: Tensor): (e: number) => number {
  const r = outShape.length, st = strides(t.shape), os = strides(outShape);
  return (e) => {
    let off = 0;
    for (let d = 0; d < r; d++) {
      const j = d - (r - t.shape.length);
      if (j < 0 || t.shape[j] === 1) continue;
      off += (Math.floor(e / os[d]) % outShape[d]) * st[j];
    }
    return off;
  };
}

function binary(a: Tensor, b: Tensor, f: (x: number, y: number) => number): Tensor {
  const r = Math.max(a.shape.length, b.shape.length);
  const shape = Array.from({ length: r }, (_, i) => Math.max(a.shape[a.shape.length - r + i] ?? 1, b.shape[b.shape.length - r + i] ?? 1));
  const ia = broadcastIndex(shape, a), ib = broadcastIndex(shape, b);
  const data = new Float64Array(numel(shape));
  for (let e = 0; e < data.length; e++) data[e] = f(a.data[ia(e)], b.data[ib(e)]);
  return { shape, data };
}

function transpose(x: Tensor, perm: number[]): Tensor {
  const shape = perm.map((p) => x.shape[p]);
  const st = strides(x.shape), os = strides(shape);
  const data = new Float64Array(x.data.length);
  for (let e = 0; e < data.length; e++) {
    let off = 0;
    for (let d = 0; d < shape.length; d++) off += (Math.floor(e / os[d]) % shape[d]) * st[perm[d]];
    data[e] = x.data[off];
  }
  return { shape, data };
}

/**
 * Runs the model on the inputs; returns every graph output. `pe` does the matrix products,
 * `attentionPe` those whose two operands are both computed from the graph's inputs (a MatMul of
 * two activations: Q K^T and A V; a weight transposed or reshaped by a node is still a constant).
 */
export function emulate(bytes: Uint8Array, inputs: Record<string, Float32Array>, pe: Pe, attentionPe: Pe = pe): Map<string, Float32Array> {
  const model = onnx.ModelProto.decode(bytes);
  const g = model.graph!;
  const v = new Map<string, Tensor>();
  // tensors that do not depend on the graph's inputs
  const constant = new Set<string>((g.initializer ?? []).map((t) => t.name!));
  for (const n of g.node ?? []) if ((n.input ?? []).every((i) => i === '' || constant.has(i))) for (const o of n.output ?? []) constant.add(o);
  for (const t of g.initializer ?? []) v.set(t.name!, tensorOf(t));
  for (const i of g.input ?? []) {
    if (v.has(i.name!)) continue;
    const shape = (i.type!.tensorType!.shape!.dim ?? []).map((d) => num(d.dimValue as Long));
    v.set(i.name!, { shape, data: Float64Array.from(inputs[i.name!]) });
  }
  for (const n of g.node ?? []) {
    const x = (i: number) => {
      const t = v.get(n.input![i]);
      if (!t) throw new Error(`emulator: ${n.name}: no value for ${n.input![i]}`);
      return t;
    };
    const at = (name: string) => (n.attribute ?? []).find((a) => a.name === name);
    const ints = (name: string) => at(name)?.ints?.map((i) => num(i as Long));
    const out = (t: Tensor) => v.set(n.output![0], t);
    switch (n.opType) {
      case 'Constant': out(tensorOf(at('value')!.t!)); break;
      case 'Shape': out({ shape: [x(0).shape.length], data: Float64Array.from(x(0).shape) }); break;
      case 'Gather': {
        // shape computations only: a scalar index into a 1-D tensor
        const idx = x(1).data[0];
        out({ shape: [], data: Float64Array.of(x(0).data[idx < 0 ? idx + x(0).data.length : idx]) });
        break;
      }
      case 'Add': out(binary(x(0), x(1), (a, b) => fr(a + b))); break;
      case 'Sub': out(binary(x(0), x(1), (a, b) => fr(a - b))); break;
      case 'Mul': out(binary(x(0), x(1), (a, b) => fr(a * b))); break;
      // integer division truncates (shape arithmetic); float division rounds to fp32
      case 'Div': out(binary(x(0), x(1), (a, b) => (Number.isInteger(a) && Number.isInteger(b) && isIntTensor(n, 0, g) ? Math.trunc(a / b) : fr(a / b)))); break;
      case 'Pow': out(binary(x(0), x(1), (a, b) => fr(b === 2 ? a * a : Math.pow(a, b)))); break;
      case 'Sqrt': out({ shape: x(0).shape, data: x(0).data.map((a) => fr(Math.sqrt(a))) }); break;
      case 'Tanh': out({ shape: x(0).shape, data: x(0).data.map((a) => fr(Math.tanh(a))) }); break;
      case 'Sigmoid': out({ shape: x(0).shape, data: x(0).data.map((a) => fr(1 / (1 + Math.exp(-a)))) }); break;
      case 'Reshape': {
        const t = x(0), s = Array.from(x(1).data).map((d, i) => (d === 0 ? t.shape[i] : d));
        const k = s.indexOf(-1);
        if (k >= 0) s[k] = numel(t.shape) / -numel(s);
        out({ shape: s, data: t.data });
        break;
      }
      case 'Flatten': out({ shape: [x(0).shape[0], numel(x(0).shape.slice(1))], data: x(0).data }); break;
      case 'Transpose': out(transpose(x(0), ints('perm')!)); break;
      case 'Slice': {
        // one axis, step 1 (what the fixtures use)
        const t = x(0), axis = x(3).data[0] < 0 ? x(3).data[0] + t.shape.length : x(3).data[0];
        const s0 = x(1).data[0], e0 = Math.min(x(2).data[0], t.shape[axis]);
        const shape = [...t.shape];
        shape[axis] = e0 - s0;
        const outer = numel(t.shape.slice(0, axis)), inner = numel(t.shape.slice(axis + 1));
        const data = new Float64Array(numel(shape));
        for (let a = 0; a < outer; a++) for (let i = 0; i < (e0 - s0) * inner; i++) data[a * (e0 - s0) * inner + i] = t.data[(a * t.shape[axis] + s0) * inner + i];
        out({ shape, data });
        break;
      }
      case 'ReduceMean': {
        // over the last axis (the fixtures' layer norms)
        const t = x(0), d = t.shape[t.shape.length - 1], rows = t.data.length / d;
        const data = new Float64Array(rows);
        for (let r = 0; r < rows; r++) {
          let s = 0;
          for (let i = 0; i < d; i++) s = fr(s + t.data[r * d + i]);
          data[r] = fr(s / d);
        }
        out({ shape: [...t.shape.slice(0, -1), 1], data });
        break;
      }
      case 'GlobalAveragePool': {
        const t = x(0), [b, c] = t.shape, hw = numel(t.shape.slice(2));
        const data = new Float64Array(b * c);
        for (let i = 0; i < b * c; i++) {
          let s = 0;
          for (let j = 0; j < hw; j++) s = fr(s + t.data[i * hw + j]);
          data[i] = fr(s / hw);
        }
        out({ shape: [b, c, 1, 1], data });
        break;
      }
      case 'Softmax': {
        const t = x(0), d = t.shape[t.shape.length - 1], data = new Float64Array(t.data.length);
        for (let r = 0; r < t.data.length / d; r++) {
          let mx = -Infinity;
          for (let i = 0; i < d; i++) mx = Math.max(mx, t.data[r * d + i]);
          let s = 0;
          for (let i = 0; i < d; i++) {
            const e = fr(Math.exp(fr(t.data[r * d + i] - mx)));
            data[r * d + i] = e;
            s = fr(s + e);
          }
          for (let i = 0; i < d; i++) data[r * d + i] = fr(data[r * d + i] / s);
        }
        out({ shape: t.shape, data });
        break;
      }
      case 'Gemm': {
        const a = x(0), w = x(1), bias = n.input!.length > 2 ? x(2) : undefined;
        if (num(at('transB')?.i as Long) !== 1) throw new Error('emulator: Gemm without transB');
        const [m, k] = a.shape, nOut = w.shape[0];
        const data = new Float64Array(m * nOut);
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < nOut; j++) {
            const y = fr(pe(a.data.subarray(i * k, (i + 1) * k), w.data.subarray(j * k, (j + 1) * k)));
            data[i * nOut + j] = bias ? fr(y + bias.data[j]) : y;
          }
        }
        out({ shape: [m, nOut], data });
        break;
      }
      case 'MatMul': {
        const a = x(0), b = x(1);
        const dot = constant.has(n.input![0]) || constant.has(n.input![1]) ? pe : attentionPe;
        const k = a.shape[a.shape.length - 1], m = a.shape[a.shape.length - 2], nOut = b.shape[b.shape.length - 1];
        const batchA = numel(a.shape.slice(0, -2)), batchB = numel(b.shape.slice(0, -2));
        const batch = Math.max(batchA, batchB);
        const shape = [...(batchA >= batchB ? a.shape.slice(0, -2) : b.shape.slice(0, -2)), m, nOut];
        const data = new Float64Array(batch * m * nOut);
        const col = new Float64Array(k);
        for (let p = 0; p < batch; p++) {
          const ao = (batchA === 1 ? 0 : p) * m * k, bo = (batchB === 1 ? 0 : p) * k * nOut;
          for (let j = 0; j < nOut; j++) {
            for (let q = 0; q < k; q++) col[q] = b.data[bo + q * nOut + j];
            for (let i = 0; i < m; i++) data[(p * m + i) * nOut + j] = fr(dot(a.data.subarray(ao + i * k, ao + (i + 1) * k), col));
          }
        }
        out({ shape, data });
        break;
      }
      case 'Conv': {
        const t = x(0), w = x(1), bias = n.input!.length > 2 ? x(2) : undefined;
        const groups = num(at('group')?.i as Long) || 1;
        const [sh, sw] = ints('strides') ?? [1, 1], [pt, pl] = ints('pads') ?? [0, 0, 0, 0];
        const pads = ints('pads') ?? [0, 0, 0, 0];
        const [b, c, h, wd] = t.shape, [f, cg, kh, kw] = w.shape;
        const oh = Math.floor((h + pads[0] + pads[2] - kh) / sh) + 1, ow = Math.floor((wd + pads[1] + pads[3] - kw) / sw) + 1;
        const fg = f / groups;
        const data = new Float64Array(b * f * oh * ow);
        const av = new Float64Array(kh * kw * cg), bv = new Float64Array(kh * kw * cg);
        for (let n0 = 0; n0 < b; n0++) {
          for (let o = 0; o < f; o++) {
            const gr = Math.floor(o / fg);
            // weights in the order k = (ih * kW + iw) * Cg + ci
            for (let ih = 0; ih < kh; ih++) for (let iw = 0; iw < kw; iw++) for (let ci = 0; ci < cg; ci++) bv[(ih * kw + iw) * cg + ci] = w.data[((o * cg + ci) * kh + ih) * kw + iw];
            for (let y = 0; y < oh; y++) {
              for (let z = 0; z < ow; z++) {
                for (let ih = 0; ih < kh; ih++) {
                  for (let iw = 0; iw < kw; iw++) {
                    const yy = y * sh + ih - pt, zz = z * sw + iw - pl;
                    for (let ci = 0; ci < cg; ci++) {
                      av[(ih * kw + iw) * cg + ci] = yy < 0 || yy >= h || zz < 0 || zz >= wd ? 0 : t.data[((n0 * c + gr * cg + ci) * h + yy) * wd + zz];
                    }
                  }
                }
                const s = fr(pe(av, bv));
                data[((n0 * f + o) * oh + y) * ow + z] = bias ? fr(s + bias.data[o]) : s;
              }
            }
          }
        }
        out({ shape: [b, f, oh, ow], data });
        break;
      }
      default:
        throw new Error(`emulator: operator ${n.opType} is not emulated`);
    }
  }
  return new Map((g.output ?? []).map((o) => [o.name!, Float32Array.from(v.get(o.name!)!.data)]));
}

/** whether input i of a node is an integer tensor (a shape computation): produced by Shape / Gather / integer constants */
function isIntTensor(n: OnnxTypes.INodeProto, i: number, g: OnnxTypes.IGraphProto): boolean {
  const name = n.input![i];
  const init = (g.initializer ?? []).find((t) => t.name === name);
  if (init) return init.dataType === 7;
  const prod = (g.node ?? []).find((p) => (p.output ?? []).includes(name));
  if (!prod) return false;
  if (prod.opType === 'Shape') return true;
  if (prod.opType === 'Constant') return (prod.attribute ?? [])[0]?.t?.dataType === 7;
  return (prod.input ?? []).some((_, j) => isIntTensor(prod, j, g));
}
