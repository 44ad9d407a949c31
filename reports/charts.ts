/**
 * SVG charts made with d3-node (server-side d3 on jsdom): each function returns one
 * standalone <svg> string, usable as a file or inlined in HTML. Every chart has a title,
 * axes whose titles carry an SI-scaled unit (reports/units.ts: "energy (mJ)", ticks plain
 * numbers), category labels that fit (rotated, shortened, or numbered when there are many),
 * and a legend that lists every series in a colour no other series of the chart has.
 */
import type { ScaleBand, ScaleLinear } from 'd3';
import { D3Node } from 'd3-node';
import { axisOf, formatNumber, formatQuantity, formatTick, OPS_PER_S, type Quantity } from './units.ts';

const STYLE = 'font-family: sans-serif; font-size: 11px;';
/** average advance of one character at 11 px, for layout (DejaVu Sans: about 6 px, narrower for lower case) */
const CHAR_PX = 6;
const LEGEND_ROW_PX = 15;
const TITLE_SPACE = 36;

export interface Series {
  readonly name: string;
  /** in the chart's quantity's base unit (pJ, um^2, cycles; ratios for percentages) */
  readonly values: readonly number[];
}

type D3 = InstanceType<typeof D3Node>['d3'];

/**
 * n colours, no two alike: Tableau10 up to 10 series; beyond that hues spaced by the golden
 * angle (neighbours in the list far apart on the wheel) at three lightnesses in turn, so
 * that colours of close hue still differ in lightness.
 */
export function distinctColors(d3: D3, n: number): string[] {
  if (n <= d3.schemeTableau10.length) return d3.schemeTableau10.slice(0, n);
  const golden = (Math.sqrt(5) - 1) / 2;
  const seen = new Set<string>();
  return Array.from({ length: n }, (_, i) => {
    let hex = d3.hsl(((i * golden) % 1) * 360, 0.7, [0.45, 0.65, 0.3][i % 3]).formatHex();
    // two hues can round to one 24-bit colour: nudge until unique
    for (let k = 1; seen.has(hex); k++) hex = d3.hsl(((i * golden) % 1) * 360 + k, 0.7, [0.45, 0.65, 0.3][i % 3]).formatHex();
    seen.add(hex);
    return hex;
  });
}

interface Margin { top: number; right: number; bottom: number; left: number }

/** how the legend's entries are laid out: rows per column, columns, column width */
interface LegendLayout { readonly rows: number; readonly columns: number; readonly columnWidth: number }

function legendLayout(names: readonly string[], innerHeight: number): LegendLayout {
  const rows = Math.max(1, Math.min(names.length, Math.floor(innerHeight / LEGEND_ROW_PX)));
  const longest = Math.max(0, ...names.map((n) => n.length));
  return { rows, columns: Math.ceil(names.length / rows), columnWidth: Math.min(220, 22 + CHAR_PX * longest) };
}

function drawLegend(
  g: ReturnType<typeof frame>['g'], x: number, names: readonly string[], colors: readonly string[], lay: LegendLayout,
): void {
  const lg = g.append('g').attr('class', 'legend').attr('transform', `translate(${x + 12},0)`);
  names.forEach((n, i) => {
    const col = Math.floor(i / lay.rows), row = i % lay.rows;
    const entry = lg.append('g').attr('class', 'legend-entry').attr('transform', `translate(${col * lay.columnWidth},${row * LEGEND_ROW_PX})`);
    entry.append('rect').attr('width', 11).attr('height', 11).attr('fill', colors[i]);
    entry.append('text').attr('x', 16).attr('y', 10).text(shorten(n, Math.floor((lay.columnWidth - 22) / CHAR_PX)));
  });
}

function frame(width: number, height: number, title: string, margin: Margin) {
  const node = new D3Node();
  const d3 = node.d3;
  const svg = node.createSVG(width, height, { viewBox: `0 0 ${width} ${height}`, style: STYLE, role: 'img' });
  svg.append('title').text(title);
  svg.append('rect').attr('width', width).attr('height', height).attr('fill', '#ffffff');
  svg.append('text').attr('x', width / 2).attr('y', 20).attr('text-anchor', 'middle')
    .attr('font-size', 14).attr('font-weight', 'bold').text(title);
  const g = svg.append('g').attr('transform', `translate(${margin.left},${margin.top})`);
  return { node, d3, svg, g, iw: width - margin.left - margin.right, ih: height - margin.top - margin.bottom };
}

/** a label cut to `max` characters with an ellipsis (the full name stays in the marks' tooltips) */
function shorten(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, Math.max(1, max - 1))}…`;
}

/** categories above this many are labelled by their number (0, 1, ...) instead of their name */
const NAMED_CATEGORIES = 48;
const LABEL_CHARS = 26;

/** How the category (x) axis is labelled, and the room its labels need below the plot. */
function categoryLabels(categories: readonly string[]) {
  const n = categories.length;
  const numbered = n > NAMED_CATEGORIES;
  const text = (i: number) => (numbered ? String(i) : shorten(categories[i], LABEL_CHARS));
  // numbered: every k-th number, so labels do not touch
  const every = numbered ? Math.ceil(n / NAMED_CATEGORIES) : 1;
  const rotate = !numbered && n > 6;
  const longest = Math.max(1, ...categories.map((_, i) => text(i).length));
  // rotated by -60 degrees: the label's height is its length times sin 60
  const below = rotate ? 10 + 0.93 * CHAR_PX * longest * 0.87 : 24;
  return { numbered, text, every, rotate, below, title: numbered ? 'layer (number: the row of the table below, from 0)' : '' };
}

function drawCategoryAxis(
  d3: D3, g: ReturnType<typeof frame>['g'], x: ScaleBand<string>, ih: number, iw: number,
  labels: ReturnType<typeof categoryLabels>,
): void {
  const axis = d3.axisBottom(x).tickFormat((k) => {
    const i = Number(String(k));
    return i % labels.every === 0 ? labels.text(i) : '';
  });
  const ax = g.append('g').attr('class', 'x-axis').attr('transform', `translate(0,${ih})`).call(axis);
  if (labels.rotate) ax.selectAll('text').attr('transform', 'rotate(-60)').attr('text-anchor', 'end').attr('dx', '-0.5em').attr('dy', '0.2em');
  if (labels.title) {
    g.append('text').attr('x', iw / 2).attr('y', ih + labels.below + 4).attr('text-anchor', 'middle').text(labels.title);
  }
}

/** the y axis of a quantity: ticks in its scaled unit, the unit in its title */
function drawValueAxis(
  d3: D3, g: ReturnType<typeof frame>['g'], y: ScaleLinear<number, number>, ih: number, quantity: Quantity, values: readonly number[],
): void {
  const a = axisOf(quantity, values);
  g.append('g').attr('class', 'y-axis').call(d3.axisLeft(y).ticks(6).tickFormat((v) => formatTick(Number(v) / a.factor)));
  g.append('text').attr('transform', 'rotate(-90)').attr('x', -ih / 2).attr('y', -58).attr('text-anchor', 'middle').text(a.title);
}

/** Width, height and margins for a chart with this legend: `plotHeight` for the plot itself, the labels' room below it. */
function categoryLayout(n: number, legendNames: readonly string[], opts: { width?: number; plotHeight?: number; rightAxis?: boolean }, below: number) {
  const margin: Margin = { top: TITLE_SPACE, right: 0, bottom: Math.ceil(below) + 24, left: 80 };
  let ih = opts.plotHeight ?? 280;
  let height = margin.top + ih + margin.bottom;
  // a legend longer than the plot is tall makes the chart taller, up to twice, then adds columns
  const wanted = legendNames.length * LEGEND_ROW_PX;
  if (wanted > ih) {
    const grow = Math.min(wanted - ih, height);
    height += grow;
    ih += grow;
  }
  const lay = legendLayout(legendNames, ih);
  margin.right = (opts.rightAxis ? 50 : 0) + 24 + lay.columns * lay.columnWidth;
  const width = Math.max(opts.width ?? 760, margin.left + margin.right + n * 14);
  return { width, height, margin, lay };
}

/** Stacked bars: one bar per category, one segment per series. */
export function stackedBarChart(opts: {
  readonly title: string;
  readonly categories: readonly string[];
  readonly series: readonly Series[];
  readonly quantity: Quantity;
  readonly width?: number;
  readonly plotHeight?: number;
}): string {
  const labels = categoryLabels(opts.categories);
  const names = opts.series.map((s) => s.name);
  const { width, height, margin, lay } = categoryLayout(opts.categories.length, names, opts, labels.below);
  const { node, d3, g, iw, ih } = frame(width, height, opts.title, margin);
  const totals = opts.categories.map((_, i) => opts.series.reduce((s, se) => s + Math.max(0, se.values[i] ?? 0), 0));
  const x = d3.scaleBand<string>().domain(opts.categories.map((_, i) => String(i))).range([0, iw]).padding(0.2);
  const y = d3.scaleLinear().domain([0, Math.max(1e-12, d3.max(totals) ?? 1)]).nice().range([ih, 0]);
  const colors = distinctColors(d3, opts.series.length);
  opts.categories.forEach((c, ci) => {
    let acc = 0;
    opts.series.forEach((se, si) => {
      const v = se.values[ci] ?? 0;
      if (v <= 0) return;
      g.append('rect').attr('class', 'bar')
        .attr('x', x(String(ci)) ?? 0).attr('width', x.bandwidth())
        .attr('y', y(acc + v)).attr('height', Math.max(0.5, y(acc) - y(acc + v)))
        .attr('fill', colors[si])
        .append('title').text(`${c} / ${se.name}: ${opts.quantity.units ? formatQuantity(v, opts.quantity.units) : formatNumber(v)}`);
      acc += v;
    });
  });
  drawCategoryAxis(d3, g, x, ih, iw, labels);
  drawValueAxis(d3, g, y, ih, opts.quantity, totals);
  drawLegend(g, iw, names, colors, lay);
  return node.svgString();
}

/** Stacked bars (left axis) with lines of points (right axis, 0-100%) over the same categories. */
export function barLineChart(opts: {
  readonly title: string;
  readonly categories: readonly string[];
  readonly bars: readonly Series[];
  readonly quantity: Quantity;
  /** ratios in [0, 1], drawn as percentages */
  readonly lines: readonly Series[];
  readonly linesLabel: string;
}): string {
  const labels = categoryLabels(opts.categories);
  const names = [...opts.bars.map((b) => b.name), ...opts.lines.map((l) => l.name)];
  const { width, height, margin, lay } = categoryLayout(opts.categories.length, names, { rightAxis: true }, labels.below);
  const { node, d3, g, iw, ih } = frame(width, height, opts.title, margin);
  const keys = opts.categories.map((_, i) => String(i));
  const x = d3.scaleBand<string>().domain(keys).range([0, iw]).padding(0.2);
  const totals = opts.categories.map((_, i) => opts.bars.reduce((s, b) => s + Math.max(0, b.values[i] ?? 0), 0));
  const y = d3.scaleLinear().domain([0, Math.max(1, d3.max(totals) ?? 1)]).nice().range([ih, 0]);
  const y2 = d3.scaleLinear().domain([0, 100]).range([ih, 0]);
  const colors = distinctColors(d3, names.length);
  keys.forEach((k, ci) => {
    let acc = 0;
    opts.bars.forEach((b, bi) => {
      const v = b.values[ci] ?? 0;
      if (v <= 0) return;
      g.append('rect').attr('class', 'bar').attr('x', x(k) ?? 0).attr('width', x.bandwidth())
        .attr('y', y(acc + v)).attr('height', Math.max(0.5, y(acc) - y(acc + v))).attr('fill', colors[bi])
        .append('title').text(`${opts.categories[ci]} / ${b.name}: ${opts.quantity.units ? formatQuantity(v, opts.quantity.units) : formatNumber(v)}`);
      acc += v;
    });
  });
  opts.lines.forEach((line, li) => {
    const color = colors[opts.bars.length + li];
    const pts = keys.map((k, i) => [(x(k) ?? 0) + x.bandwidth() / 2, y2(100 * (line.values[i] ?? 0))] as [number, number]);
    g.append('path').attr('class', 'line').attr('d', d3.line()(pts) ?? '').attr('fill', 'none').attr('stroke', color).attr('stroke-width', 2);
    pts.forEach(([px, py], i) => {
      g.append('circle').attr('cx', px).attr('cy', py).attr('r', 3.5).attr('fill', color)
        .append('title').text(`${opts.categories[i]}: ${line.name} ${(100 * (line.values[i] ?? 0)).toFixed(1)}%`);
    });
  });
  drawCategoryAxis(d3, g, x, ih, iw, labels);
  drawValueAxis(d3, g, y, ih, opts.quantity, totals);
  g.append('g').attr('class', 'y2-axis').attr('transform', `translate(${iw},0)`).call(d3.axisRight(y2).ticks(5));
  g.append('text').attr('transform', 'rotate(90)').attr('x', ih / 2).attr('y', -iw - 40).attr('text-anchor', 'middle').text(opts.linesLabel);
  drawLegend(g, iw + 50, names, colors, lay);
  return node.svgString();
}

export interface RooflinePoint {
  readonly name: string;
  /** ops per DRAM byte */
  readonly intensity: number;
  /** attained ops per second */
  readonly ops_per_s: number;
}

/** Roofline: min(peak, bandwidth x intensity) on log-log axes, one point per layer, every layer in the legend. */
export function rooflineChart(opts: {
  readonly title: string;
  readonly peak_ops_per_s: number;
  readonly bandwidth_bytes_per_s: number;
  readonly points: readonly RooflinePoint[];
}): string {
  const names = opts.points.map((p) => p.name);
  const { width, height, margin, lay } = categoryLayout(0, names, { plotHeight: 300 }, 24);
  const { node, d3, g, iw, ih } = frame(width, height, opts.title, margin);
  const ridge = opts.peak_ops_per_s / opts.bandwidth_bytes_per_s;
  const xs = opts.points.map((p) => p.intensity).filter((v) => v > 0 && Number.isFinite(v));
  const xMin = Math.min(ridge / 100, ...xs.map((v) => v / 2));
  const xMax = Math.max(ridge * 100, ...xs.map((v) => v * 2));
  const ys = opts.points.map((p) => p.ops_per_s).filter((v) => v > 0);
  const yMax = opts.peak_ops_per_s * 2;
  const yMin = Math.min(opts.bandwidth_bytes_per_s * xMin, ...ys.map((v) => v / 2));
  const x = d3.scaleLog().domain([xMin, xMax]).range([0, iw]);
  const y = d3.scaleLog().domain([yMin, yMax]).range([ih, 0]);
  const roof: [number, number][] = [
    [x(xMin), y(opts.bandwidth_bytes_per_s * xMin)],
    [x(ridge), y(opts.peak_ops_per_s)],
    [x(xMax), y(opts.peak_ops_per_s)],
  ];
  g.append('path').attr('class', 'roof').attr('d', d3.line()(roof) ?? '').attr('fill', 'none').attr('stroke', '#333').attr('stroke-width', 2);
  g.append('text').attr('x', x(ridge) + 6).attr('y', y(opts.peak_ops_per_s) - 6).text(`peak ${formatQuantity(opts.peak_ops_per_s, OPS_PER_S, 3)}`);
  const colors = distinctColors(d3, opts.points.length);
  opts.points.forEach((p, i) => {
    if (!(p.intensity > 0 && p.ops_per_s > 0)) return;
    g.append('circle').attr('class', 'layer').attr('cx', x(p.intensity)).attr('cy', y(p.ops_per_s)).attr('r', 5)
      .attr('fill', colors[i]).attr('stroke', '#333').attr('stroke-width', 0.5).append('title')
      .text(`${p.name}: ${formatNumber(p.intensity, 3)} ops/B, ${formatQuantity(p.ops_per_s, OPS_PER_S, 3)}`);
  });
  const yAxis = axisOf({ label: 'attained performance', units: OPS_PER_S }, [yMax]);
  // log axes: a tick at each power of ten, labelled in the axis' unit
  const decade = (v: number) => Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9;
  g.append('g').attr('class', 'x-axis').attr('transform', `translate(0,${ih})`)
    .call(d3.axisBottom(x).tickFormat((v) => (decade(Number(v)) ? formatTick(Number(v)) : '')));
  g.append('g').attr('class', 'y-axis')
    .call(d3.axisLeft(y).tickFormat((v) => (decade(Number(v)) ? formatTick(Number(v) / yAxis.factor) : '')));
  g.append('text').attr('x', iw / 2).attr('y', ih + 40).attr('text-anchor', 'middle').text('operational intensity (ops per DRAM byte)');
  g.append('text').attr('transform', 'rotate(-90)').attr('x', -ih / 2).attr('y', -58).attr('text-anchor', 'middle').text(yAxis.title);
  drawLegend(g, iw, names, colors, lay);
  return node.svgString();
}

export interface ScatterPoint {
  readonly x: number;
  readonly y: number;
  /** colour group (a legend entry) */
  readonly group: string;
  /** tooltip text */
  readonly label: string;
}

/** a log axis' tick label: 1, 2 and 5 times a power of ten are labelled, the others left blank */
function logTick(v: number): string {
  const lead = Math.round(v / 10 ** Math.floor(Math.log10(v) + 1e-9));
  return lead === 1 || lead === 2 || lead === 5 ? formatTick(v) : '';
}

/** a linear axis, or a log one when the values are positive and span at least 50x */
function autoScale(d3: D3, values: readonly number[], range: [number, number]) {
  const lo = Math.min(...values), hi = Math.max(...values);
  if (lo > 0 && hi / lo >= 50) return { scale: d3.scaleLog().domain([lo / 1.2, hi * 1.2]).range(range), log: true };
  const pad = hi > lo ? (hi - lo) * 0.06 : Math.abs(hi) * 0.1 || 1;
  return { scale: d3.scaleLinear().domain([lo - pad, hi + pad]).nice().range(range), log: false };
}

// black: no series colour (Tableau10 or the golden-angle hues at 70% saturation) is near it
const PARETO_COLOR = '#111111';

/**
 * Scatter plot of design points, one colour per group; `front` (indices into points, in the
 * order to connect them) is drawn as a step line with ringed points: the Pareto front.
 * The axes show each quantity in its scaled unit.
 */
export function scatterChart(opts: {
  readonly title: string;
  readonly x: Quantity;
  readonly y: Quantity;
  readonly points: readonly ScatterPoint[];
  readonly front?: readonly number[];
  readonly width?: number;
  readonly plotHeight?: number;
}): string {
  const pts = opts.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  const groups = [...new Set(pts.map((p) => p.group))];
  const frontPts = (opts.front ?? []).map((i) => opts.points[i]).filter((p) => p && Number.isFinite(p.x) && Number.isFinite(p.y));
  const names = [...groups, ...(frontPts.length > 0 ? ['Pareto front'] : [])];
  const { width, height, margin, lay } = categoryLayout(0, names, { plotHeight: opts.plotHeight ?? 320, ...(opts.width !== undefined && { width: opts.width }) }, 24);
  const { node, d3, g, iw, ih } = frame(width, height, opts.title, margin);
  const xa = axisOf(opts.x, pts.map((p) => p.x)), ya = axisOf(opts.y, pts.map((p) => p.y));
  const xs = autoScale(d3, pts.length ? pts.map((p) => p.x / xa.factor) : [0, 1], [0, iw]);
  const ys = autoScale(d3, pts.length ? pts.map((p) => p.y / ya.factor) : [0, 1], [ih, 0]);
  const x = (v: number) => xs.scale(v / xa.factor), y = (v: number) => ys.scale(v / ya.factor);
  // groups in distinct colours, none of them the Pareto front's black
  const colors = distinctColors(d3, groups.length);
  const grid = g.append('g').attr('class', 'grid').call(d3.axisLeft(ys.scale).ticks(6).tickSize(-iw).tickFormat(() => ''));
  grid.select('.domain').remove();
  grid.selectAll('line').attr('stroke', '#e8e8e8');
  if (frontPts.length > 0) {
    // staircase: from each front point horizontally to the next one's x, then vertically
    const steps: [number, number][] = [];
    frontPts.forEach((p, i) => {
      if (i > 0) steps.push([x(p.x), y(frontPts[i - 1].y)]);
      steps.push([x(p.x), y(p.y)]);
    });
    g.append('path').attr('class', 'pareto').attr('d', d3.line()(steps) ?? '')
      .attr('fill', 'none').attr('stroke', PARETO_COLOR).attr('stroke-width', 1.5).attr('stroke-dasharray', '5 3');
  }
  for (const p of pts) {
    g.append('circle').attr('class', 'point').attr('cx', x(p.x)).attr('cy', y(p.y)).attr('r', 4.5)
      .attr('fill', colors[groups.indexOf(p.group)]).attr('fill-opacity', 0.85)
      .append('title').text(p.label);
  }
  for (const p of frontPts) {
    g.append('circle').attr('class', 'pareto-point').attr('cx', x(p.x)).attr('cy', y(p.y)).attr('r', 8)
      .attr('fill', 'none').attr('stroke', PARETO_COLOR).attr('stroke-width', 1.5)
      .append('title').text(`Pareto: ${p.label}`);
  }
  const xAxis = d3.axisBottom(xs.scale).tickFormat((v) => (xs.log ? logTick(Number(v)) : formatTick(Number(v))));
  const yAxis = d3.axisLeft(ys.scale).tickFormat((v) => (ys.log ? logTick(Number(v)) : formatTick(Number(v))));
  if (!xs.log) xAxis.ticks(6);
  if (!ys.log) yAxis.ticks(6);
  g.append('g').attr('class', 'x-axis').attr('transform', `translate(0,${ih})`).call(xAxis);
  g.append('g').attr('class', 'y-axis').call(yAxis);
  g.append('text').attr('x', iw / 2).attr('y', ih + 40).attr('text-anchor', 'middle').text(xa.title + (xs.log ? ', log scale' : ''));
  g.append('text').attr('transform', 'rotate(-90)').attr('x', -ih / 2).attr('y', -58).attr('text-anchor', 'middle').text(ya.title + (ys.log ? ', log scale' : ''));
  drawLegend(g, iw, names, [...colors, PARETO_COLOR], lay);
  return node.svgString();
}
