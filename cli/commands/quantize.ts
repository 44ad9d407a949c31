import type { CommandBody } from './index.ts';
import { encode, decode, formatBits } from '../../sim/pe/codec.ts';
import { InputError } from '../../sim/errors.ts';
import { getFormat } from '../../sim/pe/formats.ts';
import { printJson, readStdinLines } from '../io.ts';
import { formatReal, jsonReal, parseReal, withJson } from '../options.ts';

interface QuantizeArgs {
  format: string;
  saturate: boolean;
  round: string;
  ftz: boolean;
  json: boolean;
}

export const quantizeCommand: CommandBody<QuantizeArgs> = {
  builder: (y) =>
    withJson(y)
      .option('format', { type: 'string', demandOption: true, describe: 'target format (see `bitweave formats`), or eXmY' })
      .option('saturate', { type: 'boolean', default: false, describe: 'clamp overflow to +-max finite' })
      .option('round', { type: 'string', choices: ['rne', 'trunc'], default: 'rne', describe: 'round to nearest even, or toward zero' })
      .option('ftz', { type: 'boolean', default: false, describe: 'flush subnormal results to zero' })
      .example('printf "464\\n0.1\\n" | $0 quantize --format e4m3', 'fp8 e4m3 encodings')
      .example('echo 1e6 | $0 quantize --format e4m3 --saturate', 'clamps to 448')
      .example('echo 0.1 | $0 quantize --format bf16 --json', 'as JSON: [{ input, bits_hex, value }]'),
  handler: (args) => {
    const f = getFormat(args.format);
    const round = args.round === 'trunc' ? 'trunc' : 'rne';
    const out: string[] = ['input,bits_hex,value'];
    const rows: { input: string; bits_hex: string; value: number | string }[] = [];
    readStdinLines().forEach((line, i) => {
      if (line.trim() === '') return;
      const x = parseReal(line);
      if (x === undefined) throw new InputError(`stdin line ${i + 1}: '${line.trim()}' is not a number`);
      const bits = encode(f, x, { saturate: args.saturate, round, ftz: args.ftz });
      out.push(`${line.trim()},${formatBits(f, bits)},${formatReal(decode(f, bits))}`);
      rows.push({ input: line.trim(), bits_hex: formatBits(f, bits), value: jsonReal(decode(f, bits)) });
    });
    if (args.json) printJson(rows);
    else process.stdout.write(out.join('\n') + '\n');
  },
};
