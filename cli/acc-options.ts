/** --acc-bits / --acc-round / --acc-promote: an accumulator as it is built (sim/pe/limited-acc.ts). */
import type { Argv } from 'yargs';
import { accumulatorSpec, type AccumulatorSpec } from '../sim/pe/limited-acc.ts';

export function withAccumulatorOptions<T>(y: Argv<T>) {
  return y
    .option('acc-bits', {
      type: 'number',
      describe: 'significand bits the fp32-range accumulator register keeps, leading bit included (2-24; 24 = fp32)',
    })
    .option('acc-round', {
      type: 'string', choices: ['trunc', 'rne'],
      describe: 'how the register drops bits (default: trunc with --acc-bits, as the Hopper tensor core; rne for fp32)',
    })
    .option('acc-promote', { type: 'number', describe: 'add the register into a full fp32 accumulator every P products (0: never)' });
}

export interface AccumulatorArgs {
  accBits?: number;
  accRound?: string;
  accPromote?: number;
}

/** validated spec (InputError on bad values) */
export function accumulatorFrom(args: AccumulatorArgs): AccumulatorSpec {
  return accumulatorSpec({
    ...(args.accBits !== undefined && { bits: args.accBits }),
    ...(args.accRound !== undefined && { round: args.accRound }),
    ...(args.accPromote !== undefined && { promote: args.accPromote }),
  });
}
