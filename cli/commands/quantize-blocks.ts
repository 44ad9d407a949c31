/**
 * `bitweave quantize --format mxfp4|nvfp4|...`: numbers into a block format. Input: one
 * block per line (several numbers, separated by spaces, tabs or commas), or a column of
 * numbers (one per line) cut into blocks of --block. NVFP4's tensor scale comes from every
 * number given (the input is one tensor).
 */
import { InputError } from '../../sim/errors.ts';
import { MAX_BLOCK_SIZE, elementTable, getBlockFormat } from '../../sim/pe/block-formats.ts';
import { scaleValue } from '../../sim/pe/block-tensor.ts';
import { quantizeMxBlock } from '../../sim/pe/mx-quantize.ts';
import { finiteAmax, nvfp4EncodeScale, quantizeNvfp4Block } from '../../sim/pe/nvfp4.ts';
import { formatBits } from '../../sim/pe/codec.ts';
import { printJson } from '../io.ts';
import { formatReal, jsonReal, parseReal } from '../options.ts';

/** the most numbers one quantize run reads (it holds them all: NVFP4 needs the tensor's max) */
export const MAX_QUANTIZE_VALUES = 1 << 22;

interface Parsed {
  readonly inputs: string[];
  readonly values: number[];
  /** start index of every block */
  readonly starts: number[];
}

function parseInput(lines: readonly string[], blockSize: number, blockGiven: boolean): Parsed {
  const rows: { line: number; cells: string[] }[] = [];
  lines.forEach((text, i) => {
    const cells = text.trim().split(/[\s,]+/).filter((c) => c !== '');
    if (cells.length > 0) rows.push({ line: i + 1, cells });
  });
  const column = rows.every((r) => r.cells.length === 1);
  const inputs: string[] = [], values: number[] = [], starts: number[] = [];
  for (const r of rows) {
    if (!column) {
      if (r.cells.length > blockSize) {
        throw new InputError(
          `stdin line ${r.line}: ${r.cells.length} numbers, but a block holds at most ${blockSize}` +
            (blockGiven ? ' (--block)' : ' (the format\'s block size; --block changes it)'),
        );
      }
      starts.push(values.length);
    }
    for (const c of r.cells) {
      const v = parseReal(c);
      if (v === undefined) throw new InputError(`stdin line ${r.line}: '${c}' is not a number`);
      if (values.length >= MAX_QUANTIZE_VALUES) throw new InputError(`more than ${MAX_QUANTIZE_VALUES} numbers on stdin`);
      inputs.push(c);
      values.push(v);
    }
  }
  if (column) for (let s = 0; s < values.length; s += blockSize) starts.push(s);
  return { inputs, values, starts };
}

export function quantizeBlocksCommand(name: string, block: number | undefined, lines: readonly string[], json: boolean): void {
  if (block !== undefined && (!Number.isInteger(block) || block < 1 || block > MAX_BLOCK_SIZE)) {
    throw new InputError(`--block must be an integer in 1..${MAX_BLOCK_SIZE}, got ${block}`);
  }
  const f = getBlockFormat(name, block);
  const { inputs, values, starts } = parseInput(lines, f.blockSize, block !== undefined);
  const table = elementTable(f.element);
  // NVFP4: one tensor scale from every number given; MX: none
  const sEnc = f.kind === 'nvfp4' ? nvfp4EncodeScale(f, finiteAmax(values)) : 1;
  const tensorScale = f.kind === 'nvfp4' ? Math.fround(1 / sEnc) : 1;
  const out: string[] = [
    f.kind === 'nvfp4' ? 'block,input,bits_hex,value,scale_hex,scale,tensor_scale' : 'block,input,bits_hex,value,scale_hex,scale',
  ];
  const blocks: unknown[] = [];
  starts.forEach((start, b) => {
    const end = b + 1 < starts.length ? starts[b + 1] : values.length;
    const codes = new Uint8Array(end - start);
    const scaleCode = f.kind === 'mx'
      ? quantizeMxBlock(f, values, start, end - start, codes, 0)
      : quantizeNvfp4Block(f, values, start, end - start, sEnc, codes, 0);
    const scaleHex = formatBits(f.scale, scaleCode);
    const scale = scaleValue(f, scaleCode);
    const elements = [...codes].map((code, i) => {
      const value = table[code] * scale * tensorScale;
      const cells = [String(b), inputs[start + i], formatBits(f.element.format, code), formatReal(value), scaleHex, formatReal(scale)];
      if (f.kind === 'nvfp4') cells.push(formatReal(tensorScale));
      out.push(cells.join(','));
      return { input: inputs[start + i], bits_hex: formatBits(f.element.format, code), value: jsonReal(value) };
    });
    blocks.push({ block: b, scale_hex: scaleHex, scale: jsonReal(scale), elements });
  });
  if (json) {
    printJson({
      format: f.name, block_size: f.blockSize, ...(f.kind === 'nvfp4' && { tensor_scale: tensorScale }), blocks,
    });
  } else process.stdout.write(out.join('\n') + '\n');
}
