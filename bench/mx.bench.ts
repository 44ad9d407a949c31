/**
 * Block-format arithmetic speed: block quantization (M elements/s) and dot products through
 * the block dot-product unit with fp32 accumulation (M MAC/s, dot products of 256), beside
 * the fp8-e4m3 PE's dot product measured in the same process (the baseline). One process
 * per format, as pe.bench.ts does, so the JIT sees one format at a time.
 */
import { fileURLToPath } from 'node:url';
import { blockDot, makeBlockDotUnit } from '../sim/pe/block-dot.ts';
import { blockFormatNames, getBlockFormat } from '../sim/pe/block-formats.ts';
import { quantizeBlocks, type BlockTensor } from '../sim/pe/block-tensor.ts';
import { makeAccumulation, accumulatorSpec } from '../sim/pe/limited-acc.ts';
import { getPe } from '../sim/pe/registry.ts';
import { makeRng } from '../sim/random.ts';
import { printTable } from '../cli/io.ts';
import { runIsolated } from './isolate.ts';
import { fmt, measure } from './timing.ts';

const N = 1 << 16;
const DOT = 256;

export interface MxBenchResult {
  format: string;
  base_mmac_per_s: number;
  quantize_melem_per_s: number;
  mmac_per_s: number;
  limited_mmac_per_s: number;
}

let sink = 0;

function slice(t: BlockTensor, off: number, len: number): BlockTensor {
  const k = t.format.blockSize;
  return { ...t, length: len, codes: t.codes.subarray(off, off + len), scales: t.scales.subarray(off / k, (off + len) / k) };
}

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
  });
  const f = getBlockFormat(name);
  const qMs = measure(() => {
    sink += quantizeBlocks(f, xa).codes[7];
  });
  const ta = quantizeBlocks(f, xa), tb = quantizeBlocks(f, xb);
  const unit = makeBlockDotUnit(f, f);
  const slices = [] as [BlockTensor, BlockTensor][];
  for (let off = 0; off < N; off += DOT) slices.push([slice(ta, off, DOT), slice(tb, off, DOT)]);
  const fp32 = makeAccumulation(accumulatorSpec());
  const limited = makeAccumulation(accumulatorSpec({ bits: 15, promote: 128 }));
  const dotMs = measure(() => {
    for (const [x, y] of slices) sink += blockDot(unit, x, y, fp32);
  });
  const limMs = measure(() => {
    for (const [x, y] of slices) sink += blockDot(unit, x, y, limited);
  });
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
      'baseline: the fp8-e4m3 PE\'s dot product in the same process; ratio = block dot / fp8-e4m3 dot\n\n',
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
