import type { CommandBody } from './index.ts';
import { namedFormats, type NumberFormat } from '../../sim/pe/formats.ts';
import { printJson, printTable } from '../io.ts';
import { withJson } from '../options.ts';

function describe(f: NumberFormat) {
  if (f.kind === 'float') {
    return {
      name: f.name, kind: f.kind, bits: f.bits, exponent_bits: f.expBits, mantissa_bits: f.manBits, bias: f.bias,
      specials: f.specials, max_finite: f.maxFinite, min_normal: f.minNormal, min_subnormal: f.minSubnormal,
      description: f.description,
    };
  }
  if (f.kind === 'int') {
    return { name: f.name, kind: f.kind, bits: f.bits, min: f.min, max: f.max, description: f.description };
  }
  return { name: f.name, kind: f.kind, bits: f.bits, description: f.description };
}

export const formatsCommand: CommandBody<{ json: boolean }> = {
  builder: (y) => withJson(y).example('$0 formats --json', 'every format with its parameters, as JSON'),
  handler: (args) => {
    const rows = namedFormats().map(describe);
    if (args.json) return printJson(rows);
    printTable(
      ['name', 'kind', 'bits', 'e', 'm', 'bias', 'specials', 'max', 'min normal', 'min subnormal', 'description'],
      rows.map((r) => [
        r.name, r.kind, String(r.bits),
        'exponent_bits' in r ? String(r.exponent_bits) : '', 'mantissa_bits' in r ? String(r.mantissa_bits) : '',
        'bias' in r ? String(r.bias) : '', 'specials' in r ? r.specials : '',
        'max_finite' in r ? String(r.max_finite) : 'max' in r ? String(r.max) : '',
        'min_normal' in r ? String(r.min_normal) : '', 'min_subnormal' in r ? String(r.min_subnormal) : '',
        r.description,
      ].map((c) => c ?? '')),
    );
  },
};
