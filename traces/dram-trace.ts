/**
 * DRAM access traces in SCALE-Sim's layout (IFMAP_DRAM_TRACE.csv, FILTER_DRAM_TRACE.csv,
 * OFMAP_DRAM_TRACE.csv): `cycle,addr,addr,...`, one line per cycle in which words move.
 *
 * bitweave's DRAM model is per fold (memory/traffic.ts): it knows how many bytes each fold
 * moves, not which words. The trace spreads each fold's transfer over the cycles the interface
 * needs (bandwidth bytes per cycle, shared in order ifmap, filter, ofmap), just before the fold
 * starts for reads (after its end for writes), with addresses that sweep each operand's address
 * range in order. Cycle timing and volume are the model's; the word order is an approximation.
 */
import type { LayerDetail } from '../sim/result.ts';
import type { TraceSinks } from './sram-trace.ts';

export function writeDramTraces(d: LayerDetail, sinks: TraceSinks, cycleBase = 0): void {
  const { traffic, mapping: mp, words, arch, engine } = d;
  const bw = arch.dram.bandwidth;
  const off = arch.offsets;
  const { m, n, k } = mp.gemm;
  const span = { ifmap: Math.max(1, m * k), filter: Math.max(1, k * n), ofmap: Math.max(1, m * n) };
  const ptr = { ifmap: 0, filter: 0, ofmap: 0 };
  const emit = (op: 'ifmap' | 'filter' | 'ofmap', bytes: number, wordBytes: number, startCycle: number): void => {
    let wordsLeft = Math.round(bytes / wordBytes);
    const perCycle = Math.max(1, Math.floor(bw / wordBytes));
    const lines: string[] = [];
    for (let c = startCycle; wordsLeft > 0; c++) {
      const nw = Math.min(perCycle, wordsLeft);
      const addrs = new Array<number>(nw);
      for (let i = 0; i < nw; i++) {
        addrs[i] = off[op] + ptr[op];
        ptr[op] = (ptr[op] + 1) % span[op];
      }
      wordsLeft -= nw;
      lines.push(`${c},${addrs.join(',')}`);
      if (lines.length >= 4096) {
        sinks[op](lines.join('\n') + '\n');
        lines.length = 0;
      }
    }
    if (lines.length > 0) sinks[op](lines.join('\n') + '\n');
  };
  const pf = traffic.perFold;
  for (let f = 0; f < mp.folds; f++) {
    const rd = (pf.ifmapRead[f] + pf.filterRead[f] + pf.psumRead[f]) / bw;
    const start = Math.max(0, Math.floor(cycleBase + d.foldStart[f] - rd));
    emit('ifmap', pf.ifmapRead[f], words.input, start);
    emit('filter', pf.filterRead[f], words.weight, start + Math.floor(pf.ifmapRead[f] / bw));
    emit('ofmap', pf.psumRead[f], words.psum, start + Math.floor((pf.ifmapRead[f] + pf.filterRead[f]) / bw));
    emit('ofmap', pf.write[f], words.psum, Math.floor(cycleBase + d.foldStart[f] + engine.foldCycles[f]));
  }
}
