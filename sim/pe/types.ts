/**
 * What a processing element is to the rest of the simulator: a multiplier, an accumulator
 * and their formats. Array engines only talk to PEs through this interface.
 *
 * Accumulator state travels as a plain number for speed: for float accumulators it is the
 * float64 image of a value of the accumulator format (exactly representable in it; bits via
 * `accToBits`), for integer accumulators the (wrapped or saturated) integer itself.
 */
import type { NarrowFormat } from './wasm/narrow-quantize.ts';
import type { BlockOperandFormat } from './block-formats.ts';
import type { QuantizedOperand } from './block-operand.ts';
import type { Rounding } from './float-codec.ts';
import type { NumberFormat } from './formats.ts';
import type { AccumulatorSpec } from './limited-acc.ts';

/** `block`: the dot-product unit of block-scaled formats (MX, NVFP4; block-dot.ts) */
export type MultiplierKind = 'float' | 'lmul' | 'int' | 'xnor' | 'ternary' | 'block';

/**
 * What a block PE adds to the PE interface. Its operands are quantized a vector along K at a
 * time (a block's scale depends on all its elements), and the products of a block are summed
 * exactly before the block enters the accumulator, so an engine that adds one product at a
 * time carries the block's exact partial sum (`pending`, a double: the adder tree is at most
 * 53 bits wide) beside the accumulator state.
 */
export interface BlockPeParts {
  readonly input: BlockOperandFormat;
  readonly weight: BlockOperandFormat;
  /** the adder tree's width in bits (block-dot.ts) */
  readonly adderBits: number;
  /**
   * reals -> operand patterns, vectors along K (see block-operand.ts for the layout); NVFP4's
   * FP32 scale per vector with `perVector`
   */
  quantize(
    role: 'input' | 'weight', values: ArrayLike<number>, vectors: number, k: number, vecStride: number, kStride: number, perVector?: boolean,
  ): QuantizedOperand;
  /**
   * One product into the block sum: when `a` begins a block, the pending sum of the block
   * before it is added into the accumulator first. Returns the accumulator state; the new
   * pending sum goes to out[0].
   */
  step(acc: number, pending: number, a: number, b: number, out: Float64Array): number;
  /** the pending block sum added into the accumulator (when a partial sum leaves the PE) */
  flush(acc: number, pending: number): number;
}

/** computation reuse in the PE: none, or EN-T's Booth-encoded broadcast operand */
export type Reuse = 'none' | 'ent';

export interface PeKind {
  readonly name: string;
  readonly description: string;
  readonly multiplier: MultiplierKind;
  readonly reuse: Reuse;
  /** activation operand (A, the ifmap side) */
  readonly input: NumberFormat;
  /** weight operand (B, the filter side) */
  readonly weight: NumberFormat;
  readonly product: NumberFormat;
  /** accumulator and partial-sum format */
  readonly acc: NumberFormat;
  /** how reals are rounded into the input formats (L-Mul units truncate or round, by option) */
  readonly inputRounding: Rounding;
  /** how quantizeInput / quantizeWeight convert reals (rounding, saturation) */
  readonly quantizeOptions: { readonly round: Rounding; readonly saturate: boolean };

  quantizeInput(x: number): number;
  quantizeWeight(x: number): number;
  /** product bit pattern (in `product`) of two operand bit patterns */
  mul(a: number, b: number): number;
  /** element-wise products of n operand pairs, as bit patterns */
  mulMany(a: ArrayLike<number>, b: ArrayLike<number>, out: Uint32Array, n: number): void;
  /** accumulator state for 0 */
  readonly accZero: number;
  /** acc + a*b, as the PE computes it: one product, one accumulator addition */
  mac(acc: number, a: number, b: number): number;
  /** acc + other, both accumulator states: merging partial sums (rounded into `acc`) */
  addAcc(acc: number, other: number): number;
  /**
   * Sequential dot product: acc0 + a[aOff]*b[bOff] + a[aOff+aStride]*b[bOff+bStride] + ...,
   * added strictly in that order (the order is part of the hardware).
   */
  dot(
    a: ArrayLike<number>, aOff: number, aStride: number,
    b: ArrayLike<number>, bOff: number, bStride: number,
    n: number, acc0: number,
  ): number;
  /** the accumulator as built (--acc-bits, --acc-round, --acc-promote); undefined: the format's own adder */
  readonly accumulation?: AccumulatorSpec;
  /** block PEs (MX, NVFP4) only */
  readonly block?: BlockPeParts;
  /**
   * The GEMM kernel over whole tiles (tile-kernels.ts), where the PE has one: the same bits
   * as `dot`, output by output. Use it through `tileKernelOf`, which drops it when `dot` was
   * replaced (a wrapper around a PE).
   */
  readonly tile?: TileKernel;
  accToBits(acc: number): number;
  accFromBits(bits: number): number;
  /** real value of an accumulator state */
  accValue(acc: number): number;
  /** real value of an input / weight bit pattern */
  inputValue(bits: number): number;
  weightValue(bits: number): number;
}

/** Weights laid out for a tile kernel once, reused for every activation tile. */
export interface PreparedWeights {
  readonly kernel: TileKernel;
  /** reduction length and output columns of the weight matrix */
  readonly k: number;
  readonly n: number;
}

/**
 * A GEMM pass over whole tiles: for every output (i, j) of an m x n tile, acc[i*n + j] gets
 * the products a(i, p) * b(p, j) for p = k0 .. k0+ku-1 added in that order, exactly as
 * `dot(a, i*k + k0, 1, b, ..., ku, acc[i*n + j])` adds them.
 */
export interface TileKernel {
  /** the `dot` whose bits this kernel reproduces */
  readonly dot: PeKind['dot'];
  /** B (k x n) with element (p, j) at b[p * bRow + j * bCol], laid out for `pass` */
  prepare(b: ArrayLike<number>, bRow: number, bCol: number, k: number, n: number): PreparedWeights;
  /**
   * A is m x k row-major bit patterns; acc holds the m x n accumulator states, updated in place.
   * `fresh`: the caller promises every state is +0 (a GEMM's first pass), which a kernel may
   * then take without reading them. `cols` (with `fresh`): per row i, the outputs j < cols[i]
   * are the ones read afterwards; a kernel may leave the rest at +0 (a causal mask's scores).
   */
  pass(a: ArrayLike<number>, w: PreparedWeights, m: number, k0: number, ku: number, acc: Float64Array, fresh?: boolean, cols?: Int32Array): void;
  /**
   * The whole GEMM (products 0 .. k-1) from +0 states with its results, fp32 values, written
   * into `out` (m x n): the bits `pass` would leave as states. False where it cannot take every
   * row so (`out` is then not written: the caller runs `pass`).
   */
  passFp32?(a: ArrayLike<number>, w: PreparedWeights, m: number, out: Float32Array, cols?: Int32Array): boolean;
  /**
   * passFp32 from fp32 operands, quantized where the kernel reads them: A (m x k fp32 values)
   * by the input format's rows `aRows` (their codes form, checked against its tables), B
   * prepared or, read by this call only, k x n fp32 values quantized by `b.rows`. The same
   * bits as passFp32 on the operands' codes (with `bias`, n values added to each row of results,
   * each sum a binary32 addition); false where it does not take the GEMM whole (`out` is then
   * not written).
   */
  passFp32Values?(a: Float32Array, aRows: NarrowFormat, b: PreparedWeights | FreshWeights, m: number, out: Float32Array, cols?: Int32Array, bias?: Float32Array): boolean;
}

/** A GEMM's B read by one call only: k x n fp32 values (row-major) and its format's rows. */
export interface FreshWeights {
  readonly values: Float32Array;
  readonly rows: NarrowFormat;
  readonly k: number;
  readonly n: number;
}
