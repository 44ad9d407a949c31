/** `npm run bench`: every benchmark, figures as ratios against baselines measured in the same run. */
import { runArrayBench } from './array.bench.ts';
import { printModelsBench } from './models.bench.ts';
import { printPeBench } from './pe.bench.ts';

process.stdout.write(`bitweave benchmarks — node ${process.version}, ${new Date().toISOString()}\n`);
printPeBench();
await runArrayBench();
printModelsBench();
