/**
 * The papers' claims measured on gates (technology gates45), beside the operator-table figures
 * (papers.ts, ent-design-points.ts) and the claims themselves, each gap with its reason computed
 * from the rows:
 *
 *  - L-Mul (arXiv 2410.00907: 95% of element-wise multiply energy, 80% of dot products): the
 *    float multiplier against the L-Mul unit of the same format (fp32, bf16, e4m3), alone and as
 *    a MAC with the fp32 accumulator of a dot product;
 *  - EN-T (arXiv 2404.11887): the Booth encoder's share of an int8 multiplier, the wider
 *    broadcast register, one encoder per row, the three design points (design points: see
 *    ent-design-points.ts, run with the netlists);
 *  - fp8 against int8: the e4m3 MAC against the int8 MAC.
 * Operands: N(0, 1) values rounded to the format (floats; as the calibration), uniform int8 bit
 * patterns (integers); dot products of 256 terms in 32 streams, output stationary, seed 1.
 */
import { mapGemm } from '../../dataflows/mapping.ts';
import { buildPe } from '../../pe/builder.ts';
import type { PeSpec } from '../../pe/catalogue.ts';
import { encodeFloat } from '../../pe/float-codec.ts';
import { BF16, E4M3, FP32, type FloatFormat } from '../../pe/formats.ts';
import { getPe } from '../../pe/registry.ts';
import type { PeKind } from '../../pe/types.ts';
import { psumStore } from '../../array/psum.ts';
import { makeRng, type Rng } from '../../random.ts';
import { LMUL_CLAIMS, ENT_CLAIMS, FREEPDK45_SYNTHESIS } from '../tables/papers-data.ts';
import { lmulHeadlines } from '../papers.ts';
import type { EntDesignPoints } from '../ent-design-points.ts';
import { calibrate, rawEnergyPerOp, type Calibration } from './calibrate.ts';
import type { GateLibrary } from './library.ts';
import { gemmGateEnergy } from './pe-energy.ts';
import { gatePe, type GatePe } from './pe-gates.ts';

const DOT_K = 256;
const DOT_LANES = 32;

export interface LmulGateRow {
  readonly format: string;
  readonly float_unit: string;
  readonly lmul_unit: string;
  readonly float_cells: number;
  readonly lmul_cells: number;
  /** element-wise: multiplier energy per product, pJ (calibrated) */
  readonly float_mul_pj: number;
  readonly lmul_mul_pj: number;
  readonly elementwise_saving_pct: number;
  /** dot product: multiplier + fp32 accumulator per MAC, pJ */
  readonly float_mac_pj: number;
  readonly lmul_mac_pj: number;
  readonly accumulator_pj: number;
  readonly dot_saving_pct: number;
  /** multiplier area, um^2 (calibrated), and the float / L-Mul ratio */
  readonly float_area_um2: number;
  readonly lmul_area_um2: number;
  readonly area_ratio: number;
  /** the operator table's savings for the same format (papers.ts, 'paper' and 'structural' accountings) */
  readonly table_elementwise_pct: { readonly paper: number; readonly structural: number };
  readonly table_dot_pct: { readonly paper: number; readonly structural: number };
  /** FreePDK45 third-party synthesis ratio (tables/papers-data.ts, unverified), where it has the format */
  readonly third_party_area_ratio?: number;
}

export interface EntGateFacts {
  /** the Booth encoder's share of an int8 Booth multiplier (encoder inside), area and energy */
  readonly encoder_area_share: number;
  readonly encoder_energy_share: number;
  readonly booth_mul_pj: number;
  readonly booth_mul_area_um2: number;
  readonly encoder_pj: number;
  readonly encoder_area_um2: number;
  /** the EN-T PE multiplier (digit selection + adder tree) and the catalogue's array multiplier */
  readonly ent_mul_pj: number;
  readonly ent_mul_area_um2: number;
  readonly array_mul_pj: number;
  readonly array_mul_area_um2: number;
  /** broadcast register bits, plain and EN-T (os cell netlists) */
  readonly register_bits: { readonly plain: number; readonly ent: number };
  /** the table model's encoder share (structure.ts, the EN-T group's 22 nm areas) */
  readonly table_encoder_share: number;
}

export interface Fp8Int8Row {
  readonly design: string;
  readonly mac_pj: number;
  readonly multiplier_pj: number;
  readonly accumulator_pj: number;
  readonly area_um2: number;
  readonly multiplier_area_um2: number;
}

export interface GatePapers {
  readonly calibration: Calibration;
  readonly lmul: readonly LmulGateRow[];
  readonly lmul_claims: { readonly elementwise_pct: number; readonly dot_pct: number; readonly source: string };
  readonly lmul_findings: readonly string[];
  readonly ent: EntGateFacts;
  readonly ent_source: string;
  readonly fp8_int8: {
    readonly fp8: Fp8Int8Row; readonly int8: Fp8Int8Row;
    /** MAC (multiplier + accumulator) and multiplier-alone ratios e4m3 / int8 */
    readonly energy_ratio: number; readonly area_ratio: number; readonly mul_energy_ratio: number; readonly mul_area_ratio: number;
    readonly table_energy_ratio: number; readonly table_area_ratio: number;
  };
  readonly operands: string;
}

const normal = (f: FloatFormat) => (rng: Rng) => encodeFloat(f, rng.normal());
const uniform8 = (rng: Rng) => rng.int(256);

/** L-Mul on fp32 as a PE (no catalogue kind has it): the adder of lmul.ts on fp32, fp32 accumulator. */
function lmulFp32Pe(): PeKind {
  const spec: PeSpec = {
    name: 'lmul-fp32', description: 'L-Mul on fp32 (papers only)', multiplier: 'lmul', input: FP32, weight: FP32, product: FP32,
    productSaturate: true, acc: FP32, inputRounding: 'rne', quantizeSaturate: true,
  };
  return buildPe(spec, {});
}

/** Multiplier and accumulator energy per MAC of K-term dot products through a PE's gates. */
function dotEnergy(g: GatePe, gen: (rng: Rng) => number): { mul: number; acc: number } {
  const rng = makeRng(1);
  const a = Array.from({ length: DOT_LANES * DOT_K }, () => gen(rng));
  const b = Array.from({ length: DOT_K }, () => gen(rng));
  const mp = mapGemm({ m: DOT_LANES, n: 1, k: DOT_K }, DOT_LANES, 1, 'os');
  const e = gemmGateEnergy(g, mp, { a, b, psum: psumStore(g.pe) }, { maxMacs: DOT_LANES * DOT_K });
  return { mul: e.multiplier_pj, acc: e.accumulator_pj };
}

export function gatePapers(lib: GateLibrary): GatePapers {
  const cal = calibrate(lib);
  const k = cal.energy_scale, ka = cal.area_scale;
  const factors = { energy_scale: k, area_scale: ka };
  const table = lmulHeadlines({ technology: 'horowitz45' });
  const tableRow = (rows: typeof table.elementwise, f: string, acc: 'paper' | 'structural') => rows.find((r) => r.format === f && r.accounting === acc)?.saving_pct ?? NaN;
  const third = (f: FloatFormat) => FREEPDK45_SYNTHESIS.points.find((p) => p.expBits === f.expBits && p.manBits === f.manBits);

  const cases: { f: FloatFormat; float: GatePe; lmul: GatePe }[] = [
    {
      f: FP32,
      float: gatePe(lib, 'fp32', getPe('fp32'), factors),
      lmul: gatePe(lib, 'fp32', lmulFp32Pe(), factors, { mul: lib.extra('paper.lmul-fp32') }),
    },
    {
      f: BF16,
      // bf16 x bf16 rounded to bf16, as the L-Mul unit's result is bf16
      float: gatePe(lib, 'lmul-bf16', getPe('bf16', { product: 'bf16' }), factors, { mul: lib.extra('paper.bf16-mul') }),
      lmul: gatePe(lib, 'lmul-bf16', getPe('lmul-bf16'), factors),
    },
    {
      f: E4M3,
      float: gatePe(lib, 'fp8-e4m3', getPe('fp8-e4m3'), factors),
      lmul: gatePe(lib, 'lmul-fp8-e4m3', getPe('lmul-fp8-e4m3'), factors),
    },
  ];
  const lmul: LmulGateRow[] = cases.map(({ f, float, lmul: lm }) => {
    const gen = normal(f);
    const fm = k * rawEnergyPerOp(lib, float.mul.id, { a: gen, b: gen });
    const lmm = k * rawEnergyPerOp(lib, lm.mul.id, { a: gen, b: gen });
    const fd = dotEnergy(float, gen), ld = dotEnergy(lm, gen);
    const fa = ka * float.mul.priced.area_um2, la = ka * lm.mul.priced.area_um2;
    const tp = third(f);
    const fname = f.name === 'e4m3' ? 'e4m3' : f.name;
    return {
      format: f.name, float_unit: float.mul.id, lmul_unit: lm.mul.id, float_cells: float.mul.priced.cells, lmul_cells: lm.mul.priced.cells,
      float_mul_pj: fm, lmul_mul_pj: lmm, elementwise_saving_pct: 100 * (1 - lmm / fm),
      float_mac_pj: fd.mul + fd.acc, lmul_mac_pj: ld.mul + ld.acc, accumulator_pj: fd.acc,
      dot_saving_pct: 100 * (1 - (ld.mul + ld.acc) / (fd.mul + fd.acc)),
      float_area_um2: fa, lmul_area_um2: la, area_ratio: fa / la,
      table_elementwise_pct: { paper: tableRow(table.elementwise, fname, 'paper'), structural: tableRow(table.elementwise, fname, 'structural') },
      table_dot_pct: { paper: tableRow(table.dot, fname, 'paper'), structural: tableRow(table.dot, fname, 'structural') },
      ...(tp && { third_party_area_ratio: tp.ieee_um2 / tp.lmul_um2 }),
    };
  });
  const findings = lmul.map((r) => {
    const accShare = (100 * r.accumulator_pj) / r.float_mac_pj;
    const cap = (100 * (r.float_mac_pj - r.accumulator_pj)) / r.float_mac_pj;
    return `${r.format}: the L-Mul unit (${r.lmul_cells} cells) spends ${((100 * r.lmul_mul_pj) / r.float_mul_pj).toFixed(1)}% of the float multiplier's ` +
      `(${r.float_cells} cells) energy per product (the paper's accounting, one integer add of the operand width at Horowitz's price, ` +
      `gives ${r.table_elementwise_pct.paper.toFixed(1)}% saved); in a dot product the fp32 accumulator (${r.accumulator_pj.toFixed(3)} pJ, ` +
      `${accShare.toFixed(0)}% of the float MAC) stays, so no multiplier could save more than ${cap.toFixed(0)}% of the MAC.`;
  });

  // EN-T: encoder share, multipliers, register widths
  const booth = lib.extra('paper.booth-int8-mul');
  const int8 = lib.design('int8'), ent = lib.design('int8+ent');
  const encId = ent.enc as string;
  const en = (id: string, ports: Record<string, (rng: Rng) => number>) => k * rawEnergyPerOp(lib, id, ports);
  // the three PE multipliers on the same dot-product streams (the EN-T one reads the encoder's bus)
  const i8 = getPe('int8');
  const boothPj = dotEnergy(gatePe(lib, 'int8', i8, factors, { mul: booth }), uniform8).mul;
  const arrayPj = dotEnergy(gatePe(lib, 'int8', i8, factors), uniform8).mul;
  const entDot = dotEnergy(gatePe(lib, 'int8+ent', getPe('int8', { reuse: 'ent' }), factors), uniform8);
  const encPj = en(encId, { x: uniform8 });
  const boothArea = ka * lib.priced(booth).area_um2, encArea = ka * lib.priced(encId).area_um2;
  const regOf = (d: typeof int8) => lib.registers(d.cells.os as string).a;
  const entFacts: EntGateFacts = {
    encoder_area_share: encArea / boothArea,
    encoder_energy_share: encPj / boothPj,
    booth_mul_pj: boothPj,
    booth_mul_area_um2: boothArea,
    encoder_pj: encPj,
    encoder_area_um2: encArea,
    ent_mul_pj: entDot.mul,
    ent_mul_area_um2: ka * lib.priced(ent.mul).area_um2,
    array_mul_pj: arrayPj,
    array_mul_area_um2: ka * lib.priced(int8.mul).area_um2,
    register_bits: { plain: regOf(int8), ent: regOf(ent) },
    table_encoder_share: 40.4 / 141.9,
  };

  // fp8 vs int8 MAC
  const macRow = (design: string, pe: PeKind, gen: (rng: Rng) => number): Fp8Int8Row => {
    const g = gatePe(lib, design, pe, factors);
    const d = dotEnergy(g, gen);
    return {
      design, mac_pj: d.mul + d.acc, multiplier_pj: d.mul, accumulator_pj: d.acc,
      area_um2: ka * (g.mul.priced.area_um2 + g.acc.priced.area_um2), multiplier_area_um2: ka * g.mul.priced.area_um2,
    };
  };
  const fp8 = macRow('fp8-e4m3', getPe('fp8-e4m3'), normal(E4M3));
  const int8Mac = macRow('int8', i8, uniform8);
  const tUnits = table.fp8_units;
  const tE4m3 = tUnits.find((u) => u.unit.startsWith('e4m3 multiplier'));
  const tInt8 = tUnits.find((u) => u.unit.startsWith('int8 multiplier'));
  return {
    calibration: cal,
    lmul,
    lmul_claims: { elementwise_pct: LMUL_CLAIMS.elementwise_saving_pct, dot_pct: LMUL_CLAIMS.dot_saving_pct, source: LMUL_CLAIMS.source },
    lmul_findings: findings,
    ent: entFacts,
    ent_source: ENT_CLAIMS.source,
    fp8_int8: {
      fp8, int8: int8Mac, energy_ratio: fp8.mac_pj / int8Mac.mac_pj, area_ratio: fp8.area_um2 / int8Mac.area_um2,
      mul_energy_ratio: fp8.multiplier_pj / int8Mac.multiplier_pj, mul_area_ratio: fp8.multiplier_area_um2 / int8Mac.multiplier_area_um2,
      table_energy_ratio: (tE4m3?.energy_pj ?? NaN) / (tInt8?.energy_pj ?? NaN), table_area_ratio: (tE4m3?.area_um2 ?? NaN) / (tInt8?.area_um2 ?? NaN),
    },
    operands: `floats N(0, 1) rounded to the format, int8 uniform bit patterns; dot products of ${DOT_K} terms in ${DOT_LANES} streams (output stationary), seed 1`,
  };
}

const n3 = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(1) : v.toPrecision(3));
const pc = (v: number) => `${v.toFixed(1)}%`;

/** The gate-level papers section as Markdown (`bitweave report --papers --technology gates45`). */
export function gatePapersMarkdown(p: GatePapers): string {
  const out: string[] = [];
  const c = p.calibration;
  out.push('### Calibration of the gate-level model (NanGate FreePDK45 cells, 45 nm)', '');
  out.push(`One energy factor (x${c.energy_scale.toFixed(4)}) and one area factor (x${c.area_scale.toFixed(4)}), fitted on the 8-bit integer add and multiply only; the float operators are predictions. Reference: ${c.reference}. Operands: ${c.operands}.`, '');
  out.push('| operator | role | cells | raw pJ | gates pJ | Horowitz pJ | error | raw um^2 | gates um^2 | Horowitz um^2 | error |', '|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of c.rows) {
    out.push(`| ${r.operator} | ${r.role === 'fit' ? 'fitted' : 'predicted'} | ${r.cells} | ${n3(r.raw_pj)} | ${n3(r.energy_pj)} | ${r.horowitz_pj} | ${r.energy_error_pct >= 0 ? '+' : ''}${r.energy_error_pct.toFixed(1)}% | ` +
      `${n3(r.raw_area_um2)} | ${n3(r.area_um2)} | ${r.horowitz_area_um2} | ${r.area_error_pct >= 0 ? '+' : ''}${r.area_error_pct.toFixed(1)}% |`);
  }
  out.push('', `### L-Mul: claim / operator table / gates (${p.operands})`, '');
  out.push(`Claim: ${p.lmul_claims.source}`, '');
  out.push('| format | element-wise saved: claim | table (paper acc.) | table (structural) | gates | dot product saved: claim | table (paper acc.) | table (structural) | gates | area float / L-Mul: gates | third-party synthesis |');
  out.push('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of p.lmul) {
    out.push(`| ${r.format} | ${p.lmul_claims.elementwise_pct}% | ${pc(r.table_elementwise_pct.paper)} | ${pc(r.table_elementwise_pct.structural)} | ${pc(r.elementwise_saving_pct)} | ` +
      `${p.lmul_claims.dot_pct}% | ${pc(r.table_dot_pct.paper)} | ${pc(r.table_dot_pct.structural)} | ${pc(r.dot_saving_pct)} | ${r.area_ratio.toFixed(2)} | ${r.third_party_area_ratio !== undefined ? r.third_party_area_ratio.toFixed(2) : '-'} |`);
  }
  out.push('', '| format | float multiplier (cells) | pJ | L-Mul unit (cells) | pJ | fp32 accumulator pJ/MAC | float MAC | L-Mul MAC |', '|---|---|---|---|---|---|---|---|');
  for (const r of p.lmul) {
    out.push(`| ${r.format} | ${r.float_unit} (${r.float_cells}) | ${n3(r.float_mul_pj)} | ${r.lmul_unit} (${r.lmul_cells}) | ${n3(r.lmul_mul_pj)} | ${n3(r.accumulator_pj)} | ${n3(r.float_mac_pj)} | ${n3(r.lmul_mac_pj)} |`);
  }
  out.push('', 'Why the gaps:', '', ...p.lmul_findings.map((f) => `- ${f}`), '');
  const e = p.ent;
  out.push('### EN-T: the encoder and the registers, from the netlists', '');
  out.push(`Claim: ${p.ent_source}`, '');
  out.push('| figure | operator table | gates |', '|---|---|---|');
  out.push(`| Booth encoder's share of an int8 multiplier (area) | ${pc(100 * e.table_encoder_share)} (EN-T group's 22 nm areas, assumed for energy too) | ${pc(100 * e.encoder_area_share)} (${n3(e.encoder_area_um2)} of ${n3(e.booth_mul_area_um2)} um^2) |`);
  out.push(`| ... (energy, uniform int8 operands) | ${pc(100 * e.table_encoder_share)} | ${pc(100 * e.encoder_energy_share)} (${n3(e.encoder_pj)} of ${n3(e.booth_mul_pj)} pJ) |`);
  out.push(`| PE multiplier: array (a * b) / Booth with encoder / EN-T digit PE, pJ | - | ${n3(e.array_mul_pj)} / ${n3(e.booth_mul_pj)} / ${n3(e.ent_mul_pj)} |`);
  out.push(`| ... area, um^2 | - | ${n3(e.array_mul_area_um2)} / ${n3(e.booth_mul_area_um2)} / ${n3(e.ent_mul_area_um2)} |`);
  out.push(`| broadcast register bits, plain / EN-T | 8 / 12 | ${e.register_bits.plain} / ${e.register_bits.ent} (os cell netlists) |`);
  out.push('');
  const f = p.fp8_int8;
  out.push('### fp8 (e4m3) MAC vs int8 MAC', '');
  out.push('| e4m3 / int8 | operator table (multipliers) | gates: multipliers | gates: MAC (multiplier + accumulator: fp32 / int32) |', '|---|---|---|---|');
  out.push(`| energy | ${f.table_energy_ratio.toFixed(2)} | ${f.mul_energy_ratio.toFixed(2)} (${n3(f.fp8.multiplier_pj)} / ${n3(f.int8.multiplier_pj)} pJ) | ${f.energy_ratio.toFixed(2)} (${n3(f.fp8.mac_pj)} / ${n3(f.int8.mac_pj)} pJ) |`);
  out.push(`| area | ${f.table_area_ratio.toFixed(2)} | ${f.mul_area_ratio.toFixed(2)} (${n3(f.fp8.multiplier_area_um2)} / ${n3(f.int8.multiplier_area_um2)} um^2) | ${f.area_ratio.toFixed(2)} (${n3(f.fp8.area_um2)} / ${n3(f.int8.area_um2)} um^2) |`);
  out.push('', `Why: the e4m3 multiplier itself is small (a 4x4 significand product and a 4-bit exponent add); an fp8 MAC accumulates in fp32, whose adder (${n3(f.fp8.accumulator_pj)} pJ) dwarfs the int32 adder (${n3(f.int8.accumulator_pj)} pJ).`);
  out.push('');
  return out.join('\n');
}

/**
 * EN-T's three design points side by side: the claim, the operator table, the gates with the
 * catalogue int8 PE as baseline and with a Booth-multiplier PE as baseline (each the os
 * dataflow, the table's headline), and the reasons each computation gives for its gap.
 */
export function entSideBySideMarkdown(table: EntDesignPoints, gatesArray: EntDesignPoints, gatesBooth: EntDesignPoints): string {
  const os = (d: EntDesignPoints) => d.points.filter((p) => p.dataflow === 'os');
  const t = os(table), a = os(gatesArray), b = os(gatesBooth);
  const sg = (v: number) => `${v >= 0 ? '+' : ''}${v.toFixed(1)}%`;
  const out: string[] = [];
  out.push('### EN-T design points: claim / operator table / gates (output stationary, GEMM 1024^3, int8 at 1 GHz)', '');
  out.push('| point | array | energy eff.: claim | table | gates (int8 PE) | gates (Booth PE) | area eff.: claim | table | gates (int8 PE) | gates (Booth PE) |');
  out.push('|---|---|---|---|---|---|---|---|---|---|');
  t.forEach((p, i) => {
    out.push(`| ${p.name} | ${p.rows}x${p.cols} | +${p.paper_energy_pct}% | ${sg(p.energy_gain_pct)} | ${sg(a[i].energy_gain_pct)} | ${sg(b[i].energy_gain_pct)} | ` +
      `+${p.paper_area_pct}% | ${sg(p.area_gain_pct)} | ${sg(a[i].area_gain_pct)} | ${sg(b[i].area_gain_pct)} |`);
  });
  out.push('', 'Why the gaps (operator table):', '', ...table.gap.map((g) => `- ${g}`), '', 'Why the gaps (gates, Booth baseline):', '', ...gatesBooth.gap.map((g) => `- ${g}`), '',
    'Why the gaps (gates, int8 PE baseline):', '', ...gatesArray.gap.slice(0, 2).map((g) => `- ${g}`), '');
  return out.join('\n');
}
