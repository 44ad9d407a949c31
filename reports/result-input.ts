/**
 * Reading a SimResult back (`bitweave run --json` output, or the sim_result.json of
 * `run --out`) for `bitweave report`: every field a report reads is checked (counts are
 * non-negative integers, figures finite and non-negative, names strings), so a hand-edited
 * or corrupt file is refused with the field's path instead of printing "cycles: many" or
 * -5 cycles. Fields the report does not read pass through unchecked.
 */
import { z } from 'zod';
import { DATAFLOWS } from '../sim/arch/schema.ts';
import { InputError } from '../sim/errors.ts';
import type { CostedSimResult } from '../sim/cost/run-cost.ts';
import type { SimResult } from '../sim/result.ts';

const count = z.number().int().nonnegative();
const figure = z.number().nonnegative();
const positive = z.number().positive();

const sram = z.looseObject({ ifmap_reads: count, filter_reads: count, ofmap_reads: count, ofmap_writes: count });
const dram = z.looseObject({
  ifmap_read_bytes: figure, filter_read_bytes: figure, ofmap_read_bytes: figure, ofmap_write_bytes: figure,
  compulsory_bytes: figure, non_compulsory_bytes: figure,
});
const counts = {
  cycles: count, compute_cycles: count, stall_cycles: count, macs: count,
  utilization: figure, overall_utilization: figure, mapping_efficiency: figure, sram, dram,
};
const energy = z.looseObject({
  total: figure, compute: figure, registers: figure, dram: figure, vector: figure.optional(), leakage: figure,
  sram: z.looseObject({ ifmap: figure, filter: figure, ofmap: figure }),
});
const area = z.looseObject({
  total: figure, pe_array: figure, other: figure,
  sram: z.looseObject({ ifmap: figure, filter: figure, ofmap: figure, unified: figure, total: figure }),
});
const derived = z.looseObject({ pj_per_mac: figure, tops_per_w: figure, tops_per_mm2: figure, latency_s: figure, power_mw: figure, edp_j_s: figure });
const reuseFigures = z.looseObject({ energy_pj: figure, area_um2: figure, cycles: figure, dram_bytes: figure });
const reuseEffect = z.looseObject({ kind: z.enum(['ent', 'mst']), without: reuseFigures, with: reuseFigures });
const costed = { energy_pj: energy.optional(), area_um2: area.optional(), derived: derived.optional(), reuse_effect: reuseEffect.optional() };
/** what a report reads of the cost model's description */
const costInfo = z.looseObject({
  technology: z.string(), description: z.string(), node_nm: positive, vdd: positive, dram_type: z.string(),
  dram_pj_per_bit: figure, dram_bandwidth_bytes_per_cycle: positive, leakage_pj_per_cycle: figure,
  pe: z.looseObject({
    name: z.string(), reuse: z.string(), mac_pj: figure, register_pj_per_mac: figure, area_um2: figure,
    parts: z.array(z.looseObject({ name: z.string(), energy_pj: figure, area_um2: figure, derivation: z.string() })),
    row_encoder: z.looseObject({ operand: z.enum(['input', 'weight']), rows: count, energy_pj_per_encode: figure, area_um2_each: figure, register_bits: count }).optional(),
  }),
  sram_fit: z.looseObject({ formula: z.string() }),
  sources: z.array(z.looseObject({ table: z.string(), entry: z.string(), source: z.string(), verified: z.boolean(), node_nm: figure.optional(), note: z.string().optional() })),
});

/** MST reuse of a layer, as far as a report reads it */
const mstReuse = z.looseObject({
  weights: z.string(), direct_ops: figure, reuse_ops: figure, saving: figure, tree_depth: count,
  weight_bits_direct: figure, weight_bits_reuse: figure,
  output_check: z.looseObject({ identical: z.boolean() }).optional(),
});

const layer = z.looseObject({
  name: z.string(),
  reuse: mstReuse.optional(),
  kind: z.enum(['gemm', 'conv2d']),
  gemm: z.looseObject({ m: count, n: count, k: count }),
  dataflow: z.enum(DATAFLOWS),
  row_folds: count,
  col_folds: count,
  repeat: z.number().int().positive(),
  ...counts,
  ...costed,
});

const resultSchema = z.looseObject({
  arch: z.looseObject({
    name: z.string(),
    rows: z.number().int().positive(),
    cols: z.number().int().positive(),
    dataflow: z.enum(DATAFLOWS),
    pe: z.string(),
    psum_format: z.string(),
    clock_mhz: positive,
    word_bytes: z.looseObject({ input: positive, weight: positive, psum: positive }),
  }),
  totals: z.looseObject({ vector_cycles: count, ...counts, ...costed }),
  layers: z.array(layer).min(1),
  cost: costInfo.optional(),
}).superRefine((r, ctx) => {
  // a costed result carries every cost field (a report uses them as they are)
  if (r.cost === undefined) return;
  const need = (o: Record<string, unknown>, path: (string | number)[]) => {
    for (const k of ['energy_pj', 'derived']) if (o[k] === undefined) ctx.addIssue({ code: 'custom', path: [...path, k], message: 'missing in a result with cost fields' });
  };
  need(r.totals, ['totals']);
  if (r.totals.area_um2 === undefined) ctx.addIssue({ code: 'custom', path: ['totals', 'area_um2'], message: 'missing in a result with cost fields' });
  r.layers.forEach((l, i) => need(l, ['layers', i]));
});

/** What a sweep point's result holds (sweep/point.ts: the run's costed totals and its layer count). */
const pointResultSchema = z.looseObject({
  layers: count, vector_cycles: count, ...counts, energy_pj: energy, area_um2: area, derived, reuse_effect: reuseEffect.optional(),
});

/** Checks the result of an ok sweep line (the fields a sweep report plots); `where` is file:line. */
export function checkPointResult(result: unknown, where: string): void {
  const r = pointResultSchema.safeParse(result);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new InputError(`${where}: not a sweep point's result: result.${i.path.map(String).join('.')}: ${i.message}`);
  }
}

/** Checks a parsed document as a SimResult; `source` names the file in messages. */
export function parseSimResult(doc: unknown, source: string): SimResult | CostedSimResult {
  const r = resultSchema.safeParse(doc);
  if (!r.success) {
    const issues = r.error.issues.slice(0, 3).map((i) => `${i.path.map(String).join('.') || '(top level)'}: ${i.message}`);
    throw new InputError(
      `${source}: not a bitweave SimResult (as bitweave run --json prints): ${issues.join('; ')}${r.error.issues.length > 3 ? `; and ${r.error.issues.length - 3} more` : ''}`,
    );
  }
  const d = r.data;
  // the totals are the sums of the layers: a file where they disagree was edited
  const sum = d.layers.reduce((s, l) => s + l.macs, 0);
  if (sum !== d.totals.macs) throw new InputError(`${source}: totals.macs is ${d.totals.macs}, the layers' MACs add up to ${sum}`);
  return doc as SimResult | CostedSimResult;
}
