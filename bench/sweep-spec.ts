/** The sweep bench's 200 points (bench/sweep.bench.ts, bench/sweep-cold-loop.ts). */
import { fileURLToPath } from 'node:url';

const RESNET50 = fileURLToPath(new URL('../models/data/scalesim/topologies/conv_nets/Resnet50.csv', import.meta.url));

export const SWEEP_BENCH_YAML = `
base:
  arch: scale
  model: ${RESNET50}
grid:
  rows: [4, 6, 8, 12, 16]
  cols: [4, 6, 8, 12, 16]
  dataflow: [os, ws]
  arch.sram.ifmap_kb: [32, 64, 128, 256]
`;
