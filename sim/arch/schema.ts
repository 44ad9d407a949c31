/**
 * The accelerator description: array, dataflow, PE, scratchpad and DRAM. One schema (zod)
 * validates YAML, JSON and converted SCALE-Sim .cfg files alike, and its errors name the field.
 *
 * Units: SRAM sizes in KB (1024 bytes), DRAM bandwidth in bytes per cycle, latency in cycles,
 * clock in MHz. Word sizes are not configured: they come from the PE's number formats.
 */
import * as z from 'zod';
import { InputError } from '../errors.ts';
import { DEFAULT_VECTOR_THROUGHPUT } from '../workload/vector.ts';

export const DATAFLOWS = ['os', 'ws', 'is'] as const;
export type Dataflow = (typeof DATAFLOWS)[number];

/**
 * How the partial sums of successive row folds combine in ws and is (sim/dataflows/stationary.ts
 * has the exact order): 'top' feeds the stored partial sum in at the top of the column, 'below'
 * starts every fold's column sum at zero and adds it to the stored partial sum in an accumulator
 * below the array (the TPU family). os keeps every output in one PE for all of K: both are the same.
 */
export const ACCUMULATE = ['top', 'below'] as const;
export type Accumulate = (typeof ACCUMULATE)[number];

const posInt = z.number().int().positive();
const posKB = z.number().positive();

export const sramSchema = z
  .strictObject({
    ifmap_kb: posKB.optional(),
    filter_kb: posKB.optional(),
    ofmap_kb: posKB.optional(),
    /** one scratchpad shared by the three operands (split in proportion to their footprints) */
    unified_kb: posKB.optional(),
    double_buffered: z.boolean().default(true),
    banks: posInt.default(1),
  })
  .superRefine((s, ctx) => {
    const split = [s.ifmap_kb, s.filter_kb, s.ofmap_kb];
    if (s.unified_kb !== undefined) {
      if (split.some((v) => v !== undefined)) {
        ctx.addIssue({ code: 'custom', message: 'give either unified_kb or ifmap_kb/filter_kb/ofmap_kb, not both' });
      }
    } else if (split.some((v) => v === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'needs ifmap_kb, filter_kb and ofmap_kb (or unified_kb)' });
    }
  });

export const dramSchema = z.strictObject({
  bandwidth: z.number().positive().default(10),
  latency: z.number().int().nonnegative().default(0),
  /** for the energy model of a later issue */
  type: z.string().default('ddr4'),
  /**
   * SCALE-Sim's InterfaceBandwidth, used under --compat scalesim only: calc (its estimate,
   * the default: no stalls from DRAM) or user (`bandwidth` words per cycle through its
   * double-buffered scratchpad, with its stalls; sim/memory/scalesim/).
   */
  interface_bandwidth: z.enum(['calc', 'user']).optional(),
});

export const archSchema = z.strictObject({
  name: z.string().default('custom'),
  array: z.strictObject({ rows: posInt, cols: posInt }),
  dataflow: z.enum(DATAFLOWS),
  /** a PE registry name */
  pe: z.string().default('int8'),
  /** accumulator format (a format name), when the PE's default is not wanted */
  acc: z.string().optional(),
  /** partial-sum storage format; defaults to the accumulator format */
  psum: z.string().optional(),
  /** ws / is: where partial sums of row folds are added (default: below; accumulateOf) */
  accumulate: z.enum(ACCUMULATE).optional(),
  clock_mhz: z.number().positive().default(1000),
  /** vector unit (activations, softmax, norms, pooling): element-operations per cycle */
  vector_throughput: z.number().positive().default(DEFAULT_VECTOR_THROUGHPUT),
  sram: sramSchema,
  dram: dramSchema.default({ bandwidth: 10, latency: 0, type: 'ddr4' }),
  /** base addresses of the three operands in traces (SCALE-Sim's IfmapOffset, ...) */
  offsets: z
    .strictObject({ ifmap: z.number().int().nonnegative(), filter: z.number().int().nonnegative(), ofmap: z.number().int().nonnegative() })
    .default({ ifmap: 0, filter: 10000000, ofmap: 20000000 }),
});

export type ArchInput = z.input<typeof archSchema>;
export type ArchConfig = z.output<typeof archSchema>;

/** The accumulation structure of an arch: its own, else 'below' for ws / is ('top' for os, where it makes no difference). */
export function accumulateOf(arch: { readonly dataflow: Dataflow; readonly accumulate?: Accumulate | undefined }): Accumulate {
  return arch.accumulate ?? defaultAccumulate(arch.dataflow);
}

export function defaultAccumulate(dataflow: Dataflow): Accumulate {
  return dataflow === 'os' ? 'top' : 'below';
}

function pathOf(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '(top level)' : path.map((p) => String(p)).join('.');
}

/** Validates a parsed document; `source` (a file name) prefixes the messages. */
export function parseArch(value: unknown, source = 'arch'): ArchConfig {
  const r = archSchema.safeParse(value);
  if (r.success) return r.data;
  const msgs = r.error.issues.map((i) => `${pathOf(i.path)}: ${i.message}`);
  throw new InputError(`${source}: invalid arch config: ${msgs.join('; ')}`);
}
