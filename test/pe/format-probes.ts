/** Probe points for float-format encoders (not a test file): shared by the format tests. */
import { encode } from '../../sim/pe/codec.ts';
import { encodeFloat, type EncodeOptions } from '../../sim/pe/float-codec.ts';
import type { FloatFormat } from '../../sim/pe/formats.ts';
import {
  decodeExact, encodeDoubleRef, fromDouble, hex, midpoint, nextDown, nextUp, toDouble, widthOf, type FloatSpec,
} from './exact-rational.ts';

/** Non-negative finite values of a format, ascending, from the exact decoder. */
export function positiveFinite(spec: FloatSpec): number[] {
  const out: number[] = [];
  for (let c = 0; c < 2 ** (widthOf(spec) - 1); c++) {
    const v = decodeExact(spec, c);
    if (v.kind === 'num') out.push(toDouble(v));
  }
  return out.sort((a, b) => a - b);
}

/**
 * Every value, every midpoint, one double ulp either side of both, quarter points, the
 * overflow threshold, beyond max (infinity included), below the smallest subnormal; both signs.
 */
export function probePoints(spec: FloatSpec): number[] {
  const vals = positiveFinite(spec);
  const pts: number[] = [];
  for (let i = 0; i < vals.length; i++) {
    const v = vals[i];
    pts.push(v, nextUp(v), nextDown(v));
    if (i + 1 < vals.length) {
      const m = toDouble(midpoint(fromDouble(v), fromDouble(vals[i + 1])));
      pts.push(m, nextUp(m), nextDown(m));
      // quarter points
      pts.push((3 * v + vals[i + 1]) / 4, (v + 3 * vals[i + 1]) / 4);
    }
  }
  const max = vals[vals.length - 1];
  const step = max - vals[vals.length - 2];
  const threshold = max + step / 2; // the first value that does not round down to max
  pts.push(threshold, nextUp(threshold), nextDown(threshold), max + step, 2 * max, 1e30, Number.MAX_VALUE, Infinity);
  pts.push(Number.MIN_VALUE, 1e-300, vals[1] / 4, vals[1] / 2, nextUp(vals[1] / 2), nextDown(vals[1] / 2));
  return [...pts, ...pts.map((x) => -x)];
}

/** Every combination of the encoder's options worth checking. */
export const OPTION_SETS: readonly EncodeOptions[] = [
  {},
  { saturate: true },
  { round: 'trunc' },
  { round: 'trunc', saturate: true },
  { ftz: true },
  { ftz: true, saturate: true },
  { round: 'rne', saturate: false },
];

/** Every probe point under every option set: where encodeFloat or encode differ from the exact reference. */
export function encoderMismatches(f: FloatFormat, spec: FloatSpec): { probes: number; bad: string[] } {
  const pts = probePoints(spec);
  const bad: string[] = [];
  for (const opts of OPTION_SETS) {
    for (const x of pts) {
      const ref = encodeDoubleRef(spec, x, opts);
      const got = encodeFloat(f, x, opts);
      const got2 = encode(f, x, opts);
      if (got !== ref || got2 !== ref) bad.push(`${x} ${JSON.stringify(opts)}: ref ${hex(ref)} got ${hex(got)}/${hex(got2)}`);
    }
  }
  return { probes: pts.length, bad };
}
