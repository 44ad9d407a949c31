/** `npm run bench`: every benchmark, figures as ratios against baselines measured in the same run. */
import { printAccuracyBench } from './accuracy.bench.ts';
import { runArrayBench } from './array.bench.ts';
import { printExecBench } from './exec.bench.ts';
import { printLmBench } from './lm.bench.ts';
import { printModelsBench } from './models.bench.ts';
import { printMxBench } from './mx.bench.ts';
import { printPeBench } from './pe.bench.ts';
import { printReuseBench } from './reuse.bench.ts';
import { printRtlBench } from './rtl.bench.ts';
import { printGatesBench } from './gates.bench.ts';
import { printScheduleBench } from './schedule.bench.ts';
import { printStartupBench } from './startup.bench.ts';
import { printSweepBench } from './sweep.bench.ts';

process.stdout.write(`bitweave benchmarks — node ${process.version}, ${new Date().toISOString()}\n`);
printStartupBench();
printPeBench();
printMxBench();
await runArrayBench();
printModelsBench();
await printSweepBench();
await printAccuracyBench();
await printExecBench();
await printLmBench();
printReuseBench();
await printScheduleBench();
printRtlBench();
await printGatesBench();
