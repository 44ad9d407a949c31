import type { Argv, CommandModule } from 'yargs';
import { InputError } from '../../sim/errors.ts';
import { mulPrecision, type PrecisionReport } from '../../sim/pe/precision.ts';
import { printJson, printTable } from '../io.ts';

interface MulArgs {
  samples: number;
  dist: string;
  seed: number;
  json: boolean;
}

const pct = (v: number) => (Number.isFinite(v) ? (100 * v).toFixed(2) + '%' : String(v));

function printReport(r: PrecisionReport): void {
  process.stdout.write(`multiplier error vs the exact product: ${r.samples} samples, ${r.dist} inputs, seed ${r.seed}\n\n`);
  printTable(
    ['kind', 'inputs', 'scaling', 'mean rel err', 'max rel err', 'mean bias', 'non-finite'],
    r.rows.map((x) => [x.kind, x.input_rounding, x.scaling, pct(x.mean_rel_error), pct(x.max_rel_error), pct(x.mean_bias), String(x.non_finite)]),
  );
  process.stdout.write('\nL-Mul paper claims (lhs <= rhs * (1 + margin)):\n');
  printTable(
    ['claim', 'lhs', 'rhs', 'margin', 'result'],
    r.claims.map((c) => [c.claim, `${c.lhs} ${pct(c.lhs_error)}`, `${c.rhs} ${pct(c.rhs_error)}`, pct(c.margin), c.holds ? 'holds' : 'does not hold']),
  );
}

const mulSub: CommandModule<object, MulArgs> = {
  command: 'mul',
  describe: 'mean/max relative error and bias of every multiplier kind against the exact product',
  builder: (y) =>
    y
      .option('samples', { type: 'number', default: 100000, describe: 'number of (x, y) pairs' })
      .option('dist', { type: 'string', choices: ['loguniform', 'normal'], default: 'loguniform', describe: 'input distribution (loguniform: |x| in [2^-4, 2^4], random sign)' })
      .option('seed', { type: 'number', default: 1, describe: 'random seed' })
      .option('json', { type: 'boolean', default: false, describe: 'print JSON' })
      .example('$0 precision mul --samples 100000 --seed 1', "reproduces the L-Mul paper's precision claims"),
  handler: (args) => {
    if (!Number.isInteger(args.samples) || args.samples < 1) throw new InputError(`--samples must be a positive integer, got ${args.samples}`);
    if (!Number.isInteger(args.seed)) throw new InputError(`--seed must be an integer, got ${args.seed}`);
    const dist = args.dist === 'normal' ? 'normal' : 'loguniform';
    const report = mulPrecision({ samples: args.samples, dist, seed: args.seed });
    if (args.json) printJson(report);
    else printReport(report);
  },
};

export const precisionCommand: CommandModule<object, object> = {
  command: 'precision <check>',
  describe: 'numeric precision studies of the PE arithmetic',
  builder: (y: Argv) => y.command(mulSub).demandCommand(1, 'name a precision study: mul'),
  handler: () => undefined,
};
