/**
 * Recurrent layers, unrolled: LSTM and GRU as ONNX defines them (gate order i, o, f, c for the
 * LSTM and z, r, h for the GRU; forward, reverse or bidirectional; optional initial states,
 * LSTM peepholes, GRU's linear_before_reset). inputs: X [seq, batch, I], W [dirs, G*H, I],
 * R [dirs, G*H, H], B? [dirs, 2*G*H] (W's bias, then R's), initial_h? [dirs, batch, H], and for
 * the LSTM initial_c? and P? [dirs, 3H]; W, R, B and P are constants.
 *
 * The node's output packs what ONNX returns in several outputs along the first axis:
 * [seq + 2, dirs, batch, H] for the LSTM (Y's seq rows, then Y_h, then Y_c) and [seq + 1, ...]
 * for the GRU (Y, Y_h); the importer adds views (slices, reshapes) for the ONNX outputs.
 *
 * On the machine (lowering): the gate matmuls run on the array, the input projections of all
 * steps as one GEMM (M = seq x batch, N = G*H, K = I) and the recurrent ones step by step
 * (M = batch, N = G*H, K = H, `repeat` = seq), per direction; biases, activations and the state
 * updates run on the vector unit (VECTOR_OPS passes per hidden unit and step).
 *
 * Arithmetic (the kernel): gx = round(X W^T) + Wb per step, like a linear layer; gh = round(H R^T)
 * + Rb; pre = gx + gh (LSTM peepholes: + P * C); LSTM: i, f, o = sigmoid, c~ = tanh,
 * C = f*C + i*c~, H = o * tanh(C); GRU: z, r = sigmoid, h~ = tanh(gx_h + r * gh_h) with
 * linear_before_reset (PyTorch's), tanh(gx_h + round((r * H) R_h^T) + Rb_h) without,
 * H = (1 - z) * h~ + z * H. Every vector result is rounded once into the vector format; both
 * matmuls go through the array arithmetic (H is quantized into the PE's input format at every
 * step, as it would be on the machine).
 */
import { gemmLayer } from '../../sim/workload/layer.ts';
import { weightLayout } from '../exec/kernel-util.ts';
import { shapeStr, tensor, type NodeBase } from '../graph.ts';
import type { KernelContext, OnnxContext, OperatorDef } from './types.ts';

export type Direction = 'forward' | 'reverse' | 'bidirectional';

export interface RecurrentNode extends NodeBase {
  readonly op: 'lstm' | 'gru';
  readonly hidden: number;
  readonly direction: Direction;
  /** GRU: apply R_h (and its bias) before multiplying by the reset gate (PyTorch's GRU) */
  readonly linearBeforeReset?: boolean;
}

const GATES = { lstm: 4, gru: 3 } as const;
/** extra rows of the packed output: Y_h (and the LSTM's Y_c) */
const EXTRA = { lstm: 2, gru: 1 } as const;
/**
 * vector-unit passes per hidden unit and step: LSTM: 4 input-bias adds, 4 recurrent-bias adds,
 * 4 gate sums, 3 sigmoids, 2 tanh, 3 multiplies, 1 add = 21; GRU: 3 + 3 bias adds, 2 gate sums,
 * 2 sigmoids, r * gh, 1 add, 1 tanh, 1 - z, 2 multiplies, 1 add = 17
 */
const VECTOR_OPS = { lstm: 21, gru: 17 } as const;

const dirsOf = (d: Direction) => (d === 'bidirectional' ? 2 : 1);

export const RECURRENT: OperatorDef<RecurrentNode> = {
  ops: ['lstm', 'gru'],
  cachedInputs: [1, 2],

  inferShape(s, node) {
    const x = s.sh(0);
    if (x.length !== 3) s.fail(`input must be [seq, batch, input], got ${shapeStr(x)}`);
    const [seq, batch, inSize] = x;
    const d = dirsOf(node.direction), H = node.hidden, G = GATES[node.op];
    s.expectShape(1, [d, G * H, inSize], 'W');
    s.expectShape(2, [d, G * H, H], 'R');
    if (s.has(3)) s.expectShape(3, [d, 2 * G * H], 'B');
    if (s.has(4)) s.expectShape(4, [d, batch, H], 'initial_h');
    if (node.op === 'lstm') {
      if (s.has(5)) s.expectShape(5, [d, batch, H], 'initial_c');
      if (s.has(6)) s.expectShape(6, [d, 3 * H], 'P');
    }
    return [seq + EXTRA[node.op], d, batch, H];
  },

  macs(g, node) {
    const [seq, batch, inSize] = tensor(g, node.inputs[0]).shape;
    const G = GATES[node.op], H = node.hidden;
    return dirsOf(node.direction) * seq * batch * G * H * (inSize + H);
  },

  lower(ctx, node) {
    const [seq, batch, inSize] = ctx.shape(node.inputs[0]);
    const d = dirsOf(node.direction), G = GATES[node.op], H = node.hidden;
    ctx.array(gemmLayer(`${node.name}/input`, seq * batch, G * H, inSize, `node '${node.name}'`), d, 'input');
    ctx.array(gemmLayer(`${node.name}/recurrent`, batch, G * H, H, `node '${node.name}'`), d * seq, 'recurrent');
    ctx.vector(node.op, d * seq * batch * H, VECTOR_OPS[node.op]);
    return {
      mapping: 'array',
      detail: `${node.op.toUpperCase()} unrolled over ${seq} steps${d > 1 ? ', both directions' : ''}: input GEMM ${seq * batch}x${G * H}x${inSize}, ` +
        `recurrent GEMM ${batch}x${G * H}x${H} x ${seq}, gates on the vector unit`,
    };
  },

  kernel: recurrent,

  onnx: {
    LSTM: (ctx) => importRecurrent(ctx, 'lstm'),
    GRU: (ctx) => importRecurrent(ctx, 'gru'),
  },
};

function importRecurrent(ctx: OnnxContext, op: 'lstm' | 'gru'): void {
  const hidden = ctx.attrInt('hidden_size', 0);
  if (hidden < 1) ctx.bad('hidden_size is required');
  const direction = ctx.attrString('direction', 'forward');
  if (direction !== 'forward' && direction !== 'reverse' && direction !== 'bidirectional') ctx.bad(`unknown direction '${direction}'`);
  if (ctx.attrInt('layout', 0) !== 0) ctx.bad('layout 1 (batch first) is not supported; PyTorch exports layout 0');
  if (ctx.attrFloats('activation_alpha') !== undefined || ctx.attrFloats('activation_beta') !== undefined) ctx.bad('activation parameters are not supported');
  const acts = ctx.attrStrings('activations');
  const plain = op === 'lstm' ? ['Sigmoid', 'Tanh', 'Tanh'] : ['Sigmoid', 'Tanh'];
  if (acts !== undefined && acts.some((a, i) => a !== plain[i % plain.length])) ctx.bad(`only the default activations (${plain.join(', ')}) are supported, got ${acts.join(', ')}`);
  if (ctx.attrFloat('clip', 0) !== 0) ctx.bad('clip is not supported');
  if (op === 'lstm' && ctx.attrInt('input_forget', 0) !== 0) ctx.bad('input_forget is not supported');
  // W, R, B (and the LSTM's peepholes P) are weights; the initial states may be computed
  for (const i of [1, 2, 3, 7]) if (ctx.input(i) !== '' && !ctx.isConst(i)) ctx.bad(`input ${i} ('${ctx.input(i)}') must be a constant`);
  const [seq, batch] = ctx.info(0).shape;
  if (ctx.input(4) !== '') {
    // sequence_lens: every sequence must run the whole length (no padding masks)
    const lens = Array.from(ctx.constData(4));
    if (lens.some((l) => l !== seq)) ctx.bad(`sequence_lens ${shapeStr(lens)} other than the full length ${seq} are not supported`);
  }
  const inputs = [ctx.input(0), ctx.input(1), ctx.input(2), ctx.input(3), ctx.input(5)];
  if (op === 'lstm') inputs.push(ctx.input(6), ctx.input(7));
  while (inputs[inputs.length - 1] === '') inputs.pop();
  const lbr = ctx.attrInt('linear_before_reset', 0) === 1;
  const packed = `${ctx.out || ctx.outputs.find((o) => o !== '') || ctx.name}__packed`;
  ctx.add({ op, name: ctx.name, inputs, output: packed, hidden, direction, ...(op === 'gru' && { linearBeforeReset: lbr }) });
  const d = dirsOf(direction);
  // the ONNX outputs: views into the packed tensor
  const rows: [number, number][] = [[0, seq], [seq, seq + 1], [seq + 1, seq + 2]];
  ctx.outputs.forEach((o, i) => {
    if (o === '' || i >= EXTRA[op] + 1) return;
    const [start, end] = rows[i];
    if (i === 0) {
      ctx.add({ op: 'slice', name: `${ctx.name}/Y`, inputs: [packed], output: o, axis: 0, start, end });
      return;
    }
    const part = ctx.add({ op: 'slice', name: `${ctx.name}/${o}/rows`, inputs: [packed], output: `${o}__rows`, axis: 0, start, end });
    ctx.add({ op: 'reshape', name: `${ctx.name}/${i === 1 ? 'Y_h' : 'Y_c'}`, inputs: [part.name], output: o, shape: [d, batch, hidden] });
  });
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

function recurrent(ctx: KernelContext, node: RecurrentNode): Float32Array {
  const { vr } = ctx;
  const arr = ctx.array;
  const x = ctx.val(0), w = ctx.val(1), r = ctx.val(2);
  const [seq, batch, inSize] = ctx.shp(0);
  const H = node.hidden, G = GATES[node.op], GH = G * H;
  const d = dirsOf(node.direction);
  const bias = ctx.has(3) ? ctx.val(3) : undefined;
  const h0 = ctx.has(4) ? ctx.val(4) : undefined;
  const c0 = node.op === 'lstm' && ctx.has(5) ? ctx.val(5) : undefined;
  const peep = node.op === 'lstm' && ctx.has(6) ? ctx.val(6) : undefined;
  const out = new Float32Array(ctx.outN);
  const rowSize = d * batch * H;
  const sx = arr.scale(x, 'input');
  for (let dir = 0; dir < d; dir++) {
    const reverse = node.direction === 'reverse' || dir === 1;
    // B layouts (K x N) of W and R of this direction, built once per tensor
    const wt = transposedGates(w, dir, GH, inSize);
    const rt = transposedGates(r, dir, GH, H);
    const sw = arr.scale(w, 'weight'), sr = arr.scale(r, 'weight');
    // input projections of every step at once: (seq * batch) x GH
    const gxAll = arr.gemm(x, wt, seq * batch, GH, inSize, sx, sw);
    const h = new Float32Array(batch * H), c = new Float32Array(batch * H);
    if (h0) h.set(h0.subarray(dir * batch * H, (dir + 1) * batch * H));
    if (c0) c.set(c0.subarray(dir * batch * H, (dir + 1) * batch * H));
    const wb = (j: number) => (bias ? bias[dir * 2 * GH + j] : 0);
    const rb = (j: number) => (bias ? bias[dir * 2 * GH + GH + j] : 0);
    for (let step = 0; step < seq; step++) {
      const t = reverse ? seq - 1 - step : step;
      const gh = arr.gemm(h, rt, batch, GH, H, arr.scale(h, 'input'), sr);
      const gx = (b: number, j: number) => vr(Math.fround(gxAll[(t * batch + b) * GH + j]) + wb(j));
      const ghv = (b: number, j: number) => vr(Math.fround(gh[b * GH + j]) + rb(j));
      if (node.op === 'lstm') {
        for (let b = 0; b < batch; b++) {
          for (let u = 0; u < H; u++) {
            const e = b * H + u;
            const pre = (gate: number) => vr(gx(b, gate * H + u) + ghv(b, gate * H + u));
            const cPrev = c[e];
            // peepholes P = [Pi, Po, Pf]
            const pi = peep ? vr(pre(0) + vr(peep[dir * 3 * H + u] * cPrev)) : pre(0);
            const pf = peep ? vr(pre(2) + vr(peep[dir * 3 * H + 2 * H + u] * cPrev)) : pre(2);
            const ig = vr(sigmoid(pi)), fg = vr(sigmoid(pf)), cg = vr(Math.tanh(pre(3)));
            const cNew = vr(vr(fg * cPrev) + vr(ig * cg));
            const po = peep ? vr(pre(1) + vr(peep[dir * 3 * H + H + u] * cNew)) : pre(1);
            const og = vr(sigmoid(po));
            c[e] = cNew;
            h[e] = vr(og * vr(Math.tanh(cNew)));
          }
        }
      } else {
        // GRU without linear_before_reset: R_h multiplies (r * H), a second GEMM
        let ghReset: Float64Array | undefined;
        const rg = new Float32Array(batch * H);
        for (let b = 0; b < batch; b++) for (let u = 0; u < H; u++) rg[b * H + u] = vr(sigmoid(vr(gx(b, H + u) + ghv(b, H + u))));
        if (!node.linearBeforeReset) {
          const rh = new Float32Array(batch * H);
          for (let e = 0; e < rh.length; e++) rh[e] = vr(rg[e] * h[e]);
          const rtH = transposedGateRows(r, dir, GH, H, 2 * H);
          ghReset = arr.gemm(rh, rtH, batch, H, H, arr.scale(rh, 'input'), sr);
        }
        const next = new Float32Array(batch * H);
        for (let b = 0; b < batch; b++) {
          for (let u = 0; u < H; u++) {
            const e = b * H + u;
            const z = vr(sigmoid(vr(gx(b, u) + ghv(b, u))));
            const hh = node.linearBeforeReset
              ? vr(Math.tanh(vr(gx(b, 2 * H + u) + vr(rg[e] * ghv(b, 2 * H + u)))))
              : vr(Math.tanh(vr(gx(b, 2 * H + u) + vr(Math.fround(ghReset![e]) + rb(2 * H + u)))));
            next[e] = vr(vr(vr(1 - z) * hh) + vr(z * h[e]));
          }
        }
        h.set(next);
      }
      out.set(h, t * rowSize + dir * batch * H);
    }
    out.set(h, seq * rowSize + dir * batch * H);
    if (node.op === 'lstm') out.set(c, (seq + 1) * rowSize + dir * batch * H);
  }
  return out;
}

/** W or R of one direction ([GH, K] rows) as the GEMM's B (K x GH), built once per tensor */
function transposedGates(w: Float32Array, dir: number, gh: number, k: number): Float32Array {
  return transposedGateRows(w, dir, gh, k, 0, gh);
}

/** rows [row0, row0 + n) of direction `dir` of a [dirs, gh, k] tensor as a K x n B matrix */
function transposedGateRows(w: Float32Array, dir: number, gh: number, k: number, row0: number, n = k): Float32Array {
  // one layout per direction for the whole tensor, one more for the GRU's R_h rows
  return weightLayout(w, dir * 2 + (row0 === 0 ? 0 : 1), () => {
    const b = new Float32Array(k * n);
    const base = dir * gh * k;
    for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) b[p * n + j] = w[base + (row0 + j) * k + p];
    return [b];
  })[0];
}

