/**
 * The sweep report: the trade-offs of a sweep's points (results.jsonl of `bitweave sweep` or
 * `bitweave sweep-merge`) as sweep.md, a self-contained sweep.html (charts inline), SVG
 * scatter plots with the Pareto front marked, and pareto.csv.
 *
 * Charts: energy vs cycles; accuracy vs energy when the results carry an accuracy field,
 * else energy vs area; and any two fields the caller names. Fields are dotted paths into a
 * result line: into its result (`cycles`, `energy_pj.total`, `derived.tops_per_w`; a
 * leading `totals.` or `result.` is accepted), its swept values (`arch.pe`, or the sweep
 * file's shorthands `pe`, `rows`, ...), or `index`.
 *
 * "Better" is lower for every field except those that read as a rate or a score
 * (accuracy, utilization, TOPS/W, throughput, efficiency), for which it is higher.
 *
 * Points are numbered from 0, as the `index` of results.jsonl and results.csv. Every figure is
 * shown in an SI-scaled unit (reports/units.ts), ratios such as accuracy as percentages.
 */
import { escapeHtml, htmlPage, tableCell } from './html.ts';
import { InputError } from '../sim/errors.ts';
import { latestPerPoint, type ResultLine, type SweepMeta } from '../sweep/results.ts';
import { scatterChart, type ScatterPoint } from './charts.ts';
import { formatField, formatNumber, quantityOf } from './units.ts';

export type Better = 'min' | 'max';

export interface SweepReportOptions {
  /** an extra chart: these two fields */
  readonly x?: string;
  readonly y?: string;
  /** the field that colours the points (default: the first swept field with several values) */
  readonly color?: string;
}

export interface ChartSummary {
  readonly file: string;
  readonly title: string;
  readonly x: string;
  readonly y: string;
  readonly x_better: Better;
  readonly y_better: Better;
  /** the Pareto-optimal points, by point index, in x order */
  readonly pareto: readonly number[];
}

export interface SweepReport {
  readonly files: Readonly<Record<string, string>>;
  readonly points: number;
  readonly ok: number;
  readonly failed: number;
  readonly charts: readonly ChartSummary[];
}

const MAXIMIZE = /accuracy|utili[sz]ation|tops|throughput|efficiency|gops|ops_per_s/i;

export function betterOf(field: string): Better {
  return MAXIMIZE.test(field) ? 'max' : 'min';
}


function walk(o: unknown, parts: readonly string[]): unknown {
  let v = o;
  for (const p of parts) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[p];
  }
  return v;
}

/** A field of a result line (see the file comment), or undefined. */
export function fieldValue(line: ResultLine, path: string): unknown {
  if (path === 'index') return line.index;
  if (path === 'key') return line.key;
  if (path === 'status') return line.status;
  const vars = line.vars as Record<string, unknown>;
  const bare = path.replace(/^vars\./, '');
  for (const k of [bare, `arch.${bare}`, `arch.array.${bare}`]) if (k in vars) return vars[k];
  const inResult = path.replace(/^(totals|result)\./, '');
  return walk(line.result, inResult.split('.'));
}

function flattenNumeric(prefix: string, v: unknown, out: string[]): void {
  if (typeof v === 'number') out.push(prefix);
  else if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) flattenNumeric(prefix ? `${prefix}.${k}` : k, x, out);
  }
}

/** the numeric fields of the first ok line: what --x-axis and --y-axis can name */
export function numericFields(lines: readonly ResultLine[]): string[] {
  const first = lines.find((l) => l.status === 'ok');
  if (!first) return [];
  const out: string[] = [];
  flattenNumeric('', first.result, out);
  for (const [k, v] of Object.entries(first.vars)) if (typeof v === 'number') out.push(k);
  return out;
}

/**
 * Indices (into xs/ys) of the points no other point beats in both coordinates, in
 * increasing x. Points with a non-finite coordinate take no part.
 */
export function paretoFront(xs: readonly number[], ys: readonly number[], xBetter: Better, yBetter: Better): number[] {
  const sx = xBetter === 'min' ? 1 : -1, sy = yBetter === 'min' ? 1 : -1;
  const order = xs.map((_, i) => i)
    .filter((i) => Number.isFinite(xs[i]) && Number.isFinite(ys[i]))
    .sort((a, b) => sx * (xs[a] - xs[b]) || sy * (ys[a] - ys[b]) || a - b);
  const front: number[] = [];
  let best = Infinity;
  for (const i of order) {
    const v = sy * ys[i];
    if (v < best) {
      front.push(i);
      best = v;
    }
  }
  return front.sort((a, b) => xs[a] - xs[b] || a - b);
}

/** a swept value or a figure as the tables print it: numbers in their field's unit */
const fmt = (v: unknown, field = ''): string => {
  if (typeof v !== 'number') return v === undefined ? '' : String(v);
  return field === '' ? formatNumber(v) : formatField(field, v);
};

const esc = escapeHtml;
const fileSafe = (s: string) => s.replace(/[^a-zA-Z0-9]+/g, '_').replace(/^_|_$/g, '');
const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function varsText(l: ResultLine): string {
  return Object.entries(l.vars).map(([k, v]) => `${k.replace(/^arch\.(array\.)?/, '')}=${v}`).join(', ');
}

interface Table {
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

/** one section of both sweep.md and sweep.html */
interface Section {
  readonly title: string;
  readonly text?: readonly string[];
  readonly chart?: { readonly file: string; readonly svg: string; readonly alt: string };
  readonly table?: Table;
}

function mdTable(t: Table): string {
  const cell = (s: string) => s.replace(/\|/g, '/');
  return [`| ${t.header.map(cell).join(' | ')} |`, `|${t.header.map(() => '---').join('|')}|`, ...t.rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
}

function htmlTable(t: Table): string {
  return '<table><thead><tr>' + t.header.map((h) => `<th>${esc(h)}</th>`).join('') + '</tr></thead><tbody>' +
    t.rows.map((r) => '<tr>' + r.map((c) => tableCell(esc(c), c)).join('') + '</tr>').join('') + '</tbody></table>';
}

function csvText(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const cell = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return [header, ...rows].map((r) => r.map(cell).join(',')).join('\n') + '\n';
}

export function buildSweepReport(all: readonly ResultLine[], meta: SweepMeta | undefined, opts: SweepReportOptions = {}): SweepReport {
  // one line per point (as results.csv has it), in point order
  const lines = latestPerPoint(all);
  const ok = lines.filter((l) => l.status === 'ok');
  if (ok.length === 0) throw new InputError('report: the sweep has no successful points to plot');
  const fields = numericFields(ok);
  const num = (l: ResultLine, f: string) => {
    const v = fieldValue(l, f);
    return typeof v === 'number' ? v : NaN;
  };
  const requireNumeric = (f: string, option: string) => {
    if (!ok.some((l) => typeof fieldValue(l, f) === 'number')) {
      throw new InputError(`report: ${option} '${f}' is not a numeric field of the results; fields: ${fields.join(', ')}`);
    }
  };
  if ((opts.x === undefined) !== (opts.y === undefined)) throw new InputError('report: --x-axis and --y-axis go together: name both fields');
  if (opts.x !== undefined) requireNumeric(opts.x, '--x-axis');
  if (opts.y !== undefined) requireNumeric(opts.y, '--y-axis');

  // colour: a field given, else the first swept field with more than one value
  const varying = meta?.varying ?? [...new Set(ok.flatMap((l) => Object.keys(l.vars)))];
  let colorField = opts.color;
  if (colorField !== undefined && !ok.some((l) => fieldValue(l, colorField as string) !== undefined)) {
    throw new InputError(`report: --color '${colorField}' is not a field of the results; swept fields: ${varying.join(', ') || '(none)'}`);
  }
  colorField ??= varying.find((f) => new Set(ok.map((l) => String(fieldValue(l, f)))).size > 1);
  const groupOf = (l: ResultLine) => (colorField === undefined ? 'points' : `${colorField.replace(/^arch\.(array\.)?/, '')}=${fmt(fieldValue(l, colorField))}`);
  const nameOf = (f: string) => quantityOf(f).label;

  const accuracy = fields.find((f) => /accuracy/i.test(f));
  const pairs: { x: string; y: string; title: string; file: string }[] = [
    { x: 'cycles', y: 'energy_pj.total', title: 'Energy vs cycles', file: 'energy-cycles.svg' },
    accuracy !== undefined
      ? { x: 'energy_pj.total', y: accuracy, title: 'Accuracy vs energy', file: 'accuracy-energy.svg' }
      : { x: 'area_um2.total', y: 'energy_pj.total', title: 'Energy vs area', file: 'energy-area.svg' },
  ];
  if (opts.x !== undefined && opts.y !== undefined) {
    pairs.push({ x: opts.x, y: opts.y, title: `${capitalize(nameOf(opts.y))} vs ${nameOf(opts.x)}`, file: `${fileSafe(opts.y)}-vs-${fileSafe(opts.x)}.svg` });
  }

  const sections: Section[] = [];
  const charts: ChartSummary[] = [];
  const files: Record<string, string> = {};
  const paretoRows: string[][] = [];
  for (const p of pairs) {
    const usable = ok.filter((l) => Number.isFinite(num(l, p.x)) && Number.isFinite(num(l, p.y)));
    if (usable.length === 0) continue; // e.g. results without cost fields
    const xb = betterOf(p.x), yb = betterOf(p.y);
    const xs = usable.map((l) => num(l, p.x)), ys = usable.map((l) => num(l, p.y));
    const front = paretoFront(xs, ys, xb, yb);
    const xl = nameOf(p.x), yl = nameOf(p.y);
    const points: ScatterPoint[] = usable.map((l, i) => ({
      x: xs[i], y: ys[i], group: groupOf(l),
      label: `point ${l.index}: ${varsText(l)}; ${xl} ${fmt(xs[i], p.x)}, ${yl} ${fmt(ys[i], p.y)}`,
    }));
    const svg = scatterChart({ title: p.title, x: quantityOf(p.x), y: quantityOf(p.y), points, front });
    files[p.file] = svg;
    const pareto = front.map((i) => usable[i].index);
    charts.push({ file: p.file, title: p.title, x: p.x, y: p.y, x_better: xb, y_better: yb, pareto });
    // the CSV keeps raw numbers in base units, for other tools
    for (const i of front) paretoRows.push([p.file, String(usable[i].index), usable[i].key, ...varying.map((f) => String(fieldValue(usable[i], f) ?? '')), String(xs[i]), String(ys[i])]);
    sections.push({
      title: p.title,
      text: [
        `${usable.length} points${usable.length < ok.length ? ` (${ok.length - usable.length} ok points have no value of ${xl} or ${yl} and are not drawn)` : ''}; ` +
          `${front.length} on the Pareto front (ringed, dashed line): no other point has ` +
          `${xb === 'min' ? 'lower' : 'higher'} ${xl} and ${yb === 'min' ? 'lower' : 'higher'} ${yl} at once.`,
      ],
      chart: { file: p.file, svg, alt: p.title.toLowerCase() },
      table: {
        header: ['point', ...varying.map((f) => f.replace(/^arch\.(array\.)?/, '')), xl, yl],
        rows: front.map((i) => [String(usable[i].index), ...varying.map((f) => fmt(fieldValue(usable[i], f))), fmt(xs[i], p.x), fmt(ys[i], p.y)]),
      },
    });
  }
  if (charts.length === 0) throw new InputError('report: the results have no cycles/energy fields to plot (were they written by bitweave sweep?)');

  // best point per figure of merit
  const merits = ['cycles', 'energy_pj.total', 'area_um2.total', 'derived.pj_per_mac', 'derived.tops_per_w', 'derived.edp_j_s', ...(accuracy ? [accuracy] : [])]
    .filter((f) => fields.includes(f));
  const bestRows = merits.map((f) => {
    const b = betterOf(f);
    let best: ResultLine | undefined;
    for (const l of ok) {
      const v = num(l, f);
      if (!Number.isFinite(v)) continue;
      if (!best || (b === 'min' ? v < num(best, f) : v > num(best, f))) best = l;
    }
    return [nameOf(f), b === 'min' ? 'lowest' : 'highest', best ? fmt(num(best, f), f) : '-', best ? `${best.index}: ${varsText(best)}` : '-'];
  });
  sections.push({ title: 'Best point per figure', table: { header: ['figure', 'best', 'value', 'point'], rows: bestRows } });
  const failed = lines.filter((l) => l.status !== 'ok');
  if (failed.length > 0) {
    sections.push({
      title: 'Failed points',
      table: { header: ['point', 'values', 'error'], rows: failed.map((l) => [String(l.index), varsText(l), l.error ?? '']) },
    });
  }

  const source = meta?.source ?? 'sweep';
  const intro = [
    `${lines.length} points${meta && meta.total_points !== lines.length ? ` of ${meta.total_points}` : ''}: ${ok.length} ok, ${failed.length} failed.`,
    `Swept: ${varying.map((f) => `\`${f}\``).join(', ') || '(nothing)'}${colorField ? `; colour: \`${colorField}\`` : ''}.`,
  ];
  const md: string[] = [`# Sweep report: ${source}`, '', ...intro, ''];
  for (const s of sections) {
    md.push(`## ${s.title}`, '');
    if (s.chart) md.push(`![${s.chart.alt}](${s.chart.file})`, '');
    for (const t of s.text ?? []) md.push(t, '');
    if (s.table) md.push(mdTable(s.table), '');
  }
  const inline = (t: string) => esc(t).replace(/`([^`]+)`/g, '<code>$1</code>');
  const body = sections.map((s) => [
    `<h2>${esc(s.title)}</h2>`,
    s.chart ? `<figure class="chart" data-chart="${esc(s.chart.file)}">${s.chart.svg}</figure>` : '',
    ...(s.text ?? []).map((t) => `<p>${inline(t)}</p>`),
    s.table ? htmlTable(s.table) : '',
  ].join('\n')).join('\n');
  files['sweep.md'] = md.join('\n');
  files['sweep.html'] = htmlPage(`bitweave sweep report: ${source}`, `<h1>Sweep report: ${esc(source)}</h1>
${intro.map((t) => `<p>${inline(t)}</p>`).join('\n')}
${body}`);
  files['pareto.csv'] = csvText(['chart', 'index', 'key', ...varying, 'x', 'y'], paretoRows);
  return { files, points: lines.length, ok: ok.length, failed: failed.length, charts };
}
