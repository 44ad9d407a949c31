/**
 * RTL co-simulation speed: vectors per second through the Verilator model (the harness reads
 * and writes files in bulk) beside bitweave's own product + accumulator step on the same
 * vectors in this process (the baseline); and the Verilator build time per design, measured
 * on fresh builds (no cache; the Verilator runtime compiled once in the same fresh folder
 * first, as the cache does).
 */
import { printTable } from '../cli/io.ts';
import { arrayRtl } from '../rtl/cosim/array-check.ts';
import { coSimulate, makeVectors, referenceOf } from '../rtl/cosim/pe-check.ts';
import { buildModel, verilatorVersion } from '../rtl/cosim/verilator.ts';
import { findTarget } from '../rtl/gen/catalogue.ts';
import { buildPeRtl } from '../rtl/gen/pe.ts';
import { fmt } from './timing.ts';

const VECTORS = 2 ** 20;
const KINDS = ['int8', 'fp8-e4m3', 'lmul-bf16', 'bf16', 'fp32'];

export function printRtlBench(): void {
  if (!verilatorVersion()) {
    process.stdout.write('\n## RTL co-simulation: skipped (verilator not installed)\n');
    return;
  }
  const rows: string[][] = [];
  for (const k of KINDS) {
    const rtl = buildPeRtl(findTarget(k));
    const v = makeVectors(rtl, VECTORS, 3);
    const r = coSimulate(rtl, v); // builds (or finds) the model, runs every vector, compares
    const ref = referenceOf(rtl);
    const t0 = performance.now();
    let sink = 0;
    for (let i = 0; i < v.a.length; i++) sink ^= ref(v.a[i], v.b[i], v.acc[i])[1];
    const refSeconds = (performance.now() - t0) / 1000;
    if (sink === 0.5) process.stderr.write('');
    const bad = r.productMismatches + r.accMismatches;
    rows.push([
      k, String(r.vectors), fmt(r.vectors / r.simSeconds / 1e6, 2), fmt(r.vectors / refSeconds / 1e6, 2),
      fmt(refSeconds / r.simSeconds, 2), String(bad),
    ]);
  }
  process.stdout.write(
    `\n## RTL co-simulation (${verilatorVersion()}): vectors per second\n` +
      `RTL = Verilator model incl. file I/O; bitweave = sim/pe per vector (mul, and mac between accFromBits and accToBits)\nin this process; ratio = RTL rate / bitweave rate\n\n`,
  );
  printTable(['design', 'vectors', 'RTL M vec/s', 'bitweave M vec/s', 'RTL / bitweave', 'mismatches'], rows);

  const builds: string[][] = [];
  const fresh = (name: string, verilog: string, top: string, harness: 'pe' | 'gemm') => {
    const m = buildModel({ verilog, top, harness, fresh: true });
    builds.push([name, harness, fmt(m.buildSeconds, 1)]);
  };
  // the first fresh build also compiles the Verilator runtime: measure it separately
  const first = buildPeRtl(findTarget('int4'));
  const m0 = buildModel({ verilog: first.modules.text(), top: first.check, harness: 'pe', fresh: true });
  builds.push(['int4 PE incl. the Verilator runtime', 'pe', fmt(m0.buildSeconds, 1)]);
  for (const k of KINDS) {
    const r = buildPeRtl(findTarget(k));
    fresh(`${k} PE`, r.modules.text(), r.check, 'pe');
  }
  for (const [pe, df, n] of [['int8', 'ws', 4], ['fp8-e4m3', 'os', 4], ['fp8-e4m3', 'ws', 8], ['lmul-bf16', 'os', 8]] as const) {
    const a = arrayRtl(pe, df, n, n);
    fresh(`${pe} ${df} ${n}x${n} array`, a.verilog, a.top, 'gemm');
  }
  process.stdout.write('\n## Verilator build time per design (fresh, no cache; later runs reuse the cache)\n\n');
  printTable(['design', 'harness', 'build s'], builds);
}

if (process.argv[1] && process.argv[1].endsWith('rtl.bench.ts')) printRtlBench();
