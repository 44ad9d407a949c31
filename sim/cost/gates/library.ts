/**
 * What the gate-level cost model needs from the synthesized netlists (rtl/netlists/, loaded by
 * rtl/gates/library.ts; sim/ does no I/O): the units by id, which units make each PE design,
 * and the units of the calibration and of the papers' comparisons.
 */
import type { Dataflow } from '../../arch/schema.ts';
import type { PricedNetlist } from './cells.ts';
import type { CompiledNetlist } from './netlist.ts';

/** The units of one PE design (a catalogue entry of rtl/gen/catalogue.ts). */
export interface DesignUnits {
  readonly design: string;
  readonly mul: string;
  readonly acc: string;
  /** EN-T: the row encoder */
  readonly enc?: string;
  /** the array cell of each dataflow (registers and glue; multiplier and accumulator are black boxes) */
  readonly cells: Partial<Record<Dataflow, string>>;
}

/** Units no PE design has, by role. */
export const EXTRA_ROLES = {
  'cal.int8-add': '8-bit integer adder (8 + 8 -> 8, wrapping)',
  'cal.int8-mul': '8 x 8 -> 16-bit signed integer multiplier',
  'cal.fp16-add': 'fp16 + fp16 -> fp16 adder, round to nearest even',
  'cal.fp16-mul': 'fp16 x fp16 -> fp16 multiplier, round to nearest even',
  'cal.fp32-add': 'fp32 + fp32 -> fp32 adder, round to nearest even',
  'cal.fp32-mul': 'fp32 x fp32 -> fp32 multiplier, round to nearest even',
  'paper.bf16-mul': 'bf16 x bf16 -> bf16 multiplier, round to nearest even',
  'paper.lmul-fp32': 'L-Mul on fp32 (m = 23, l = 4), saturating',
  'paper.booth-int8-mul': 'int8 x int8 -> int32 radix-4 Booth multiplier with its encoder inside (EN-T\'s baseline)',
} as const;
export type ExtraRole = keyof typeof EXTRA_ROLES;

export interface GateLibrary {
  /** the Yosys version and gate set the netlists were made with */
  readonly yosys: string;
  readonly gateSet: string;
  /**
   * the calibration factors as computed from these netlists when they were written
   * (calibrate.ts: calibrationFactors; a test holds them equal to a fresh computation)
   */
  readonly calibration?: { readonly energy_scale: number; readonly area_scale: number };
  /** a unit, compiled (cached) */
  unit(id: string): CompiledNetlist;
  /** a unit priced with the NanGate cells (cached) */
  priced(id: string): PricedNetlist;
  /** the flip-flops of a regs unit by register name */
  registers(id: string): Readonly<Record<string, number>>;
  /** a design by catalogue key */
  design(key: string): DesignUnits;
  designKeys(): string[];
  /** the unit of an extra role */
  extra(role: ExtraRole): string;
}
