/**
 * SCALE-Sim v2 parity (--compat scalesim). Two independent references:
 *  1. SCALE-Sim's published numbers for GEMM 128x64x256 and AlexNet Conv1 on 32x32;
 *  2. a line-by-line port, written here, of how SCALE-Sim v2 builds its per-fold demand
 *     matrices (scalesim/compute/systolic_compute_{os,ws,is}.py: prefixes, suffixes, skew,
 *     counters) and reports cycles (the last row index of the demand matrix), applied to its
 *     own topology files and to random layers.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { convLayer, gemmLayer, type Layer } from '../../sim/workload/layer.ts';
import { parseTopologyCsv } from '../../models/import/scalesim-csv.ts';
import { getPreset } from '../../sim/arch/presets.ts';
import type { ArchConfig, Dataflow } from '../../sim/arch/schema.ts';
import { getPe } from '../../sim/pe/registry.ts';
import { simulate } from '../../sim/simulate.ts';

const SHARED = new URL('../../models/data/scalesim/', import.meta.url);

function arch(df: Dataflow, rows = 32, cols = 32): ArchConfig {
  return { ...getPreset('scale'), dataflow: df, array: { rows, cols } };
}

const INT8 = getPe('int8');

function run(layer: Layer, df: Dataflow, rows = 32, cols = 32) {
  return simulate({ arch: arch(df, rows, cols), pe: INT8, layers: [layer], compat: 'scalesim' }).layers[0];
}

interface ScaleSimNumbers {
  cycles: number;
  mappingEff: number;
  computeUtil: number;
  ifmapReads: number;
  filterReads: number;
  ofmapWrites: number;
}

/** SCALE-Sim v2's compute model, transcribed: [layer name, H, W, R, S, C, N, stride] */
function scaleSim(H: number, W: number, Rf: number, Sf: number, C: number, N: number, s: number, df: Dataflow, aR: number, aC: number): ScaleSimNumbers {
  const ofH = Math.ceil((H - Rf + s) / s), ofW = Math.ceil((W - Sf + s) / s);
  const px = ofH * ofW, win = Rf * Sf * C;
  const [Sr, Sc, T] = df === 'os' ? [px, N, win] : df === 'ws' ? [win, N, px] : [win, px, N];
  const rowFold = Math.ceil(Sr / aR), colFold = Math.ceil(Sc / aC);
  let rows = 0, ifmapReads = 0, filterReads = 0, ofmapWrites = 0;
  const eff: number[] = [], util: number[] = [];
  for (let fc = 0; fc < colFold; fc++) {
    for (let fr = 0; fr < rowFold; fr++) {
      const rUsed = Math.min(aR, Sr - fr * aR), cUsed = Math.min(aC, Sc - fc * aC);
      let foldRows: number, cyclesThisFold: number;
      if (df === 'os') {
        ifmapReads += T * rUsed;
        filterReads += T * cUsed;
        ofmapWrites += rUsed * cUsed;
        ofmapWrites += aR + aC; // flipped matrix's shape[0] + shape[1]
        foldRows = T + (aC - 1) + aR - 1; // demand + drain suffix, then skew over aR columns
        cyclesThisFold = T - 1 + aR + aC - 1; // ofmap demand: prefix T-1 + aR rows, + cols - 1
      } else if (df === 'ws') {
        ifmapReads += T * rUsed;
        filterReads += rUsed * cUsed;
        ofmapWrites += T * cUsed;
        foldRows = aR + T + (aC - 1) + aR - 1;
        const filterRows = aR + (aR + aC + T - 2);
        cyclesThisFold = filterRows + aC - 1;
      } else {
        ifmapReads += rUsed * cUsed;
        filterReads += T * rUsed;
        ofmapWrites += T * cUsed;
        foldRows = aR + (aR + aC + T - 2); // no skew for the ifmap in is
        cyclesThisFold = foldRows + aC - 1;
      }
      rows += foldRows;
      eff.push((rUsed * cUsed) / (aR * aC));
      util.push((rUsed * cUsed * T) / (aR * aC * cyclesThisFold));
    }
  }
  const mean = (v: number[]) => v.reduce((x, y) => x + y, 0) / v.length;
  return { cycles: rows - 1, mappingEff: mean(eff), computeUtil: mean(util), ifmapReads, filterReads, ofmapWrites };
}

describe('SCALE-Sim parity: published numbers', () => {
  const g = gemmLayer('Test 1', 128, 64, 256);
  it('GEMM M=128 N=64 K=256 on 32x32: 2543 (os), 3551 (ws), 5055 (is) cycles', () => {
    expect(run(g, 'os').cycles).toBe(2543);
    expect(run(g, 'ws').cycles).toBe(3551);
    expect(run(g, 'is').cycles).toBe(5055);
  });

  it('AlexNet Conv1 (227x227x3, 11x11, 96 filters, stride 4) on 32x32 ws', () => {
    const l = run(convLayer({ name: 'Conv1', inH: 227, inW: 227, kH: 11, kW: 11, channels: 3, filters: 96, strideH: 4 }), 'ws');
    expect(l.cycles).toBe(112283);
    expect(l.stall_cycles).toBe(0);
    expect((l.mapping_efficiency * 100).toFixed(3)).toBe('94.531');
    expect((l.utilization * 100).toFixed(3)).toBe('90.780');
    expect(l.sram.ifmap_reads).toBe(3294225);
    expect(l.sram.filter_reads).toBe(34848);
    expect(l.sram.ofmap_writes).toBe(3484800);
  });

  it('the GEMM topology file test_mnk_input.csv reads as that GEMM', () => {
    const text = readFileSync(new URL('topologies/GEMM_mnk/test_mnk_input.csv', SHARED), 'utf8');
    const [layer] = parseTopologyCsv(text, { file: 'test_mnk_input.csv' });
    expect(run(layer, 'ws').cycles).toBe(3551);
  });
});

describe('SCALE-Sim parity: its compute model, transcribed', () => {
  function check(layer: Layer, ref: ScaleSimNumbers, df: Dataflow, aR: number, aC: number) {
    const l = run(layer, df, aR, aC);
    const what = `${layer.name} ${df} ${aR}x${aC}`;
    expect(l.cycles, what).toBe(ref.cycles);
    expect(l.sram.ifmap_reads, what).toBe(ref.ifmapReads);
    expect(l.sram.filter_reads, what).toBe(ref.filterReads);
    expect(l.sram.ofmap_writes, what).toBe(ref.ofmapWrites);
    expect(l.sram.ofmap_reads, what).toBe(0);
    expect(l.mapping_efficiency, what).toBeCloseTo(ref.mappingEff, 12);
    expect(l.utilization, what).toBeCloseTo(ref.computeUtil, 12);
  }

  for (const file of ['Resnet18.csv', 'alexnet.csv', 'yolo_tiny.csv', 'Googlenet.csv']) {
    it(`every layer of ${file}, every dataflow, on 32x32`, () => {
      const text = readFileSync(new URL(`topologies/conv_nets/${file}`, SHARED), 'utf8');
      const layers = parseTopologyCsv(text, { file, padding: 'scalesim' });
      for (const layer of layers) {
        if (layer.kind !== 'conv2d') throw new Error('conv expected');
        for (const df of ['os', 'ws', 'is'] as Dataflow[]) {
          check(layer, scaleSim(layer.inH, layer.inW, layer.kH, layer.kW, layer.channels, layer.filters, layer.strideH, df, 32, 32), df, 32, 32);
        }
      }
    });
  }

  it('random layers on random arrays', () => {
    let s = 7;
    const int = (lo: number, hi: number) => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return lo + (s % (hi - lo + 1));
    };
    for (let i = 0; i < 150; i++) {
      const Rf = int(1, 5), Sf = int(1, 5);
      const H = int(Rf, 30), W = int(Sf, 30), C = int(1, 20), N = int(1, 70), st = int(1, 4);
      const aR = int(1, 20), aC = int(1, 20);
      const layer = convLayer({ name: `r${i}`, inH: H, inW: W, kH: Rf, kW: Sf, channels: C, filters: N, strideH: st, padding: 'scalesim' });
      for (const df of ['os', 'ws', 'is'] as Dataflow[]) check(layer, scaleSim(H, W, Rf, Sf, C, N, st, df, aR, aC), df, aR, aC);
    }
  });
});
