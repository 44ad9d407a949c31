/**
 * SCALE-Sim topology CSV reader (text in, layers out; the CLI reads the file).
 *
 * Two forms, told apart by the header (or forced by `form`):
 *  - conv:  `Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels,
 *            Num Filter, Strides,` (trailing comma; an optional 9th numeric column is the
 *            stride width; further columns, like the notes in Resnet50.csv, are ignored)
 *  - GEMM:  `Layer, M, N, K,`
 * Like SCALE-Sim, a conv layer whose name contains `DP` is depthwise: it becomes `channels`
 * layers of one channel each. `padding` 'scalesim' (the default) reproduces SCALE-Sim's output
 * sizes, 'valid' drops a window that overhangs the border, 'same' gives bitweave's padded view
 * of the same network.
 */
import { InputError } from '../../sim/errors.ts';
import { convLayer, gemmLayer, type Layer, type PaddingMode } from '../../sim/workload/layer.ts';
import { checkLimit } from '../../sim/limits.ts';

export interface TopologyOptions {
  /** file name used in error messages */
  file?: string;
  form?: 'conv' | 'gemm' | 'auto';
  padding?: PaddingMode;
}

function parseIntField(file: string, line: number, field: string, text: string | undefined): number {
  const t = (text ?? '').trim();
  if (!/^[+-]?\d+$/.test(t)) {
    throw new InputError(`${file}:${line}: ${field} must be an integer, got '${t}'`);
  }
  return Number(t);
}

export function detectForm(header: string): 'conv' | 'gemm' {
  const cols = header.split(',').map((c) => c.trim().toLowerCase()).filter((c) => c !== '');
  if (cols.length >= 4 && cols[1] === 'm' && cols[2] === 'n' && cols[3] === 'k') return 'gemm';
  return 'conv';
}

export function parseTopologyCsv(text: string, opts: TopologyOptions = {}): Layer[] {
  const file = opts.file ?? 'topology.csv';
  const lines = text.split(/\r?\n/);
  let headerIdx = lines.findIndex((l) => l.trim() !== '');
  if (headerIdx < 0) throw new InputError(`${file}: empty topology file`);
  const form = opts.form === undefined || opts.form === 'auto' ? detectForm(lines[headerIdx]) : opts.form;
  // every row is at least one layer: count them before building any
  let rows = 0;
  for (let i = headerIdx + 1; i < lines.length; i++) if (!/^[,\s]*$/.test(lines[i])) rows++;
  checkLimit('layers', rows, file, 'the number of rows');
  const layers: Layer[] = [];
  for (let i = headerIdx + 1; i < lines.length; i++) {
    const lineNo = i + 1;
    const raw = lines[i].trim();
    // blank lines, and lines of only commas (Resnet50.csv has one), carry no layer
    if (raw === '' || /^[,\s]*$/.test(raw)) continue;
    const cells = raw.split(',');
    const name = cells[0].trim();
    if (name === '') throw new InputError(`${file}:${lineNo}: missing layer name`);
    const where = `${file}:${lineNo} (${name})`;
    if (form === 'gemm') {
      if (cells.length < 4) throw new InputError(`${where}: expected 'name, M, N, K,', got ${cells.length} fields`);
      const m = parseIntField(file, lineNo, 'M', cells[1]);
      const n = parseIntField(file, lineNo, 'N', cells[2]);
      const k = parseIntField(file, lineNo, 'K', cells[3]);
      layers.push(gemmLayer(name, m, n, k, where));
      continue;
    }
    if (cells.length < 8 || cells[7].trim() === '') {
      throw new InputError(
        `${where}: expected 'name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,'`,
      );
    }
    const fields = ['IFMAP Height', 'IFMAP Width', 'Filter Height', 'Filter Width', 'Channels', 'Num Filter', 'Strides'];
    const v = fields.map((f, j) => parseIntField(file, lineNo, f, cells[j + 1]));
    const strideWText = (cells[8] ?? '').trim();
    const strideW = /^\d+$/.test(strideWText) ? Number(strideWText) : v[6];
    if (v[2] > v[0] || v[3] > v[1]) {
      // SCALE-Sim asserts this too (its issue #9)
      if ((opts.padding ?? 'scalesim') !== 'same') {
        throw new InputError(`${where}: filter (${v[2]}x${v[3]}) larger than the IFMAP (${v[0]}x${v[1]})`);
      }
    }
    const spec = {
      inH: v[0], inW: v[1], kH: v[2], kW: v[3], channels: v[4], filters: v[5], strideH: v[6], strideW,
      padding: opts.padding ?? 'scalesim',
    };
    if (name.includes('DP')) {
      // a depthwise row is one layer per channel: 10^6 channels would be 10^6 layers
      checkLimit('layers', layers.length + v[4], where, `the number of layers with this depthwise row's ${v[4]} channels`);
      for (let c = 0; c < v[4]; c++) {
        layers.push(convLayer({ ...spec, name: `${name}Channel_${c}`, channels: 1 }, where));
      }
    } else {
      layers.push(convLayer({ ...spec, name }, where));
    }
  }
  if (layers.length === 0) throw new InputError(`${file}: no layers found`);
  return layers;
}
