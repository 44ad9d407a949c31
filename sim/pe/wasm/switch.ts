/**
 * Whether the WebAssembly kernels run (sim/pe/wasm/f32-rows.ts, sim/pe/wasm/f64-gemm.ts)
 * or the TypeScript loops they reproduce bit for bit. BITWEAVE_WASM=0 selects the TypeScript
 * loops in every thread (the benches' baseline, bisecting); it is read once here because
 * worker threads start with this module and the environment only.
 */
let enabled = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.BITWEAVE_WASM !== '0';

/** Turns the WebAssembly kernels on or off (off: the TypeScript reference loops). */
export function setWasmKernels(on: boolean): void {
  enabled = on;
}

export function wasmKernelsOn(): boolean {
  return enabled;
}

/** A module's instance from its base64 binary, or null where WebAssembly SIMD is not available. */
export function instantiate<T>(base64: string): T | null {
  try {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    return new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports as unknown as T;
  } catch {
    return null;
  }
}
