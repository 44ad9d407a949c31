/**
 * PE arithmetic speed: million multiplies per second (element-wise, bit patterns in and out)
 * and million MACs per second (256-long dot products through the PE's accumulator), for every
 * PE kind, beside plain float64 multiply and multiply-add measured in the same process.
 */
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import { blockQuantizeA, blockQuantizeB, gemmF64, tensorScale } from '../models/exec/backends.ts';
import { getPe, peNames } from '../sim/pe/registry.ts';
import { tileKernelOf } from '../sim/pe/tile-kernels.ts';
import type { PeKind } from '../sim/pe/types.ts';
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
  /** the CNN's second convolution as one GEMM (196 x 32 x 144): the tile kernel, and plain float64 */
  tile_mmac_per_s: number;
  base_gemm_mmac_per_s: number;
}

// conv 16->32 3x3 on 14x14 of the trained CNN, im2col'd: the GEMM most of its MACs are in
const GM = 196, GN = 32, GK = 144;

/** M MAC/s of the PE's tile kernel and of plain float64 GEMM (gemmF64) on the same operands. */
function gemmRates(pe: PeKind): { tile: number; base: number } {
  const rng = makeRng(11);
  // ReLU'd activations (about half zeros) and small weights, as in a trained CNN
  const xa = new Float32Array(GM * GK), xb = new Float32Array(GK * GN);
  for (let i = 0; i < xa.length; i++) xa[i] = Math.max(0, rng.normal());
  for (let i = 0; i < xb.length; i++) xb[i] = 0.1 * rng.normal();
  const macs = GM * GN * GK;
  const baseMs = measure(() => {
    sink += gemmF64(xa, xb, GM, GN, GK)[0];
  });
  const tile = tileKernelOf(pe);
  if (!tile) return { tile: NaN, base: macs / baseMs / 1e3 };
  const sa = tensorScale(pe.input, xa), sb = tensorScale(pe.weight, xb);
  // block PEs quantize whole vectors along K (A by rows, B by columns), as the executors do
  const a = pe.block ? blockQuantizeA(pe, xa, GM, GK).codes : Uint32Array.from(xa, (v) => pe.quantizeInput(v / sa));
  const b = pe.block ? blockQuantizeB(pe, xb, GK, GN).codes : Uint32Array.from(xb, (v) => pe.quantizeWeight(v / sb));
  const w = tile.prepare(b, GN, 1, GK, GN);
  const acc = new Float64Array(GM * GN);
  const tileMs = measure(() => {
    acc.fill(pe.accZero);
    tile.pass(a, w, GM, 0, GK, acc);
    sink += acc[0];
  });
  return { tile: macs / tileMs / 1e3, base: macs / baseMs / 1e3 };
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
  const g = gemmRates(pe);
  return {
    kind: name, base_mmul_per_s: base.mmul, base_mmac_per_s: base.mmac, mmul_per_s: N / mulMs / 1e3, mmac_per_s: N / macMs / 1e3,
    tile_mmac_per_s: g.tile, base_gemm_mmac_per_s: g.base,
  };
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
  process.stdout.write(
    `\n## Tile kernels (sim/pe/tile-kernels.ts) on the CNN's main GEMM (${GM} x ${GN} x ${GK}, ReLU'd activations), one thread\n` +
      `ratio = tile kernel / plain float64 GEMM (models/exec/backends.ts gemmF64, the fp32 executor's) in the same process; target >= 0.5\n` +
      `load average at the time: ${loadavg().map((v) => fmt(v, 2)).join(', ')}\n\n`,
  );
  printTable(
    ['PE kind', 'tile M MAC/s', 'plain f64 M MAC/s', 'ratio'],
    rows.map((r) => [r.kind, fmt(r.tile_mmac_per_s), fmt(r.base_gemm_mmac_per_s), Number.isNaN(r.tile_mmac_per_s) ? 'no kernel' : fmt(r.tile_mmac_per_s / r.base_gemm_mmac_per_s, 2)]),
  );
}

if (process.argv[2] === '--pe' && process.argv[3]) {
  const r = benchOnePe(process.argv[3]);
  if (sink === 0.5) process.stderr.write('');
  process.stdout.write(JSON.stringify(r) + '\n');
}
