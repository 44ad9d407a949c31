/**
 * The long RTL checks, run by `npm run rtl-check` (co-simulation) and `npm run rtl-synth`
 * (full Yosys synthesis), outside `npm test`:
 * - every catalogue design: every operand pair where there are at most 2^16, otherwise every
 *   pair of corner values plus 2^20 seeded random pairs (product and accumulator step);
 * - the array: every PE kind of ARRAY_PES x every dataflow x 2x2, 4x4, 8x8, random GEMMs,
 *   every write's cycle, address and bits against the reference engine; accumulation
 *   'below' (ws, is) against the reference engine with accumulate 'below';
 * - --synth: `synth` (to gates) and `check -assert` of every design's check top and of every
 *   array top (2x2, 16-entry memories), no latches.
 * Prints one line per item and the totals; exit 1 on any mismatch or failed synthesis.
 */
import { arrayRtl, arrayRtlWith, buildArrayModel, checkGemm, randomShapes } from './cosim/array-check.ts';
import { checkTarget, describeMismatch } from './cosim/pe-check.ts';
import { synthCheck } from './cosim/yosys.ts';
import { buildArrayRtl } from './gen/array.ts';
import { ARRAY_PES, rtlTargets } from './gen/catalogue.ts';
import { buildPeRtl } from './gen/pe.ts';
import type { Dataflow } from '../sim/arch/schema.ts';

const RANDOM = 2 ** 20;
const DATAFLOWS: Dataflow[] = ['os', 'ws', 'is'];
const SIZES = [2, 4, 8];
const GEMMS = 8; // per (PE, dataflow, size): 288 GEMMs

async function main(): Promise<number> {
  const synth = process.argv.includes('--synth');
  const t0 = performance.now();
  let failures = 0;
  if (!synth) {
    let vectors = 0;
    for (const t of rtlTargets()) {
      const r = checkTarget(t, RANDOM, 1);
      vectors += r.vectors;
      const bad = r.productMismatches + r.accMismatches;
      failures += bad;
      console.log(
        `${t.key.padEnd(34)} ${String(r.vectors).padStart(8)} vectors ${r.exhaustive ? '(all pairs)   ' : '(corners+rand)'} ` +
          `${r.productMismatches} product / ${r.accMismatches} acc mismatches  build ${r.buildSeconds.toFixed(1)} s  sim ${r.simSeconds.toFixed(2)} s`,
      );
      for (const m of r.examples) console.log(`   ${describeMismatch(m)}`);
    }
    let gemms = 0, writes = 0;
    for (const pe of ARRAY_PES) {
      for (const df of DATAFLOWS) {
        for (const size of SIZES) {
          const rtl = arrayRtl(pe, df, size, size);
          const model = buildArrayModel(rtl);
          let bad = 0, w = 0;
          for (const [i, shape] of randomShapes(size, size, GEMMS, 31 * size + 7).entries()) {
            const r = checkGemm(rtl, model, shape, 1 + i);
            const b = r.writeMismatches + r.outputMismatches + (r.rtlCycles === r.referenceCycles ? 0 : 1);
            bad += b;
            w += r.writes;
            if (b > 0) console.log(`   ${pe} ${df} ${size}x${size} GEMM ${shape.m}x${shape.n}x${shape.k}: ${r.examples.join('; ')}`);
          }
          gemms += GEMMS;
          writes += w;
          failures += bad;
          console.log(`array ${pe.padEnd(10)} ${df} ${size}x${size}: ${GEMMS} GEMMs, ${w} writes, ${bad} mismatches  build ${model.buildSeconds.toFixed(1)} s`);
        }
      }
    }
    // accumulation 'below' against the reference engine with accumulate 'below'
    for (const pe of ['int8', 'fp8-e4m3+acc-bf16', 'lmul-bf16+acc-bf16']) {
      for (const df of ['ws', 'is'] as const) {
        for (const size of [2, 4]) {
          const rtl = arrayRtlWith(pe, df, size, size, 'below');
          const model = buildArrayModel(rtl);
          let bad = 0, w = 0;
          for (const [i, shape] of randomShapes(size, size, GEMMS, 17 * size + 3).entries()) {
            const r = checkGemm(rtl, model, { ...shape, k: shape.k + size }, 1 + i);
            const b = r.writeMismatches + r.outputMismatches + (r.rtlCycles === r.referenceCycles ? 0 : 1);
            bad += b;
            w += r.writes;
            if (b > 0) console.log(`   ${pe} ${df} below ${size}x${size}: ${r.examples.join('; ')}`);
          }
          gemms += GEMMS;
          writes += w;
          failures += bad;
          console.log(`array ${pe} ${df} ${size}x${size} accumulate below: ${GEMMS} GEMMs, ${w} writes, ${bad} mismatches  build ${model.buildSeconds.toFixed(1)} s`);
        }
      }
    }
    console.log(`\nrtl-check: ${rtlTargets().length} designs, ${vectors} vectors; ${gemms} GEMMs, ${writes} writes; ${failures} mismatches; ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  } else {
    const items: { name: string; verilog: string; top: string }[] = [];
    for (const t of rtlTargets()) {
      const r = buildPeRtl(t);
      items.push({ name: t.key, verilog: r.modules.text(), top: r.check });
    }
    for (const pe of ARRAY_PES) {
      for (const df of DATAFLOWS) {
        const a = buildArrayRtl({ pe, dataflow: df, rows: 2, cols: 2, depth: 16 });
        items.push({ name: `array ${pe} ${df} 2x2`, verilog: a.verilog, top: a.top });
        if (df !== 'os') {
          const b = buildArrayRtl({ pe, dataflow: df, rows: 2, cols: 2, depth: 16, accumulate: 'below' });
          items.push({ name: `array ${pe} ${df} 2x2 below`, verilog: b.verilog, top: b.top });
        }
      }
    }
    for (const it of items) {
      const r = await synthCheck(it.verilog, it.top, 'full');
      const cells = Object.values(r.cells).reduce((s, n) => s + n, 0);
      if (!r.ok) failures++;
      console.log(`${it.name.padEnd(34)} ${r.ok ? 'ok    ' : 'FAILED'} ${String(cells).padStart(7)} cells, ${r.latches} latches, ${r.seconds.toFixed(1)} s`);
      if (!r.ok) console.log(r.log.slice(-1500));
    }
    console.log(`\nrtl-synth: ${items.length} designs, ${failures} failed; ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
  return failures > 0 ? 1 : 0;
}

main().then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exitCode = 1;
  },
);
