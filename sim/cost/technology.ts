/**
 * A technology, resolved: the primitive components (adders, multipliers, registers, SRAM,
 * leakage) as functions of their widths, at one process node. Built from a TechTable, its
 * fallback table for missing entries, and Stillmaker & Baas node scaling.
 *
 * Width rules (documented once, used everywhere):
 *  - between two published points: log-log interpolation (a local power law), so a table with
 *    8/16/32-bit points is honoured exactly at those widths;
 *  - beyond the points: the entry's rule (linear for adders/registers/bit ops, quadratic for
 *    array multipliers, or the power law through the two outermost points).
 * Floating-point multiply (structural, see fpMult): mantissa multiplier (m+1)^2 via int_mult,
 * exponent adder via int_add, and an overhead for normalisation/rounding/exceptions fitted
 * as c * n^p in the product width n = 2(m+1) through the table's published fp multipliers.
 */
import { InputError, unknownName } from '../errors.ts';
import { ALADDIN40 } from './tables/aladdin40.ts';
import { GATES45 } from './tables/gates45.ts';
import { HOROWITZ45 } from './tables/horowitz45.ts';
import { NODE_SCALING } from './tables/node-scaling.ts';
import { SRAM_STRUCTURE } from './tables/structure.ts';
import type {
  EntryName, FloatEntry, Provenance, ScalarEntry, SramEntry, TechEntries, TechTable, WidthEntry, WidthRule,
} from './types.ts';

const TABLES: Readonly<Record<string, TechTable>> = {
  horowitz45: HOROWITZ45,
  aladdin40: ALADDIN40,
  gates45: GATES45,
};

export function technologyNames(): string[] {
  return Object.keys(TABLES);
}

export function getTechTable(name: string): TechTable {
  const t = TABLES[name.trim().toLowerCase()];
  if (!t) throw unknownName('technology', name, technologyNames());
  return t;
}

export interface TechOptions {
  /** a table name (see technologyNames) or a table object */
  readonly technology?: string | TechTable;
  /** target process node; default: the table's own */
  readonly node_nm?: number;
  /** supply voltage for the node-scaling polynomials; default: the table's */
  readonly vdd?: number;
}

export interface Cost {
  readonly energy_pj: number;
  readonly area_um2: number;
}

// ---------- node scaling (Stillmaker & Baas, via hwcomponents) ----------

function nodeIndex(nm: number): number {
  const nodes = NODE_SCALING.nodes_nm;
  if (!(nm <= nodes[0] && nm >= nodes[nodes.length - 1])) {
    throw new InputError(`process node ${nm} nm is outside the scaling table (${nodes[nodes.length - 1]}-${nodes[0]} nm)`);
  }
  for (let i = 0; i < nodes.length - 1; i++) {
    if (nm <= nodes[i] && nm >= nodes[i + 1]) return i + (nodes[i] - nm) / (nodes[i] - nodes[i + 1]);
  }
  return nodes.length - 1;
}

function energyPoly(idx: number, vdd: number): number {
  const poly = (i: number) => {
    const [a, b, c] = NODE_SCALING.energy_poly[i];
    return a * vdd * vdd + b * vdd + c;
  };
  const lo = Math.floor(idx), hi = Math.ceil(idx), f = idx - lo;
  return poly(lo) * (1 - f) + poly(hi) * f;
}

/** Factor that takes an energy at `from` nm to `to` nm (same supply voltage). */
export function energyNodeFactor(from: number, to: number, vdd: number): number {
  if (from === to) return 1;
  return energyPoly(nodeIndex(to), vdd) / energyPoly(nodeIndex(from), vdd);
}

/** Factor that takes an area at `from` nm to `to` nm (bilinear in the node indices). */
export function areaNodeFactor(from: number, to: number): number {
  if (from === to) return 1;
  const x = nodeIndex(from), y = nodeIndex(to);
  const A = NODE_SCALING.area;
  const x0 = Math.floor(x), x1 = Math.ceil(x), y0 = Math.floor(y), y1 = Math.ceil(y);
  const fx = x - x0, fy = y - y0;
  return (
    A[x0][y0] * (1 - fx) * (1 - fy) + A[x0][y1] * (1 - fx) * fy + A[x1][y0] * fx * (1 - fy) + A[x1][y1] * fx * fy
  );
}

// ---------- width interpolation ----------

interface XY {
  readonly x: number;
  readonly y: number;
}

function ruleExponent(rule: WidthRule): number {
  return rule === 'quadratic' ? 2 : rule === 'none' ? 0 : 1;
}

/** Power-law exponent through the outermost points, or the rule's. */
function outerExponent(pts: readonly XY[], rule: WidthRule, fallback?: number): number {
  if (rule !== 'powerlaw') return ruleExponent(rule);
  if (pts.length >= 2) {
    const a = pts[0], b = pts[pts.length - 1];
    return Math.log(b.y / a.y) / Math.log(b.x / a.x);
  }
  if (fallback !== undefined) return fallback;
  return 1;
}

/** Value at x: log-log interpolation inside the points, the rule's power law outside. */
export function interpolate(points: readonly XY[], x: number, rule: WidthRule, fallbackExponent?: number): number {
  if (points.length === 0) throw new Error('interpolate: no points');
  const pts = [...points].sort((p, q) => p.x - q.x);
  if (rule === 'none') return pts[0].y;
  const k = outerExponent(pts, rule, fallbackExponent);
  const first = pts[0], last = pts[pts.length - 1];
  if (x <= first.x) return first.y * (x / first.x) ** k;
  if (x >= last.x) return last.y * (x / last.x) ** k;
  for (let i = 0; i < pts.length - 1; i++) {
    const a = pts[i], b = pts[i + 1];
    if (x >= a.x && x <= b.x) {
      const t = Math.log(x / a.x) / Math.log(b.x / a.x);
      return Math.exp(Math.log(a.y) + t * (Math.log(b.y) - Math.log(a.y)));
    }
  }
  return last.y;
}

/** Least-squares fit of y = a * x^b in log-log space. */
export function fitPowerLaw(points: readonly XY[]): { a: number; b: number } {
  const n = points.length;
  if (n === 1) return { a: points[0].y, b: 0 };
  const lx = points.map((p) => Math.log(p.x)), ly = points.map((p) => Math.log(p.y));
  const mx = lx.reduce((s, v) => s + v, 0) / n, my = ly.reduce((s, v) => s + v, 0) / n;
  let sxy = 0, sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (lx[i] - mx) * (ly[i] - my);
    sxx += (lx[i] - mx) ** 2;
  }
  const b = sxx > 0 ? sxy / sxx : 0;
  return { a: Math.exp(my - b * mx), b };
}

// ---------- the resolved technology ----------

export interface UsedEntry extends Provenance {
  readonly entry: string;
  readonly table: string;
}

export interface Technology {
  readonly name: string;
  readonly description: string;
  readonly node_nm: number;
  readonly vdd: number;
  intAdd(bits: number): Cost;
  /** an a x b array multiplier */
  intMult(a: number, b: number): Cost;
  fpAdd(expBits: number, manBits: number): Cost;
  fpMult(expBits: number, manBits: number): Cost;
  /** the parts of fpMult (mantissa multiplier, exponent adder, fitted overhead) */
  fpMultParts(expBits: number, manBits: number, key: 'energy_pj' | 'area_um2'): { mant: number; exp: number; over: number };
  /** the fitted overhead c * n^p of fpMult */
  fpMultFit(key: 'energy_pj' | 'area_um2'): { c: number; p: number };
  bitOp(bits: number): Cost;
  register(bits: number): Cost;
  /** energy of one access of `wordBits` to an SRAM of `kb` KB in `banks` banks */
  sramAccess(kb: number, wordBits: number, banks: number, write: boolean): number;
  sramArea(kb: number, banks: number): number;
  /** leakage energy per um^2 per clock cycle at `clockMhz` */
  leakagePerUm2Cycle(clockMhz: number): number;
  /** the SRAM fit, for documentation: E(64-bit word) = a * KB^b at this node */
  sramFit(): { a: number; b: number; word_bits: number; points: readonly XY[] };
  /** every table entry this technology resolves to, with its provenance */
  sources(): UsedEntry[];
}

interface Resolved<E> {
  readonly entry: E;
  readonly table: TechTable;
  /** factors from the entry's node to the target node */
  readonly eScale: number;
  readonly aScale: number;
}

export function makeTechnology(opts: TechOptions = {}): Technology {
  const table = typeof opts.technology === 'object' ? opts.technology : getTechTable(opts.technology ?? 'horowitz45');
  const node = opts.node_nm ?? table.node_nm;
  const vdd = opts.vdd ?? table.vdd;
  if (!(node > 0)) throw new InputError(`process node must be a positive number of nm, got ${opts.node_nm}`);
  if (!(vdd > 0)) throw new InputError(`vdd must be positive, got ${opts.vdd}`);
  nodeIndex(node); // validates the range
  if (table.name === 'gates45' && node !== table.node_nm) {
    throw new InputError('technology gates45 is the 45 nm cell library as synthesized: --node does not apply to it (scale a table technology instead)');
  }

  const fallbackOf = (t: TechTable): TechTable | undefined => {
    if (t.fallback === undefined) return undefined;
    return typeof opts.technology === 'object' && opts.technology.name === t.fallback ? opts.technology : TABLES[t.fallback];
  };

  function find<K extends EntryName>(name: K, t: TechTable = table, seen = new Set<string>()): { entry: TechEntries[K]; table: TechTable } | undefined {
    const e = t.entries[name];
    if (e !== undefined) return { entry: e as TechEntries[K], table: t };
    seen.add(t.name);
    const fb = fallbackOf(t);
    if (fb === undefined || seen.has(fb.name)) return undefined;
    return find(name, fb, seen);
  }

  const used = new Map<string, UsedEntry>();
  function resolve<K extends EntryName>(name: K, what: string): Resolved<TechEntries[K]> {
    const f = find(name);
    if (f === undefined) {
      const have = Object.keys(table.entries);
      throw new InputError(
        `technology '${table.name}' has no '${name}' entry (needed for ${what})` +
          `${table.fallback ? ` and neither has its fallback '${table.fallback}'` : ''}; it has: ${have.join(', ') || 'none'}`,
      );
    }
    const e = f.entry;
    used.set(`${f.table.name}.${name}`, {
      entry: name, table: f.table.name, source: e.source, node_nm: e.node_nm, verified: e.verified,
      ...(e.note !== undefined && { note: e.note }),
    });
    const from = e.node_nm > 0 ? e.node_nm : node;
    return { entry: e, table: f.table, eScale: energyNodeFactor(from, node, vdd), aScale: areaNodeFactor(from, node) };
  }

  function widthCost(name: 'int_add' | 'int_mult' | 'bit_op' | 'register', x: number, what: string): Cost {
    const r = resolve(name, what);
    const e: WidthEntry = r.entry;
    const energy = interpolate(e.points.map((p) => ({ x: p.bits, y: p.energy_pj })), x, e.scaling);
    const areaPts = e.points.filter((p) => p.area_um2 !== undefined).map((p) => ({ x: p.bits, y: p.area_um2 as number }));
    const area = areaPts.length > 0 ? interpolate(areaPts, x, e.scaling) : 0;
    return { energy_pj: energy * r.eScale, area_um2: area * r.aScale };
  }

  /** the exponent a one-point power-law entry borrows from the same entry of its fallback */
  function borrowedExponent(name: 'fp_add', t: TechTable, key: 'energy_pj' | 'area_um2'): number | undefined {
    const fb = fallbackOf(t);
    const e = fb?.entries[name];
    if (!e || e.points.length < 2) return undefined;
    const pts = e.points.filter((p) => p[key] !== undefined).map((p) => ({ x: p.bits, y: p[key] as number }));
    return pts.length >= 2 ? outerExponent(pts, 'powerlaw') : undefined;
  }

  function fpAdd(expBits: number, manBits: number): Cost {
    const r = resolve('fp_add', `a float adder (e${expBits}m${manBits})`);
    const e: FloatEntry = r.entry;
    const bits = 1 + expBits + manBits;
    const ePts = e.points.map((p) => ({ x: p.bits, y: p.energy_pj }));
    const aPts = e.points.filter((p) => p.area_um2 !== undefined).map((p) => ({ x: p.bits, y: p.area_um2 as number }));
    return {
      energy_pj: interpolate(ePts, bits, e.scaling, borrowedExponent('fp_add', r.table, 'energy_pj')) * r.eScale,
      area_um2: aPts.length ? interpolate(aPts, bits, e.scaling, borrowedExponent('fp_add', r.table, 'area_um2')) * r.aScale : 0,
    };
  }

  /**
   * Structural floating-point multiplier:
   *   mantissa multiplier (m+1) x (m+1)     int_mult
   *   exponent adder (e+1 bits: sum of two biased exponents, then the bias) int_add
   *   normalisation, rounding, sticky, exception handling and pipeline registers: an overhead
   *   growing with the product width n = 2(m+1), fitted as c * n^p through the published fp
   *   multipliers' remainders (published total - multiplier - exponent adder). With two
   *   published points (fp16, fp32) the fit is exact at both; with one, p comes from the
   *   fallback table and c from the single point.
   */
  function fpMultFit(key: 'energy_pj' | 'area_um2'): { c: number; p: number } {
    const r = resolve('fp_mult', 'a float multiplier');
    const e: FloatEntry = r.entry;
    const pick = (c: Cost) => (key === 'energy_pj' ? c.energy_pj : c.area_um2);
    const toTarget = key === 'energy_pj' ? r.eScale : r.aScale;
    const remainders = e.points
      .filter((p) => p[key] !== undefined)
      .map((p) => {
        const rest = (p[key] as number) * toTarget
          - pick(widthCost('int_mult', p.manBits + 1, 'the mantissa multiplier of a float multiplier'))
          - pick(widthCost('int_add', p.expBits + 1, 'the exponent adder of a float multiplier'));
        return { x: 2 * (p.manBits + 1), y: rest };
      });
    if (remainders.length === 0) throw new InputError(`technology '${r.table.name}': fp_mult has no ${key} points`);
    for (const rm of remainders) {
      if (!(rm.y > 0)) {
        throw new InputError(
          `technology '${r.table.name}': fp_mult ${key} at ${rm.x / 2 - 1} mantissa bits is not larger than its ` +
            'int multiplier + exponent adder; cannot fit the overhead',
        );
      }
    }
    if (remainders.length >= 2) {
      const pf = fitPowerLaw(remainders);
      return { c: pf.a, p: pf.b };
    }
    // one published point: the exponent (the shape) from the fallback table, the scale from the point
    const fb = fallbackOf(r.table);
    if (fb === undefined || fb.entries.fp_mult === undefined || fb.entries.fp_mult.points.length < 2) {
      throw new InputError(`technology '${r.table.name}': one fp_mult point and no fallback table to take the overhead's shape from`);
    }
    const p = makeTechnology({ technology: fb }).fpMultFit(key).p;
    return { c: remainders[0].y / remainders[0].x ** p, p };
  }

  /**
   * Structural floating-point multiplier:
   *   mantissa multiplier (m+1) x (m+1)                                   int_mult
   *   exponent adder (e+1 bits: two biased exponents added, bias removed)  int_add
   *   normalisation, rounding, sticky, exception handling and pipeline registers: an overhead
   *   growing with the product width n = 2(m+1), fitted as c * n^p through the published fp
   *   multipliers' remainders (published total - multiplier - exponent adder). With two
   *   published points (fp16, fp32) the fit is exact at both; with one, p comes from the
   *   fallback table and c from the single point.
   */
  function fpMultParts(expBits: number, manBits: number, key: 'energy_pj' | 'area_um2'): { mant: number; exp: number; over: number } {
    const pick = (c: Cost) => (key === 'energy_pj' ? c.energy_pj : c.area_um2);
    const fit = fpMultFit(key);
    return {
      mant: pick(widthCost('int_mult', manBits + 1, 'the mantissa multiplier of a float multiplier')),
      exp: pick(widthCost('int_add', expBits + 1, 'the exponent adder of a float multiplier')),
      over: fit.c * (2 * (manBits + 1)) ** fit.p,
    };
  }

  function fpMult(expBits: number, manBits: number): Cost {
    const r = resolve('fp_mult', `a float multiplier (e${expBits}m${manBits})`);
    const en = fpMultParts(expBits, manBits, 'energy_pj');
    const hasArea = r.entry.points.some((p) => p.area_um2 !== undefined);
    const ar = hasArea ? fpMultParts(expBits, manBits, 'area_um2') : undefined;
    return {
      energy_pj: en.mant + en.exp + en.over,
      area_um2: ar ? ar.mant + ar.exp + ar.over : 0,
    };
  }

  function sramModel(): { fit: { a: number; b: number }; word_bits: number; points: XY[] } {
    const r = resolve('sram_read', 'SRAM buffers');
    const e: SramEntry = r.entry;
    const points = e.points.map((p) => ({ x: p.kb, y: p.energy_pj * r.eScale }));
    return { fit: fitPowerLaw(points), word_bits: e.word_bits, points };
  }

  const leakEntry = (): { density: number } => {
    const r = resolve('leakage_density', 'leakage');
    const e: ScalarEntry = r.entry;
    // leakage power scales like energy (hwcomponents' tech_node_leak), density also by 1/area
    return { density: (e.value * r.eScale) / r.aScale };
  };

  const sramAreaScale = () => areaNodeFactor(SRAM_STRUCTURE.cell_area.node_nm, node);

  return {
    name: table.name,
    description: table.description,
    node_nm: node,
    vdd,
    intAdd: (bits) => widthCost('int_add', bits, `a ${bits}-bit integer adder`),
    intMult: (a, b) => {
      // an a x b array multiplier costs like a square one of width sqrt(a*b) (partial products a*b)
      return widthCost('int_mult', Math.sqrt(a * b), `a ${a}x${b}-bit integer multiplier`);
    },
    fpAdd,
    fpMult,
    fpMultParts,
    fpMultFit,
    bitOp: (bits) => widthCost('bit_op', bits, `${bits}-bit logic (XNOR/XOR/mux)`),
    register: (bits) => widthCost('register', bits, `${bits}-bit pipeline registers`),
    sramAccess: (kb, wordBits, banks, write) => {
      const m = sramModel();
      const read = m.fit.a * (kb / Math.max(1, banks)) ** m.fit.b * (wordBits / m.word_bits);
      if (!write) return read;
      used.set('structure.write_read_ratio', { entry: 'sram_write_read_ratio', table: 'structure', ...SRAM_STRUCTURE.write_read_ratio });
      return read * SRAM_STRUCTURE.write_read_ratio.value;
    },
    sramArea: (kb, banks) => {
      const s = SRAM_STRUCTURE;
      for (const k of ['cell_area', 'array_efficiency', 'bank_periphery'] as const) {
        used.set(`structure.${k}`, { entry: `sram_${k}`, table: 'structure', ...s[k] });
      }
      const bits = kb * 1024 * 8;
      return ((bits * s.cell_area.value) / s.array_efficiency.value + banks * s.bank_periphery.value) * sramAreaScale();
    },
    leakagePerUm2Cycle: (clockMhz) => {
      // mW/um^2 * (1 / f) : 1e-3 W * 1e-6/f_MHz s = 1e-9/f J = 1e3/f pJ
      return (leakEntry().density * 1e3) / clockMhz;
    },
    sramFit: () => {
      const m = sramModel();
      return { a: m.fit.a, b: m.fit.b, word_bits: m.word_bits, points: m.points };
    },
    sources: () => [...used.values()],
  };
}
