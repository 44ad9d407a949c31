/**
 * Node output arrays reused from run to run: an accuracy run executes the same graph image after
 * image, and a fresh Float32Array per node and image (several hundred KB per CNN image) made V8
 * collect garbage every hundred images or so, on this thread and on helper threads that a second
 * job then competes with (issue 21: `--trace-gc` counted 33 full collections in 2,000 images).
 *
 * The executor takes a node's output from here (`takeOutput`: any contents; the kernel writes
 * every element) and gives it back when the last node that reads it has run (`release`). It counts the
 * live tensors per ArrayBuffer, so an array comes back only when no tensor still holds it or a
 * view of it (a reshape returns its input; a slice may return a view). Graph outputs are never
 * given back: they leave with the caller. Per thread, bounded: at most MAX_BYTES held.
 */

const MAX_BYTES = 64 * 2 ** 20;
/** arrays held per length */
const MAX_PER_LENGTH = 8;

const free = new Map<number, Float32Array[]>();
let heldBytes = 0;
/** buffers of arrays this pool made: only these come back */
const ours = new WeakMap<ArrayBufferLike, Float32Array>();

/** An array of n values (contents undefined). */
export function takeOutput(n: number): Float32Array {
  const list = free.get(n);
  const hit = list?.pop();
  if (hit) {
    heldBytes -= hit.byteLength;
    return hit;
  }
  const a = new Float32Array(n);
  ours.set(a.buffer, a);
  return a;
}

/** An array that leaves the executor (a graph output, or a view of one): never taken back. */
export function disownOutput(v: Float32Array): void {
  ours.delete(v.buffer);
}

/** Live tensors per buffer during one run of a graph; arrays whose last tensor dies come back. */
export class OutputLedger {
  private readonly live = new Map<ArrayBufferLike, number>();

  hold(v: Float32Array): void {
    this.live.set(v.buffer, (this.live.get(v.buffer) ?? 0) + 1);
  }

  release(v: Float32Array): void {
    const n = (this.live.get(v.buffer) ?? 0) - 1;
    if (n > 0) {
      this.live.set(v.buffer, n);
      return;
    }
    this.live.delete(v.buffer);
    const whole = ours.get(v.buffer);
    if (!whole || heldBytes + whole.byteLength > MAX_BYTES) return;
    const list = free.get(whole.length) ?? [];
    if (list.length >= MAX_PER_LENGTH) return;
    list.push(whole);
    free.set(whole.length, list);
    heldBytes += whole.byteLength;
  }
}
