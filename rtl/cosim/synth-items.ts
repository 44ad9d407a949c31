/**
 * What the synthesis check (`npm run rtl-synth`) synthesizes: every design of the RTL catalogue
 * (its check top: multiplier, accumulator, and the encoder, widening and narrowing stages where
 * it has them), and every array top the generator makes: each design that can be the array's
 * PE, under os, ws and is, with the partial sums accumulated at the top (in the PEs' chain) and,
 * for ws and is, below the array. An array's multiplier and accumulator are kept as black boxes:
 * they are the very modules its design's check top synthesizes, so the array item checks what
 * the array adds (cells, skew and pipeline registers, encoders, controller, memories, the
 * accumulators below) without synthesizing the arithmetic a second time.
 */
import type { Dataflow } from '../../sim/arch/schema.ts';
import { arrayCapable, buildArrayRtl, type Accumulate } from '../gen/array.ts';
import { rtlTargets } from '../gen/catalogue.ts';
import { buildPeRtl } from '../gen/pe.ts';

export interface SynthItem {
  /** e.g. "fp8-e4m3" or "array int8 ws 2x2 below" */
  readonly name: string;
  readonly kind: 'pe' | 'array';
  readonly design: string;
  readonly verilog: string;
  readonly top: string;
  readonly blackbox: readonly string[];
}

export const ARRAY_CONFIGS: readonly { readonly dataflow: Dataflow; readonly accumulate: Accumulate }[] = [
  { dataflow: 'os', accumulate: 'top' },
  { dataflow: 'ws', accumulate: 'top' },
  { dataflow: 'ws', accumulate: 'below' },
  { dataflow: 'is', accumulate: 'top' },
  { dataflow: 'is', accumulate: 'below' },
];

/** 2x2: every kind of cell (corner, edge, inner) and every skew register chain; 4-entry memories */
const SIZE = 2;
const DEPTH = 4;

export function arraySynthItem(design: string, dataflow: Dataflow, accumulate: Accumulate): SynthItem {
  const a = buildArrayRtl({ pe: design, dataflow, rows: SIZE, cols: SIZE, depth: DEPTH, accumulate });
  return {
    name: `array ${design} ${dataflow} ${SIZE}x${SIZE}${accumulate === 'below' ? ' below' : ''}`,
    kind: 'array', design, verilog: a.verilog, top: a.top, blackbox: [a.pe.mul, a.pe.acc],
  };
}

export function peSynthItem(design: string): SynthItem {
  const t = rtlTargets().find((x) => x.key === design);
  if (t === undefined) throw new Error(`no RTL design ${design}`);
  const r = buildPeRtl(t);
  return { name: design, kind: 'pe', design, verilog: r.modules.text(), top: r.check, blackbox: [] };
}

/** Every item, designs first, built lazily (the Verilog of one item at a time). */
export function* synthItems(): Generator<SynthItem> {
  for (const t of rtlTargets()) yield peSynthItem(t.key);
  for (const d of arrayDesigns()) for (const c of ARRAY_CONFIGS) yield arraySynthItem(d, c.dataflow, c.accumulate);
}

/** The designs that can be the array's PE. */
export function arrayDesigns(): string[] {
  return rtlTargets().filter((t) => arrayCapable(buildPeRtl(t))).map((t) => t.key);
}
