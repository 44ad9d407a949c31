/**
 * EN-T's three design points (arXiv 2404.11887: 256 GOPS, 1 TOPS, 4 TOPS), rebuilt from the
 * cost model and set beside the paper's claimed gains.
 *
 * Our choice (the paper's array shapes, clock and dataflow are not known here):
 *  - int8 MACs (2 ops each) at 1 GHz: 256 GOPS = 128 MACs, 1 TOPS = 512, 4 TOPS = 2048 (the
 *    binary TOPS: 512 MACs x 2 x 1 GHz = 1.024 TOPS);
 *  - arrays of rows x cols = 8x16, 16x32, 32x64 (two PEs per row for each row; one encoder
 *    per row is shared by `cols` PEs);
 *  - every dataflow (os, ws, is), os first (the table's headline);
 *  - workload: one GEMM 1024 x 1024 x 1024 (every array divides it: no idle PEs), SRAM
 *    256 / 256 / 512 KB (ifmap / filter / ofmap), HBM2 at 256 bytes/cycle, so every point is
 *    compute-bound (no stalls in any dataflow);
 *  - the technology of the caller (default horowitz45 at 45 nm).
 * The same run is costed with the plain int8 PE and with EN-T (sim/cost/pe-cost.ts: encoder
 * per row, wider broadcast registers, PE multiplier without its encoder). Bits and cycles
 * are the same (EN-T is exact), so:
 *   energy-efficiency gain = E(plain) / E(EN-T) - 1   (TOPS/W)
 *   area-efficiency gain   = A(plain) / A(EN-T) - 1   (TOPS/mm^2 at the same throughput)
 * for the array (PEs, edge registers, encoders; its compute, register and leakage energy)
 * and for the whole accelerator (SRAM and DRAM added). The paper's figures are compared with
 * the array's: EN-T is a tensor-engine technique and leaves memory alone.
 * Nothing here is fitted to the paper: the gap is reported and explained (`gap`).
 */
import { parseArch, type Dataflow } from '../arch/schema.ts';
import { gemmLayer } from '../workload/layer.ts';
import type { Workload } from '../workload/workload.ts';
import { getPe } from '../pe/registry.ts';
import { runPipeline, type PipelineResult } from '../pipeline.ts';
import { encodedBits, peCost } from './pe-cost.ts';
import { ENT_STRUCTURE } from './tables/structure.ts';
import { ENT_CLAIMS } from './tables/papers-data.ts';
import { makeTechnology, type TechOptions, type Technology } from './technology.ts';
import { InputError } from '../errors.ts';
import type { GateLibrary } from './gates/library.ts';

export const ENT_CLOCK_MHZ = 1000;
export const ENT_ARRAYS: readonly { readonly rows: number; readonly cols: number }[] = [
  { rows: 8, cols: 16 },
  { rows: 16, cols: 32 },
  { rows: 32, cols: 64 },
];
const GEMM = { m: 1024, n: 1024, k: 1024 };

export interface EntScope {
  readonly energy_pj: number;
  readonly area_um2: number;
  readonly tops_per_w: number;
  readonly tops_per_mm2: number;
}

export interface EntDesignPoint {
  readonly name: string;
  readonly dataflow: Dataflow;
  readonly rows: number;
  readonly cols: number;
  readonly macs_per_cycle: number;
  readonly clock_mhz: number;
  readonly peak_gops: number;
  readonly plain: { readonly array: EntScope; readonly system: EntScope };
  readonly ent: { readonly array: EntScope; readonly system: EntScope };
  /** gains in percent (positive: EN-T better) */
  readonly energy_gain_pct: number;
  readonly area_gain_pct: number;
  readonly system_energy_gain_pct: number;
  readonly system_area_gain_pct: number;
  readonly paper_energy_pct: number;
  readonly paper_area_pct: number;
  /** ours - paper, percentage points */
  readonly energy_gap_pp: number;
  readonly area_gap_pp: number;
  /** per MAC at the array, pJ: what the PE multiplier saves, what the encoder and the wider register add */
  readonly per_mac_pj: { readonly multiplier_saved: number; readonly encoder_added: number; readonly registers_added: number; readonly plain_array: number };
}

export interface EntDesignPoints {
  readonly technology: string;
  readonly node_nm: number;
  readonly pe: string;
  readonly workload: string;
  readonly claims_source: string;
  readonly points: readonly EntDesignPoint[];
  /** why our gains differ from the paper's, with the numbers that say so */
  readonly gap: readonly string[];
}

function scope(cost: PipelineResult, ops: number, seconds: number, which: 'array' | 'system'): EntScope {
  const e = cost.totals.energy_pj, a = cost.totals.area_um2;
  const arrayArea = a.pe_array + a.other;
  const energy = which === 'system' ? e.total : e.compute + e.registers + e.leakage * (arrayArea / a.total);
  const area = which === 'system' ? a.total : arrayArea;
  return { energy_pj: energy, area_um2: area, tops_per_w: ops / energy, tops_per_mm2: ops / seconds / 1e12 / (area / 1e6) };
}

const pct = (plain: number, ent: number) => 100 * (plain / ent - 1);

/**
 * gates45: the netlists, and the baseline PE multiplier: the catalogue's int8 PE ('array': the
 * multiplier Yosys makes of `a * b`) or a radix-4 Booth multiplier with its encoder inside each PE
 * ('booth': EN-T's own baseline, whose encoder EN-T moves to the row).
 */
export interface EntGateOptions {
  readonly library: GateLibrary;
  readonly baseline?: 'array' | 'booth';
}

export async function entDesignPoints(opts: TechOptions & { readonly dataflows?: readonly Dataflow[]; readonly gates?: EntGateOptions } = {}): Promise<EntDesignPoints> {
  const tech = makeTechnology(opts);
  const dataflows = opts.dataflows ?? ['os', 'ws', 'is'];
  const workload: Workload = { name: 'gemm_1024', layers: [gemmLayer('gemm_1024', GEMM.m, GEMM.n, GEMM.k)], repeats: [1], vectorOps: [] };
  const { dataflows: _d, gates: g, ...cost } = opts;
  if (tech.name === 'gates45' && g === undefined) throw new InputError('EN-T design points with gates45 need the netlists');
  const booth = g?.baseline === 'booth' ? { mul: g.library.extra('paper.booth-int8-mul') } : undefined;
  const gatesPlain = g ? { library: g.library, design: 'int8', ...(booth && { override: { main: booth } }) } : undefined;
  const gatesEnt = g ? { library: g.library, design: 'int8+ent', plainDesign: 'int8', ...(booth && { override: { plain: booth } }) } : undefined;
  const plainPe = getPe('int8'), entPe = getPe('int8', { reuse: 'ent' });
  const points: EntDesignPoint[] = [];
  for (const df of dataflows) {
    for (const [i, shape] of ENT_ARRAYS.entries()) {
      const claim = ENT_CLAIMS.points[i];
      const arch = parseArch({
        name: `ent-${claim.name.replace(' ', '')}`,
        array: shape, dataflow: df, pe: 'int8', clock_mhz: ENT_CLOCK_MHZ,
        sram: { ifmap_kb: 256, filter_kb: 256, ofmap_kb: 512 },
        dram: { bandwidth: 256, latency: 0, type: 'hbm2' },
      }, `EN-T design point ${claim.name}`);
      // the same run, costed with the plain PE and with EN-T
      const cPlain = await runPipeline({ arch, pe: plainPe, workload, cost, ...(gatesPlain && { gates: gatesPlain }) });
      const cEnt = await runPipeline({ arch, pe: entPe, workload, cost, ...(gatesEnt && { gates: gatesEnt }) });
      const ops = 2 * cPlain.totals.macs;
      const seconds = cPlain.totals.cycles / (ENT_CLOCK_MHZ * 1e6);
      const plain = { array: scope(cPlain, ops, seconds, 'array'), system: scope(cPlain, ops, seconds, 'system') };
      const ent = { array: scope(cEnt, ops, seconds, 'array'), system: scope(cEnt, ops, seconds, 'system') };
      const macs = cPlain.totals.macs;
      const pcP = cPlain.cost.pe, pcE = cEnt.cost.pe;
      const eGain = pct(plain.array.energy_pj, ent.array.energy_pj);
      const aGain = pct(plain.array.area_um2, ent.array.area_um2);
      points.push({
        name: claim.name,
        dataflow: df,
        rows: shape.rows,
        cols: shape.cols,
        macs_per_cycle: shape.rows * shape.cols,
        clock_mhz: ENT_CLOCK_MHZ,
        peak_gops: (2 * shape.rows * shape.cols * ENT_CLOCK_MHZ) / 1e3,
        plain,
        ent,
        energy_gain_pct: eGain,
        area_gain_pct: aGain,
        system_energy_gain_pct: pct(plain.system.energy_pj, ent.system.energy_pj),
        system_area_gain_pct: pct(plain.system.area_um2, ent.system.area_um2),
        paper_energy_pct: claim.energy_efficiency_pct,
        paper_area_pct: claim.area_efficiency_pct,
        energy_gap_pp: eGain - claim.energy_efficiency_pct,
        area_gap_pp: aGain - claim.area_efficiency_pct,
        per_mac_pj: {
          multiplier_saved: pcP.mac_pj - pcE.mac_pj,
          encoder_added: (cEnt.totals.energy_pj.compute - macs * pcE.mac_pj) / macs,
          registers_added: pcE.register_pj_per_mac - pcP.register_pj_per_mac,
          plain_array: plain.array.energy_pj / macs,
        },
      });
    }
  }
  return {
    technology: tech.name,
    node_nm: tech.node_nm,
    pe: 'int8',
    workload: `GEMM ${GEMM.m}x${GEMM.n}x${GEMM.k}, int8 at ${ENT_CLOCK_MHZ} MHz`,
    claims_source: ENT_CLAIMS.source,
    points,
    gap: g ? gateGapNotes(points, g.baseline ?? 'array') : gapNotes(points, tech),
  };
}

/** Where a primitive of the technology comes from: the table (and node) that priced it. */
function origin(tech: Technology, entry: string): string {
  const u = tech.sources().find((e) => e.entry === entry);
  return u ? `${u.table} (${u.node_nm} nm)` : 'unknown';
}

/** Why our gains differ from the paper's: every figure is computed from the points and the technology. */
function gapNotes(points: readonly EntDesignPoint[], tech: Technology): string[] {
  const os = points.filter((p) => p.dataflow === 'os');
  const ref = os[0] ?? points[0];
  const m = ref.per_mac_pj;
  const share = ENT_STRUCTURE.encoder_share.value;
  const multPlain = m.multiplier_saved / share;
  const plainPe = getPe('int8');
  const extraBits = encodedBits(plainPe.input) - plainPe.input.bits;
  const reg = tech.register(1);
  // priced on this technology (the runs priced on the pipeline's own): records the entries origin() names
  const pa = peCost(plainPe, tech, { dataflow: ref.dataflow }).area_um2;
  const claims = ENT_CLAIMS.points.map((c) => c.energy_efficiency_pct);
  const peak = ENT_CLAIMS.points.reduce((a, b) => (b.energy_efficiency_pct > a.energy_efficiency_pct ? b : a));
  const last = ENT_CLAIMS.points[ENT_CLAIMS.points.length - 1];
  const notes: string[] = [];
  const gains = os.map((p) => p.energy_gain_pct);
  const lo = Math.min(...gains), hi = Math.max(...gains);
  const multShare = (100 * multPlain) / m.plain_array;
  const verdict = hi < Math.min(...claims)
    ? `Our ${f1(lo)} to ${f1(hi)}% stays below the paper's +${Math.min(...claims)} to +${Math.max(...claims)}%: the gain needs a PE whose ` +
      `energy the multiplier dominates, and here it is ${multShare.toFixed(0)}% of the MAC`
    : lo > Math.max(...claims)
      ? `Our ${f1(lo)} to ${f1(hi)}% is above the paper's +${Math.min(...claims)} to +${Math.max(...claims)}%: the multiplier is ` +
        `${multShare.toFixed(0)}% of the MAC here, more than the paper's PE leaves it`
      : `Our ${f1(lo)} to ${f1(hi)}% overlaps the paper's +${Math.min(...claims)} to +${Math.max(...claims)}%, with the multiplier at ` +
        `${multShare.toFixed(0)}% of the MAC`;
  notes.push(
    `Energy: in ${tech.name} the int8 multiplier is ${multPlain.toFixed(3)} pJ of the plain array's ${m.plain_array.toFixed(3)} pJ per MAC ` +
      `(${multShare.toFixed(0)}%); the pipeline registers and the int32 accumulator take the rest. ` +
      `Taking the encoder (${(100 * share).toFixed(1)}% of the multiplier) out of the PE saves ${m.multiplier_saved.toFixed(3)} pJ per MAC, ` +
      `the row encoder adds ${m.encoder_added.toFixed(4)} pJ per MAC (${ref.rows}x${ref.cols}, ${ref.dataflow}) and the wider broadcast register ` +
      `${m.registers_added.toFixed(3)} pJ: a ceiling of ${((100 * m.multiplier_saved) / m.plain_array).toFixed(1)}% before the costs. ` +
      `${verdict} (multiplier priced from ${origin(tech, 'int_mult')}, registers from ${origin(tech, 'register')} at ` +
      `${reg.energy_pj.toPrecision(3)} pJ per bit).`,
  );
  const pctOf = (v: number) => `${((100 * v) / pa.total).toFixed(0)}%`;
  notes.push(
    `Area: the same split decides it: the multiplier is ${pctOf(pa.multiplier)} of the plain PE's area (registers ${pctOf(pa.registers)}, ` +
      `at ${reg.area_um2.toPrecision(3)} um^2 per bit; accumulator ${pctOf(pa.accumulator)}), so taking the encoder out saves at most ` +
      `${((share * 100 * pa.multiplier) / pa.total).toFixed(1)}% of it; the ${extraBits} extra register bits per PE and the row encoders ` +
      `give some back: ${f1(ref.area_gain_pct)}% at ${ref.name} (${ref.dataflow}), against the paper's +${ENT_CLAIMS.points[0].area_efficiency_pct}%.`,
  );
  const mono = os.every((p, i) => i === 0 || p.energy_gain_pct >= os[i - 1].energy_gain_pct - 1e-9);
  const paperMono = claims.every((c, i) => i === 0 || c >= claims[i - 1]);
  notes.push(
    `Trend: one encoder per row is shared by cols PEs, so our gain ${mono ? 'grows monotonically' : 'does not grow monotonically'} with the row length ` +
      `(${os.map((p) => `${p.cols} PEs/row: ${f1(p.energy_gain_pct)}%`).join(', ')})` +
      (paperMono
        ? '; the paper\'s grows too.'
        : `; the paper's peaks at ${peak.name} (+${peak.energy_efficiency_pct}%, then +${last.energy_efficiency_pct}% at ${last.name}), so its ` +
          'engines differ in more than their size (shape, dataflow, memory, the synthesis run): unknown here.'),
  );
  notes.push(
    `Inputs not verified: the encoder share ${(100 * share).toFixed(1)}% (${ENT_STRUCTURE.encoder_share.source}) is applied to ` +
      `energy as well as area (an assumption); the paper's array sizes and clock are our choice ` +
      `(${ENT_ARRAYS.map((a) => `${a.rows}x${a.cols}`).join(', ')} at ${ENT_CLOCK_MHZ / 1000} GHz).`,
  );
  return notes;
}

/** Why the gate-level gains differ from the paper's, from the per-MAC figures of the netlists. */
function gateGapNotes(points: readonly EntDesignPoint[], baseline: 'array' | 'booth'): string[] {
  const os = points.filter((p) => p.dataflow === 'os');
  const ref = os[0] ?? points[0];
  const m = ref.per_mac_pj;
  const pct = (x: number) => `${((100 * x) / m.plain_array).toFixed(1)}%`;
  return [
    `Per MAC at ${ref.name} (${ref.rows}x${ref.cols}, ${ref.dataflow}), from the netlists on the stated operand distribution: ` +
      `the plain array spends ${m.plain_array.toFixed(3)} pJ; EN-T's PE multiplier saves ${m.multiplier_saved.toFixed(4)} pJ (${pct(m.multiplier_saved)}), ` +
      `the row encoder adds ${m.encoder_added.toFixed(4)} pJ (${pct(m.encoder_added)}) and the wider broadcast register ${m.registers_added.toFixed(4)} pJ (${pct(m.registers_added)}).`,
    baseline === 'booth'
      ? 'Baseline: a radix-4 Booth multiplier with its encoder in every PE (the encoder EN-T moves out): the setting the paper describes.'
      : 'Baseline: the catalogue int8 PE, whose multiplier Yosys builds from `a * b` (not a Booth multiplier): EN-T replaces it with Booth digit selection and an adder tree, so the saving includes the difference between the two multiplier structures.',
    `Trend: ${os.map((p) => `${p.cols} PEs/row ${p.energy_gain_pct >= 0 ? '+' : ''}${p.energy_gain_pct.toFixed(1)}%`).join(', ')} (energy); the encoder is shared by the PEs of a row, so longer rows amortize it.`,
  ];
}

const f1 = (v: number) => `${v >= 0 ? '+' : ''}${v.toFixed(1)}`;

/** The design points as Markdown (`bitweave report --papers`, report.md). */
export function entDesignPointsMarkdown(d: EntDesignPoints): string {
  const out: string[] = [];
  out.push(`### EN-T design points (${d.technology}, ${d.node_nm} nm; ${d.workload})`, '');
  out.push(`Claim: ${d.claims_source}`, '');
  out.push('| point | dataflow | array | PEs | array TOPS/W plain / EN-T | energy eff. | paper | gap (pp) | array TOPS/mm^2 plain / EN-T | area eff. | paper | gap (pp) | with SRAM+DRAM: energy / area |');
  out.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const p of d.points) {
    out.push(`| ${p.name} | ${p.dataflow} | ${p.rows}x${p.cols} | ${p.macs_per_cycle} | ${p.plain.array.tops_per_w.toFixed(3)} / ${p.ent.array.tops_per_w.toFixed(3)} | ` +
      `${f1(p.energy_gain_pct)}% | +${p.paper_energy_pct}% | ${f1(p.energy_gap_pp)} | ` +
      `${p.plain.array.tops_per_mm2.toFixed(3)} / ${p.ent.array.tops_per_mm2.toFixed(3)} | ${f1(p.area_gain_pct)}% | +${p.paper_area_pct}% | ${f1(p.area_gap_pp)} | ` +
      `${f1(p.system_energy_gain_pct)}% / ${f1(p.system_area_gain_pct)}% |`);
  }
  out.push('', 'Why the gap:', '', ...d.gap.map((g) => `- ${g}`), '');
  return out.join('\n');
}
