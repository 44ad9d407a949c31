/**
 * Every design bitweave has RTL for: each registered PE kind with its default options, and
 * the variants the PE options make (EN-T, the exact fp8 product, bf16/fp16 and int16
 * accumulators, saturating accumulators), plus W-bit XNOR-popcount units.
 */
import { InputError, unknownName } from '../../sim/errors.ts';
import { peNames } from '../../sim/pe/registry.ts';
import { peSpec } from '../../sim/pe/catalogue.ts';
import type { RtlTarget } from './pe.ts';

const VARIANTS: readonly RtlTarget[] = [
  { key: 'fp8-e4m3+product-fp32', pe: 'fp8-e4m3', options: { product: 'fp32' } },
  { key: 'fp8-e5m2+product-fp32', pe: 'fp8-e5m2', options: { product: 'fp32' } },
  { key: 'int8+ent', pe: 'int8', options: { reuse: 'ent' } },
  { key: 'int4+ent', pe: 'int4', options: { reuse: 'ent' } },
  { key: 'fp8-e4m3+ent', pe: 'fp8-e4m3', options: { reuse: 'ent' } },
  { key: 'fp8-e5m2+ent', pe: 'fp8-e5m2', options: { reuse: 'ent' } },
  { key: 'bf16+ent', pe: 'bf16', options: { reuse: 'ent' } },
  { key: 'fp16+ent', pe: 'fp16', options: { reuse: 'ent' } },
  { key: 'bf16+acc-bf16', pe: 'bf16', options: { acc: 'bf16' } },
  { key: 'fp16+acc-fp16', pe: 'fp16', options: { acc: 'fp16' } },
  { key: 'fp8-e4m3+acc-bf16', pe: 'fp8-e4m3', options: { acc: 'bf16' } },
  { key: 'lmul-bf16+acc-bf16', pe: 'lmul-bf16', options: { acc: 'bf16' } },
  { key: 'fp8-e5m2+acc-fp16-sat', pe: 'fp8-e5m2', options: { acc: 'fp16', accSaturate: true } },
  { key: 'bf16+acc-bf16-internal-fp32', pe: 'bf16', options: { acc: 'bf16', accInternal: 'fp32' } },
  { key: 'int8+acc-int16', pe: 'int8', options: { acc: 'int16' } },
  { key: 'int8+acc-sat', pe: 'int8', options: { accSaturate: true } },
  { key: 'int8+acc-int16-sat', pe: 'int8', options: { acc: 'int16', accSaturate: true } },
  { key: 'ternary+acc-int16-internal-int32', pe: 'ternary', options: { acc: 'int16', accInternal: 'int32' } },
  { key: 'xnor-popcount-8', pe: 'xnor', popcountWidth: 8 },
  { key: 'xnor-popcount-32', pe: 'xnor', popcountWidth: 32 },
];

/**
 * Every RTL design: the registered PE kinds first, then the variants. The block PE kinds (MX,
 * NVFP4: sim/pe/block-pe.ts) have no RTL; their dot-product unit is tested against exact
 * arithmetic instead (test/pe/block-dot.test.ts).
 */
export function rtlTargets(): RtlTarget[] {
  const scalar = peNames().filter((name) => peSpec(name)?.multiplier !== 'block');
  return [...scalar.map((name) => ({ key: name, pe: name })), ...VARIANTS];
}

export function rtlTargetNames(): string[] {
  return rtlTargets().map((t) => t.key);
}

/** A catalogue entry by key, or a PE kind name with options (built on demand). */
export function findTarget(key: string): RtlTarget {
  const t = rtlTargets().find((x) => x.key === key.trim().toLowerCase());
  if (!t && peNames().includes(key.trim().toLowerCase())) {
    throw new InputError(`${key} is a block PE (MX, NVFP4): the block dot-product unit has no RTL`);
  }
  if (!t) throw unknownName('RTL design', key, rtlTargetNames());
  return t;
}

/** The PE kinds the systolic-array RTL is generated and co-simulated for. */
export const ARRAY_PES = ['int8', 'fp8-e4m3', 'lmul-bf16', 'xnor'] as const;

export function assertArrayPe(name: string): void {
  const known = rtlTargetNames();
  if (!known.includes(name)) throw unknownName('RTL design', name, known);
  if (name.includes('+') && !name.endsWith('+ent')) {
    throw new InputError(`array RTL takes a PE kind (or its +ent variant), not the accumulator variant ${name}`);
  }
}
