/** Wall-clock measurement for benchmarks: best of several rounds, each at least minMs long. */
export function measure(fn: () => void, opts: { rounds?: number; minMs?: number } = {}): number {
  const rounds = opts.rounds ?? 5;
  const minMs = opts.minMs ?? 150;
  fn(); // warm-up: let V8 optimize before timing
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    let reps = 0;
    const t0 = process.hrtime.bigint();
    let elapsed = 0;
    do {
      fn();
      reps++;
      elapsed = Number(process.hrtime.bigint() - t0) / 1e6;
    } while (elapsed < minMs);
    best = Math.min(best, elapsed / reps);
  }
  return best; // milliseconds per call
}

export function fmt(v: number, digits = 1): string {
  return v.toFixed(digits);
}
