/**
 * Numbers as people read them in reports, tables, chart axes and the CLI: every quantity in
 * an SI-scaled unit chosen from its magnitude (66.55 mJ, not 6.655e+10 pJ or "66G pJ";
 * 1.709 mm^2, not 1.709e+6 um^2; 72.94 M cycles), ratios as percentages, and never
 * scientific notation. Machine-readable outputs (CSV, JSON) keep the raw base units.
 */

/** One unit of a ladder: its name, its size in the ladder's base unit, and from what size on it is used. */
export interface Unit {
  readonly name: string;
  readonly factor: number;
  /** the smallest magnitude (in base units) shown in this unit; default: `factor` */
  readonly from?: number;
}

/** Units of one quantity, smallest first; values are given in the first unit whose factor is 1. */
export type Ladder = readonly Unit[];

const ladder = (...units: [string, number, number?][]): Ladder =>
  units.map(([name, factor, from]) => ({ name, factor, ...(from !== undefined && { from }) }));

/** energy, from picojoules */
export const ENERGY_PJ = ladder(['pJ', 1], ['nJ', 1e3], ['uJ', 1e6], ['mJ', 1e9], ['J', 1e12], ['kJ', 1e15]);
/** area, from square micrometres: mm^2 from 0.01 mm^2 on (a PE is ~1000 um^2, an accelerator a few mm^2) */
export const AREA_UM2 = ladder(['um^2', 1], ['mm^2', 1e6, 1e4], ['cm^2', 1e8]);
/** plain counts: cycles, MACs, accesses */
export const COUNT = ladder(['', 1], ['k', 1e3], ['M', 1e6], ['G', 1e9], ['T', 1e12]);
/** bytes, decimal prefixes (as DRAM bandwidths are quoted) */
export const BYTES = ladder(['B', 1], ['kB', 1e3], ['MB', 1e6], ['GB', 1e9], ['TB', 1e12]);
/** time, from seconds */
export const TIME_S = ladder(['ps', 1e-12], ['ns', 1e-9], ['us', 1e-6], ['ms', 1e-3], ['s', 1]);
/** power, from milliwatts */
export const POWER_MW = ladder(['uW', 1e-3], ['mW', 1], ['W', 1e3], ['kW', 1e6]);
/** operations per second */
export const OPS_PER_S = ladder(['OPS', 1], ['kOPS', 1e3], ['MOPS', 1e6], ['GOPS', 1e9], ['TOPS', 1e12], ['POPS', 1e15]);
/** energy-delay product, from joule-seconds */
export const EDP_J_S = ladder(['fJ s', 1e-15], ['pJ s', 1e-12], ['nJ s', 1e-9], ['uJ s', 1e-6], ['mJ s', 1e-3], ['J s', 1]);

/** The unit a magnitude (in base units) reads best in: the largest one it reaches. */
export function unitFor(magnitude: number, units: Ladder): Unit {
  const m = Math.abs(magnitude);
  let best = units[0];
  for (const u of units) if (m >= (u.from ?? u.factor)) best = u;
  return best;
}

/** A plain number with `digits` significant digits and no exponent (thousands grouped from 10,000 on). */
export function formatNumber(v: number, digits = 4): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (Number.isInteger(v) && a < 1e4) return String(v);
  if (a >= 10 ** digits) return Math.round(v).toLocaleString('en-US');
  // toPrecision switches to an exponent below 1e-6: give the decimals instead
  if (a < 1e-6) return v.toFixed(Math.min(20, digits - 1 - Math.floor(Math.log10(a))));
  return v.toPrecision(digits);
}

/** An axis tick: up to `digits` significant digits, trailing zeros dropped ("0.5", "250", "1.25"), no exponent. */
export function formatTick(v: number, digits = 4): string {
  if (!Number.isFinite(v) || v === 0) return String(v === 0 ? 0 : v);
  const text = String(Number(v.toPrecision(digits)));
  return text.includes('e') ? formatNumber(v, digits) : text;
}

/** A value (in the ladder's base unit) in its best unit: "66.55 mJ", "1.709 mm^2", "72.94 M". */
export function formatQuantity(v: number, units: Ladder, digits = 4): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const u = unitFor(v, units);
  const scaled = v / u.factor;
  // whole counts below 10,000 in the base unit are exact: "21", "512 B"
  const a = Math.abs(scaled);
  const text = u.factor === 1 && Number.isInteger(v) && Math.abs(v) < 1e4 ? String(v)
    : a >= 1e-6 && a < 10 ** digits ? scaled.toPrecision(digits) : formatNumber(scaled, digits);
  return u.name === '' ? text : `${text} ${u.name}`;
}

/** A ratio (0.768) as a percentage ("76.80%"). */
export function formatPercent(ratio: number, decimals = 2): string {
  return Number.isFinite(ratio) ? `${(100 * ratio).toFixed(decimals)}%` : String(ratio);
}

/** How a report shows a quantity: its name, and its unit ladder or a percentage. */
export interface Quantity {
  /** what it is, without unit ("energy") */
  readonly label: string;
  readonly units?: Ladder;
  /** a ratio in [0, 1] shown as a percentage */
  readonly percent?: boolean;
  /** a fixed unit for plain numbers ("TOPS/W") */
  readonly unit?: string;
}

const QUANTITIES: readonly [RegExp, Quantity][] = [
  [/^(totals\.)?energy_pj\.total$/, { label: 'energy', units: ENERGY_PJ }],
  [/energy_pj/, { label: 'energy', units: ENERGY_PJ }],
  [/^(totals\.)?area_um2\.total$/, { label: 'area', units: AREA_UM2 }],
  [/area_um2/, { label: 'area', units: AREA_UM2 }],
  [/pj_per_mac/, { label: 'energy per MAC', unit: 'pJ' }],
  [/tops_per_w/, { label: 'energy efficiency', unit: 'TOPS/W' }],
  [/tops_per_mm2/, { label: 'area efficiency', unit: 'TOPS/mm^2' }],
  [/latency_s/, { label: 'latency', units: TIME_S }],
  [/power_mw/, { label: 'power', units: POWER_MW }],
  [/edp_j_s/, { label: 'energy-delay product', units: EDP_J_S }],
  [/(^|\.)accuracy(_top1)?$|(^|\.)top1$/, { label: 'top-1 accuracy', percent: true }],
  [/agreement/, { label: 'agreement with fp32', percent: true }],
  [/overall_utili[sz]ation/, { label: 'utilization with stalls', percent: true }],
  [/utili[sz]ation/, { label: 'utilization without stalls', percent: true }],
  [/mapping_efficiency/, { label: 'mapping efficiency', percent: true }],
  [/bytes/, { label: '', units: BYTES }],
  [/cycles/, { label: '', units: COUNT }],
];

/** The quantity a dotted result field holds (energy_pj.total -> energy in J units, ...). */
export function quantityOf(field: string): Quantity {
  for (const [re, q] of QUANTITIES) {
    if (re.test(field)) return q.label === '' ? { ...q, label: field.replace(/^(totals|result)\./, '').replace(/_/g, ' ') } : q;
  }
  return { label: field.replace(/^(totals|result)\./, '') };
}

/** A field's value as the report prints it. */
export function formatField(field: string, v: number): string {
  const q = quantityOf(field);
  if (q.percent) return formatPercent(v);
  if (q.units) return formatQuantity(v, q.units);
  return q.unit ? `${formatNumber(v)} ${q.unit}` : formatNumber(v);
}

/** An axis of values of one quantity: the divisor for the tick values and the axis title with its unit. */
export function axisOf(q: Quantity, values: readonly number[]): { readonly factor: number; readonly title: string } {
  if (q.percent) return { factor: 0.01, title: `${q.label} (%)` };
  if (q.units) {
    const max = Math.max(0, ...values.filter(Number.isFinite).map(Math.abs));
    const u = unitFor(max, q.units);
    return { factor: u.factor, title: u.name === '' ? q.label : `${q.label} (${u.name})` };
  }
  return { factor: 1, title: q.unit ? `${q.label} (${q.unit})` : q.label };
}
