/**
 * The gate-level netlists against bitweave's PE arithmetic, a co-verification path of its own
 * (no Verilator): operand pairs and accumulator inputs (rtl/cosim/pe-check.ts's vectors: every
 * pair for the 8-bit kinds, corners plus seeded random pairs otherwise) go through the
 * synthesized encoder -> multiplier -> accumulator evaluated gate by gate
 * (sim/cost/gates/evaluate.ts), and every product and accumulator bit is compared with
 * `pe.mul` / `pe.mac`.
 *
 * `npm run gates-check`: every design, 2^17 random pairs for the 16/32-bit kinds, then Yosys
 * again on a few units compared bit for bit with the committed netlists (`--resynth` for all).
 */
import { portWords, evaluateStreams } from '../../sim/cost/gates/evaluate.ts';
import type { GateLibrary } from '../../sim/cost/gates/library.ts';
import type { CompiledNetlist } from '../../sim/cost/gates/netlist.ts';
import { compareWithBitweave, describeMismatch, makeVectors } from '../cosim/pe-check.ts';
import { findTarget, rtlTargets } from '../gen/catalogue.ts';
import { buildPeRtl } from '../gen/pe.ts';
import { committedLibrary } from './library.ts';

export interface GateCheckResult {
  readonly design: string;
  readonly vectors: number;
  readonly exhaustive: boolean;
  readonly productMismatches: number;
  /** null: the accumulator was not checked (designs with a separate internal adder format) */
  readonly accMismatches: number | null;
  readonly examples: string[];
  readonly seconds: number;
}

const LANES = 32;

/** Values of one port for n vectors, padded to lanes x steps (repeating the last vector). */
function layout(values: ArrayLike<number>, words: number, n: number, steps: number): Uint32Array {
  const out = new Uint32Array(LANES * steps * words);
  for (let i = 0; i < LANES * steps; i++) {
    const src = Math.min(i, n - 1);
    for (let w = 0; w < words; w++) out[i * words + w] = words === 1 ? values[src] : values[src * words + w];
  }
  return out;
}

function run(u: CompiledNetlist, ports: Record<string, Uint32Array>, steps: number, out: string): Uint32Array {
  return evaluateStreams(u, ports, LANES, steps, { outputs: [out] }).outputs[out];
}

/** Checks one catalogue design's netlists against bitweave on `random` (+ corner) vectors. */
export function gateCheck(design: string, random: number, seed = 1, lib: GateLibrary = committedLibrary()): GateCheckResult {
  const t0 = performance.now();
  const rtl = buildPeRtl(findTarget(design));
  const units = lib.design(design);
  const v = makeVectors(rtl, random, seed);
  const n = v.a.length;
  const steps = Math.ceil(n / LANES);
  const mul = lib.unit(units.mul);
  let aPort: Record<string, Uint32Array>;
  if (units.enc !== undefined) {
    const enc = lib.unit(units.enc);
    const d = run(enc, { x: layout(v.a, 1, n, steps) }, steps, 'd');
    aPort = { ad: d };
    if (portWords(mul.inputs.ad.length) !== portWords(enc.outputs.d.length)) throw new Error(`${design}: encoder and multiplier buses differ`);
  } else {
    aPort = { a: layout(v.a, 1, n, steps) };
  }
  const p = run(mul, { ...aPort, b: layout(v.b, 1, n, steps) }, steps, 'p');
  const checkAcc = rtl.accWiden === undefined && rtl.accNarrow === undefined;
  const accOut = checkAcc ? run(lib.unit(units.acc), { acc_in: layout(v.acc, 1, n, steps), p }, steps, 'acc_out') : undefined;
  const { pm, am, examples } = compareWithBitweave(rtl, v, (i) => p[i], accOut ? (i) => accOut[i] : undefined);
  return {
    design, vectors: n, exhaustive: v.exhaustive, productMismatches: pm, accMismatches: checkAcc ? am : null,
    examples: examples.slice(0, 5).map(describeMismatch),
    seconds: (performance.now() - t0) / 1000,
  };
}

/** Designs that have netlists (every catalogue design; the popcount units included). */
export function checkedDesigns(lib: GateLibrary = committedLibrary()): string[] {
  const have = new Set(lib.designKeys());
  return rtlTargets().map((t) => t.key).filter((k) => have.has(k));
}

async function main(): Promise<number> {
  const resynth = process.argv.includes('--resynth');
  const t0 = performance.now();
  const lib = committedLibrary();
  let bad = 0, vectors = 0;
  for (const d of checkedDesigns(lib)) {
    const r = gateCheck(d, 1 << 17, 1, lib);
    vectors += r.vectors;
    const miss = r.productMismatches + (r.accMismatches ?? 0);
    bad += miss;
    console.log(`${d.padEnd(34)} ${String(r.vectors).padStart(7)} vectors ${r.exhaustive ? '(all pairs)    ' : '(corners+2^17) '} ` +
      `${r.productMismatches} product / ${r.accMismatches ?? 'n/a'} acc mismatches  ${r.seconds.toFixed(1)} s`);
    for (const e of r.examples) console.log(`   ${e}`);
  }
  console.log(`\ngates-check: ${vectors} vectors, ${bad} mismatches; ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  if (resynth) {
    const { gateUnits } = await import('./units.ts');
    const { netlistText, synthesizeUnit } = await import('./synth.ts');
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { NETLIST_DIR } = await import('./library.ts');
    for (const u of gateUnits().units) {
      const { netlist, seconds } = await synthesizeUnit(u);
      const same = netlistText(netlist) === readFileSync(join(NETLIST_DIR, `${u.id}.json`), 'utf8');
      if (!same) bad++;
      console.log(`resynth ${u.id.padEnd(40)} ${same ? 'same' : 'DIFFERENT'}  ${seconds.toFixed(1)} s`);
    }
  }
  return bad > 0 ? 1 : 0;
}

if (process.argv[1] !== undefined && (await import('node:url')).fileURLToPath(import.meta.url) === process.argv[1]) {
  main().then(
    (code) => (process.exitCode = code),
    (e: unknown) => {
      console.error(e instanceof Error ? e.message : String(e));
      process.exitCode = 1;
    },
  );
}
