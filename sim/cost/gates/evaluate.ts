/**
 * Gate-level evaluation, bit-parallel: 32 operand streams ("lanes") at once, one bit of a
 * 32-bit word per lane, every cell one bitwise operation per step. A stream is the sequence of
 * values a unit's input ports take, one step per clock cycle (a PE's operands in the order the
 * dataflow delivers them); a net toggles between two steps when its value differs
 * (zero-delay: at most one toggle per step). Flip-flops hold their D from the previous step.
 *
 * Port values are unsigned integers, ceil(bits / 32) 32-bit words each (LSB word first), laid
 * out lane by lane: value of (lane, step) at words [(lane * steps + step) * W, ... + W).
 */
import { InputError } from '../../errors.ts';
import { CELL_CODE, DFF_CODE, type CompiledNetlist } from './netlist.ts';

/** 32-bit words per value of a port of `bits` bits. */
export function portWords(bits: number): number {
  return Math.max(1, Math.ceil(bits / 32));
}

export function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

export interface EvalOptions {
  /** accumulate toggle counts here (length: nets); a new array otherwise */
  readonly toggles?: Float64Array;
  /** output ports whose values to return (default: none) */
  readonly outputs?: readonly string[];
}

export interface EvalResult {
  /** toggles per net, summed over lanes and steps */
  readonly toggles: Float64Array;
  /** step-to-step transitions evaluated: lanes x (steps - 1) */
  readonly transitions: number;
  /** requested output ports, in the input layout */
  readonly outputs: Readonly<Record<string, Uint32Array>>;
}

const { NOT, AND, NAND, OR, NOR, XOR, XNOR, ANDNOT, ORNOT } = CELL_CODE;
/** steps per block of a combinational netlist */
const BLOCK = 64;

export function evaluateStreams(
  n: CompiledNetlist, inputs: Readonly<Record<string, Uint32Array>>, lanes: number, steps: number, opts: EvalOptions = {},
): EvalResult {
  if (!Number.isInteger(lanes) || lanes < 0 || !Number.isInteger(steps) || steps < 0) throw new InputError(`evaluate ${n.id}: bad lanes/steps ${lanes}x${steps}`);
  const ports = Object.entries(n.inputs).map(([name, nets]) => {
    const values = inputs[name];
    if (values === undefined) throw new InputError(`evaluate ${n.id}: no values for input port ${name}`);
    const w = portWords(nets.length);
    if (values.length !== lanes * steps * w) throw new InputError(`evaluate ${n.id}: port ${name} needs ${lanes * steps * w} words, got ${values.length}`);
    return { nets, values, w };
  });
  for (const name of Object.keys(inputs)) if (n.inputs[name] === undefined) throw new InputError(`evaluate ${n.id}: no input port ${name}`);
  const outs = (opts.outputs ?? []).map((name) => {
    const nets = n.outputs[name];
    if (nets === undefined) throw new InputError(`evaluate ${n.id}: no output port ${name}`);
    const w = portWords(nets.length);
    return { name, nets, w, values: new Uint32Array(lanes * steps * w) };
  });
  const toggles = opts.toggles ?? new Float64Array(n.nets);
  if (toggles.length !== n.nets) throw new InputError(`evaluate ${n.id}: toggles array has ${toggles.length} entries, the netlist ${n.nets} nets`);
  const N = n.nets, C = n.type.length;
  const { type, out, a } = n;
  // the combinational cells packed [type, out, a, b] for locality; flip-flops left out
  const comb: number[] = [];
  for (let i = 0; i < C; i++) if (type[i] !== DFF_CODE) comb.push(type[i], out[i], a[i], n.b[i]);
  const cells = Int32Array.from(comb);
  const CL = cells.length;
  const dffs: number[] = [];
  for (let i = 0; i < C; i++) if (type[i] === DFF_CODE) dffs.push(i);
  const state = new Int32Array(dffs.length);
  // steps are evaluated in blocks of T (net-major: value of net x at block step t in V[x * T + t]),
  // so each cell's dispatch covers T steps; with flip-flops one step at a time
  const T = dffs.length > 0 ? 1 : Math.max(1, Math.min(BLOCK, steps));
  const V = new Int32Array(N * T);
  const last = new Int32Array(N);
  for (let b0 = 0; b0 < lanes; b0 += 32) {
    const L = Math.min(32, lanes - b0);
    const mask = L === 32 ? -1 : (1 << L) - 1;
    state.fill(0);
    for (let t0 = 0; t0 < steps; t0 += T) {
      const TT = Math.min(T, steps - t0);
      for (let t = 0; t < TT; t++) {
        V[t] = 0;
        V[T + t] = mask;
      }
      for (const p of ports) {
        const { nets, values, w } = p;
        const nb = nets.length;
        for (let j = 0; j < nb; j++) V.fill(0, nets[j] * T, nets[j] * T + TT);
        for (let t = 0; t < TT; t++) {
          for (let l = 0; l < L; l++) {
            const base = ((b0 + l) * steps + t0 + t) * w;
            const bit = 1 << l;
            for (let k = 0; k < w; k++) {
              let x = values[base + k];
              let j = 32 * k;
              while (x !== 0 && j < nb) {
                if (x & 1) V[nets[j] * T + t] |= bit;
                x >>>= 1;
                j++;
              }
            }
          }
        }
      }
      for (let k = 0; k < dffs.length; k++) V[out[dffs[k]]] = state[k];
      for (let i = 0; i < CL; i += 4) {
        const o = cells[i + 1] * T, x = cells[i + 2] * T, y = cells[i + 3] * T;
        switch (cells[i]) {
          case NAND: for (let t = 0; t < TT; t++) V[o + t] = ~(V[x + t] & V[y + t]); break;
          case XOR: for (let t = 0; t < TT; t++) V[o + t] = V[x + t] ^ V[y + t]; break;
          case AND: for (let t = 0; t < TT; t++) V[o + t] = V[x + t] & V[y + t]; break;
          case NOR: for (let t = 0; t < TT; t++) V[o + t] = ~(V[x + t] | V[y + t]); break;
          case NOT: for (let t = 0; t < TT; t++) V[o + t] = ~V[x + t]; break;
          case OR: for (let t = 0; t < TT; t++) V[o + t] = V[x + t] | V[y + t]; break;
          case XNOR: for (let t = 0; t < TT; t++) V[o + t] = ~(V[x + t] ^ V[y + t]); break;
          case ANDNOT: for (let t = 0; t < TT; t++) V[o + t] = V[x + t] & ~V[y + t]; break;
          case ORNOT: for (let t = 0; t < TT; t++) V[o + t] = V[x + t] | ~V[y + t]; break;
          default: for (let t = 0; t < TT; t++) V[o + t] = V[x + t]; break; // BUF
        }
      }
      for (let k = 0; k < dffs.length; k++) state[k] = V[a[dffs[k]]];
      // toggles: against the previous step (the first step of a lane's stream has none)
      const from = t0 === 0 ? 1 : 0;
      for (let x = 2; x < N; x++) {
        const base = x * T;
        let pv = t0 === 0 ? V[base] : last[x];
        let cnt = 0;
        for (let t = from; t < TT; t++) {
          const v = V[base + t];
          const d = (v ^ pv) & mask;
          if (d !== 0) cnt += popcount32(d);
          pv = v;
        }
        last[x] = pv;
        if (cnt !== 0) toggles[x] += cnt;
      }
      for (const o of outs) {
        const { nets, w, values } = o;
        for (let t = 0; t < TT; t++) {
          for (let l = 0; l < L; l++) {
            const base = ((b0 + l) * steps + t0 + t) * w;
            for (let k = 0; k < w; k++) {
              let v = 0;
              const top = Math.min(nets.length, 32 * k + 32);
              for (let j = 32 * k; j < top; j++) v |= ((V[nets[j] * T + t] >>> l) & 1) << (j & 31);
              values[base + k] = v >>> 0;
            }
          }
        }
      }
    }
  }
  return {
    toggles,
    transitions: lanes * Math.max(0, steps - 1),
    outputs: Object.fromEntries(outs.map((o) => [o.name, o.values])),
  };
}
