import type { CommandBody } from './index.ts';
import { encode, decode, formatBits } from '../../sim/pe/codec.ts';
import { InputError } from '../../sim/errors.ts';
import { getFormat, type NumberFormat } from '../../sim/pe/formats.ts';
import { blockFormatNames, isBlockFormatName } from '../../sim/pe/block-formats.ts';
import { quantizeBlocksCommand } from './quantize-blocks.ts';
import { printJson, readStdinLines } from '../io.ts';
import { formatReal, jsonReal, parseReal, withJson } from '../options.ts';

interface QuantizeArgs {
  format: string;
  saturate?: boolean;
  round?: string;
  ftz?: boolean;
  block?: number;
  json: boolean;
}

export const quantizeCommand: CommandBody<QuantizeArgs> = {
  builder: (y) =>
    withJson(y)
      .option('format', { type: 'string', demandOption: true, describe: 'target format (see `bitweave formats`), eXmY, or a block format' })
      .option('saturate', { type: 'boolean', describe: 'clamp overflow to +-max finite (default: no)' })
      .option('round', { type: 'string', choices: ['rne', 'trunc'], describe: 'round to nearest even (default), or toward zero' })
      .option('ftz', { type: 'boolean', describe: 'flush subnormal results to zero (default: no)' })
      .option('block', { type: 'number', describe: 'block formats: elements per block (default 32 for MX, 16 for NVFP4)' })
      .example('printf "464\\n0.1\\n" | $0 quantize --format e4m3', 'fp8 e4m3 encodings')
      .example('echo 1e6 | $0 quantize --format e4m3 --saturate', 'clamps to 448')
      .example('echo 0.1 | $0 quantize --format bf16 --json', 'as JSON: [{ input, bits_hex, value }]')
      .example('echo "6 1 -1.5 0.3" | $0 quantize --format mxfp4', 'one MXFP4 block per line: element codes and the E8M0 scale')
      .example('seq 1 64 | $0 quantize --format nvfp4', 'a column cut into NVFP4 blocks of 16'),
  handler: (args) => {
    if (isBlockFormatName(args.format)) {
      for (const [flag, v] of [['--saturate', args.saturate], ['--round', args.round], ['--ftz', args.ftz]] as const) {
        if (v !== undefined) throw new InputError(`${flag} does not apply to ${args.format}: block formats round to nearest even and clamp, as their spec says`);
      }
      return quantizeBlocksCommand(args.format, args.block, readStdinLines(), args.json);
    }
    if (args.block !== undefined) throw new InputError(`--block applies to block formats (${blockFormatNames().join(', ')}), not ${args.format}`);
    const f = formatOrBlockHint(args.format);
    const round = args.round === 'trunc' ? 'trunc' : 'rne';
    const out: string[] = ['input,bits_hex,value'];
    const rows: { input: string; bits_hex: string; value: number | string }[] = [];
    readStdinLines().forEach((line, i) => {
      if (line.trim() === '') return;
      const x = parseReal(line);
      if (x === undefined) throw new InputError(`stdin line ${i + 1}: '${line.trim()}' is not a number`);
      const bits = encode(f, x, { saturate: args.saturate ?? false, round, ftz: args.ftz ?? false });
      out.push(`${line.trim()},${formatBits(f, bits)},${formatReal(decode(f, bits))}`);
      rows.push({ input: line.trim(), bits_hex: formatBits(f, bits), value: jsonReal(decode(f, bits)) });
    });
    if (args.json) printJson(rows);
    else process.stdout.write(out.join('\n') + '\n');
  },
};

/** getFormat, with the block formats named in the error for an unknown name */
function formatOrBlockHint(name: string): NumberFormat {
  try {
    return getFormat(name);
  } catch (e) {
    if (e instanceof InputError) throw new InputError(`${e.message}; block formats: ${blockFormatNames().join(', ')}`);
    throw e;
  }
}
