/**
 * PE arithmetic speed: million multiplies per second (element-wise, bit patterns in and out)
 * and million MACs per second (256-long dot products through the PE's accumulator), for every
 * PE kind, beside plain float64 multiply and multiply-add measured in the same process.
 */
import { fileURLToPath } from 'node:url';
import { getPe, peNames } from '../sim/pe/registry.ts';
import { makeRng } from '../sim/random.ts';
import { printTable } from '../cli/io.ts';
import { runIsolated } from './isolate.ts';
import { fmt, measure } from './timing.ts';

const N = 1 << 16;
const DOT = 256;

export interface PeBenchResult {
  kind: string;
  base_mmul_per_s: number;
  base_mmac_per_s: number;
  mmul_per_s: number;
  mmac_per_s: number;
}

let sink = 0;

function operands(): { xa: Float64Array; xb: Float64Array } {
  const rng = makeRng(7);
  const xa = new Float64Array(N), xb = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    xa[i] = rng.normal();
    xb[i] = rng.normal();
  }
  return { xa, xb };
}

function baseline(xa: Float64Array, xb: Float64Array): { mmul: number; mmac: number } {
  const xo = new Float64Array(N);
  const mulMs = measure(() => {
    for (let i = 0; i < N; i++) xo[i] = xa[i] * xb[i];
    sink += xo[N - 1];
  });
  const macMs = measure(() => {
    for (let off = 0; off < N; off += DOT) {
      let s = 0;
      for (let i = off; i < off + DOT; i++) s += xa[i] * xb[i];
      sink += s;
    }
  });
  return { mmul: N / mulMs / 1e3, mmac: N / macMs / 1e3 };
}

export function benchOnePe(name: string): PeBenchResult {
  const { xa, xb } = operands();
  const base = baseline(xa, xb);
  const pe = getPe(name);
  const a = new Uint32Array(N), b = new Uint32Array(N), out = new Uint32Array(N);
  for (let i = 0; i < N; i++) {
    a[i] = pe.quantizeInput(xa[i]);
    b[i] = pe.quantizeWeight(xb[i]);
  }
  const mulMs = measure(() => pe.mulMany(a, b, out, N));
  const macMs = measure(() => {
    for (let off = 0; off < N; off += DOT) sink += pe.dot(a, off, 1, b, off, 1, DOT, pe.accZero);
  });
  return { kind: name, base_mmul_per_s: base.mmul, base_mmac_per_s: base.mmac, mmul_per_s: N / mulMs / 1e3, mmac_per_s: N / macMs / 1e3 };
}

export function printPeBench(): void {
  const script = fileURLToPath(import.meta.url);
  const rows = peNames().map((n) => runIsolated<PeBenchResult>(script, ['--pe', n]));
  process.stdout.write(
    `\n## PE arithmetic (${N} operands; dot products of ${DOT}; one process per PE kind)\n` +
      `slowdown = plain float64 (same process) / PE; target: fp8, bf16 and L-Mul kinds <= 4x\n\n`,
  );
  printTable(
    ['PE kind', 'M mul/s', 'f64 M mul/s', 'mul slowdown', 'M MAC/s', 'f64 M MAC/s', 'MAC slowdown'],
    rows.map((r) => [
      r.kind, fmt(r.mmul_per_s), fmt(r.base_mmul_per_s), fmt(r.base_mmul_per_s / r.mmul_per_s, 2),
      fmt(r.mmac_per_s), fmt(r.base_mmac_per_s), fmt(r.base_mmac_per_s / r.mmac_per_s, 2),
    ]),
  );
}

if (process.argv[2] === '--pe' && process.argv[3]) {
  const r = benchOnePe(process.argv[3]);
  if (sink === 0.5) process.stderr.write('');
  process.stdout.write(JSON.stringify(r) + '\n');
}
