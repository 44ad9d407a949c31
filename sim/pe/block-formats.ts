/**
 * Block-scaled formats as descriptors: a block of k elements in a narrow format shares one
 * scale.
 *
 * - OCP Microscaling (MX) v1.0 (Open Compute Project, Sept. 2023), section 5: the scale is
 *   an E8M0 power of two; the concrete formats of its table 1 are MXFP8 (E4M3 or E5M2
 *   elements), MXFP6 (E3M2 or E2M3), MXFP4 (E2M1) and MXINT8, all with k = 32. Any k is
 *   allowed here (the spec fixes 32 for the named formats; `--block` changes it).
 * - NVFP4 (NVIDIA Blackwell): blocks of 16 E2M1 elements with an E4M3 block scale, plus one
 *   FP32 scale per tensor (recipe and sources in nvfp4.ts).
 *
 * MXINT8's elements are 8-bit two's complement integers with an implicit scale of 2^-6: the
 * element value is code * 2^-6, in [-2, 1 63/64] (the spec's section 5.3; as the spec
 * authors' reference code, microsoft/microxcaling mx/formats.py, reads it: emax 0, largest
 * magnitude 127/64).
 */
import { InputError, unknownName } from '../errors.ts';
import { E2M1, E2M3, E3M2, E4M3, E5M2, E8M0, FP32, INT8, type ExpFormat, type FloatFormat, type IntFormat } from './formats.ts';
import { floatDecodeTable } from './float-codec.ts';
import { exponentOf } from './pow2.ts';

/** An element format as a block reads it: a float format, or an integer with an implicit scale. */
export type BlockElement =
  | { readonly kind: 'float'; readonly format: FloatFormat }
  | { readonly kind: 'int'; readonly format: IntFormat; /** value = code * 2^-fracBits */ readonly fracBits: number };

export interface MxFormat {
  readonly kind: 'mx';
  readonly name: string;
  readonly element: BlockElement;
  readonly scale: ExpFormat;
  readonly blockSize: number;
  /** exponent of the element format's largest normal number (the spec's emax_elem) */
  readonly emaxElem: number;
  readonly description: string;
}

export interface Nvfp4Format {
  readonly kind: 'nvfp4';
  readonly name: 'nvfp4';
  readonly element: { readonly kind: 'float'; readonly format: FloatFormat };
  /** the per-block scale (E4M3) */
  readonly scale: FloatFormat;
  /** the per-tensor scale (FP32) */
  readonly tensorScale: FloatFormat;
  readonly blockSize: number;
  readonly description: string;
}

export type BlockFormat = MxFormat | Nvfp4Format;

/** the most elements a block may have (a block is summed by one adder tree) */
export const MAX_BLOCK_SIZE = 4096;

export const MX_DEFAULT_BLOCK = 32;
export const NVFP4_DEFAULT_BLOCK = 16;

function floatElement(f: FloatFormat): BlockElement {
  return { kind: 'float', format: f };
}

/** bits of one element (what memory holds per element, scales aside) */
export function elementBits(f: BlockFormat): number {
  return f.element.format.bits;
}

/** exponent of the largest normal element value */
function emaxOf(e: BlockElement): number {
  return e.kind === 'float' ? exponentOf(e.format.maxFinite) : exponentOf(e.format.max * 2 ** -e.fracBits);
}

function mx(name: string, element: BlockElement, description: string): MxFormat {
  return { kind: 'mx', name, element, scale: E8M0, blockSize: MX_DEFAULT_BLOCK, emaxElem: emaxOf(element), description };
}

const NAMED: readonly BlockFormat[] = [
  mx('mxfp8-e4m3', floatElement(E4M3), 'OCP MXFP8: 32 x FP8 E4M3 elements (max 448, emax 8), one E8M0 scale'),
  mx('mxfp8-e5m2', floatElement(E5M2), 'OCP MXFP8: 32 x FP8 E5M2 elements (max 57344, emax 15), one E8M0 scale'),
  mx('mxfp6-e3m2', floatElement(E3M2), 'OCP MXFP6: 32 x FP6 E3M2 elements (max 28, emax 4), one E8M0 scale'),
  mx('mxfp6-e2m3', floatElement(E2M3), 'OCP MXFP6: 32 x FP6 E2M3 elements (max 7.5, emax 2), one E8M0 scale'),
  mx('mxfp4', floatElement(E2M1), 'OCP MXFP4: 32 x FP4 E2M1 elements (max 6, emax 2), one E8M0 scale'),
  mx('mxint8', { kind: 'int', format: INT8, fracBits: 6 }, 'OCP MXINT8: 32 x int8 elements with implicit scale 2^-6 (max 1 63/64, emax 0), one E8M0 scale'),
  {
    kind: 'nvfp4', name: 'nvfp4', element: { kind: 'float', format: E2M1 }, scale: E4M3, tensorScale: FP32,
    blockSize: NVFP4_DEFAULT_BLOCK,
    description: 'NVIDIA NVFP4: 16 x FP4 E2M1 elements, one E4M3 scale per block, one FP32 scale per tensor',
  },
];

const ALIASES: Readonly<Record<string, string>> = {
  mxfp8: 'mxfp8-e4m3',
  mxfp6: 'mxfp6-e3m2',
  'mxfp4-e2m1': 'mxfp4',
};

export function blockFormats(): readonly BlockFormat[] {
  return NAMED;
}

export function blockFormatNames(): string[] {
  return NAMED.map((f) => f.name);
}

export function isBlockFormatName(name: string): boolean {
  const key = name.trim().toLowerCase();
  return NAMED.some((f) => f.name === (ALIASES[key] ?? key));
}

/** A block format by name, with its default block size or the one given (1..MAX_BLOCK_SIZE). */
export function getBlockFormat(name: string, blockSize?: number): BlockFormat {
  const key = name.trim().toLowerCase();
  const f = NAMED.find((x) => x.name === (ALIASES[key] ?? key));
  if (!f) throw unknownName('block format', name, [...blockFormatNames(), ...Object.keys(ALIASES)]);
  if (blockSize === undefined) return f;
  if (!Number.isInteger(blockSize) || blockSize < 1 || blockSize > MAX_BLOCK_SIZE) {
    throw new InputError(`block size must be an integer in 1..${MAX_BLOCK_SIZE}, got ${blockSize}`);
  }
  return { ...f, blockSize };
}

/** The value of every element code (the scale not applied), for hot loops. */
export function elementTable(e: BlockElement): Float64Array {
  if (e.kind === 'float') return floatDecodeTable(e.format);
  const t = new Float64Array(2 ** e.format.bits);
  for (let c = 0; c < t.length; c++) t[c] = (c > e.format.max ? c - t.length : c) * 2 ** -e.fracBits; // two's complement
  return t;
}

/** Storage bits per element including the share of the block scale: e.g. 4 + 8/32 = 4.25 for MXFP4. */
export function bitsPerElement(f: BlockFormat): number {
  return elementBits(f) + f.scale.bits / f.blockSize;
}

/**
 * An operand of a block PE as the array moves it: the element code with its block's scale
 * code beside it and a flag on the first element of every block (the PE starts a new block
 * sum there). A pattern is element | scale << e | start << (e + 8), e the element's bits.
 * In memory an element takes only its own bits and its share of the scale (`storageBits`).
 */
export interface BlockOperandFormat {
  readonly kind: 'block';
  readonly name: string;
  readonly block: BlockFormat;
  /** width of an operand pattern: element, scale, block-start flag */
  readonly bits: number;
  readonly elementBits: number;
  /** bits per element in memory: its own and its share of the block scale (4.25 for MXFP4) */
  readonly storageBits: number;
  readonly description: string;
}

export function blockOperandFormat(f: BlockFormat): BlockOperandFormat {
  const e = elementBits(f);
  return {
    kind: 'block', name: f.name, block: f, bits: e + f.scale.bits + 1, elementBits: e, storageBits: bitsPerElement(f),
    description: `${f.description}; operand pattern: element | scale << ${e} | block start << ${e + f.scale.bits}`,
  };
}

export function packOperand(f: BlockOperandFormat, element: number, scale: number, start: boolean): number {
  return element + scale * 2 ** f.elementBits + (start ? 2 ** (f.bits - 1) : 0);
}

export function operandElement(f: BlockOperandFormat, bits: number): number {
  return bits & (2 ** f.elementBits - 1);
}

export function operandScale(f: BlockOperandFormat, bits: number): number {
  return (bits >>> f.elementBits) & 0xff;
}

export function operandStarts(f: BlockOperandFormat, bits: number): boolean {
  return bits >= 2 ** (f.bits - 1);
}
