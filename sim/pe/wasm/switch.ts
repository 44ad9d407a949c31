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

/**
 * A module's kernel, built from its instance on first use: undefined while the kernels are off
 * (`setWasmKernels`, BITWEAVE_WASM=0) or where WebAssembly SIMD is not available.
 */
export function lazyKernel<E, K>(base64: string, make: (exports: E) => K): () => K | undefined {
  let kernel: K | null | undefined;
  return () => {
    if (!enabled) return undefined;
    if (kernel === undefined) {
      const ex = instantiate<E>(base64);
      kernel = ex ? make(ex) : null;
    }
    return kernel ?? undefined;
  };
}
