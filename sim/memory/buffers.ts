/**
 * Scratchpad capacities per operand, from the arch config: separate buffers, or one unified
 * scratchpad split in proportion to the operands' footprints. A double-buffered buffer keeps
 * half of itself for the tile being prefetched, so only half can hold resident data.
 */
import { InputError } from '../errors.ts';
import type { ArchConfig } from '../arch/schema.ts';
import type { Mapping } from '../dataflows/mapping.ts';

export interface WordBytes {
  /** activation (ifmap) word */
  readonly input: number;
  /** weight word */
  readonly weight: number;
  /** partial sums and outputs (the partial-sum format) */
  readonly psum: number;
}

export interface Footprints {
  /** bytes of ifmap, filter and ofmap a layer must move at least once */
  readonly ifmap: number;
  readonly filter: number;
  readonly ofmap: number;
}

export interface Capacities {
  /** bytes that can stay resident (half the buffer when double-buffered) */
  readonly ifmap: number;
  readonly filter: number;
  readonly ofmap: number;
}

/**
 * The smallest buffer that can feed the array: one tile row, i.e. the words one array edge
 * takes in one cycle (two of them when double-buffered).
 */
function minBytes(mp: Mapping, w: WordBytes, db: boolean): Footprints {
  const k = db ? 2 : 1;
  const lanes = mp.rules.edgeLanes(mp.rows, mp.cols);
  return { ifmap: lanes.ifmap * w.input * k, filter: lanes.filter * w.weight * k, ofmap: mp.cols * w.psum * k };
}

function kb(bytes: number): string {
  return `${+(bytes / 1024).toFixed(4)} KB`;
}

export function capacities(arch: ArchConfig, mp: Mapping, w: WordBytes, fp: Footprints, where = 'arch'): Capacities {
  const s = arch.sram;
  const db = s.double_buffered;
  const min = minBytes(mp, w, db);
  let bytes: Footprints;
  if (s.unified_kb !== undefined) {
    const total = s.unified_kb * 1024;
    const sum = fp.ifmap + fp.filter + fp.ofmap;
    bytes = { ifmap: (total * fp.ifmap) / sum, filter: (total * fp.filter) / sum, ofmap: (total * fp.ofmap) / sum };
    for (const op of ['ifmap', 'filter', 'ofmap'] as const) {
      if (bytes[op] < min[op]) {
        throw new InputError(
          `${where}: sram.unified_kb: ${kb(total)} leaves the ${op} ${kb(bytes[op])}, smaller than one tile row ` +
            `(${kb(min[op])})`,
        );
      }
    }
  } else {
    bytes = { ifmap: (s.ifmap_kb ?? 0) * 1024, filter: (s.filter_kb ?? 0) * 1024, ofmap: (s.ofmap_kb ?? 0) * 1024 };
    for (const op of ['ifmap', 'filter', 'ofmap'] as const) {
      if (bytes[op] < min[op]) {
        throw new InputError(
          `${where}: sram.${op}_kb: ${kb(bytes[op])} is smaller than one tile row (${kb(min[op])}: ` +
            `${min[op] / (op === 'ifmap' ? w.input : op === 'filter' ? w.weight : w.psum) / (db ? 2 : 1)} words` +
            `${db ? ', x2 for double buffering' : ''})`,
        );
      }
    }
  }
  const f = db ? 0.5 : 1;
  return { ifmap: bytes.ifmap * f, filter: bytes.filter * f, ofmap: bytes.ofmap * f };
}
