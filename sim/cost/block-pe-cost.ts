/**
 * Energy and area of a block PE (MX, NVFP4; sim/pe/block-pe.ts) and of a limited-precision
 * accumulator (sim/pe/limited-acc.ts), from the same Technology primitives as every other PE
 * (sim/cost/technology.ts: int_add, int_mult, fp_add, bit_op; each entry cites its source in
 * its table). The structure, per product of a block of k:
 *
 *  element multiply   float elements: the significands' (m_a+1) x (m_b+1) array multiplier
 *                     and a (max(e_a, e_b)+1)-bit exponent adder (the product stays in fixed
 *                     point: no normalisation or rounding); MXINT8: an 8 x 8 multiplier.
 *  alignment          float elements: a barrel shifter that places the product in the adder
 *                     tree: W bits x ceil(log2 W) stages of 2:1 muxes (one bit op each).
 *  adder tree         k - 1 W-bit adds per block: (k - 1) / k of int_add(W) per product,
 *                     W the tree's width (block-dot.ts: 14 bits for MXFP4 ... 53 for E5M2).
 *                     A PE takes one element pair per cycle, so it holds one W-bit adder
 *                     (area), used by (k - 1) / k of the products (energy); likewise the
 *                     scale path and the accumulator below: whole area, energy per use.
 *  scale path         once per block, so 1/k per product: MX adds the two E8M0 exponents
 *                     (int_add(8)); NVFP4 multiplies the two E4M3 scales (4 x 4 significand
 *                     multiplier, 5-bit exponent adder); then the W-bit sum is normalised
 *                     into the accumulator's format (leading-zero count and shift: W x
 *                     ceil(log2 W) bit ops).
 *  accumulate         once per block, 1/k per product: one add in the accumulator register
 *                     (fp_add(8, 23) for fp32; fp_add(8, N-1) for an N-bit register).
 *
 * A limited accumulator on a scalar PE: the per-product add is fp_add(8, N-1); promotion
 * every P products adds one fp_add(8, 23) per P products (the full fp32 accumulator).
 */
import type { PeKind } from '../pe/types.ts';
import type { BlockFormat } from '../pe/block-formats.ts';
import type { AccumulatorSpec } from '../pe/limited-acc.ts';
import type { Cost, Technology } from './technology.ts';

export interface CostPartSpec {
  readonly name: string;
  readonly cost: Cost;
  readonly derivation: string;
}

/**
 * A component used by a fraction f of the products: energy scaled by f, area whole (the PE
 * holds one, used once per product: the per-product adder of the tree, the per-block scale
 * path, the accumulator a block enters).
 */
function sharedUse(c: Cost, f: number): Cost {
  return { energy_pj: c.energy_pj * f, area_um2: c.area_um2 };
}

function sum(...cs: Cost[]): Cost {
  return { energy_pj: cs.reduce((s, c) => s + c.energy_pj, 0), area_um2: cs.reduce((s, c) => s + c.area_um2, 0) };
}

/** a W-bit barrel shifter / normaliser: W x ceil(log2 W) 2:1 muxes */
function shifter(tech: Technology, w: number): { cost: Cost; ops: number } {
  const ops = w * Math.ceil(Math.log2(w));
  return { cost: tech.bitOp(ops), ops };
}

/**
 * The multiplier side of a block PE, per product: element multiply, alignment, the adder
 * tree, the scale path (energy per product; area: the whole unit's, one per PE).
 */
export function blockMultiplierParts(pe: PeKind, tech: Technology): CostPartSpec[] {
  const blk = pe.block;
  if (!blk) throw new Error(`PE ${pe.name} is not a block PE`);
  const fa: BlockFormat = blk.input.block, fb: BlockFormat = blk.weight.block;
  const k = fa.blockSize;
  const w = blk.adderBits;
  const parts: CostPartSpec[] = [];
  const ea = fa.element, eb = fb.element;
  if (ea.kind === 'float' && eb.kind === 'float') {
    const ma = ea.format.manBits + 1, mb = eb.format.manBits + 1, e = Math.max(ea.format.expBits, eb.format.expBits) + 1;
    parts.push({
      name: `element multiply ${ma}x${mb} + ${e}-bit exponent add`,
      cost: sum(tech.intMult(ma, mb), tech.intAdd(e)),
      derivation: `int_mult(${ma}, ${mb}) + int_add(${e}): significands and exponents, product kept in fixed point`,
    });
    const sh = shifter(tech, w);
    parts.push({ name: `alignment shifter ${w}-bit`, cost: sh.cost, derivation: `bit_op(${sh.ops}): ${w} bits x ceil(log2 ${w}) mux stages` });
  } else {
    const a = ea.format.bits, b = eb.format.bits;
    parts.push({ name: `element multiply ${a}x${b}`, cost: tech.intMult(a, b), derivation: `int_mult(${a}, ${b})` });
  }
  parts.push({
    name: `adder tree ${w}-bit, ${k} per block`,
    cost: sharedUse(tech.intAdd(w), (k - 1) / k),
    derivation: `int_add(${w}) x (k-1)/k, k = ${k}: the tree's k-1 adders per block`,
  });
  const sh = shifter(tech, w);
  const scaleOp = fa.kind === 'mx'
    ? { cost: tech.intAdd(8), what: 'int_add(8): the two E8M0 exponents' }
    : { cost: sum(tech.intMult(4, 4), tech.intAdd(5)), what: 'int_mult(4, 4) + int_add(5): the two E4M3 scales' };
  parts.push({
    name: `scale path, once per block of ${k}`,
    cost: sharedUse(sum(scaleOp.cost, sh.cost), 1 / k),
    derivation: `(${scaleOp.what} + bit_op(${sh.ops}) normalising the ${w}-bit sum) / ${k}`,
  });
  return parts;
}

/** The accumulator's part per product: every product, or once per block for block PEs; promotion's share. */
export function limitedAccumulatorPart(
  pe: PeKind, spec: AccumulatorSpec | undefined, tech: Technology,
): { name: string; cost: Cost; derivation: string } {
  const bits = spec?.bits ?? 24;
  const perBlock = pe.block ? pe.block.input.block.blockSize : 1;
  const reg = tech.fpAdd(8, bits - 1);
  const parts: Cost[] = [sharedUse(reg, 1 / perBlock)];
  let derivation = `fpAdd(8, ${bits - 1})${perBlock > 1 ? ` / ${perBlock} (once per block)` : ''}`;
  const promote = spec?.promote ?? 0;
  if (promote > 0) {
    const full = tech.fpAdd(8, 23);
    // area: the full accumulator is a second adder in the PE; energy: one add per P products
    parts.push({ energy_pj: full.energy_pj / promote, area_um2: full.area_um2 });
    derivation += ` + fpAdd(8, 23) / ${promote} (promotion into fp32; its adder's area once)`;
  }
  const name = `${bits === 24 ? 'fp32' : `${bits}-bit`} accumulator${promote > 0 ? `, promoted every ${promote}` : ''}`;
  return { name, cost: sum(...parts), derivation };
}

/** Operand register bits per product for energy: a block PE's scale and flag change once per block. */
export function blockOperandRegisterBits(pe: PeKind, role: 'input' | 'weight'): number {
  const f = role === 'input' ? pe.block?.input : pe.block?.weight;
  if (!f) throw new Error(`PE ${pe.name} is not a block PE`);
  return f.elementBits + (f.bits - f.elementBits) / f.block.blockSize;
}
