/**
 * The fp32 multiply-add rows of f32-rows.wat: a WebAssembly SIMD kernel that gives, for each
 * output, the bits of the scalar loop `s = fround(s + fround(x * w))` in k order (four
 * outputs per lane group, each lane its own sequential sum). Tile kernels hand it the rows
 * whose every product is an fp32 value (or is rounded once into fp32) and whose adder is plain
 * fp32; the TypeScript loops stay the reference path (`setWasmKernels(false)`), and tests hold
 * the two equal bit for bit.
 */
import { wasmBase64 } from './f32-rows.wasm.ts';

interface Exports {
  readonly memory: WebAssembly.Memory;
  readonly rows: (
    m: number, ku: number, n: number, x: number, w: number, acc: number, flags: number, list: number,
    round: number, shift: number, minNormal: number, max: number,
  ) => void;
}

/**
 * A narrower float format each product is rounded into (round to nearest even, saturating at
 * its largest finite value) before the fp32 adder: the fp8 MACs' product format.
 */
export interface ProductRounding {
  readonly manBits: number;
  readonly minNormal: number;
  readonly maxFinite: number;
}

/** Views of one call's operands inside the module's memory (valid until the next `views`). */
export interface F32RowsViews {
  /** m x ku activation values, row-major */
  readonly x: Float32Array;
  /** ku x n weight values, row-major */
  readonly w: Float32Array;
  /** m x n accumulator states, row-major */
  readonly acc: Float32Array;
  /** per row: 0 leave it, 1 run it skipping x = +-0, 2 run it adding every product */
  readonly flags: Uint8Array;
}

export interface F32Rows {
  views(m: number, ku: number, n: number): F32RowsViews;
  /** runs the rows; with `rounding`, each product is first rounded into that format */
  run(m: number, ku: number, n: number, rounding?: ProductRounding): void;
  /** rows run so far with a non-zero flag (benches and tests read it to see the kernel ran) */
  readonly rowsRun: number;
}

const align = (b: number) => (b + 15) & ~15;

class Kernel implements F32Rows {
  private buffer: ArrayBuffer;
  private at = { x: 0, w: 0, acc: 0, flags: 0, list: 0 };
  rowsRun = 0;
  constructor(private readonly ex: Exports) {
    this.buffer = ex.memory.buffer;
  }
  views(m: number, ku: number, n: number): F32RowsViews {
    const x = 0, w = x + align(4 * m * ku), acc = w + align(4 * ku * n), flags = acc + align(4 * m * n), list = flags + align(m);
    const need = list + 8 * ku;
    const mem = this.ex.memory;
    if (need > mem.buffer.byteLength) mem.grow(Math.ceil((need - mem.buffer.byteLength) / 65536));
    this.buffer = mem.buffer;
    this.at = { x, w, acc, flags, list };
    return {
      x: new Float32Array(this.buffer, x, m * ku),
      w: new Float32Array(this.buffer, w, ku * n),
      acc: new Float32Array(this.buffer, acc, m * n),
      flags: new Uint8Array(this.buffer, flags, m),
    };
  }
  run(m: number, ku: number, n: number, rounding?: ProductRounding): void {
    const a = this.at;
    if (rounding) {
      const r = rounding;
      this.ex.rows(m, ku, n, a.x, a.w, a.acc, a.flags, a.list, 1, 23 - r.manBits, r.minNormal, r.maxFinite);
    } else this.ex.rows(m, ku, n, a.x, a.w, a.acc, a.flags, a.list, 0, 0, 0, 0);
    const flags = new Uint8Array(this.buffer, a.flags, m);
    for (let i = 0; i < m; i++) if (flags[i] !== 0) this.rowsRun++;
  }
}

let enabled = true;
let instance: Kernel | null | undefined;

/** Turns the WebAssembly kernels on or off (off: the TypeScript reference loops). */
export function setWasmKernels(on: boolean): void {
  enabled = on;
}

/** The kernel, or undefined where it is turned off or WebAssembly SIMD is not available. */
export function f32Rows(): F32Rows | undefined {
  if (!enabled) return undefined;
  if (instance === undefined) {
    try {
      const bytes = Uint8Array.from(atob(wasmBase64), (c) => c.charCodeAt(0));
      const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
      instance = new Kernel(inst.exports as unknown as Exports);
    } catch {
      instance = null; // no WebAssembly SIMD here: the TypeScript loops
    }
  }
  return instance ?? undefined;
}
