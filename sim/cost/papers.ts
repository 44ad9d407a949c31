/**
 * The papers' headline figures, recomputed from the technology tables.
 *
 * L-Mul (arXiv 2410.00907) claims ~95% of the energy of element-wise float multiplication and
 * ~80% of a dot product saved. Its accounting (docs/SOURCES.md): an L-Mul is one integer add of
 * the operand width, priced at Horowitz's int add; a float multiply at Horowitz's fp mult; a
 * dot product keeps its float adds. We recompute that accounting for each width the table
 * has, and also with our structural L-Mul unit (two adders and the flush/saturate muxes, see
 * pe-cost.ts), and say which width reproduces which claim and by how much the others miss.
 */
import { E4M3, FP16, FP32, BF16, type FloatFormat } from '../pe/formats.ts';
import { getPe } from '../pe/registry.ts';
import { multiplierCost } from './pe-cost.ts';
import { FREEPDK45_SYNTHESIS, LMUL_CLAIMS } from './tables/papers-data.ts';
import { makeTechnology, type TechOptions, type Technology } from './technology.ts';

export const HEADLINE_TOLERANCE_PP = 2;

export interface SavingRow {
  readonly format: string;
  /** 'paper' = one int add of the operand width; 'structural' = our L-Mul unit */
  readonly accounting: 'paper' | 'structural';
  readonly baseline_pj: number;
  readonly lmul_pj: number;
  readonly saving_pct: number;
  readonly claim_pct: number;
  /** saving - claim, percentage points */
  readonly delta_pp: number;
  readonly reproduces: boolean;
}

export interface UnitRow {
  readonly unit: string;
  readonly energy_pj: number;
  readonly area_um2: number;
  readonly energy_vs_int8: number;
  readonly area_vs_int8: number;
}

export interface SynthesisRow {
  readonly format: string;
  readonly model_ieee_um2: number;
  readonly model_lmul_um2: number;
  readonly model_ratio: number;
  readonly synth_ieee_um2: number;
  readonly synth_lmul_um2: number;
  readonly synth_ratio: number;
}

export interface PaperHeadlines {
  readonly technology: string;
  readonly node_nm: number;
  readonly tolerance_pp: number;
  readonly claims_source: string;
  readonly elementwise: readonly SavingRow[];
  readonly dot: readonly SavingRow[];
  readonly findings: readonly string[];
  readonly fp8_units: readonly UnitRow[];
  readonly synthesis: readonly SynthesisRow[];
  readonly synthesis_source: string;
}

const FORMATS: readonly { readonly f: FloatFormat; readonly lmulPe: string | undefined }[] = [
  { f: FP32, lmulPe: undefined },
  { f: FP16, lmulPe: undefined },
  { f: BF16, lmulPe: 'lmul-bf16' },
  { f: E4M3, lmulPe: 'lmul-fp8-e4m3' },
];

function row(format: string, accounting: SavingRow['accounting'], base: number, lmul: number, claim: number): SavingRow {
  const saving = 100 * (1 - lmul / base);
  return {
    format, accounting, baseline_pj: base, lmul_pj: lmul, saving_pct: saving, claim_pct: claim,
    delta_pp: saving - claim, reproduces: Math.abs(saving - claim) <= HEADLINE_TOLERANCE_PP,
  };
}

/** The structural L-Mul unit of a float format (the registry's PE where one exists). */
function lmulUnit(tech: Technology, f: FloatFormat, pe: string | undefined): { energy_pj: number; area_um2: number } {
  if (pe !== undefined) return multiplierCost(getPe(pe), tech);
  const w = f.expBits + f.manBits;
  const adders = tech.intAdd(w + 1), sign = tech.bitOp(1), mux = tech.bitOp(w);
  return {
    energy_pj: 2 * adders.energy_pj + sign.energy_pj + mux.energy_pj,
    area_um2: 2 * adders.area_um2 + sign.area_um2 + mux.area_um2,
  };
}

const pj = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(1) : v.toPrecision(3));
const ratio = (r: SavingRow) => `1 - ${pj(r.lmul_pj)}/${pj(r.baseline_pj)} = ${r.saving_pct.toFixed(1)}%`;

/** Why each accounting lands where it does, from the rows (true for whichever table priced them). */
function why(elementwise: readonly SavingRow[], dot: readonly SavingRow[]): string[] {
  const paper = (rows: readonly SavingRow[]) => rows.filter((r) => r.accounting === 'paper');
  const closest = (rows: readonly SavingRow[]) => rows.reduce((a, b) => (Math.abs(b.delta_pp) < Math.abs(a.delta_pp) ? b : a));
  const ew = paper(elementwise), dt = paper(dot);
  const bestEw = closest(ew), bestDot = closest(dt);
  const out = [
    `why, element-wise: ${ew.map((r) => `${r.format} ${ratio(r)}`).join(', ')}; the claimed ${bestEw.claim_pct}% is closest to ` +
      `${bestEw.format} (${bestEw.delta_pp >= 0 ? '+' : ''}${bestEw.delta_pp.toFixed(1)} pp).`,
  ];
  // in a dot product the float add stays on both sides: its share of the MAC caps the saving
  const addShare = dt.map((d) => {
    const e = ew.find((r) => r.format === d.format);
    const add = e ? d.baseline_pj - e.baseline_pj : NaN;
    return `${d.format} ${ratio(d)} (its add is ${(100 * add / d.baseline_pj).toFixed(0)}% of the MAC)`;
  });
  out.push(`why, dot products: the float add stays, so ${addShare.join(', ')}; the claimed ${bestDot.claim_pct}% is closest to ` +
    `${bestDot.format} (${bestDot.delta_pp >= 0 ? '+' : ''}${bestDot.delta_pp.toFixed(1)} pp).`);
  return out;
}

/** The structural L-Mul unit against the paper's one-adder accounting, element-wise. */
function structuralFinding(elementwise: readonly SavingRow[]): string[] {
  const pairs = elementwise.filter((r) => r.accounting === 'structural').map((st) => {
    const pa = elementwise.find((r) => r.accounting === 'paper' && r.format === st.format);
    return `${st.format} ${st.saving_pct.toFixed(1)}% vs ${pa ? pa.saving_pct.toFixed(1) : '?'}%`;
  });
  return [
    'structural L-Mul unit (two adders for |x|+|y|-C plus flush/saturate muxes) against the one-adder accounting, element-wise: ' +
      `${pairs.join(', ')}.`,
  ];
}

export function lmulHeadlines(opts: TechOptions = {}): PaperHeadlines {
  const tech = makeTechnology(opts);
  const elementwise: SavingRow[] = [];
  const dot: SavingRow[] = [];
  for (const { f, lmulPe } of FORMATS) {
    const mul = tech.fpMult(f.expBits, f.manBits).energy_pj;
    const fadd = tech.fpAdd(f.expBits, f.manBits).energy_pj;
    const intAdd = tech.intAdd(f.bits).energy_pj;
    const unit = lmulUnit(tech, f, lmulPe).energy_pj;
    elementwise.push(row(f.name, 'paper', mul, intAdd, LMUL_CLAIMS.elementwise_saving_pct));
    elementwise.push(row(f.name, 'structural', mul, unit, LMUL_CLAIMS.elementwise_saving_pct));
    dot.push(row(f.name, 'paper', mul + fadd, intAdd + fadd, LMUL_CLAIMS.dot_saving_pct));
    dot.push(row(f.name, 'structural', mul + fadd, unit + fadd, LMUL_CLAIMS.dot_saving_pct));
  }
  const findings: string[] = [];
  const describe = (rows: SavingRow[], what: string, claim: number) => {
    const paper = rows.filter((r) => r.accounting === 'paper' && (r.format === 'fp32' || r.format === 'fp16'));
    for (const r of paper) {
      findings.push(
        `${what}, ${r.format} (${tech.name}): ${r.saving_pct.toFixed(1)}% saved vs the claimed ${claim}% ` +
          `(${r.delta_pp >= 0 ? '+' : ''}${r.delta_pp.toFixed(1)} pp): ${r.reproduces ? 'reproduces' : 'does not reproduce'} within ${HEADLINE_TOLERANCE_PP} pp`,
      );
    }
  };
  describe(elementwise, 'element-wise multiply', LMUL_CLAIMS.elementwise_saving_pct);
  describe(dot, 'dot product (mult + add of the same format)', LMUL_CLAIMS.dot_saving_pct);
  findings.push(...why(elementwise, dot), ...structuralFinding(elementwise));

  const int8 = tech.intMult(8, 8);
  const units: { unit: string; c: { energy_pj: number; area_um2: number } }[] = [
    { unit: 'e4m3 multiplier (exact, rounded)', c: tech.fpMult(E4M3.expBits, E4M3.manBits) },
    { unit: 'L-Mul e4m3 unit (structural)', c: multiplierCost(getPe('lmul-fp8-e4m3'), tech) },
    { unit: 'L-Mul e4m3, one 7-bit adder (paper accounting)', c: tech.intAdd(E4M3.expBits + E4M3.manBits) },
    { unit: 'int8 multiplier', c: int8 },
  ];
  const fp8_units = units.map((u) => ({
    unit: u.unit,
    energy_pj: u.c.energy_pj,
    area_um2: u.c.area_um2,
    energy_vs_int8: u.c.energy_pj / int8.energy_pj,
    area_vs_int8: u.c.area_um2 / int8.area_um2,
  }));
  const synthesis = FREEPDK45_SYNTHESIS.points.map((p) => {
    const ieee = tech.fpMult(p.expBits, p.manBits).area_um2;
    const pe = p.expBits === 4 ? 'lmul-fp8-e4m3' : p.manBits === 7 ? 'lmul-bf16' : undefined;
    const f = p.manBits === 23 ? FP32 : p.manBits === 7 ? BF16 : E4M3;
    const lm = lmulUnit(tech, f, pe).area_um2;
    return {
      format: p.format, model_ieee_um2: ieee, model_lmul_um2: lm, model_ratio: ieee / lm,
      synth_ieee_um2: p.ieee_um2, synth_lmul_um2: p.lmul_um2, synth_ratio: p.ieee_um2 / p.lmul_um2,
    };
  });
  return {
    technology: tech.name,
    node_nm: tech.node_nm,
    tolerance_pp: HEADLINE_TOLERANCE_PP,
    claims_source: LMUL_CLAIMS.source,
    elementwise,
    dot,
    findings,
    fp8_units,
    synthesis,
    synthesis_source: FREEPDK45_SYNTHESIS.source,
  };
}

const n = (v: number, d = 3) => (Math.abs(v) >= 100 ? v.toFixed(1) : v.toPrecision(d));

/** The headlines as Markdown (report.md, `bitweave report --papers`). */
export function headlinesMarkdown(h: PaperHeadlines): string {
  const out: string[] = [];
  out.push(`### L-Mul headline figures (${h.technology}, ${h.node_nm} nm)`, '');
  out.push(`Claim: ${h.claims_source}`, '');
  for (const [title, rows] of [['Element-wise multiply', h.elementwise], ['Dot product (multiply + add)', h.dot]] as const) {
    out.push(`**${title}**`, '', '| format | accounting | float pJ | L-Mul pJ | saved | claim | delta (pp) | within ±' + h.tolerance_pp + ' pp |', '|---|---|---|---|---|---|---|---|');
    for (const r of rows) {
      out.push(`| ${r.format} | ${r.accounting} | ${n(r.baseline_pj)} | ${n(r.lmul_pj)} | ${r.saving_pct.toFixed(1)}% | ${r.claim_pct}% | ${r.delta_pp >= 0 ? '+' : ''}${r.delta_pp.toFixed(1)} | ${r.reproduces ? 'yes' : 'no'} |`);
    }
    out.push('');
  }
  out.push('Findings:', '', ...h.findings.map((f) => `- ${f}`), '');
  out.push('**e4m3 multiplier vs L-Mul vs int8 multiplier**', '', '| unit | energy pJ | area um^2 | energy / int8 | area / int8 |', '|---|---|---|---|---|');
  for (const u of h.fp8_units) out.push(`| ${u.unit} | ${n(u.energy_pj)} | ${n(u.area_um2)} | ${u.energy_vs_int8.toFixed(2)} | ${u.area_vs_int8.toFixed(2)} |`);
  out.push('', `**Model vs synthesis** (${h.synthesis_source})`, '', '| format | model IEEE um^2 | model L-Mul um^2 | model ratio | synth IEEE um^2 | synth L-Mul um^2 | synth ratio |', '|---|---|---|---|---|---|---|');
  for (const s of h.synthesis) {
    out.push(`| ${s.format} | ${n(s.model_ieee_um2)} | ${n(s.model_lmul_um2)} | ${s.model_ratio.toFixed(2)} | ${s.synth_ieee_um2} | ${s.synth_lmul_um2} | ${s.synth_ratio.toFixed(2)} |`);
  }
  out.push('');
  return out.join('\n');
}
