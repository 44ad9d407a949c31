/**
 * Energy per action and area of a processing element, derived from its structure and its
 * formats' widths. Every figure comes from a Technology primitive (sim/cost/technology.ts);
 * the derivations:
 *
 *  multiplier
 *   float   exact IEEE-style multiplier on the operand format: Technology.fpMult(e, m)
 *           (mantissa multiplier (m+1)^2, exponent adder, fitted normalisation/rounding).
 *   lmul    L-Mul: r = |x| + |y| - C on the (e+m)-bit magnitude fields. The constant makes it
 *           a three-operand add: one carry-save row plus one carry-propagate adder, costed as
 *           two (e+m+1)-bit adders; the sign is one XOR and the underflow/overflow handling
 *           (flush to zero, saturate) a row of (e+m)-bit muxes (bit ops).
 *           The L-Mul paper counts one adder only; see sim/cost/papers.ts for both accountings.
 *   int     an a x b array multiplier: Technology.intMult(a, b).
 *   EN-T    (--reuse ent, int and float kinds) the radix-4 Booth encoder, a share of the
 *           multiplier (ENT_STRUCTURE.encoder_share of intMult(a, b), or of the (m+1)-bit
 *           mantissa multiplier inside fpMult), leaves the PE: the PE keeps partial-product
 *           selection and the adder tree (multiplier x (1 - share)). One encoder sits at the
 *           entry of each array row, after the skew registers, and encodes the operand that
 *           streams along the rows (the broadcast operand): os and ws the input (A), is the
 *           weight (B). Its energy is charged per encoded element (run-cost.ts: one per SRAM
 *           read of the broadcast operand), its area once per row (`row_encoder`). The
 *           encoded digits travel through the row's pipeline registers, which are wider:
 *           3 bits per radix-4 digit, ceil(w/2) * 3 for a w-bit integer, and sign + exponent +
 *           3 * ceil((m+2)/2) for a float (the significand with its hidden bit, as a signed
 *           operand of m+2 bits).
 *   ternary add / subtract / skip: conditional negation and select of the input, a row of
 *           input-width bit ops; the adding is the accumulator's.
 *   xnor    one XNOR gate (a 1-bit bit op); the popcount is the accumulator's +-1 adding.
 *   block   MX / NVFP4 block PEs: element multiplier, alignment, adder tree and scale path
 *           per product (sim/cost/block-pe-cost.ts).
 *  accumulator of block PEs and of limited registers (--acc-bits, --acc-promote): once per
 *           block, the register's fp_add, promotion's share (block-pe-cost.ts).
 *  accumulator  one add in the accumulator format: int_add(bits) or fpAdd(e, m).
 *  registers    pipeline registers the operands and partial sums hop through, per MAC, by
 *               dataflow (its `macRegisters`: os input + weight + accumulator; ws input +
 *               partial sum; is weight + partial sum); the PE holds input, weight and
 *               accumulator registers.
 */
import { InputError } from '../errors.ts';
import type { Dataflow } from '../arch/schema.ts';
import { dataflowRules } from '../dataflows/index.ts';
import type { FloatFormat, NumberFormat } from '../pe/formats.ts';
import type { PeKind } from '../pe/types.ts';
import { ENT_STRUCTURE } from './tables/structure.ts';
import { blockMultiplierParts, blockOperandRegisterBits, limitedAccumulatorPart } from './block-pe-cost.ts';
import type { Cost, Technology } from './technology.ts';

export interface CostPart {
  readonly name: string;
  readonly energy_pj: number;
  readonly area_um2: number;
  readonly derivation: string;
}

export interface PeCost {
  readonly pe: string;
  readonly technology: string;
  readonly node_nm: number;
  /** the product: multiplier (or its L-Mul / XNOR / select replacement) */
  readonly multiply: CostPart[];
  readonly accumulate: CostPart;
  /** energy of one MAC in the PE, multiplier + accumulator (EN-T: without the row encoder) */
  readonly mac_pj: number;
  /** register energy per MAC for each dataflow */
  readonly register_pj: Readonly<Record<Dataflow, number>>;
  /** area of one PE: multiplier, accumulator adder, input/weight/accumulator registers */
  readonly area_um2: { readonly multiplier: number; readonly accumulator: number; readonly registers: number; readonly total: number };
  /** EN-T: the Booth encoder at each array row's entry (energy per encoded element, area per encoder) */
  readonly row_encoder?: Cost;
}

function fmtOf(f: NumberFormat): FloatFormat | undefined {
  return f.kind === 'float' ? f : undefined;
}

function part(name: string, c: Cost, derivation: string): CostPart {
  return { name, energy_pj: c.energy_pj, area_um2: c.area_um2, derivation };
}

function scale(c: Cost, k: number): Cost {
  return { energy_pj: c.energy_pj * k, area_um2: c.area_um2 * k };
}

function add(...cs: Cost[]): Cost {
  return { energy_pj: cs.reduce((s, c) => s + c.energy_pj, 0), area_um2: cs.reduce((s, c) => s + c.area_um2, 0) };
}

/** Which operand streams along the array rows (and so is Booth-encoded by EN-T): the dataflow's row operand. */
export function broadcastOperand(dataflow: Dataflow): 'input' | 'weight' {
  return dataflowRules(dataflow).rowOperand === 'a' ? 'input' : 'weight';
}

/** Width of an operand register holding the EN-T encoding of `f` (3 control bits per radix-4 digit). */
export function encodedBits(f: NumberFormat): number {
  if (f.kind === 'float') return 1 + f.expBits + 3 * Math.ceil((f.manBits + 2) / 2);
  return 3 * Math.ceil(f.bits / 2);
}

/** The multiplier's parts for one PE kind. EN-T's encoder is not among them (see `rowEncoder`). */
export function multiplierParts(pe: PeKind, tech: Technology): { parts: CostPart[]; rowEncoder?: Cost } {
  const ent = pe.reuse === 'ent';
  const share = ENT_STRUCTURE.encoder_share.value;
  switch (pe.multiplier) {
    case 'float': {
      const a = fmtOf(pe.input), b = fmtOf(pe.weight);
      if (!a || !b) throw new InputError(`PE ${pe.name}: a float multiplier needs float operands`);
      const e = Math.max(a.expBits, b.expBits), m = Math.max(a.manBits, b.manBits);
      const full = tech.fpMult(e, m);
      if (!ent) return { parts: [part(`fp multiplier e${e}m${m}`, full, `fpMult(${e}, ${m}): (m+1)^2 mantissa multiplier + exponent adder + fitted normalise/round`)] };
      // the encoder is a share of the mantissa multiplier only
      const mant = tech.intMult(m + 1, m + 1);
      const enc = scale(mant, share);
      return {
        parts: [part(`fp multiplier e${e}m${m}, EN-T (no encoder)`, add(full, scale(enc, -1)),
          `fpMult(${e}, ${m}) - encoder share (${share.toFixed(3)}) of its ${m + 1}x${m + 1} mantissa multiplier`)],
        rowEncoder: enc,
      };
    }
    case 'lmul': {
      const f = fmtOf(pe.input);
      if (!f) throw new InputError(`PE ${pe.name}: an L-Mul unit needs a float format`);
      const w = f.expBits + f.manBits;
      return {
        parts: [
          part(`L-Mul adder ${w + 1}-bit x2`, scale(tech.intAdd(w + 1), 2), `|x|+|y|-C: carry-save row + carry-propagate adder, 2 x int_add(${w + 1})`),
          part('sign XOR', tech.bitOp(1), 'bit_op(1)'),
          part(`flush/saturate mux ${w}-bit`, tech.bitOp(w), `bit_op(${w})`),
        ],
      };
    }
    case 'int': {
      const mult = tech.intMult(pe.input.bits, pe.weight.bits);
      if (ent) {
        return {
          parts: [part(`int ${pe.input.bits}x${pe.weight.bits} PP select + tree (EN-T)`, scale(mult, 1 - share),
            `intMult(${pe.input.bits}, ${pe.weight.bits}) x (1 - encoder share ${share.toFixed(3)})`)],
          rowEncoder: scale(mult, share),
        };
      }
      return { parts: [part(`int ${pe.input.bits}x${pe.weight.bits} multiplier`, mult, `intMult(${pe.input.bits}, ${pe.weight.bits})`)] };
    }
    case 'ternary':
      return { parts: [part(`negate/select ${pe.input.bits}-bit`, tech.bitOp(pe.input.bits), `bit_op(${pe.input.bits})`)] };
    case 'xnor':
      return { parts: [part('XNOR', tech.bitOp(1), 'bit_op(1)')] };
    case 'block':
      return { parts: blockMultiplierParts(pe, tech).map((p) => part(p.name, p.cost, p.derivation)) };
    default: {
      const k: never = pe.multiplier;
      throw new InputError(`no cost model for multiplier kind '${String(k)}' (PE ${pe.name})`);
    }
  }
}

export function accumulatorPart(acc: NumberFormat, tech: Technology): CostPart {
  if (acc.kind === 'float') return part(`${acc.name} accumulator adder`, tech.fpAdd(acc.expBits, acc.manBits), `fpAdd(${acc.expBits}, ${acc.manBits})`);
  if (acc.kind === 'int') return part(`${acc.name} accumulator adder`, tech.intAdd(acc.bits), `int_add(${acc.bits})`);
  throw new InputError(`no cost model for a ${acc.kind} accumulator (${acc.name})`);
}

/**
 * Bits of the PE's operand registers for a dataflow; with EN-T the broadcast operand's
 * register (the one that hops along the row) carries the encoded digits.
 */
export function regBits(pe: PeKind, dataflow: Dataflow): { input: number; weight: number; acc: number } {
  if (pe.block) {
    // element bits every product, scale and block-start flag once per block
    return { input: blockOperandRegisterBits(pe, 'input'), weight: blockOperandRegisterBits(pe, 'weight'), acc: pe.acc.bits };
  }
  const ent = pe.reuse === 'ent';
  const enc = broadcastOperand(dataflow);
  return {
    input: ent && enc === 'input' ? encodedBits(pe.input) : pe.input.bits,
    weight: ent && enc === 'weight' ? encodedBits(pe.weight) : pe.weight.bits,
    acc: pe.acc.bits,
  };
}

export interface PeCostOptions {
  /** the dataflow decides which operand EN-T encodes, so which register is wider; default os */
  readonly dataflow?: Dataflow;
}

export function peCost(pe: PeKind, tech: Technology, opts: PeCostOptions = {}): PeCost {
  const { parts, rowEncoder } = multiplierParts(pe, tech);
  const limited = pe.block !== undefined || pe.accumulation !== undefined ? limitedAccumulatorPart(pe, pe.accumulation, tech) : undefined;
  const accumulate = limited ? part(limited.name, limited.cost, limited.derivation) : accumulatorPart(pe.acc, tech);
  const reg = (bits: number) => tech.register(bits).energy_pj;
  // the registers a MAC writes, per dataflow (sim/dataflows/: macRegisters)
  const perMac = (df: Dataflow) => {
    const b = regBits(pe, df);
    return dataflowRules(df).macRegisters.reduce((s, r) => s + reg(b[r]), 0);
  };
  const register_pj: Record<Dataflow, number> = { os: perMac('os'), ws: perMac('ws'), is: perMac('is') };
  const r = regBits(pe, opts.dataflow ?? 'os');
  const multArea = parts.reduce((s, p) => s + p.area_um2, 0);
  // a block PE holds the whole operand word (element, scale, flag) though the scale changes once per block
  const regArea = tech.register(pe.block ? pe.input.bits + pe.weight.bits + pe.acc.bits : r.input + r.weight + r.acc).area_um2;
  const mac = parts.reduce((s, p) => s + p.energy_pj, 0) + accumulate.energy_pj;
  return {
    pe: pe.name,
    technology: tech.name,
    node_nm: tech.node_nm,
    multiply: parts,
    accumulate,
    mac_pj: mac,
    register_pj,
    area_um2: {
      multiplier: multArea,
      accumulator: accumulate.area_um2,
      registers: regArea,
      total: multArea + accumulate.area_um2 + regArea,
    },
    ...(rowEncoder !== undefined && { row_encoder: rowEncoder }),
  };
}

/** Energy and area of the bare multiplier (no accumulator, no registers). */
export function multiplierCost(pe: PeKind, tech: Technology): Cost {
  return add(...multiplierParts(pe, tech).parts);
}
