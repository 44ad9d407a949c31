/**
 * Block-format arithmetic speed: the block PE kinds' dot products (M MAC/s, dot products of
 * 256, fp32 accumulation; and with a 15-bit register promoted every 128), beside the
 * fp8-e4m3 PE's dot product measured in the same process (the baseline), and block
 * quantization along K (M elements/s), all in CPU time. One process per format, as pe.bench.ts does, so the
 * JIT sees one format at a time.
 */
import { fileURLToPath } from 'node:url';
import { blockFormatNames } from '../sim/pe/block-formats.ts';
import { getPe } from '../sim/pe/registry.ts';
import { makeRng } from '../sim/random.ts';
import { printTable } from '../cli/io.ts';
import { runIsolated } from './isolate.ts';
import { fmt, measure } from './timing.ts';

const N = 1 << 16;
const DOT = 256;
/** CPU time, not wall time: the ratios must not move with the shared machine's load */
const CPU = { clock: 'cpu' } as const;

export interface MxBenchResult {
  format: string;
  base_mmac_per_s: number;
  quantize_melem_per_s: number;
  mmac_per_s: number;
  limited_mmac_per_s: number;
}

let sink = 0;

export function benchOneFormat(name: string): MxBenchResult {
  const rng = makeRng(7);
  const xa = new Float64Array(N), xb = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    xa[i] = Math.fround(rng.normal());
    xb[i] = Math.fround(rng.normal());
  }
  // the baseline: the fp8-e4m3 PE (product rounded to e4m3, fp32 accumulation)
  const pe = getPe('fp8-e4m3');
  const a = new Uint32Array(N), b = new Uint32Array(N);
  for (let i = 0; i < N; i++) {
    a[i] = pe.quantizeInput(xa[i]);
    b[i] = pe.quantizeWeight(xb[i]);
  }
  const baseMs = measure(() => {
    for (let off = 0; off < N; off += DOT) sink += pe.dot(a, off, 1, b, off, 1, DOT, pe.accZero);
  }, CPU);
  const mx = getPe(name);
  const block = mx.block;
  if (!block) throw new Error(`${name} is not a block PE`);
  const qMs = measure(() => {
    sink += block.quantize('input', xa, N / DOT, DOT, DOT, 1).codes[7];
  }, CPU);
  const qa = block.quantize('input', xa, N / DOT, DOT, DOT, 1).codes, qb = block.quantize('weight', xb, N / DOT, DOT, DOT, 1).codes;
  const dotMs = measure(() => {
    for (let off = 0; off < N; off += DOT) sink += mx.dot(qa, off, 1, qb, off, 1, DOT, mx.accZero);
  }, CPU);
  const limitedPe = getPe(name, { accBits: 15, accPromote: 128 });
  const limMs = measure(() => {
    for (let off = 0; off < N; off += DOT) sink += limitedPe.dot(qa, off, 1, qb, off, 1, DOT, limitedPe.accZero);
  }, CPU);
  return {
    format: name, base_mmac_per_s: N / baseMs / 1e3, quantize_melem_per_s: N / qMs / 1e3,
    mmac_per_s: N / dotMs / 1e3, limited_mmac_per_s: N / limMs / 1e3,
  };
}

export function printMxBench(): void {
  const script = fileURLToPath(import.meta.url);
  const rows = blockFormatNames().map((n) => runIsolated<MxBenchResult>(script, ['--format', n]));
  process.stdout.write(
    `\n## Block formats (${N} elements; dot products of ${DOT}; one process per format)\n` +
      'baseline: the fp8-e4m3 PE\'s dot product in the same process; ratio = block PE / fp8-e4m3; rates in CPU time\n\n',
  );
  printTable(
    ['format', 'quantize M elem/s', 'M MAC/s (fp32 acc)', 'M MAC/s (15-bit, promote 128)', 'fp8-e4m3 M MAC/s', 'ratio'],
    rows.map((r) => [
      r.format, fmt(r.quantize_melem_per_s), fmt(r.mmac_per_s), fmt(r.limited_mmac_per_s), fmt(r.base_mmac_per_s),
      fmt(r.mmac_per_s / r.base_mmac_per_s, 2),
    ]),
  );
}

if (process.argv[2] === '--format' && process.argv[3]) {
  const r = benchOneFormat(process.argv[3]);
  if (sink === 0.5) process.stderr.write('');
  process.stdout.write(JSON.stringify(r) + '\n');
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  printMxBench();
}
