/** `bitweave precision dot`: relative error of dot products as the hardware accumulates them. */
import type { Argv, CommandModule } from 'yargs';
import { dotPrecision, type DotDistribution, type DotPrecisionReport } from '../../sim/pe/dot-precision.ts';
import { accumulatorFrom, withAccumulatorOptions, type AccumulatorArgs } from '../acc-options.ts';
import { printJson, printTable } from '../io.ts';
import { formatNumber } from '../../reports/units.ts';

interface DotArgs extends AccumulatorArgs {
  format: string;
  k: number;
  block?: number;
  samples: number;
  dist: string;
  seed: number;
  json: boolean;
}

/** 3 significant digits, never an exponent (reports/units.ts): 1410%, 0.00000241% */
const pct = (v: number) => (Number.isFinite(v) ? `${formatNumber(100 * v, 3)}%` : String(v));

function printReport(r: DotPrecisionReport): void {
  const blocks = r.block_size !== null ? `, blocks of ${r.block_size} along K` : '';
  process.stdout.write(
    `dot products of length K = ${r.k} in ${r.format}${blocks}: ${r.samples} samples, ${r.dist} inputs, seed ${r.seed}\n` +
      'errors against the exact dot product of the quantized inputs (accumulation) and of the real inputs (all):\n\n',
  );
  printTable(
    ['accumulator', 'mean rel err', 'max rel err', 'normwise err', 'mean rel err vs real', 'normwise vs real', 'non-finite'],
    r.rows.map((x) => [
      x.accumulator, pct(x.mean_rel_error), pct(x.max_rel_error), pct(x.normwise_error),
      pct(x.mean_rel_error_vs_real), pct(x.normwise_error_vs_real), String(x.non_finite),
    ]),
  );
  process.stdout.write('\nrel err: |r - e| / |e| per dot product (large where e is near 0); normwise: max |r - e| / max |e| over the samples\n');
}

export const dotSub: CommandModule<object, DotArgs> = {
  command: 'dot',
  describe: 'relative error of dot products against exact: quantized inputs, exact products, the accumulator as built',
  builder: (y) =>
    withAccumulatorOptions(
      y
        .option('format', { type: 'string', demandOption: true, describe: 'element format (e4m3, bf16, e2m1, ...) or block format (mxfp8-e4m3, mxfp4, mxint8, nvfp4, ...)' })
        .option('k', { type: 'number', demandOption: true, describe: 'dot product length K' })
        .option('block', { type: 'number', describe: 'block size of a block format (default 32 for MX, 16 for NVFP4)' })
        .option('samples', { type: 'number', default: 1000, describe: 'number of dot products' })
        .option('dist', { type: 'string', choices: ['normal', 'uniform', 'loguniform'], default: 'normal', describe: 'inputs: N(0,1), U[0,1), or |x| log-uniform in [2^-4, 2^4] with a random sign; rounded to fp32' })
        .option('seed', { type: 'number', default: 1, describe: 'random seed' })
        .option('json', { type: 'boolean', default: false, describe: 'print JSON' }),
    )
      .example('$0 precision dot --format e4m3 --k 4096 --acc-bits 15 --acc-promote 128', 'DeepSeek-V3 section 3.3.2: a limited FP8 accumulator, promoted to fp32 every 128')
      .example('$0 precision dot --format mxfp4 --k 4096', 'MXFP4 blocks of 32 along K, fp32 accumulation') as unknown as Argv<DotArgs>,
  handler: (args) => {
    const acc = accumulatorFrom(args);
    const report = dotPrecision({
      format: args.format, k: args.k, samples: args.samples, dist: args.dist as DotDistribution, seed: args.seed, acc,
      ...(args.block !== undefined && { blockSize: args.block }),
    });
    if (args.json) printJson(report);
    else printReport(report);
  },
};
