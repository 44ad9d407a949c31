/**
 * The sweep bench's points in a plain loop in a fresh process (run by bench/sweep.bench.ts
 * through bench/isolate.ts): the loop as a `bitweave sweep` process would run it without a
 * pool, its JIT cold like a fresh worker's, where the bench's in-process loop runs warm after a
 * first pass. Times the loop only (the modules are loaded first, as the CLI has them loaded).
 * Prints one JSON line: { ms, cpuMs }.
 *
 *   npx tsx bench/sweep-cold-loop.ts
 */
import { pathToFileURL } from 'node:url';
import { loadArch } from '../cli/arch-file.ts';
import { parseSweepSpec } from '../sweep/spec.ts';
import { compiledWorker } from './compiled.ts';
import { SWEEP_BENCH_YAML } from './sweep-spec.ts';

const spec = parseSweepSpec(SWEEP_BENCH_YAML, 'bench sweep', { loadArch });
const point = (await import(pathToFileURL(compiledWorker('sweep/worker')).href)).default as (p: (typeof spec.points)[number]) => Promise<unknown>;
const c0 = process.cpuUsage();
const t0 = performance.now();
for (const p of spec.points) await point(p);
const ms = performance.now() - t0;
const c = process.cpuUsage(c0);
process.stdout.write(JSON.stringify({ ms, cpuMs: (c.user + c.system) / 1000 }) + '\n');
