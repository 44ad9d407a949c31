/**
 * Best of several rounds, each at least minMs long, of wall-clock time or (clock 'cpu') of
 * the process's CPU time, user + system: on a machine shared with other jobs the CPU time of
 * a single-threaded loop barely moves with the load, the wall clock does.
 */
export function measure(fn: () => void, opts: { rounds?: number; minMs?: number; clock?: 'wall' | 'cpu' } = {}): number {
  const rounds = opts.rounds ?? 5;
  const minMs = opts.minMs ?? 150;
  const now = opts.clock === 'cpu'
    ? () => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1e3;
    }
    : () => Number(process.hrtime.bigint()) / 1e6;
  fn(); // warm-up: let V8 optimize before timing
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    let reps = 0;
    const t0 = now();
    let elapsed = 0;
    do {
      fn();
      reps++;
      elapsed = now() - t0;
    } while (elapsed < minMs);
    best = Math.min(best, elapsed / reps);
  }
  return best; // milliseconds per call
}

export function fmt(v: number, digits = 1): string {
  return v.toFixed(digits);
}
