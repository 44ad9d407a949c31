/**
 * The rows of narrow-quantize.wat: fp32 values into a narrow float format's codes, four lanes at
 * a time (fp32-quantizer.ts hands it a format only after comparing it with its exact tables on
 * every class of input). Operands are copied in and the codes out.
 */
import { wasmBase64 } from './narrow-quantize.wasm.ts';
import { lazyKernel } from './switch.ts';

interface Exports {
  readonly memory: WebAssembly.Memory;
  readonly narrow: (n: number, x: number, o: number, mbits: number, bias: number, minNormal: number, max: number,
    sat: number, inf: number, nan: number, signShift: number) => void;
}

/** What the rows need of a format, and the codes its tables give for overflow, Inf and NaN. */
export interface NarrowFormat {
  readonly manBits: number;
  readonly bias: number;
  /** fp32 bit pattern of the smallest normal value */
  readonly minNormalBits: number;
  readonly maxFinite: number;
  /** codes (sign bit clear) of a finite value above the largest, of +Inf and of NaN */
  readonly overflow: number;
  readonly inf: number;
  readonly nan: number;
  /** the sign bit's position in a code */
  readonly signShift: number;
}

/** The most values one call takes (the memory then holds 2^29 bytes). */
const MAX_VALUES = 2 ** 26;

export class NarrowRows {
  /** arrays quantized here so far (tests read it to see the rows ran) */
  calls = 0;
  constructor(private readonly ex: Exports) {}
  /** dst[i] = the code of src[i]; false (nothing written) for an array too large */
  run(src: Float32Array, dst: Uint32Array, f: NarrowFormat): boolean {
    if (!this.probe(src, dst, f)) return false;
    this.calls++;
    return true;
  }
  /** the same, not counted (a format's check against its tables) */
  probe(src: Float32Array, dst: Uint32Array, f: NarrowFormat): boolean {
    const n = src.length;
    if (n > MAX_VALUES) return false;
    const bytes = (4 * n + 15) & ~15;
    const mem = this.ex.memory;
    try {
      if (2 * bytes > mem.buffer.byteLength) mem.grow(Math.ceil((2 * bytes - mem.buffer.byteLength) / 65536));
    } catch {
      return false; // no memory to grow into: the tables take it
    }
    new Float32Array(mem.buffer, 0, n).set(src);
    this.ex.narrow(n, 0, bytes, f.manBits, f.bias, f.minNormalBits, f.maxFinite, f.overflow, f.inf, f.nan, f.signShift);
    dst.set(new Uint32Array(mem.buffer, bytes, n));
    return true;
  }
}

/** The rows, or undefined where WebAssembly kernels are off or SIMD is not available. */
export const narrowRows: () => NarrowRows | undefined = lazyKernel<Exports, NarrowRows>(wasmBase64, (ex) => new NarrowRows(ex));
