/**
 * Array simulator speed: a timing-only ResNet-18 (SCALE-Sim's topology, real padding) on the
 * `scale` preset with the fast engine, every dataflow; and fast vs reference engine on one
 * layer both can run, as a ratio. Prints results; wired into `npm run bench` by bench/index.ts.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseTopologyCsv } from '../models/import/scalesim-csv.ts';
import { convLayer, gemmView } from '../sim/workload/layer.ts';
import { getPreset } from '../sim/arch/presets.ts';
import type { Dataflow } from '../sim/arch/schema.ts';
import { fastEngine } from '../sim/array/fast-engine.ts';
import { referenceEngine } from '../sim/array/reference-engine.ts';
import { getPe } from '../sim/pe/registry.ts';
import { mapGemm } from '../sim/dataflows/mapping.ts';
import { simulate } from '../sim/simulate.ts';

const RESNET18 = new URL('../models/data/scalesim/topologies/conv_nets/Resnet18.csv', import.meta.url);

function best(fn: () => void, reps: number): number {
  let t = Infinity;
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    fn();
    t = Math.min(t, performance.now() - t0);
  }
  return t;
}

export async function runArrayBench(): Promise<void> {
  const layers = parseTopologyCsv(readFileSync(RESNET18, 'utf8'), { file: 'Resnet18.csv', padding: 'same' });
  const pe = getPe('int8');
  const base = getPreset('scale');
  process.stdout.write(`array: timing-only ResNet-18 (${layers.length} layers) on scale (32x32), fast engine\n`);
  for (const df of ['os', 'ws', 'is'] as Dataflow[]) {
    const arch = { ...base, dataflow: df };
    let cycles = 0;
    const ms = best(() => {
      cycles = simulate({ arch, pe, layers }).totals.cycles;
    }, 5);
    process.stdout.write(`  ${df}: ${ms.toFixed(1)} ms simulator time, ${cycles} cycles simulated\n`);
  }
  // one layer both engines can run: ResNet-18's last 3x3 block conv, scaled to 64 channels
  const layer = convLayer({ name: 'conv5_like', inH: 7, inW: 7, kH: 3, kW: 3, channels: 64, filters: 64, strideH: 1, padding: 'same' });
  const mp = mapGemm(gemmView(layer), 32, 32, 'ws');
  const fastMs = best(() => fastEngine({ layer, mapping: mp }), 20);
  const refMs = best(() => referenceEngine({ layer, mapping: mp }), 2);
  process.stdout.write(
    `  one layer (7x7x64, 3x3, 64 filters, ws, 32x32): fast ${fastMs.toFixed(3)} ms, reference ${refMs.toFixed(1)} ms, ` +
      `ratio ${(refMs / fastMs).toFixed(0)}x\n`,
  );
}

const isMain = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, ''));
if (isMain) await runArrayBench();
