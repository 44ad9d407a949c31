/**
 * The WebAssembly kernels against the TypeScript loops they reproduce bit for bit, in the
 * same process (issue 21: "WebAssembly where it measurably beats V8 on typed arrays"):
 * - each PE kind's tile kernel, one pass over all of K, on the two shapes that cost the most:
 *   the language model's largest GEMM (128 tokens x 128 -> 512) and the CNN's second
 *   convolution (196 pixels x 144 -> 32, half the activations zero as after relu);
 * - the plain fp32 reference GEMM (float64 sums) on the same shapes.
 * M MAC/s (CPU time, best of 5 rounds), WebAssembly / TypeScript as the ratio. Kinds without a
 * WebAssembly path (int8) are listed with the same figure twice.
 *
 * The block kinds (MX, NVFP4) in a table of their own: their tile kernel (block-tile.ts) with
 * its block sums from the TypeScript loops and from the WebAssembly float64 GEMM, against their
 * `dot` output by output, the path the array backend took before the kernel (operands through
 * the real quantizers, B column-major as the array backend lays it out). MXFP8 E5M2 truncates
 * its products and always sums in TypeScript.
 *
 *   npx tsx bench/kernels.bench.ts           # both tables
 *   npx tsx bench/kernels.bench.ts --block   # the block kinds only
 */
import { loadavg } from 'node:os';
import { printTable } from '../cli/io.ts';
import { blockQuantizeA, blockQuantizeB, gemmF64 } from '../models/exec/backends.ts';
import { getPe } from '../sim/pe/registry.ts';
import { tileKernelOf } from '../sim/pe/tile-kernels.ts';
import { setWasmKernels } from '../sim/pe/wasm/switch.ts';
import { makeRng } from '../sim/random.ts';
import { fmt, measure } from './timing.ts';

const KINDS = ['fp32', 'bf16', 'fp16', 'fp8-e4m3', 'fp8-e5m2', 'lmul-bf16', 'lmul-m4', 'lmul-m3', 'lmul-fp8-e4m3', 'int8'];
const BLOCK_KINDS = ['mxfp8-e4m3', 'mxfp8-e5m2', 'mxfp6-e3m2', 'mxfp6-e2m3', 'mxfp4', 'mxint8', 'nvfp4'];
const SHAPES: readonly { name: string; m: number; k: number; n: number; zeros: number }[] = [
  { name: 'LM 128 x 128 -> 512', m: 128, k: 128, n: 512, zeros: 0 },
  { name: 'CNN conv2 196 x 144 -> 32', m: 196, k: 144, n: 32, zeros: 0.5 },
];

type Shape = (typeof SHAPES)[number];

/** A shape's activations (a share of them zero) and weights, seeded, and its MACs. */
function operands(s: Shape): { a: Float32Array; b: Float32Array; macs: number } {
  const r = makeRng(7);
  const a = Float32Array.from({ length: s.m * s.k }, () => (r.next() < s.zeros ? 0 : r.normal()));
  const b = Float32Array.from({ length: s.k * s.n }, () => r.normal() * 0.05);
  return { a, b, macs: s.m * s.k * s.n };
}

function rate(fn: () => void, macs: number): number {
  return macs / measure(fn, { clock: 'cpu', rounds: 5, minMs: 200 }) / 1e3; // M MAC/s
}

export function printKernelsBench(): void {
  const rows: string[][] = [];
  for (const s of SHAPES) {
    const { a, b, macs } = operands(s);
    const ref = (on: boolean) => {
      setWasmKernels(on);
      return rate(() => gemmF64(a, b, s.m, s.n, s.k), macs);
    };
    const rw = ref(true), rt = ref(false);
    rows.push([s.name, 'fp32 reference (float64 sums)', fmt(rt), fmt(rw), fmt(rw / rt, 2)]);
    for (const name of KINDS) {
      const pe = getPe(name);
      const tile = tileKernelOf(pe)!;
      const qa = Uint32Array.from(a, (v) => pe.quantizeInput(pe.input.kind === 'int' ? v * 40 : v));
      const qb = Uint32Array.from(b, (v) => pe.quantizeWeight(pe.weight.kind === 'int' ? v * 800 : v));
      const acc = new Float64Array(s.m * s.n);
      const run = (on: boolean) => {
        setWasmKernels(on);
        const w = tile.prepare(qb, s.n, 1, s.k, s.n);
        return rate(() => {
          acc.fill(pe.accZero);
          tile.pass(qa, w, s.m, 0, s.k, acc);
        }, macs);
      };
      const w = run(true), t = run(false);
      rows.push([s.name, name, fmt(t), fmt(w), fmt(w / t, 2)]);
    }
  }
  setWasmKernels(true);
  process.stdout.write(`\n## WebAssembly kernels against the TypeScript loops (one thread, CPU time, load ${fmt(loadavg()[0], 2)})\n\n`);
  printTable(['shape', 'kernel', 'TypeScript, M MAC/s', 'WebAssembly, M MAC/s', 'WebAssembly / TypeScript'], rows);
  printBlockKernelsBench();
}

/** The block kinds' tile kernel against their `dot` output by output, on the same operands. */
export function printBlockKernelsBench(): void {
  const rows: string[][] = [];
  for (const s of SHAPES) {
    const { a, b, macs } = operands(s);
    for (const name of BLOCK_KINDS) {
      const pe = getPe(name);
      const qa = blockQuantizeA(pe, a, s.m, s.k).codes;
      const qb = blockQuantizeB(pe, b, s.k, s.n).codes;
      const bT = new Uint32Array(s.k * s.n); // column-major: output j's weights at j * k
      for (let p = 0; p < s.k; p++) for (let j = 0; j < s.n; j++) bT[j * s.k + p] = qb[p * s.n + j];
      const acc = new Float64Array(s.m * s.n);
      const dot = rate(() => {
        for (let i = 0; i < s.m; i++) for (let j = 0; j < s.n; j++) acc[i * s.n + j] = pe.dot(qa, i * s.k, 1, bT, j * s.k, 1, s.k, pe.accZero);
      }, macs);
      const tile = tileKernelOf(pe);
      const run = (wasm: boolean): number => {
        if (!tile) return NaN;
        setWasmKernels(wasm);
        const w = tile.prepare(bT, 1, s.k, s.k, s.n);
        return rate(() => {
          acc.fill(pe.accZero);
          tile.pass(qa, w, s.m, 0, s.k, acc);
        }, macs);
      };
      const ts = run(false), wasm = run(true);
      rows.push([s.name, name, fmt(dot), fmt(ts), fmt(wasm), fmt(ts / dot, 2), fmt(wasm / dot, 2)]);
    }
  }
  process.stdout.write(`\n## Block kinds: tile kernel against dot output by output (one thread, CPU time, load ${fmt(loadavg()[0], 2)})\n\n`);
  printTable(['shape', 'kind', 'dot per output, M MAC/s', 'tile, TypeScript sums', 'tile, WebAssembly sums', 'TypeScript / dot', 'WebAssembly / dot'], rows);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv.includes('--block')) printBlockKernelsBench();
  else printKernelsBench();
}
