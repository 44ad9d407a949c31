/**
 * The plain fp32 reference GEMM in WebAssembly SIMD (f64-gemm.wat): the bits of gemmF64's
 * TypeScript loop (models/exec/backends.ts), which stays the reference path; tests hold the
 * two equal bit for bit (test/models/gemm-f64.test.ts).
 */
import { instantiate, wasmKernelsOn } from './switch.ts';
import { wasmBase64 } from './f64-gemm.wasm.ts';

interface Exports {
  readonly memory: WebAssembly.Memory;
  readonly gemm: (m: number, n: number, k: number, a: number, b: number, c: number, list: number) => void;
}

const align = (b: number) => (b + 15) & ~15;
/** The most memory one call may use (a 32-bit address space); larger GEMMs stay in TypeScript. */
const MAX_BYTES = 2 ** 30;

let ex: Exports | null | undefined;

/**
 * C = A B (fp32 A m x k, B k x n, row-major) in float64, or undefined where the kernel is off or
 * the GEMM too large. With `view`, C is the module's memory itself (no copy): valid until the
 * next call.
 */
export function gemmF64Wasm(a: Float32Array, b: Float32Array, m: number, n: number, k: number, view = false): Float64Array | undefined {
  if (!wasmKernelsOn()) return undefined;
  if (ex === undefined) ex = instantiate<Exports>(wasmBase64);
  if (!ex) return undefined;
  const pa = 0, pb = align(4 * m * k), pc = pb + align(8 * k * n), pl = pc + align(8 * m * n);
  const need = pl + 16 * k;
  if (need > MAX_BYTES) return undefined;
  const mem = ex.memory;
  if (need > mem.buffer.byteLength) mem.grow(Math.ceil((need - mem.buffer.byteLength) / 65536));
  const buf = mem.buffer;
  new Float32Array(buf, pa, m * k).set(a.length === m * k ? a : a.subarray(0, m * k));
  new Float64Array(buf, pb, k * n).set(b.length === k * n ? b : b.subarray(0, k * n)); // widened: exact
  ex.gemm(m, n, k, pa, pb, pc, pl);
  const c = new Float64Array(buf, pc, m * n);
  return view ? c : c.slice();
}
