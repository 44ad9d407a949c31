/**
 * The run report: report.md, a self-contained report.html (charts inline), CSV tables and
 * SVG charts, from one SimResult (`bitweave run --json`). A result without cost fields gets
 * them here (runCost with the arch config). Reads the result only; writes nothing itself.
 */
import { escapeHtml, htmlPage, tableCell } from './html.ts';
import type { ArchConfig } from '../sim/arch/schema.ts';
import { headlinesMarkdown, lmulHeadlines } from '../sim/cost/papers.ts';
import { runCost, withCost, type CostOptions, type CostedSimResult } from '../sim/cost/run-cost.ts';
import type { SimResult } from '../sim/result.ts';
import { barLineChart, rooflineChart, stackedBarChart } from './charts.ts';
import {
  AREA_UM2, BYTES, COUNT, EDP_J_S, ENERGY_PJ, OPS_PER_S, POWER_MW, TIME_S, formatNumber, formatPercent, formatQuantity,
} from './units.ts';

export interface ReportFiles {
  /** file name -> contents */
  readonly files: Readonly<Record<string, string>>;
  readonly result: CostedSimResult;
}

/** A SimResult that already carries cost fields (from `withCost`). */
export function hasCost(r: SimResult | CostedSimResult): r is CostedSimResult {
  const t = r.totals as Partial<CostedSimResult['totals']>;
  return 'cost' in r && t.energy_pj !== undefined && t.area_um2 !== undefined;
}

function csv(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cell = (v: string | number) => {
    const s = typeof v === 'number' ? String(v) : v;
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [header, ...rows].map((r) => r.map(cell).join(',')).join('\n') + '\n';
}

// every figure in an SI-scaled unit, never in scientific notation (reports/units.ts)
const fmt = (v: number) => formatNumber(v);
const energy = (pj: number) => formatQuantity(pj, ENERGY_PJ);
const area = (um2: number) => formatQuantity(um2, AREA_UM2);
const count = (n: number) => formatQuantity(n, COUNT);
const bytes = (b: number) => formatQuantity(b, BYTES);
const esc = escapeHtml;
/** the area components as the chart's legend names them */
const AREA_NAMES: Readonly<Record<string, string>> = {
  pe_array: 'PE array', sram_ifmap: 'SRAM ifmap', sram_filter: 'SRAM filter', sram_ofmap: 'SRAM ofmap', sram_unified: 'SRAM (unified)', other: 'other',
};

function mdTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/** Minimal Markdown -> HTML for what this report writes: headings, tables, lists, paragraphs. */
function mdToHtml(md: string): string {
  const out: string[] = [];
  const lines = md.split('\n');
  let i = 0;
  const inline = (s: string) => esc(s).replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>').replace(/`([^`]+)`/g, '<code>$1</code>');
  while (i < lines.length) {
    const l = lines[i];
    if (l.startsWith('|')) {
      const rows: string[][] = [];
      while (i < lines.length && lines[i].startsWith('|')) {
        const cells = lines[i].slice(1, -1).split('|').map((c) => c.trim());
        if (!cells.every((c) => /^-+$/.test(c))) rows.push(cells);
        i++;
      }
      const [h, ...b] = rows;
      out.push('<table><thead><tr>' + h.map((c) => `<th>${inline(c)}</th>`).join('') + '</tr></thead><tbody>' +
        b.map((r) => '<tr>' + r.map((c) => tableCell(inline(c), c)).join('') + '</tr>').join('') + '</tbody></table>');
      continue;
    }
    const h = /^(#{1,4}) (.*)$/.exec(l);
    if (h) out.push(`<h${h[1].length}>${inline(h[2])}</h${h[1].length}>`);
    else if (l.startsWith('- ')) {
      const items: string[] = [];
      while (i < lines.length && lines[i].startsWith('- ')) items.push(`<li>${inline(lines[i++].slice(2))}</li>`);
      out.push(`<ul>${items.join('')}</ul>`);
      continue;
    } else if (/^!\[.*\]\((.*)\)$/.test(l)) {
      // charts are inlined by the caller
    } else if (l.trim() !== '') out.push(`<p>${inline(l)}</p>`);
    i++;
  }
  return out.join('\n');
}

export interface ReportOptions extends CostOptions {
  /** include the L-Mul / fp8 headline section (default true) */
  readonly papers?: boolean;
}

/**
 * Builds every report file. `arch` is needed only when the result has no cost fields yet
 * (the SimResult does not carry SRAM sizes or the DRAM type).
 */
export function buildReport(input: SimResult | CostedSimResult, arch: ArchConfig | undefined, opts: ReportOptions = {}): ReportFiles {
  // an arch means: cost the run (again) with these options; otherwise use its own cost fields
  let r: CostedSimResult;
  if (arch !== undefined) r = withCost(input, runCost(input, arch, opts));
  else if (hasCost(input)) r = input;
  else throw new Error('buildReport: the result has no cost fields and no arch config was given');
  const layers = r.layers;
  const names = layers.map((l) => l.name);
  const t = r.totals;
  const c = r.cost;
  const clockHz = r.arch.clock_mhz * 1e6;

  // ---- CSV ----
  const energyCsv = csv(
    ['layer', 'compute_pj', 'registers_pj', 'sram_ifmap_pj', 'sram_filter_pj', 'sram_ofmap_pj', 'dram_pj', 'vector_pj', 'leakage_pj', 'total_pj'],
    [...layers.map((l) => [l.name, l.energy_pj.compute, l.energy_pj.registers, l.energy_pj.sram.ifmap, l.energy_pj.sram.filter, l.energy_pj.sram.ofmap, l.energy_pj.dram, l.energy_pj.vector ?? 0, l.energy_pj.leakage, l.energy_pj.total]),
      ['total', t.energy_pj.compute, t.energy_pj.registers, t.energy_pj.sram.ifmap, t.energy_pj.sram.filter, t.energy_pj.sram.ofmap, t.energy_pj.dram, t.energy_pj.vector ?? 0, t.energy_pj.leakage, t.energy_pj.total]],
  );
  const a = t.area_um2;
  const areaRows: [string, number][] = [
    ['pe_array', a.pe_array], ['sram_ifmap', a.sram.ifmap], ['sram_filter', a.sram.filter], ['sram_ofmap', a.sram.ofmap],
    ['sram_unified', a.sram.unified], ['other', a.other], ['total', a.total],
  ];
  const areaCsv = csv(['component', 'area_um2', 'area_mm2'], areaRows.map(([k, v]) => [k, v, v / 1e6]));
  const layersCsv = csv(
    ['layer', 'm', 'n', 'k', 'macs', 'cycles', 'compute_cycles', 'stall_cycles', 'utilization', 'overall_utilization', 'dram_bytes', 'energy_pj', 'pj_per_mac', 'tops_per_w', 'tops_per_mm2', 'latency_s', 'edp_j_s'],
    [...layers.map((l) => {
      const d = l.dram;
      return [l.name, l.gemm.m, l.gemm.n, l.gemm.k, l.macs, l.cycles, l.compute_cycles, l.stall_cycles, l.utilization, l.overall_utilization,
        d.ifmap_read_bytes + d.filter_read_bytes + d.ofmap_read_bytes + d.ofmap_write_bytes, l.energy_pj.total,
        l.derived.pj_per_mac, l.derived.tops_per_w, l.derived.tops_per_mm2, l.derived.latency_s, l.derived.edp_j_s];
    }),
    ['total', '', '', '', t.macs, t.cycles, t.compute_cycles, t.stall_cycles, t.utilization, t.overall_utilization,
      t.dram.ifmap_read_bytes + t.dram.filter_read_bytes + t.dram.ofmap_read_bytes + t.dram.ofmap_write_bytes, t.energy_pj.total,
      t.derived.pj_per_mac, t.derived.tops_per_w, t.derived.tops_per_mm2, t.derived.latency_s, t.derived.edp_j_s]],
  );
  const sourcesCsv = csv(['table', 'entry', 'node_nm', 'verified', 'source', 'note'],
    c.sources.map((s) => [s.table, s.entry, s.node_nm, String(s.verified), s.source, s.note ?? '']));

  // ---- charts ----
  const energySvg = stackedBarChart({
    title: 'Energy per layer by component',
    categories: names,
    series: [
      { name: 'compute', values: layers.map((l) => l.energy_pj.compute) },
      { name: 'registers', values: layers.map((l) => l.energy_pj.registers) },
      { name: 'SRAM ifmap', values: layers.map((l) => l.energy_pj.sram.ifmap) },
      { name: 'SRAM filter', values: layers.map((l) => l.energy_pj.sram.filter) },
      { name: 'SRAM ofmap', values: layers.map((l) => l.energy_pj.sram.ofmap) },
      { name: 'DRAM', values: layers.map((l) => l.energy_pj.dram) },
      { name: 'leakage', values: layers.map((l) => l.energy_pj.leakage) },
    ],
    quantity: { label: 'energy', units: ENERGY_PJ },
  });
  const areaParts = areaRows.filter(([k, v]) => k !== 'total' && v > 0);
  const areaSvg = stackedBarChart({
    title: 'Area by component',
    categories: ['accelerator'],
    series: areaParts.map(([k, v]) => ({ name: AREA_NAMES[k] ?? k, values: [v] })),
    quantity: { label: 'area', units: AREA_UM2 },
    width: 520,
  });
  const cyclesSvg = barLineChart({
    title: 'Cycles and utilization per layer',
    categories: names,
    bars: [
      { name: 'compute cycles', values: layers.map((l) => l.compute_cycles) },
      { name: 'stall cycles', values: layers.map((l) => l.stall_cycles) },
    ],
    quantity: { label: 'cycles', units: COUNT },
    lines: [
      { name: 'utilization without stalls', values: layers.map((l) => l.utilization) },
      { name: 'utilization with stalls', values: layers.map((l) => l.overall_utilization) },
    ],
    linesLabel: 'utilization (%)',
  });
  const bandwidth = c.dram_bandwidth_bytes_per_cycle;
  const rooflineSvg = rooflineChart({
    title: 'Roofline of the run',
    peak_ops_per_s: 2 * r.arch.rows * r.arch.cols * clockHz,
    bandwidth_bytes_per_s: bandwidth * clockHz,
    points: layers.map((l) => {
      const bytes = l.dram.ifmap_read_bytes + l.dram.filter_read_bytes + l.dram.ofmap_read_bytes + l.dram.ofmap_write_bytes;
      return { name: l.name, intensity: bytes > 0 ? (2 * l.macs) / bytes : 0, ops_per_s: l.cycles > 0 ? (2 * l.macs) / (l.cycles / clockHz) : 0 };
    }),
  });
  const charts: [string, string, string][] = [
    ['energy.svg', 'Energy per layer and component', energySvg],
    ['area.svg', 'Area breakdown', areaSvg],
    ['cycles.svg', 'Cycles and utilization per layer', cyclesSvg],
    ['roofline.svg', 'Roofline', rooflineSvg],
  ];
  const mstLayers = layers.filter((l) => l.reuse !== undefined);
  if (mstLayers.length > 0) {
    // bar height: the direct weight bits; its lower part what MST storage keeps
    charts.push(['reuse.svg', 'MST reuse per layer', barLineChart({
      title: 'MST reuse: weight bits stored and operations saved per layer',
      categories: mstLayers.map((l) => l.name),
      bars: [
        { name: 'weight bits stored', values: mstLayers.map((l) => l.reuse?.weight_bits_reuse ?? 0) },
        { name: 'weight bits saved', values: mstLayers.map((l) => (l.reuse?.weight_bits_direct ?? 0) - (l.reuse?.weight_bits_reuse ?? 0)) },
      ],
      quantity: { label: 'weight bits', units: COUNT },
      lines: [{ name: 'operations saved', values: mstLayers.map((l) => l.reuse?.saving ?? 0) }],
      linesLabel: 'operations saved (%)',
    })]);
  }

  // ---- Markdown ----
  const md: string[] = [];
  md.push(`# bitweave report: ${r.arch.name}`, '');
  md.push(`${r.arch.rows}x${r.arch.cols} ${r.arch.dataflow} array, PE \`${r.arch.pe}\` (psum ${r.arch.psum_format}), ` +
    `${r.arch.clock_mhz} MHz; technology \`${c.technology}\` at ${c.node_nm} nm (${c.description}); DRAM ${c.dram_type} ` +
    `(${formatNumber(c.dram_pj_per_bit, 3)} pJ/bit).`, '');
  md.push('## Summary', '');
  md.push(mdTable(['figure', 'value'], [
    ['layers', String(layers.length)],
    ['MACs', count(t.macs)],
    ['cycles', count(t.cycles)],
    ['stall cycles', `${count(t.stall_cycles)} (${formatPercent(t.cycles > 0 ? t.stall_cycles / t.cycles : 0, 1)} of the cycles)`],
    ['utilization without stalls', `${formatPercent(t.utilization)} (MACs / PEs x compute cycles)`],
    ['utilization with stalls', `${formatPercent(t.overall_utilization)} (MACs / PEs x all cycles)`],
    ['energy', energy(t.energy_pj.total)],
    ['energy per MAC', `${fmt(t.derived.pj_per_mac)} pJ`],
    ['TOPS/W', fmt(t.derived.tops_per_w)],
    ['TOPS/mm^2', fmt(t.derived.tops_per_mm2)],
    ['area', area(t.area_um2.total)],
    ['latency', formatQuantity(t.derived.latency_s, TIME_S)],
    ['power', formatQuantity(t.derived.power_mw, POWER_MW)],
    ['energy-delay product', formatQuantity(t.derived.edp_j_s, EDP_J_S)],
  ]), '');
  md.push('## Energy per layer and component', '', '![energy](energy.svg)', '');
  md.push(mdTable(['#', 'layer', 'compute', 'registers', 'SRAM ifmap', 'SRAM filter', 'SRAM ofmap', 'DRAM', 'vector unit', 'leakage', 'total'],
    [...layers.map((l, i) => [String(i), l.name, ...[l.energy_pj.compute, l.energy_pj.registers, l.energy_pj.sram.ifmap, l.energy_pj.sram.filter, l.energy_pj.sram.ofmap, l.energy_pj.dram, l.energy_pj.vector ?? 0, l.energy_pj.leakage, l.energy_pj.total].map(energy)]),
      ['', '**total**', ...[t.energy_pj.compute, t.energy_pj.registers, t.energy_pj.sram.ifmap, t.energy_pj.sram.filter, t.energy_pj.sram.ofmap, t.energy_pj.dram, t.energy_pj.vector ?? 0, t.energy_pj.leakage, t.energy_pj.total].map(energy)]]), '');
  md.push('The vector unit (activations, pooling, normalization, residual adds) runs between the array layers: its energy is in the total only.', '');
  md.push('## Area', '', '![area](area.svg)', '');
  md.push(mdTable(['component', 'area', 'share'], areaRows.map(([k, v]) => [k, area(v), formatPercent(a.total > 0 ? v / a.total : 0, 1)])), '');
  md.push('## Cycles and utilization', '', '![cycles](cycles.svg)', '');
  md.push('Utilization without stalls: MACs / (PEs x compute cycles), what the mapping allows; with stalls: MACs / (PEs x all ' +
    'cycles), what the run attains while the array waits for memory.', '');
  md.push(mdTable(['#', 'layer', 'MxNxK', 'cycles', 'stall cycles', 'utilization without stalls', 'utilization with stalls', 'pJ/MAC', 'TOPS/W'], layers.map((l, i) => [
    String(i), l.name, `${l.gemm.m}x${l.gemm.n}x${l.gemm.k}`, count(l.cycles), count(l.stall_cycles), formatPercent(l.utilization, 1),
    formatPercent(l.overall_utilization, 1), fmt(l.derived.pj_per_mac), fmt(l.derived.tops_per_w),
  ])), '');
  md.push('## Roofline', '', '![roofline](roofline.svg)', '');
  md.push(`Peak ${formatQuantity(2 * r.arch.rows * r.arch.cols * clockHz, OPS_PER_S)}; DRAM ${fmt(bandwidth)} B/cycle = ${bytes(bandwidth * clockHz)}/s. ` +
    'A layer can sit above the bandwidth roof: its first loads and last writes overlap the neighbouring layers.', '');
  const reuse = t.reuse_effect;
  let reuseCsv: string | undefined;
  if (reuse !== undefined) {
    const chg = (w: number, x: number) => (w === 0 ? (x === 0 ? '0%' : 'new') : `${x > w ? '+' : ''}${((100 * (x - w)) / w).toFixed(1)}%`);
    md.push('## Computation reuse', '');
    if (reuse.kind === 'ent') {
      const enc = c.pe.row_encoder;
      md.push(`EN-T: the ${enc?.operand ?? 'broadcast'} operand is Booth-encoded once per row (${enc?.rows ?? r.arch.rows} encoders, ` +
        `${energy(enc?.energy_pj_per_encode ?? 0)} per encode, ${area(enc?.area_um2_each ?? 0)} each); the digits travel in ` +
        `${enc?.register_bits ?? '?'}-bit registers; each PE keeps partial-product selection and the adder tree. Bits and cycles are those of the plain PE.`, '');
    } else {
      const mst = layers.flatMap((l) => (l.reuse !== undefined ? [l.reuse] : []));
      const src = mst[0]?.weights;
      const bound = mst.find((m) => m.depth_bound !== undefined)?.depth_bound;
      const direct = mst.reduce((s, m) => s + m.weight_bits_direct, 0), stored = mst.reduce((s, m) => s + m.weight_bits_reuse, 0);
      md.push(`MST: each binary layer's output channels ordered by ${bound === undefined ? 'the minimum-depth minimum spanning tree' : `the least-distance tree of depth <= ${bound}`} ` +
        `of their Hamming distances; the root computed in full, every other channel from its parent over the differing weights. ` +
        `Weights: ${src === 'model' ? "the model's" : 'seeded random +-1 (the model has none)'}. Storage: per child the cheaper of its difference ` +
        `list and its plain weights (plus a flag bit), or the whole layer plain when that is smaller; ${direct} weight bits direct, ` +
        `${stored} stored (compression ${(direct / Math.max(1, stored)).toFixed(2)}x).`, '', '![reuse](reuse.svg)', '');
    }
    md.push(mdTable(['figure', 'without reuse', 'with reuse', 'change'], [
      ['energy', energy(reuse.without.energy_pj), energy(reuse.with.energy_pj), chg(reuse.without.energy_pj, reuse.with.energy_pj)],
      ['area', area(reuse.without.area_um2), area(reuse.with.area_um2), chg(reuse.without.area_um2, reuse.with.area_um2)],
      ['cycles', count(reuse.without.cycles), count(reuse.with.cycles), chg(reuse.without.cycles, reuse.with.cycles)],
      ['DRAM traffic', bytes(reuse.without.dram_bytes), bytes(reuse.with.dram_bytes), chg(reuse.without.dram_bytes, reuse.with.dram_bytes)],
    ]), '');
    const rl = layers.filter((l) => l.reuse_effect !== undefined);
    md.push(mdTable(
      ['layer', 'energy', 'cycles', 'DRAM traffic', 'ops/pixel', 'ops saved', 'tree distance', 'tree depth', 'storage', 'weight bits', 'bits vs direct'],
      rl.map((l) => {
        const e = l.reuse_effect as NonNullable<typeof l.reuse_effect>;
        const m = l.reuse;
        return [
          l.name,
          `${energy(e.without.energy_pj)} -> ${energy(e.with.energy_pj)} (${chg(e.without.energy_pj, e.with.energy_pj)})`,
          `${count(e.without.cycles)} -> ${count(e.with.cycles)} (${chg(e.without.cycles, e.with.cycles)})`,
          `${bytes(e.without.dram_bytes)} -> ${bytes(e.with.dram_bytes)} (${chg(e.without.dram_bytes, e.with.dram_bytes)})`,
          m ? `${count(m.direct_ops)} -> ${count(m.reuse_ops)}` : '-',
          m ? `${(100 * m.saving).toFixed(1)}%` : '-',
          m ? count(m.total_distance) : '-',
          m ? (m.depth_bound !== undefined ? `${m.tree_depth} (<= ${m.depth_bound})` : String(m.tree_depth)) : '-',
          m ? (m.storage.format === 'direct' ? 'plain (layer)' : `${m.storage.children_list} lists, ${m.storage.children_plain} plain`) : '-',
          m ? `${count(m.weight_bits_direct)} -> ${count(m.weight_bits_reuse)}` : '-',
          m?.output_check ? (m.output_check.identical ? 'identical' : 'DIFFERENT') : '-',
        ];
      })), '');
    reuseCsv = csv(
      ['layer', 'kind', 'energy_pj_without', 'energy_pj_with', 'cycles_without', 'cycles_with', 'dram_bytes_without', 'dram_bytes_with',
        'area_um2_without', 'area_um2_with', 'direct_ops', 'reuse_ops', 'saving', 'tree_depth', 'weight_bits_direct', 'weight_bits_reuse',
        'total_distance', 'depth_bound', 'storage_format', 'children_list', 'children_plain'],
      [...rl.map((l) => {
        const e = l.reuse_effect as NonNullable<typeof l.reuse_effect>;
        const m = l.reuse;
        return [l.name, e.kind, e.without.energy_pj, e.with.energy_pj, e.without.cycles, e.with.cycles, e.without.dram_bytes, e.with.dram_bytes,
          e.without.area_um2, e.with.area_um2, m?.direct_ops ?? '', m?.reuse_ops ?? '', m?.saving ?? '', m?.tree_depth ?? '',
          m?.weight_bits_direct ?? '', m?.weight_bits_reuse ?? '', m?.total_distance ?? '', m?.depth_bound ?? '', m?.storage.format ?? '',
          m?.storage.children_list ?? '', m?.storage.children_plain ?? ''];
      }),
      ['total', reuse.kind, reuse.without.energy_pj, reuse.with.energy_pj, reuse.without.cycles, reuse.with.cycles, reuse.without.dram_bytes,
        reuse.with.dram_bytes, reuse.without.area_um2, reuse.with.area_um2, '', '', '', '', '', '', '', '', '', '', '']],
    );
  }
  if (layers.some((l) => l.energy_model !== undefined)) {
    md.push('## PE energy from gates (gates45) beside the operator table', '');
    md.push('Per layer, the PE energy (compute + registers) charged from the synthesized netlists and the operands\' toggles, and the same layer priced with the horowitz45 operator table (shown, not used).', '');
    md.push(mdTable(['layer', 'operands', 'zero operands', 'gated', 'gates pJ/MAC', 'table pJ/MAC', 'gates / table'], layers.map((l) => {
      const m = l.energy_model;
      if (!m) return [l.name, '', '', '', '', '', ''];
      const ops = l.reuse?.ops ?? l.macs;
      const gate = (l.energy_pj.compute + l.energy_pj.registers) / ops, table = (m.table.compute + m.table.registers) / ops;
      return [l.name, m.source, `${(100 * m.zero_fraction).toFixed(1)}%`, `${(100 * m.gated_fraction).toFixed(1)}%`, fmt(gate), fmt(table), fmt(gate / table)];
    })), '');
    md.push(`Operands: ${[...new Set(layers.map((l) => l.energy_model?.description).filter((d) => d !== undefined))].join('; ')}.`, '');
  }
  md.push('## PE cost model', '');
  md.push(`One MAC: ${energy(c.pe.mac_pj)}, registers ${energy(c.pe.register_pj_per_mac)} per MAC (${r.arch.dataflow}), PE area ${area(c.pe.area_um2)}.`, '');
  md.push(mdTable(['part', 'energy', 'area', 'derivation'], c.pe.parts.map((p) => [p.name, energy(p.energy_pj), area(p.area_um2), p.derivation])), '');
  md.push(`SRAM model: ${c.sram_fit.formula}; leakage ${energy(c.leakage_pj_per_cycle)} per cycle for the whole area.`, '');
  if (opts.papers !== false) {
    md.push('## Papers\' headline figures', '', headlinesMarkdown(lmulHeadlines(opts)), '');
  }
  md.push('## Sources', '');
  md.push(mdTable(['table', 'entry', 'node', 'verified', 'source'], c.sources.map((s) => [s.table, s.entry, s.node_nm ? `${s.node_nm} nm` : '-', s.verified ? 'yes' : 'no', s.source.replace(/\|/g, '/')])), '');
  const mdText = md.join('\n');

  // ---- HTML: the Markdown's content, charts inline where the Markdown links them ----
  const sections = mdText.split(/^(?=!\[[a-z]+\]\([a-z]+\.svg\)$)/m);
  const svgFor = Object.fromEntries(charts.map(([f, , s]) => [f, s]));
  const body = sections.map((sec) => {
    const m = /^!\[[a-z]+\]\(([a-z]+\.svg)\)$/m.exec(sec);
    const chart = m ? `<figure class="chart" data-chart="${m[1]}">${svgFor[m[1]]}</figure>` : '';
    return chart + mdToHtml(sec);
  }).join('\n');
  const html = htmlPage(`bitweave report: ${r.arch.name}`, body);
  const files: Record<string, string> = {
    'report.md': mdText,
    'report.html': html,
    'energy.csv': energyCsv,
    'area.csv': areaCsv,
    'layers.csv': layersCsv,
    'sources.csv': sourcesCsv,
    'result_with_cost.json': JSON.stringify(r, null, 2) + '\n',
    ...(reuseCsv !== undefined && { 'reuse.csv': reuseCsv }),
  };
  for (const [f, , s] of charts) files[f] = s;
  return { files, result: r };
}
