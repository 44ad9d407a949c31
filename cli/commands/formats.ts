import type { CommandBody } from './index.ts';
import { namedFormats, type NumberFormat } from '../../sim/pe/formats.ts';
import { bitsPerElement, blockFormats, type BlockFormat } from '../../sim/pe/block-formats.ts';
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
  if (f.kind === 'exp') {
    return {
      name: f.name, kind: f.kind, bits: f.bits, exponent_bits: f.bits, mantissa_bits: 0, bias: f.bias,
      max_finite: 2 ** f.maxExp, min_normal: 2 ** f.minExp, description: f.description,
    };
  }
  return { name: f.name, kind: f.kind, bits: f.bits, description: f.description };
}

function describeBlock(f: BlockFormat) {
  return {
    name: f.name, kind: f.kind, bits: f.element.format.bits, element: f.element.format.name, scale: f.scale.name,
    block_size: f.blockSize, bits_per_element: bitsPerElement(f),
    ...(f.kind === 'nvfp4' && { tensor_scale: f.tensorScale.name }),
    ...(f.kind === 'mx' && { emax_elem: f.emaxElem }),
    description: f.description,
  };
}

export const formatsCommand: CommandBody<{ json: boolean }> = {
  builder: (y) => withJson(y).example('$0 formats --json', 'every format with its parameters, as JSON'),
  handler: (args) => {
    const rows = namedFormats().map(describe);
    const blocks = blockFormats().map(describeBlock);
    if (args.json) return printJson([...rows, ...blocks]);
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
    process.stdout.write('\nblock formats (a block of elements shares a scale):\n\n');
    printTable(
      ['name', 'element', 'scale', 'block', 'bits/element', 'description'],
      blocks.map((b) => [
        b.name, b.element, b.scale + ('tensor_scale' in b ? ` + ${String(b.tensor_scale)} per tensor` : ''), String(b.block_size),
        String(b.bits_per_element), b.description,
      ]),
    );
  },
};
