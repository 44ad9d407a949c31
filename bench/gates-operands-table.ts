/**
 * The README's table "real operands vs random patterns" (npx tsx bench/gates-operands-table.ts):
 * the trained CNN's layers on a 16x16 weight-stationary array, PE energy per MAC from gates
 * (multiplier + accumulator + registers, and zero-operand isolation with --gate-zeros), priced
 * on uniformly random bit patterns of the layer's shape, on the layer's real operands (its
 * weights, the activations of the first test image, quantized per tensor as the functional path
 * does), and on the real operands with zero gating. Deterministic (seeded samples).
 */
import { printTable } from '../cli/io.ts';
import { captureTrained, matchCaptures, quantizeCapture } from '../models/gate-samples.ts';
import { loadWorkload } from '../models/workload.ts';
import { committedLibrary, designKeyFor } from '../rtl/gates/library.ts';
import { psumStore } from '../sim/array/psum.ts';
import { calibrationFactors } from '../sim/cost/gates/calibrate.ts';
import { sampleGateEnergy, type GemmSample } from '../sim/cost/gates/layer-gates.ts';
import { gatePe } from '../sim/cost/gates/pe-gates.ts';
import { mapGemm } from '../sim/dataflows/mapping.ts';
import { getPe } from '../sim/pe/registry.ts';
import { makeRng } from '../sim/random.ts';
import { gemmView } from '../sim/workload/layer.ts';

const SIZE = 16;
const LAYERS = ['conv1', 'conv2', 'fc1'];

/** uniformly random patterns of the operand format, the sample's shape */
function randomLike(s: GemmSample, bits: number, seed: number): GemmSample {
  const rng = makeRng(seed);
  const a = new Uint32Array(s.m * s.k), b = new Uint32Array(s.k * s.n);
  for (let i = 0; i < a.length; i++) a[i] = rng.int(2 ** bits);
  for (let i = 0; i < b.length; i++) b[i] = rng.int(2 ** bits);
  return { ...s, a, b, description: `uniform random ${bits}-bit patterns` };
}

const lib = committedLibrary();
const factors = calibrationFactors(lib);
const w = loadWorkload('cnn');
const caps = matchCaptures(w.layers, captureTrained('cnn', 1));
const rows: string[][] = [];
for (const name of ['int8', 'fp8-e4m3']) {
  const pe = getPe(name);
  const g = gatePe(lib, designKeyFor(name), pe, factors);
  const psum = psumStore(pe);
  for (const layerName of LAYERS) {
    const idx = w.layers.findIndex((l) => l.name.includes(layerName));
    const cap = caps[idx];
    if (idx < 0 || cap === undefined) throw new Error(`cnn has no captured layer ${layerName}`);
    const layer = w.layers[idx];
    const real = quantizeCapture(pe, cap, `cnn ${layerName}`);
    const mp = mapGemm(gemmView(layer), SIZE, SIZE, 'ws');
    const pj = (s: GemmSample, gateZeros: boolean) => {
      const e = sampleGateEnergy(g, s, SIZE, SIZE, mp, 'model-samples', { psum, gateZeros });
      return { pj: e.multiplier_pj + e.accumulator_pj + e.registers_pj + e.isolation_pj, zeros: e.zero_fraction };
    };
    const rnd = pj(randomLike(real, pe.input.bits, 3), false);
    const r = pj(real, false);
    const gated = pj(real, true);
    rows.push([name, layer.name, rnd.pj.toFixed(3), r.pj.toFixed(3), `${(100 * r.zeros).toFixed(1)}%`, gated.pj.toFixed(3)]);
  }
}
printTable(['PE', 'layer', 'random patterns pJ/MAC', 'real operands pJ/MAC', 'zero operands', 'real, --gate-zeros pJ/MAC'], rows);
