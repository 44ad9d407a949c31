/**
 * SVG charts made with d3-node (server-side d3 on jsdom): each function returns one
 * standalone <svg> string, usable as a file or inlined in HTML. Every chart has a title,
 * axes with units and a legend; colours come from d3's Tableau10 scheme.
 */
import { D3Node } from 'd3-node';

const STYLE = 'font-family: sans-serif; font-size: 11px;';
const MARGIN = { top: 36, right: 170, bottom: 70, left: 80 };

export interface Series {
  readonly name: string;
  readonly values: readonly number[];
}

function frame(width: number, height: number, title: string) {
  const node = new D3Node();
  const d3 = node.d3;
  const svg = node.createSVG(width, height, { viewBox: `0 0 ${width} ${height}`, style: STYLE, role: 'img' });
  svg.append('title').text(title);
  svg.append('rect').attr('width', width).attr('height', height).attr('fill', '#ffffff');
  svg.append('text').attr('x', width / 2).attr('y', 20).attr('text-anchor', 'middle')
    .attr('font-size', 14).attr('font-weight', 'bold').text(title);
  const g = svg.append('g').attr('transform', `translate(${MARGIN.left},${MARGIN.top})`);
  const iw = width - MARGIN.left - MARGIN.right, ih = height - MARGIN.top - MARGIN.bottom;
  return { node, d3, svg, g, iw, ih };
}

function legend(
  g: ReturnType<typeof frame>['g'], x: number, names: readonly string[], color: (i: number) => string,
): void {
  const lg = g.append('g').attr('class', 'legend').attr('transform', `translate(${x + 12},0)`);
  names.forEach((n, i) => {
    const row = lg.append('g').attr('transform', `translate(0,${i * 16})`);
    row.append('rect').attr('width', 11).attr('height', 11).attr('fill', color(i));
    row.append('text').attr('x', 16).attr('y', 10).text(n);
  });
}

/** Stacked bars: one bar per category, one segment per series. */
export function stackedBarChart(opts: {
  readonly title: string;
  readonly categories: readonly string[];
  readonly series: readonly Series[];
  readonly yLabel: string;
  readonly width?: number;
  readonly height?: number;
}): string {
  const width = opts.width ?? 760, height = opts.height ?? 380;
  const { node, d3, g, iw, ih } = frame(width, height, opts.title);
  const totals = opts.categories.map((_, i) => opts.series.reduce((s, se) => s + (se.values[i] ?? 0), 0));
  const x = d3.scaleBand<string>().domain(opts.categories.map((c, i) => `${i}:${c}`)).range([0, iw]).padding(0.2);
  const y = d3.scaleLinear().domain([0, Math.max(1e-12, d3.max(totals) ?? 1)]).nice().range([ih, 0]);
  const palette = d3.schemeTableau10;
  const color = (i: number) => palette[i % palette.length];
  opts.categories.forEach((c, ci) => {
    let acc = 0;
    const key = `${ci}:${c}`;
    opts.series.forEach((se, si) => {
      const v = se.values[ci] ?? 0;
      if (v <= 0) return;
      g.append('rect').attr('class', 'bar')
        .attr('x', x(key) ?? 0).attr('width', x.bandwidth())
        .attr('y', y(acc + v)).attr('height', Math.max(0.5, y(acc) - y(acc + v)))
        .attr('fill', color(si))
        .append('title').text(`${c} / ${se.name}: ${v.toPrecision(4)}`);
      acc += v;
    });
  });
  const xAxis = g.append('g').attr('transform', `translate(0,${ih})`)
    .call(d3.axisBottom(x).tickFormat((k) => k.slice(k.indexOf(':') + 1)));
  if (opts.categories.length > 6) {
    xAxis.selectAll('text').attr('transform', 'rotate(-35)').attr('text-anchor', 'end');
  }
  // SI prefixes for large values; plain numbers below 1000 (so 0.2 mm^2 is not '200m')
  g.append('g').call(d3.axisLeft(y).ticks(6, (d3.max(totals) ?? 0) >= 1000 ? '~s' : '~g'));
  g.append('text').attr('transform', 'rotate(-90)').attr('x', -ih / 2).attr('y', -60)
    .attr('text-anchor', 'middle').text(opts.yLabel);
  legend(g, iw, opts.series.map((s) => s.name), color);
  return node.svgString();
}

/** Bars (left axis) with a line of points (right axis, 0-100%). */
export function barLineChart(opts: {
  readonly title: string;
  readonly categories: readonly string[];
  readonly bars: readonly Series[];
  readonly line: Series;
  readonly yLabel: string;
  readonly y2Label: string;
}): string {
  const width = 760, height = 380;
  const { node, d3, g, iw, ih } = frame(width, height, opts.title);
  const keys = opts.categories.map((c, i) => `${i}:${c}`);
  const x = d3.scaleBand<string>().domain(keys).range([0, iw]).padding(0.2);
  const totals = opts.categories.map((_, i) => opts.bars.reduce((s, b) => s + (b.values[i] ?? 0), 0));
  const y = d3.scaleLinear().domain([0, Math.max(1, d3.max(totals) ?? 1)]).nice().range([ih, 0]);
  const y2 = d3.scaleLinear().domain([0, 100]).range([ih, 0]);
  const palette = d3.schemeTableau10;
  const color = (i: number) => palette[i % palette.length];
  keys.forEach((k, ci) => {
    let acc = 0;
    opts.bars.forEach((b, bi) => {
      const v = b.values[ci] ?? 0;
      if (v <= 0) return;
      g.append('rect').attr('class', 'bar').attr('x', x(k) ?? 0).attr('width', x.bandwidth())
        .attr('y', y(acc + v)).attr('height', Math.max(0.5, y(acc) - y(acc + v))).attr('fill', color(bi))
        .append('title').text(`${opts.categories[ci]} / ${b.name}: ${v}`);
      acc += v;
    });
  });
  const lineColor = color(opts.bars.length);
  const pts = keys.map((k, i) => [(x(k) ?? 0) + x.bandwidth() / 2, y2(100 * (opts.line.values[i] ?? 0))] as [number, number]);
  g.append('path').attr('d', d3.line()(pts) ?? '').attr('fill', 'none').attr('stroke', lineColor).attr('stroke-width', 2);
  for (const [px, py] of pts) g.append('circle').attr('cx', px).attr('cy', py).attr('r', 3.5).attr('fill', lineColor);
  const xAxis = g.append('g').attr('transform', `translate(0,${ih})`).call(d3.axisBottom(x).tickFormat((k) => k.slice(k.indexOf(':') + 1)));
  if (opts.categories.length > 6) xAxis.selectAll('text').attr('transform', 'rotate(-35)').attr('text-anchor', 'end');
  g.append('g').call(d3.axisLeft(y).ticks(6, '~s'));
  g.append('g').attr('transform', `translate(${iw},0)`).call(d3.axisRight(y2).ticks(5));
  g.append('text').attr('transform', 'rotate(-90)').attr('x', -ih / 2).attr('y', -60).attr('text-anchor', 'middle').text(opts.yLabel);
  g.append('text').attr('transform', 'rotate(90)').attr('x', ih / 2).attr('y', -iw - 40).attr('text-anchor', 'middle').text(opts.y2Label);
  legend(g, iw + 40, [...opts.bars.map((b) => b.name), opts.line.name], color);
  return node.svgString();
}

export interface RooflinePoint {
  readonly name: string;
  /** ops per DRAM byte */
  readonly intensity: number;
  /** attained ops per second */
  readonly ops_per_s: number;
}

/** Roofline: min(peak, bandwidth x intensity) on log-log axes, one point per layer. */
export function rooflineChart(opts: {
  readonly title: string;
  readonly peak_ops_per_s: number;
  readonly bandwidth_bytes_per_s: number;
  readonly points: readonly RooflinePoint[];
}): string {
  const width = 760, height = 400;
  const { node, d3, g, iw, ih } = frame(width, height, opts.title);
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
  g.append('text').attr('x', x(ridge) + 6).attr('y', y(opts.peak_ops_per_s) - 6).text(`peak ${(opts.peak_ops_per_s / 1e12).toPrecision(3)} TOPS`);
  const palette = d3.schemeTableau10;
  opts.points.forEach((p, i) => {
    if (!(p.intensity > 0 && p.ops_per_s > 0)) return;
    g.append('circle').attr('class', 'layer').attr('cx', x(p.intensity)).attr('cy', y(p.ops_per_s)).attr('r', 5)
      .attr('fill', palette[i % palette.length]).append('title')
      .text(`${p.name}: ${p.intensity.toPrecision(3)} ops/B, ${(p.ops_per_s / 1e9).toPrecision(3)} GOPS`);
  });
  g.append('g').attr('transform', `translate(0,${ih})`).call(d3.axisBottom(x).ticks(6, '~g'));
  g.append('g').call(d3.axisLeft(y).ticks(6, '~s'));
  g.append('text').attr('x', iw / 2).attr('y', ih + 40).attr('text-anchor', 'middle').text('operational intensity (ops / DRAM byte)');
  g.append('text').attr('transform', 'rotate(-90)').attr('x', -ih / 2).attr('y', -60).attr('text-anchor', 'middle').text('attained ops / s');
  const shown = opts.points.slice(0, 20);
  legend(g, iw, shown.map((p) => p.name), (i) => palette[i % palette.length]);
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

/** a linear axis, or a log one when the values are positive and span at least 50x */
function autoScale(d3: ReturnType<typeof frame>['d3'], values: readonly number[], range: [number, number]) {
  const lo = Math.min(...values), hi = Math.max(...values);
  if (lo > 0 && hi / lo >= 50) return { scale: d3.scaleLog().domain([lo / 1.2, hi * 1.2]).range(range), log: true };
  const pad = hi > lo ? (hi - lo) * 0.06 : Math.abs(hi) * 0.1 || 1;
  return { scale: d3.scaleLinear().domain([lo - pad, hi + pad]).nice().range(range), log: false };
}

/**
 * Scatter plot of design points, one colour per group; `front` (indices into points, in the
 * order to connect them) is drawn as a step line with ringed points: the Pareto front.
 */
export function scatterChart(opts: {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly points: readonly ScatterPoint[];
  readonly front?: readonly number[];
  /** which way the front's staircase runs: 'min' when lower y is better */
  readonly yBetter?: 'min' | 'max';
  readonly width?: number;
  readonly height?: number;
}): string {
  const width = opts.width ?? 760, height = opts.height ?? 420;
  const { node, d3, g, iw, ih } = frame(width, height, opts.title);
  const pts = opts.points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  const xs = autoScale(d3, pts.length ? pts.map((p) => p.x) : [0, 1], [0, iw]);
  const ys = autoScale(d3, pts.length ? pts.map((p) => p.y) : [0, 1], [ih, 0]);
  const x = xs.scale, y = ys.scale;
  const groups = [...new Set(pts.map((p) => p.group))];
  const palette = d3.schemeTableau10;
  const color = (i: number) => palette[i % palette.length];
  const grid = g.append('g').attr('class', 'grid').call(d3.axisLeft(y).ticks(6).tickSize(-iw).tickFormat(() => ''));
  grid.select('.domain').remove();
  grid.selectAll('line').attr('stroke', '#e8e8e8');
  const front = (opts.front ?? []).map((i) => opts.points[i]).filter((p) => p && Number.isFinite(p.x) && Number.isFinite(p.y));
  if (front.length > 0) {
    // staircase: from each front point horizontally to the next one's x, then vertically
    const steps: [number, number][] = [];
    front.forEach((p, i) => {
      if (i > 0) steps.push([x(p.x), y(front[i - 1].y)]);
      steps.push([x(p.x), y(p.y)]);
    });
    g.append('path').attr('class', 'pareto').attr('d', d3.line()(steps) ?? '')
      .attr('fill', 'none').attr('stroke', '#d62728').attr('stroke-width', 1.5).attr('stroke-dasharray', '5 3');
  }
  for (const p of pts) {
    g.append('circle').attr('class', 'point').attr('cx', x(p.x)).attr('cy', y(p.y)).attr('r', 4.5)
      .attr('fill', color(groups.indexOf(p.group))).attr('fill-opacity', 0.85)
      .append('title').text(p.label);
  }
  for (const p of front) {
    g.append('circle').attr('class', 'pareto-point').attr('cx', x(p.x)).attr('cy', y(p.y)).attr('r', 8)
      .attr('fill', 'none').attr('stroke', '#d62728').attr('stroke-width', 1.5)
      .append('title').text(`Pareto: ${p.label}`);
  }
  // per-tick SI prefixes for large values (a shared prefix would print 0 as '0G')
  const tick = (values: readonly number[]) => d3.format(Math.max(...values.map(Math.abs)) >= 1e4 ? '~s' : '~g');
  const xAxis = d3.axisBottom(x).tickFormat((v) => tick(pts.map((p) => p.x))(Number(v)));
  const yAxis = d3.axisLeft(y).tickFormat((v) => tick(pts.map((p) => p.y))(Number(v)));
  if (!xs.log) xAxis.ticks(6);
  if (!ys.log) yAxis.ticks(6);
  g.append('g').attr('transform', `translate(0,${ih})`).call(xAxis);
  g.append('g').call(yAxis);
  g.append('text').attr('x', iw / 2).attr('y', ih + 40).attr('text-anchor', 'middle').text(opts.xLabel + (xs.log ? ' (log)' : ''));
  g.append('text').attr('transform', 'rotate(-90)').attr('x', -ih / 2).attr('y', -60).attr('text-anchor', 'middle').text(opts.yLabel + (ys.log ? ' (log)' : ''));
  const names = [...groups.slice(0, 18), ...(front.length > 0 ? ['Pareto front'] : [])];
  legend(g, iw, names, (i) => (i >= Math.min(groups.length, 18) ? '#d62728' : color(i)));
  return node.svgString();
}
