/**
 * The catalogue of named PE kinds: name -> (input formats, multiplier, product format,
 * accumulator, how reals are rounded into the inputs). Every later part of the simulator
 * refers to PEs by these names; builder.ts turns an entry (with options) into a PeKind.
 * A new PE kind is a new entry here (and, if its multiplier is new, a case in builder.ts).
 *
 * Conventions (documented in the README's PE table):
 * - float PEs multiply exactly and round the product once into the product format. For
 *   bf16/fp16 that is fp32 (the product is exact there, as in TPU/tensor-core MACs); for the
 *   fp8 kinds it is the fp8 format itself (the element-wise fp8 multiply the L-Mul paper
 *   compares with), saturating. `product: 'fp32'` gives the exact-product fp8 MAC instead.
 * - L-Mul PEs output the adder's result in their own format (see lmul.ts). lmul-m3/lmul-m4
 *   use fp32's exponent (e8m3 / e8m4) and, as in the paper's setting, truncate reals into
 *   their inputs; `lmulRound: 'rne'` rounds instead.
 * - Every PE accumulates in fp32 (float kinds) or int32 (integer kinds) unless `acc` says
 *   otherwise; `accInternal` keeps a wider adder inside the PE.
 * - Quantizing reals into fp8 inputs saturates (as ONNX Cast does by default); fp32, bf16 and
 *   fp16 conversions are IEEE (overflow to Inf); integers clamp.
 */
import {
  BF16, BINARY, E4M3, E5M2, FP16, FP32, INT32, INT4, INT8, TERNARY,
  floatFormat, type FloatFormat, type NumberFormat,
} from './formats.ts';
import type { Rounding } from './float-codec.ts';
import { blockFormats, blockOperandFormat, type BlockFormat } from './block-formats.ts';
import type { MultiplierKind } from './types.ts';

export interface PeSpec {
  readonly name: string;
  readonly description: string;
  readonly multiplier: MultiplierKind;
  /** activation (A) and weight (B) operand formats */
  readonly input: NumberFormat;
  readonly weight: NumberFormat;
  readonly product: NumberFormat;
  /** the product rounds into `product` saturating (fp8) or IEEE-style */
  readonly productSaturate: boolean;
  readonly acc: NumberFormat;
  /** how reals are rounded into the inputs, and whether that saturates */
  readonly inputRounding: Rounding;
  readonly quantizeSaturate: boolean;
}

const E8M3 = floatFormat('e8m3', 8, 3, { description: 'L-Mul 3-bit mantissa on fp32\'s exponent' });
const E8M4 = floatFormat('e8m4', 8, 4, { description: 'L-Mul 4-bit mantissa on fp32\'s exponent' });

function floatSpec(name: string, f: FloatFormat, product: FloatFormat, description: string): PeSpec {
  const fp8 = f.bits === 8;
  return {
    name, description, multiplier: 'float', input: f, weight: f, product,
    productSaturate: fp8, acc: FP32, inputRounding: 'rne', quantizeSaturate: fp8,
  };
}

function lmulSpec(name: string, f: FloatFormat, rounding: Rounding, description: string): PeSpec {
  return {
    name, description, multiplier: 'lmul', input: f, weight: f, product: f,
    productSaturate: true, acc: FP32, inputRounding: rounding, quantizeSaturate: true,
  };
}

/**
 * Block PEs (block-pe.ts): one per MX / NVFP4 format; operands are block-operand patterns,
 * the product of one pair alone is fp32 (the unit itself sums a block exactly).
 */
function blockSpec(f: BlockFormat): PeSpec {
  const op = blockOperandFormat(f);
  const scale = f.kind === 'mx' ? 'E8M0 scales by exponent addition' : 'E4M3 block scales, FP32 tensor scale after the GEMM';
  return {
    name: f.name, description: `${f.description}: exact products, exact ${f.blockSize}-element block sums, ${scale}, fp32 accumulate`,
    multiplier: 'block', input: op, weight: op, product: FP32, productSaturate: false, acc: FP32,
    inputRounding: 'rne', quantizeSaturate: true,
  };
}

const SPECS: readonly PeSpec[] = [
  floatSpec('fp32', FP32, FP32, 'IEEE fp32 multiply (RNE), fp32 accumulate'),
  floatSpec('bf16', BF16, FP32, 'bf16 inputs, exact product in fp32, fp32 accumulate'),
  floatSpec('fp16', FP16, FP32, 'fp16 inputs, exact product in fp32, fp32 accumulate'),
  floatSpec('fp8-e4m3', E4M3, E4M3, 'OCP e4m3 inputs, product rounded (RNE, saturating) to e4m3, fp32 accumulate'),
  floatSpec('fp8-e5m2', E5M2, E5M2, 'OCP e5m2 inputs, product rounded (RNE, saturating) to e5m2, fp32 accumulate'),
  lmulSpec('lmul-bf16', BF16, 'rne', 'L-Mul adder on bf16 (m=7, l=4, constant 0x3F78), fp32 accumulate'),
  lmulSpec('lmul-fp8-e4m3', E4M3, 'rne', 'L-Mul adder on OCP e4m3 (m=3, l=3), fp32 accumulate'),
  lmulSpec('lmul-m3', E8M3, 'trunc', 'L-Mul, 3-bit mantissa on fp32 exponent (e8m3), truncated inputs, fp32 accumulate'),
  lmulSpec('lmul-m4', E8M4, 'trunc', 'L-Mul, 4-bit mantissa on fp32 exponent (e8m4), truncated inputs, fp32 accumulate'),
  {
    name: 'int8', description: 'int8 x int8 -> int32 product, int32 accumulate (wraps)', multiplier: 'int',
    input: INT8, weight: INT8, product: INT32, productSaturate: false, acc: INT32, inputRounding: 'rne', quantizeSaturate: true,
  },
  {
    name: 'int4', description: 'int4 x int4 -> int32 product, int32 accumulate (wraps)', multiplier: 'int',
    input: INT4, weight: INT4, product: INT32, productSaturate: false, acc: INT32, inputRounding: 'rne', quantizeSaturate: true,
  },
  {
    name: 'ternary', description: 'int8 activations x ternary weights: add / subtract / skip, int32 accumulate',
    multiplier: 'ternary', input: INT8, weight: TERNARY, product: INT32, productSaturate: false, acc: INT32,
    inputRounding: 'rne', quantizeSaturate: true,
  },
  {
    name: 'xnor', description: 'binary (+-1) x binary: XNOR, popcount into int32', multiplier: 'xnor',
    input: BINARY, weight: BINARY, product: BINARY, productSaturate: false, acc: INT32, inputRounding: 'rne', quantizeSaturate: true,
  },
  ...blockFormats().map(blockSpec),
];

export function peNames(): string[] {
  return SPECS.map((s) => s.name);
}

/** The catalogue entry of a PE kind, or undefined. */
export function peSpec(name: string): PeSpec | undefined {
  return SPECS.find((s) => s.name === name.trim().toLowerCase());
}
