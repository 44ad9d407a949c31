import type { CommandBody } from './index.ts';
import { decode, formatBits, parseBits } from '../../sim/pe/codec.ts';
import { InputError } from '../../sim/errors.ts';
import { getPe } from '../../sim/pe/registry.ts';
import { printJson, readStdinLines } from '../io.ts';
import { formatReal, jsonReal, peOptionsFrom, withJson, withPeOptions, type PeOptionArgs } from '../options.ts';

export const mulCommand: CommandBody<PeOptionArgs & { pe: string; json: boolean }> = {
  builder: (y) =>
    withJson(withPeOptions(y))
      .option('pe', { type: 'string', demandOption: true, describe: 'PE kind (see `bitweave pes`)' })
      .example('echo "3fc0 3fc0" | $0 mul --pe lmul-bf16', 'L-Mul of 1.5 x 1.5 in bf16')
      .example('echo "0x38 0x3a" | $0 mul --pe fp8-e4m3', 'e4m3 product, rounded to e4m3')
      .example('echo "0x38 0x3a" | $0 mul --pe fp8-e4m3 --json', 'as JSON: [{ a_hex, b_hex, product_hex, product_value }]'),
  handler: (args) => {
    const pe = getPe(args.pe, peOptionsFrom(args));
    const out: string[] = ['a_hex,b_hex,product_hex,product_value'];
    const rows: { a_hex: string; b_hex: string; product_hex: string; product_value: number | string }[] = [];
    readStdinLines().forEach((line, i) => {
      if (line.trim() === '') return;
      const parts = line.trim().split(/[\s,]+/);
      if (parts.length !== 2) throw new InputError(`stdin line ${i + 1}: expected two hex bit patterns 'A B', got '${line.trim()}'`);
      const where = (e: unknown, operand: string, fmt: string) =>
        new InputError(`stdin line ${i + 1}: operand ${operand} (${fmt}): ${e instanceof Error ? e.message : String(e)}`);
      let a: number, b: number;
      try { a = parseBits(pe.input, parts[0]); } catch (e) { throw where(e, 'A', pe.input.name); }
      try { b = parseBits(pe.weight, parts[1]); } catch (e) { throw where(e, 'B', pe.weight.name); }
      const p = pe.mul(a, b);
      out.push(`${formatBits(pe.input, a)},${formatBits(pe.weight, b)},${formatBits(pe.product, p)},${formatReal(decode(pe.product, p))}`);
      rows.push({ a_hex: formatBits(pe.input, a), b_hex: formatBits(pe.weight, b), product_hex: formatBits(pe.product, p), product_value: jsonReal(decode(pe.product, p)) });
    });
    if (args.json) printJson(rows);
    else process.stdout.write(out.join('\n') + '\n');
  },
};
