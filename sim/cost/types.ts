/**
 * Technology tables as data. Every number the cost model uses is a `Sourced` value: it
 * carries its citation, the process node it was measured at, how it scales with bit width,
 * and whether we could check it against the primary source (`verified`). Code in sim/cost
 * turns these into per-action energies and areas; it holds no constants of its own.
 */

/** How a width-indexed entry extrapolates beyond its published points. */
export type WidthRule =
  /** energy/area proportional to width (adders, registers, bitwise ops) */
  | 'linear'
  /** proportional to width squared (array multipliers) */
  | 'quadratic'
  /** a fitted power law through the points (see the entry's note) */
  | 'powerlaw'
  /** no width dependence (per-access figures) */
  | 'none';

export interface Provenance {
  /** a precise citation: authors, venue, year, table/figure or file */
  readonly source: string;
  /** process node the figure was published for (0 for off-chip/technology-independent) */
  readonly node_nm: number;
  /** true only where we read the number in the primary source or its official code */
  readonly verified: boolean;
  readonly note?: string;
}

/** One published point: a component of `bits` width costs `energy_pj` per action, `area_um2`. */
export interface WidthPoint {
  readonly bits: number;
  readonly energy_pj: number;
  /** absent where the source gives no area */
  readonly area_um2?: number;
  /** leakage power, where the source gives it */
  readonly leak_mw?: number;
}

/** A component whose cost depends on a bit width: published points plus a rule beyond them. */
export interface WidthEntry extends Provenance {
  readonly points: readonly WidthPoint[];
  /** between points: log-log interpolation; below/above them: this rule */
  readonly scaling: WidthRule;
}

/** A published floating-point operator point, with its format. */
export interface FloatPoint extends WidthPoint {
  readonly expBits: number;
  readonly manBits: number;
}

export interface FloatEntry extends Provenance {
  readonly points: readonly FloatPoint[];
  readonly scaling: WidthRule;
}

/** SRAM read energy per access of `word_bits`, by array size (the points the SRAM fit uses). */
export interface SramPoint {
  readonly kb: number;
  readonly energy_pj: number;
}

export interface SramEntry extends Provenance {
  /** word width the points were published for */
  readonly word_bits: number;
  readonly points: readonly SramPoint[];
  readonly scaling: WidthRule;
}

export interface ScalarEntry extends Provenance {
  readonly value: number;
  readonly unit: string;
  readonly scaling: WidthRule;
}

/**
 * A technology: the primitive components the PE and memory models are built from. Entries may
 * be missing; `fallback` names a technology whose entry is used instead (scaled to this node).
 */
export interface TechTable {
  readonly name: string;
  readonly description: string;
  readonly node_nm: number;
  /** supply voltage the table's energies were published at (node scaling uses it) */
  readonly vdd: number;
  readonly fallback?: string;
  readonly entries: Partial<TechEntries>;
}

export interface TechEntries {
  readonly int_add: WidthEntry;
  readonly int_mult: WidthEntry;
  readonly fp_add: FloatEntry;
  readonly fp_mult: FloatEntry;
  /** a bitwise logic op (AND/OR/XOR/XNOR), per `bits` */
  readonly bit_op: WidthEntry;
  /** a pipeline register, per bit written */
  readonly register: WidthEntry;
  /** SRAM read energy by size (64-bit words in Horowitz) */
  readonly sram_read: SramEntry;
  /** DRAM energy of one access of `bits` (Horowitz's 64-bit access) */
  readonly dram_access: WidthEntry;
  /** logic leakage power density, mW per um^2 */
  readonly leakage_density: ScalarEntry;
}

export type EntryName = keyof TechEntries;
