import type { CommandBody } from './index.ts';
import { getPe, peNames } from '../../sim/pe/registry.ts';
import { printJson, printTable } from '../io.ts';
import { withJson } from '../options.ts';

export const pesCommand: CommandBody<{ json: boolean }> = {
  builder: (y) => withJson(y).example('$0 pes', 'the PE table'),
  handler: (args) => {
    const rows = peNames().map((n) => {
      const pe = getPe(n);
      return {
        name: pe.name, multiplier: pe.multiplier, input: pe.input.name, weight: pe.weight.name,
        product: pe.product.name, acc: pe.acc.name, input_rounding: pe.inputRounding, description: pe.description,
      };
    });
    if (args.json) return printJson(rows);
    printTable(
      ['name', 'multiplier', 'input', 'weight', 'product', 'acc', 'input rounding', 'description'],
      rows.map((r) => [r.name, r.multiplier, r.input, r.weight, r.product, r.acc, r.input_rounding, r.description]),
    );
  },
};
