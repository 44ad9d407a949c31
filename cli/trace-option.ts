/**
 * `bitweave run --out DIR --trace [perfetto|csv|all]`: the run's timeline for Perfetto
 * (timeline.perfetto.json) and/or SCALE-Sim's per-layer SRAM and DRAM access traces (CSV).
 * The size is estimated before anything is written (traces/estimate.ts, from a timing-only
 * simulation) and a trace larger than --trace-limit is refused; writing shows progress.
 */
import type { ArchConfig } from '../sim/arch/schema.ts';
import { InputError } from '../sim/errors.ts';
import type { LayerDetail, SimResult } from '../sim/result.ts';
import { estimateTraceBytes } from '../traces/estimate.ts';
import { writeDramTraces } from '../traces/dram-trace.ts';
import { PerfettoTrace } from '../traces/perfetto.ts';
import { writeSramTraces } from '../traces/sram-trace.ts';
import { BYTES, formatQuantity } from '../reports/units.ts';
import type { OutputDir, StagedStream } from '../models/io/output-files.ts';
import { bareFlagOption } from './option-checks.ts';
import { startProgress, type Progress } from './progress.ts';

export type TraceMode = 'perfetto' | 'csv' | 'all';
const MODES: readonly TraceMode[] = ['perfetto', 'csv', 'all'];

/** --trace-limit's default: a gigabyte */
export const DEFAULT_TRACE_LIMIT = '1GB';

export const TRACE_OPTIONS = {
  // --trace alone is --trace all
  trace: bareFlagOption('trace', {
    type: 'string',
    describe: 'with --out: perfetto (the timeline, timeline.perfetto.json), csv (per-layer SRAM/DRAM traces in SCALE-Sim\'s layout) or all; --trace alone is all',
  } as const),
  'trace-limit': {
    type: 'string', default: DEFAULT_TRACE_LIMIT,
    describe: 'refuse --trace when its files would exceed this size (e.g. 500MB, 5GB; estimated before writing)',
  },
} as const;

export interface TraceArgs {
  trace?: string;
  traceLimit: string;
  out?: string;
}

export interface TraceRequest {
  readonly mode: TraceMode;
  readonly limitBytes: number;
  readonly out: string;
}

/** A size: bytes, or a number with kB / MB / GB / TB (decimal, as BYTES prints them; KiB.. also accepted). */
export function parseSize(text: string, option: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]i?)?b?\s*$/i.exec(text);
  if (!m) throw new InputError(`${option} must be a size such as 500MB or 2GB, got '${text}'`);
  const unit = (m[2] ?? '').toLowerCase();
  const power = { '': 0, k: 1, m: 2, g: 3, t: 4 }[unit[0] ?? ''] ?? 0;
  return Math.round(Number(m[1]) * (unit.endsWith('i') ? 1024 : 1000) ** power);
}

/** The trace request of the command line (undefined without --trace), checked. */
export function traceRequest(args: TraceArgs): TraceRequest | undefined {
  // checked even without --trace: a malformed option is refused, never ignored
  const limitBytes = parseSize(args.traceLimit, '--trace-limit');
  if (args.trace === undefined) return undefined;
  const mode = (args.trace === '' ? 'all' : args.trace) as TraceMode;
  if (!MODES.includes(mode)) throw new InputError(`--trace must be perfetto, csv or all, got '${args.trace}'`);
  if (args.out === undefined) throw new InputError('--trace needs --out DIR');
  return { mode, limitBytes, out: args.out };
}

/** The bytes a run's traces of this mode will take, about; InputError beyond the limit. */
export function checkTraceSize(req: TraceRequest, preview: SimResult, arch: ArchConfig): number {
  const est = estimateTraceBytes(preview, arch);
  const bytes = (req.mode === 'perfetto' ? 0 : est.csv_bytes) + (req.mode === 'csv' ? 0 : est.perfetto_bytes);
  if (bytes > req.limitBytes) {
    const hint = req.mode === 'perfetto' ? '' : ` (the Perfetto timeline alone, --trace perfetto: about ${formatQuantity(est.perfetto_bytes, BYTES)})`;
    throw new InputError(
      `--trace ${req.mode} would write about ${formatQuantity(bytes, BYTES)}, more than --trace-limit ${formatQuantity(req.limitBytes, BYTES)}: ` +
        `raise --trace-limit to write it${hint}`,
    );
  }
  return bytes;
}

/**
 * Writes the traces layer by layer as the simulation hands them over (the CSVs chunk by
 * chunk, never a whole trace in memory), then the timeline, all staged in the output folder:
 * they appear there when the command commits it (after the run succeeded), never half-written.
 */
export class TraceWriter {
  private readonly streams: StagedStream[] = [];
  private written = 0;
  private readonly perfetto: PerfettoTrace | undefined;
  private readonly progress: Progress;
  private nextVector = 0;

  /** `preview`: the run's result (its repeats and vector work place the layers on the timeline) */
  constructor(
    private readonly req: TraceRequest, private readonly out: OutputDir, private readonly preview: SimResult, estimateBytes: number,
    opts: { quiet?: boolean } = {},
  ) {
    if (req.mode !== 'csv') this.perfetto = new PerfettoTrace(preview.arch.clock_mhz, `bitweave ${preview.arch.name}`);
    this.progress = startProgress('traces', 'MB', Math.max(1, Math.round(estimateBytes / 1e6)), opts);
  }

  private open(name: string): (chunk: string) => void {
    const stream = this.out.stream(name);
    this.streams.push(stream);
    return (chunk) => {
      stream.write(chunk);
      this.written += Buffer.byteLength(chunk);
    };
  }

  /** the vector unit's work that runs before array layer `index` */
  private vectorBefore(index: number): void {
    const ops = this.preview.vector.ops;
    const start = this.nextVector;
    while (this.nextVector < ops.length && (ops[this.nextVector].after_layers ?? Infinity) <= index) this.nextVector++;
    this.perfetto?.addVector(ops.slice(start, this.nextVector));
  }

  layer(d: LayerDetail): void {
    if (this.req.mode !== 'perfetto') {
      const dir = `layer${d.index}`;
      const files = (kind: 'SRAM' | 'DRAM') => ({
        ifmap: this.open(`${dir}/IFMAP_${kind}_TRACE.csv`),
        filter: this.open(`${dir}/FILTER_${kind}_TRACE.csv`),
        ofmap: this.open(`${dir}/OFMAP_${kind}_TRACE.csv`),
      });
      writeSramTraces(d, files('SRAM'));
      writeDramTraces(d, files('DRAM'));
      this.close();
    }
    if (this.perfetto) {
      this.vectorBefore(d.index);
      this.perfetto.addLayer(d, this.preview.layers[d.index]?.repeat ?? 1);
    }
    this.progress.update(Math.round(this.written / 1e6));
  }

  /** the rest of the timeline, written; returns the bytes written in all */
  finish(): number {
    if (this.perfetto) {
      this.vectorBefore(Infinity);
      const write = this.open('timeline.perfetto.json');
      for (const chunk of this.perfetto.chunks()) write(chunk);
      this.close();
    }
    this.progress.update(Math.round(this.written / 1e6));
    this.progress.stop();
    return this.written;
  }

  /** closes what is open (after an error) */
  close(): void {
    for (const stream of this.streams.splice(0)) stream.close();
  }
}
